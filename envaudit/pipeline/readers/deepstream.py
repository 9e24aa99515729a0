"""DeepStream Gst-nvinfer config files ([property] and [class-attrs-all] key files).

nvinfer normalises y = net-scale-factor * (x - offsets) and converts to the network's
colour format, keeping the aspect ratio when maintain-aspect-ratio=1, centred when
symmetric-padding=1 (https://docs.nvidia.com/metropolis/deepstream/dev-guide/text/
DS_plugin_gst-nvinfer.html). A key left out takes nvinfer's documented default, listed
in the contract's `assumed`.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.labels import label_fields
from envaudit.pipeline.readers import DEFAULT_NAME, read_text
from envaudit.pipeline.schema import coerce

_COLOURS = {"0": "RGB", "1": "BGR", "2": "GRAY"}
_ORDERS = {"0": "NCHW", "1": "NHWC"}
# NvBufSurfTransform_Inter: only the two with an unambiguous name are mapped.
_FILTERS = {"0": "nearest", "1": "bilinear"}
# nvinfer's defaults for keys a config leaves out (documented in the Gst-nvinfer table).
_DEFAULTS = {"net-scale-factor": "1", "model-color-format": "0", "network-input-order": "0",
             "maintain-aspect-ratio": "0", "symmetric-padding": "0"}
_ASSUMED = {"net-scale-factor": "scale_values", "model-color-format": "color_order",
            "network-input-order": "layout", "maintain-aspect-ratio": "resize_type",
            "symmetric-padding": "resize_type"}


def _parse(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",),
                                       comment_prefixes=("#",), strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    try:
        parser.read_string(read_text(path), str(path))
    except configparser.Error as e:
        raise PipelineError(f"{path}: not an nvinfer config file: {e}") from e
    if not parser.has_section("property"):
        raise PipelineError(f"{path}: no [property] group (not an nvinfer config file)")
    return parser


def read(path: Path) -> PipelineSet:
    parser = _parse(path)
    prop = dict(parser["property"])
    merged = {**_DEFAULTS, **prop}
    # symmetric-padding only matters when the aspect ratio is kept.
    relevant = [k for k in _DEFAULTS if k != "symmetric-padding"
                or merged["maintain-aspect-ratio"].strip() == "1"]
    assumed = sorted({_ASSUMED[k] for k in relevant if k not in prop})
    try:
        values = {**_pre(merged), **_post(parser), **_labels(prop, path)}
    except ValueError as e:
        raise PipelineError(f"{path}: {e}") from e
    p = Pipeline(**values, resize_library="nvbufsurftransform")
    return PipelineSet({DEFAULT_NAME: replace(p, source=f"{path} (deepstream)",
                                              assumed=tuple(assumed))}, str(path))


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.replace(",", ";").split(";") if v.strip()]


def _pre(prop: Mapping[str, str]) -> dict[str, Any]:
    factor = float(prop["net-scale-factor"])
    if factor <= 0:
        raise ValueError(f"net-scale-factor must be positive, got {factor}")
    out: dict[str, Any] = {
        "scale_values": (1.0 / factor,),
        "mean_values": tuple(_floats(prop.get("offsets", "0"))) or (0.0,),
        "color_order": _COLOURS.get(prop["model-color-format"].strip()),
        "layout": _ORDERS.get(prop["network-input-order"].strip()),
        "resize_type": _resize_type(prop),
    }
    dims = _floats(prop.get("infer-dims", "") or prop.get("uff-input-dims", ""))
    if len(dims) >= 3:
        chw = [int(d) for d in dims[:3]]
        size = chw[1:] if out["layout"] == "NCHW" else chw[:2]
        out["input_size"] = coerce("input_size", size)
    if prop.get("scaling-filter", "").strip() in _FILTERS:
        out["interpolation"] = _FILTERS[prop["scaling-filter"].strip()]
    if prop.get("num-detected-classes", "").strip().isdigit():
        out["num_classes"] = int(prop["num-detected-classes"])
    return {k: v for k, v in out.items() if v is not None}


def _resize_type(prop: Mapping[str, str]) -> str:
    if prop["maintain-aspect-ratio"].strip() != "1":
        return "standard"
    centred = prop["symmetric-padding"].strip() == "1"
    return "fit_to_window_letterbox" if centred else "fit_to_window"


def _post(parser: configparser.ConfigParser) -> dict[str, Any]:
    if not parser.has_section("class-attrs-all"):
        return {}
    attrs = parser["class-attrs-all"]
    out: dict[str, Any] = {}
    for name, attr in (("nms-iou-threshold", "iou_threshold"),
                       ("pre-cluster-threshold", "confidence_threshold")):
        if name in attrs:
            out[attr] = coerce(attr, float(attrs[name]))
    topk = attrs.get("topk", "").strip()
    if topk.isdigit():  # -1 (no cap) is not a count
        out["max_detections"] = int(topk)
    return out


def _labels(prop: Mapping[str, str], path: Path) -> dict[str, Any]:
    name = prop.get("labelfile-path", "").strip()
    label_file = path.parent / name if name else None
    if label_file is None or not label_file.is_file():
        return {}
    text = read_text(label_file)
    labels = [x.strip() for line in text.splitlines() for x in line.split(";") if x.strip()]
    return label_fields(labels) if labels else {}
