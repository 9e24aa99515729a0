"""An ONNX model: input shape and dtype, Ultralytics metadata_props, NMS node thresholds.

Read with envaudit.artifacts.onnx (the protobuf wire format, no onnx package).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Union

from envaudit.artifacts.interface import ArtifactError
from envaudit.artifacts.onnx import OnnxModel, OnnxNode, OnnxTensor, read_onnx
from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.readers import DEFAULT_NAME
from envaudit.pipeline.readers import ultralytics as ul
from envaudit.pipeline.schema import coerce

_CHANNELS = (1, 3, 4)
# NonMaxSuppression inputs: boxes, scores, max_output_boxes_per_class, iou, score
# (https://onnx.ai/onnx/operators/onnx__NonMaxSuppression.html).
_NMS_INPUTS = {3: "iou_threshold", 4: "confidence_threshold"}
_TRT_ATTRS = {"iou_threshold": "iou_threshold", "score_threshold": "confidence_threshold",
              "max_output_boxes": "max_detections", "class_agnostic": "class_agnostic"}


def read(path: Path) -> PipelineSet:
    try:
        model = read_onnx(path)
    except ArtifactError as e:
        raise PipelineError(str(e)) from e
    return PipelineSet({DEFAULT_NAME: from_model(model, str(path))}, str(path))


def from_model(model: OnnxModel, source: str) -> Pipeline:
    base = (ul.from_metadata(ul.metadata_props(model.metadata), source)
            if ul.is_ultralytics(model.metadata) else Pipeline(source=source))
    found: dict[str, Any] = {}
    inferred: list[str] = []
    if model.inputs:
        found.update(_input(model.inputs[0], inferred))
    for node in model.nms_nodes:
        found.update(_nms(node))
    assumed = tuple(a for a in base.assumed if a not in found) + tuple(inferred)
    return replace(base, **found, assumed=assumed)


def _input(tensor: OnnxTensor, inferred: list[str]) -> dict[str, Any]:
    """dtype, and layout and size from a static 4-D shape (channels where 1, 3 or 4 stand)."""
    out: dict[str, Any] = {}
    with contextlib.suppress(ValueError):  # an element type the contract does not name
        out["dtype"] = coerce("dtype", tensor.elem_type)
    shape = tensor.shape
    if len(shape) != 4 or not all(isinstance(d, int) for d in shape[1:]):
        return out
    first, last = shape[1] in _CHANNELS, shape[3] in _CHANNELS
    if first != last:  # exactly one candidate for the channel axis
        out["layout"] = "NCHW" if first else "NHWC"
        out["input_size"] = (shape[2], shape[3]) if first else (shape[1], shape[2])
        inferred.append("layout")
    return out


def _nms(node: OnnxNode) -> dict[str, Any]:
    values: dict[str, Union[int, float]] = {}
    if node.op_type == "NonMaxSuppression":
        for index, attr in _NMS_INPUTS.items():
            if index < len(node.inputs) and node.inputs[index] in node.constant_inputs:
                values[attr] = node.constant_inputs[node.inputs[index]]
    else:
        values = {attr: v for name, attr in _TRT_ATTRS.items()
                  if isinstance(v := node.attributes.get(name), (int, float))}
    out: dict[str, Any] = {}
    for attr, value in values.items():
        try:
            out[attr] = coerce(attr, bool(value) if attr == "class_agnostic" else value)
        except ValueError:
            continue
    return out
