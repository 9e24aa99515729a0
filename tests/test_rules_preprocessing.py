"""Scenarios of the pre-processing rules (PRE-*): torchvision, Pillow, OpenCV, tf.image."""

from __future__ import annotations

from typing import Any

import pytest

from envaudit.findings import Severity
from envaudit.model import Framework
from tests.factories import Scenario, check_scenario, fp, pkg_scenario, run

CV = "opencv-python-headless"
ARM_FLAGS = ("asimd", "fp", "sve")


_s = pkg_scenario


def _cv2(cuda: str) -> dict[str, Any]:
    return {"frameworks": {"cv2": Framework(name="cv2", version="4.10.0", cuda=cuda)}}


TORCHVISION = [
    _s("torchvision-0.16-to-0.17-antialias", {"torchvision": "0.16.2"},
       {"torchvision": "0.17.1"}, {"PRE-001": "error"}),
    _s("torchvision-0.18-to-0.15-antialias-down", {"torchvision": "0.18.0+cu121"},
       {"torchvision": "0.15.2+cu118"}, {"PRE-001": "error"}),
    _s("torchvision-0.17-to-0.19", {"torchvision": "0.17.0"}, {"torchvision": "0.19.1"}, None,
       ("PRE-001",)),
]

PILLOW = [
    _s("pillow-9.5-to-10.0", {"pillow": "9.5.0"}, {"pillow": "10.0.0"}, {"PRE-002": "error"},
       ("PRE-003", "PRE-004", "PRE-005")),
    _s("pillow-10.1-to-9.4-down", {"pillow": "10.1.0"}, {"pillow": "9.4.0"},
       {"PRE-002": "info"}),
    _s("pillow-10.0-to-11.3", {"pillow": "10.0.1"}, {"pillow": "11.3.0"}, None, ("PRE-002",)),
    _s("pillow-6.2-to-7.0-resize-default", {"pillow": "6.2.2"}, {"pillow": "7.0.0"},
       {"PRE-003": "error", "PRE-004": "warning"}, ("PRE-002", "PRE-005")),
    _s("pillow-8.0-to-6.1-resize-default-down", {"pillow": "8.0.1"}, {"pillow": "6.1.0"},
       {"PRE-003": "error", "PRE-004": "warning"}),
    _s("pillow-7.1-to-8.4", {"pillow": "7.1.2"}, {"pillow": "8.4.0"}, None,
       ("PRE-003", "PRE-004")),
    _s("pillow-2.6-to-2.9-convolution", {"pillow": "2.6.2"}, {"pillow": "2.9.0"},
       {"PRE-005": "info"}, ("PRE-003",)),
    _s("pillow-3.0-to-4.0", {"pillow": "3.0.0"}, {"pillow": "4.0.0"}, None, ("PRE-005",)),
]

OPENCV = [
    _s("opencv-4.10-to-5.0", {CV: "4.10.0.84"}, {CV: "5.0.0.93"},
       {"PRE-007": "warning", "PRE-008": "warning"}, ("PRE-009", "PRE-012")),
    _s("opencv-5.0-to-4.14-other-dist-down", {CV: "5.0.0.93"},
       {"opencv-python": "4.14.0.94"}, {"PRE-007": "warning", "PRE-008": "warning"}),
    _s("opencv-4.9-to-4.14", {CV: "4.9.0.80"}, {CV: "4.14.0.94"}, None,
       ("PRE-007", "PRE-008", "PRE-009", "PRE-012")),
    _s("opencv-4.2-to-4.3-inter-cubic", {"opencv-python": "4.2.0.34"},
       {"opencv-python": "4.3.0.38"}, {"PRE-009": "warning"}, ("PRE-012",)),
    _s("opencv-4.3-to-4.4", {"opencv-python": "4.3.0.38"}, {"opencv-python": "4.4.0.46"},
       None, ("PRE-009",)),
    _s("opencv-4.5.5.62-to-4.5.5.64-exif", {"opencv-python": "4.5.5.62"},
       {"opencv-python": "4.5.5.64"}, {"PRE-012": "warning"}),
    _s("opencv-4.5.5.64-to-4.6", {"opencv-python": "4.5.5.64"}, {"opencv-python": "4.6.0.66"},
       None, ("PRE-012",)),
    _s("opencv-x86-to-arm64", {CV: "4.10.0.84"}, None, {"PRE-010": "warning"},
       current={"machine": "aarch64", "cpu_flags": ARM_FLAGS}),
    _s("opencv-same-cpu", {CV: "4.10.0.84"}, None, None, ("PRE-010", "PRE-011")),
    # An empty flag list is "not read" (probes/cpu.py), not a CPU without SIMD.
    _s("opencv-cpu-flags-not-read-on-deployment", {CV: "4.10.0.84"}, None, None, ("PRE-010",),
       current={"cpu_flags": ()}),
    _s("opencv-to-arm64-flags-not-read", {CV: "4.10.0.84"}, None, {"PRE-010": "warning"},
       current={"machine": "aarch64", "cpu_flags": ()}),
    _s("no-opencv-x86-to-arm64", {"numpy": "2.1.0"}, None, None, ("PRE-010",),
       current={"machine": "aarch64", "cpu_flags": ARM_FLAGS}),
    _s("cv2-cuda-build-to-cpu", {"opencv-contrib-python": "4.10.0.84"}, None,
       {"PRE-011": "warning"}, locked=_cv2("12.4"), current=_cv2("")),
    _s("cv2-cuda-build-both", {"opencv-contrib-python": "4.10.0.84"}, None, None,
       ("PRE-011",), locked=_cv2("12.4"), current=_cv2("12.6")),
]

TF_AND_LIBRARIES = [
    _s("tf-1.15-to-2.4-resize-grid", {"tensorflow": "1.15.5"}, {"tensorflow": "2.4.4"},
       {"PRE-013": "warning"}),
    _s("tf-2.4-to-2.15-same-resize", {"tensorflow": "2.4.4"}, {"tensorflow": "2.15.0"}, None,
       ("PRE-013",)),
    _s("torchvision-gone-pillow-stays", {"torchvision": "0.20.1", "pillow": "11.0.0"},
       {"pillow": "11.0.0"}, {"PRE-014": "info"}),
    _s("opencv-added-pillow-stays", {"pillow": "11.0.0"}, {"pillow": "11.0.0", CV: "4.10.0.84"},
       {"PRE-014": "info"}),
    _s("same-image-libraries", {"pillow": "10.4.0", CV: "4.10.0.84"},
       {"pillow": "11.0.0", CV: "4.11.0.86"}, None, ("PRE-014",)),
    _s("only-image-library-replaced", {"pillow": "10.4.0"}, {CV: "4.10.0.84"}, None,
       ("PRE-014",)),
]

SCENARIOS: list[Scenario] = [*TORCHVISION, *PILLOW, *OPENCV, *TF_AND_LIBRARIES]


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_identical_preprocessing_hosts_give_no_findings() -> None:
    pkgs = {"pillow": "6.2.2", CV: "4.5.5.62", "torchvision": "0.16.0", "tensorflow": "1.15.5"}
    kw: dict[str, Any] = {**_cv2("12.4"), "machine": "aarch64", "cpu_flags": ARM_FLAGS}
    assert run(fp(packages=pkgs, **kw), fp(packages=pkgs, **kw)) == []


def test_pillow_12_3_to_13_is_at_most_a_warning() -> None:
    findings = run(fp(packages={"pillow": "12.3.0"}), fp(packages={"pillow": "13.0.0"}))
    assert [f.subject for f in findings] == ["pillow"]
    assert findings[0].severity is Severity.WARNING
