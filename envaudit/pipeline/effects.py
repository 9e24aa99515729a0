"""What a difference in one contract field does to the model's predictions, in words."""

from __future__ import annotations

from typing import Any, Callable

from envaudit.pipeline.compare import FieldDiff, show
from envaudit.pipeline.interface import key


def _iou(old: Any, new: Any) -> str:
    if new < old:
        return ("a lower IoU threshold makes NMS suppress more overlapping boxes: true"
                " positives that overlap (crowds, adjacent objects) are lost")
    return ("a higher IoU threshold makes NMS keep more overlapping boxes: duplicate"
            " detections of one object appear")


def _score(old: Any, new: Any) -> str:
    if new < old:
        return "a lower score threshold admits more low-confidence boxes: more false positives"
    return "a higher score threshold drops low-confidence true positives: recall falls"


def _max_det(old: Any, new: Any) -> str:
    if new < old:
        return "fewer detections are kept per image: crowded scenes lose objects"
    return "more detections are kept per image than in validation"


_FIXED: dict[str, str] = {
    "input_size": "the model sees objects at another scale than in training, and box"
                  " coordinates are mapped back with the wrong ratio",
    "layout": "channels and pixels are read in the wrong order: outputs are garbage or the"
              " model rejects the tensor",
    "dtype": "the input tensor has another element type: the runtime rejects it, or values"
             " arrive unscaled or with less precision",
    "color_order": "red and blue are swapped: colour-dependent classes and confidences drop",
    "resize_type": "objects are stretched, cropped or padded differently than in training:"
                   " shapes and box coordinates change",
    "pad_value": "the padded border has another colour than in training",
    "resize_library": "another library resizes with other kernels and rounding: pixels differ",
    "interpolation": "another interpolation gives slightly different pixels: confidences shift",
    "mean_values": "inputs are shifted by another mean: every activation moves",
    "scale_values": "inputs are scaled by another factor (e.g. /255 missing): every"
                    " activation moves, predictions collapse",
    "class_agnostic": "NMS across classes differs: overlapping objects of different classes"
                      " are suppressed on one side and kept on the other",
    "box_format": "box coordinates are read in another format: every box is misplaced",
    "box_space": "boxes are expressed in another coordinate space: every box is misplaced",
    "labels_hash": "class indices map to other names: predictions are mislabelled",
    "labels_key": "class indices map to other names: predictions are mislabelled",
    "num_classes": "the number of classes differs: outputs are decoded wrongly",
}
_BY_DIRECTION: dict[str, Callable[[Any, Any], str]] = {
    "iou_threshold": _iou, "confidence_threshold": _score, "max_detections": _max_det,
}


def describe(d: FieldDiff) -> str:
    """"iou-threshold 0.7 → 0.45: a lower IoU threshold ..."."""
    effect = (_BY_DIRECTION[d.field](d.locked, d.current) if d.field in _BY_DIRECTION
              else _FIXED[d.field])
    return f"{key(d.field)} {show(d.field, d.locked)} → {show(d.field, d.current)}: {effect}"
