"""Scenarios of the pipeline-contract rules (PIPE-*): one contract field changed at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

import pytest

from envaudit.model import Unavailable
from envaudit.pipeline.interface import Pipeline
from tests.factories import Scenario, check_scenario, fp, run

ALL = tuple(f"PIPE-{i:03d}" for i in range(1, 15))
TRAINING = Pipeline(
    input_size=(640, 640), layout="NCHW", dtype="float32", color_order="RGB",
    resize_type="fit_to_window_letterbox", pad_value=114.0, resize_library="opencv",
    interpolation="bilinear", mean_values=(0.0,), scale_values=(255.0,),
    confidence_threshold=0.25, iou_threshold=0.7, max_detections=300, class_agnostic=False,
    box_format="cxcywh", box_space="input", labels_hash="sha256:" + "a" * 64, num_classes=80,
)


def _s(sid: str, fires: Optional[dict[str, str]] = None, current: Any = None,
       **changes: Any) -> Scenario:
    """TRAINING against a deployment copy with `changes` (or `current` as given)."""
    deployed = current if current is not None else {"detector": replace(TRAINING, **changes)}
    fired = fires or {}
    return Scenario(sid, replace(fp(), pipelines={"detector": TRAINING}),
                    replace(fp(), pipelines=deployed), fired,
                    frozenset(r for r in ALL if r not in fired))


def _k(sid: str, fires: Optional[dict[str, str]], digit: str, *, locked_key: bool = True,
       **changes: Any) -> Scenario:
    """TRAINING with labels-key sha256u:aaa... (or none) against a copy whose key is
    sha256u: + `digit` * 64, with `changes`."""
    locked = replace(TRAINING, labels_key="sha256u:" + "a" * 64 if locked_key else None)
    deployed = replace(TRAINING, labels_key="sha256u:" + digit * 64, **changes)
    return Scenario(sid, replace(fp(), pipelines={"detector": locked}),
                    replace(fp(), pipelines={"detector": deployed}), fires or {},
                    frozenset(r for r in ALL if r not in (fires or {})))


SCENARIOS: list[Scenario] = [
    _s("pipeline-unchanged"),
    _s("input-224-to-256", {"PIPE-001": "error"}, input_size=(256, 256)),
    _s("layout-nchw-to-nhwc", {"PIPE-002": "error"}, layout="NHWC"),
    _s("letterbox-to-stretch", {"PIPE-003": "error"}, resize_type="standard", pad_value=0.0),
    _s("pad-114-to-0", {"PIPE-004": "warning"}, pad_value=0.0),
    _s("interpolation-bilinear-to-nearest", {"PIPE-005": "warning"}, interpolation="nearest"),
    _s("resize-library-opencv-to-pillow", {"PIPE-005": "warning"}, resize_library="pillow"),
    _s("rgb-to-bgr", {"PIPE-006": "error"}, color_order="BGR"),
    _s("div-255-missing", {"PIPE-007": "error"}, scale_values=(1.0, 1.0, 1.0)),
    _s("div-255-per-channel-is-the-same", None, scale_values=(255.0, 255.0, 255.00001)),
    _s("fp32-to-fp16", {"PIPE-008": "warning"}, dtype="float16"),
    _s("fp32-to-uint8", {"PIPE-008": "error"}, dtype="uint8"),
    _s("iou-0.7-to-0.45", {"PIPE-009": "error"}, iou_threshold=0.45),
    _s("score-0.25-to-0.1", {"PIPE-010": "error"}, confidence_threshold=0.1),
    _s("max-det-300-to-100", {"PIPE-011": "warning"}, max_detections=100),
    _s("per-class-to-agnostic", {"PIPE-012": "warning"}, class_agnostic=True),
    _s("cxcywh-to-xyxy", {"PIPE-013": "error"}, box_format="xyxy"),
    _s("labels-reordered", {"PIPE-014": "error"}, labels_hash="sha256:" + "b" * 64),
    _k("labels-key-reordered", {"PIPE-014": "error"}, "b"),
    _k("labels-key-same-raw-hash-differs-is-not-read", None, "a",
       labels_hash="sha256:" + "b" * 64),  # spelling differs only: keys are compared
    _k("labels-key-only-deployment-vs-hash-only-lock", None, "b", locked_key=False,
       labels_hash=None),  # neither form on both sides: not compared (a stderr note)
    _s("unknown-on-deployment-side", None, current={"detector": Pipeline(input_size=(640, 640))}),
    _s("deployment-not-checked", None, current=Unavailable("not recorded (use --pipeline)")),
    _s("other-pipeline-name", None, current={"classifier": replace(TRAINING, layout="NHWC")}),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_iou_direction_is_named_both_ways() -> None:
    locked = replace(fp(), pipelines={"d": TRAINING})
    lower = run(locked, replace(fp(), pipelines={"d": replace(TRAINING, iou_threshold=0.5)}))
    higher = run(locked, replace(fp(), pipelines={"d": replace(TRAINING, iou_threshold=0.9)}))
    assert "suppress more overlapping boxes" in lower[0].message
    assert "duplicate detections" in higher[0].message
    score = run(locked, replace(fp(), pipelines={"d": replace(TRAINING, confidence_threshold=0.5)}))
    assert "drops low-confidence true positives" in score[0].message
