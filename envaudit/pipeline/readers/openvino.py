"""OpenVINO IR: the model_info section of rt_info, and the input Parameter's shape and type.

https://dlstreamer.github.io/dev_guide/model_info_xml.html lists the model_info fields.
The .xml is parsed with xml.etree after refusing DOCTYPE and ENTITY declarations (no
entity expansion, so no "billion laughs"), and only up to MAX_XML_BYTES.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.labels import labels_key
from envaudit.pipeline.readers import DEFAULT_NAME
from envaudit.pipeline.schema import coerce

MAX_XML_BYTES = 64 * 1024 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_ELEMENT_TYPES = {"f32": "float32", "f16": "float16", "u8": "uint8", "i8": "int8",
                  "i32": "int32", "i64": "int64", "bf16": "bfloat16", "f64": "float64"}
_SIMPLE = {"resize_type": "resize_type", "pad_value": "pad_value",
           "confidence_threshold": "confidence_threshold", "iou_threshold": "iou_threshold"}


def _root(path: Path) -> ET.Element:
    from envaudit import safeio

    try:  # a regular file only, within the cap (safeio)
        data = safeio.read_bytes(path, safeio.Limit(MAX_XML_BYTES))
    except safeio.UnsafeFile as e:
        raise PipelineError(f"{path}: {e.reason}") from e
    if _DECLARATION.search(data):
        raise PipelineError(f"{path}: has a DOCTYPE or ENTITY declaration: refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise PipelineError(f"{path}: not valid XML: {e}") from e


def read(path: Path) -> PipelineSet:
    root = _root(path)
    if root.tag != "net":
        raise PipelineError(f"{path}: not an OpenVINO IR file (root element <{root.tag}>)")
    values = {**_parameter(root), **_model_info(root, path)}
    return PipelineSet({DEFAULT_NAME: replace(Pipeline(**values), source=f"{path} (openvino)")},
                       str(path))


def _parameter(root: ET.Element) -> dict[str, Any]:
    """dtype and, for a static NCHW/NHWC shape, the input size of the first Parameter."""
    data = root.find("./layers/layer[@type='Parameter']/data")
    if data is None:
        return {}
    out: dict[str, Any] = {}
    if data.get("element_type") in _ELEMENT_TYPES:
        out["dtype"] = _ELEMENT_TYPES[data.get("element_type", "")]
    dims = [d.strip() for d in data.get("shape", "").split(",")]
    if len(dims) == 4 and all(d.isdigit() for d in dims):
        n = [int(d) for d in dims]
        if n[1] in (1, 3, 4) and n[3] not in (1, 3, 4):
            out.update(input_size=(n[2], n[3]))
        elif n[3] in (1, 3, 4) and n[1] not in (1, 3, 4):
            out.update(input_size=(n[1], n[2]))
    return out


def _model_info(root: ET.Element, path: Path) -> dict[str, Any]:
    info = root.find("./rt_info/model_info")
    if info is None:
        return {}
    raw = {child.tag: child.get("value", "") for child in info}
    out: dict[str, Any] = {}
    try:
        for name, attr in _SIMPLE.items():
            if name in raw:
                out[attr] = coerce(attr, raw[name] if attr == "resize_type" else float(raw[name]))
        for name in ("mean_values", "scale_values"):
            if name in raw:
                out[name] = coerce(name, [float(v) for v in raw[name].split()])
    except ValueError as e:
        raise PipelineError(f"{path}: rt_info/model_info: {e}") from e
    out.update(_colour_and_labels(raw))
    return out


def _colour_and_labels(raw: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Model API reads images with OpenCV (BGR); reverse_input_channels turns them to RGB.
    if raw.get("reverse_input_channels", "").lower() in ("true", "yes", "1"):
        out["color_order"] = "RGB"
    elif raw.get("reverse_input_channels", "").lower() in ("false", "no", "0"):
        out["color_order"] = "BGR"
    if raw.get("labels", "").split():
        # One space-separated list: exporters write a label's spaces as underscores, so the
        # labels as written (labels-hash) are unknown here; only the key is (labels.py).
        labels = raw["labels"].split()
        out.update(labels_key=labels_key(labels), num_classes=len(labels))
    layout = raw.get("layout", "").rpartition(":")[2].upper()
    if layout in ("NCHW", "NHWC"):
        out["layout"] = layout
    return out
