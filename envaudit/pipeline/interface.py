"""The pre/post-processing contract: its fields, its error, and what a reader returns.

Field names follow OpenVINO's `rt_info/model_info` vocabulary where one exists
(mean_values, scale_values, resize_type, pad_value, confidence_threshold,
iou_threshold); see https://dlstreamer.github.io/dev_guide/model_info_xml.html.
Every field is optional: None means "not stated", and it stays unknown. A value that
a reader fills from a built-in profile or from the consumer's documented default is
listed in `assumed`, so the user can tell it from what the file says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Optional

from envaudit.errors import EnvauditError


class PipelineError(EnvauditError):
    """A pipeline contract or a config file it is read from is missing or invalid."""


@dataclass(frozen=True)
class Pipeline:
    """What a model expects around it: pre-processing in, post-processing out.

    Pixel normalisation is OpenVINO's: y = (x - mean_values) / scale_values, per channel,
    with x in the 0..255 pixel range and channels in `color_order`.
    """

    # Pre-processing.
    input_size: Optional[tuple[int, ...]] = None  # (height, width) of the model input
    layout: Optional[str] = None  # NCHW or NHWC
    dtype: Optional[str] = None  # element type of the input tensor: float32, float16, uint8...
    color_order: Optional[str] = None  # RGB, BGR or GRAY
    resize_type: Optional[str] = None  # standard, fit_to_window, fit_to_window_letterbox, crop
    pad_value: Optional[float] = None
    resize_library: Optional[str] = None  # opencv, pillow, torchvision, tensorflow, ...
    interpolation: Optional[str] = None  # nearest, bilinear, bicubic, area, lanczos
    mean_values: Optional[tuple[float, ...]] = None
    scale_values: Optional[tuple[float, ...]] = None
    # Post-processing.
    confidence_threshold: Optional[float] = None
    iou_threshold: Optional[float] = None
    max_detections: Optional[int] = None
    class_agnostic: Optional[bool] = None
    box_format: Optional[str] = None  # xyxy, xywh, cxcywh
    box_space: Optional[str] = None  # input, original, normalized
    labels_hash: Optional[str] = None  # "sha256:..." of the label list as written
    labels_key: Optional[str] = None  # "sha256u:...": spaces as underscores (labels.py)
    num_classes: Optional[int] = None
    # Where the values came from, and which ones the file itself does not state.
    source: str = ""
    assumed: tuple[str, ...] = ()

    def known(self) -> dict[str, object]:
        """Contract field -> value, for the fields that are stated."""
        return {f: getattr(self, f) for f in CONTRACT_FIELDS if getattr(self, f) is not None}


#: The contract's own fields, in order (not `source` and `assumed`).
CONTRACT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Pipeline) if f.name not in ("source", "assumed"))


@dataclass(frozen=True)
class PipelineSet:
    """The named pipelines read from one file (a detector and a classifier behind it)."""

    pipelines: Mapping[str, Pipeline] = field(default_factory=dict)
    source: str = ""
    # Things the reader wants the user to know (a key it did not understand...).
    notes: tuple[str, ...] = ()


def key(attr: str) -> str:
    """The TOML key of a contract field: input_size -> input-size."""
    return attr.replace("_", "-")
