"""Hugging Face: preprocessor_config.json, and id2label from config.json beside it.

Image processors resize, rescale (x * rescale_factor) and normalise ((x - image_mean) /
image_std); as the contract's y = (x - mean_values) / scale_values that is
mean_values = image_mean / rescale_factor and scale_values = image_std / rescale_factor.
A flag that is absent leaves its step unknown: the class default is not assumed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.labels import from_index_map, label_fields
from envaudit.pipeline.readers import DEFAULT_NAME, read_text
from envaudit.pipeline.schema import coerce

# PIL.Image.Resampling values, as `resample` stores them.
_RESAMPLE = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "area", 5: "hamming"}
_FORMATS = {"channels_first": "NCHW", "channels_last": "NHWC"}


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path))
    except (json.JSONDecodeError, RecursionError) as e:
        raise PipelineError(f"{path}: not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: expected a JSON object")
    return data


def read(path: Path) -> PipelineSet:
    """preprocessor_config.json (or config.json: labels only)."""
    if path.name == "config.json":
        pre = path.with_name("preprocessor_config.json")
        config, path = _json(path), pre if pre.is_file() else path
    else:
        sibling = path.with_name("config.json")
        config = _json(sibling) if sibling.is_file() else {}
    data = _json(path) if path.name != "config.json" else {}
    values = {**_resize(data), **_normalisation(data), **_labels(config, path)}
    if data.get("data_format") in _FORMATS:
        values["layout"] = _FORMATS[data["data_format"]]
    if data.get("do_convert_rgb") is True:
        values["color_order"] = "RGB"
    return PipelineSet({DEFAULT_NAME: replace(Pipeline(**values),
                                              source=f"{path} (huggingface)")}, str(path))


def _resize(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("resample") in _RESAMPLE:
        out["interpolation"] = _RESAMPLE[data["resample"]]
    size = data.get("size") if data.get("do_resize") is True else None
    cropped = data.get("do_center_crop") is True
    chosen = _square(data.get("crop_size")) if cropped else size  # the input is the crop
    if isinstance(chosen, Mapping) and {"height", "width"} <= set(chosen):
        out["input_size"] = coerce("input_size", [chosen["height"], chosen["width"]])
        out["resize_type"] = "crop" if cropped else "standard"
    elif data.get("do_resize") is False:
        out["resize_type"] = None
    return {k: v for k, v in out.items() if v is not None}


def _square(crop: Any) -> Any:
    """An integer crop_size (older configs) is a square: transformers' get_size_dict(crop_size,
    param_name="crop_size") makes it {"height": n, "width": n} (default_to_square=True)."""
    if isinstance(crop, int) and not isinstance(crop, bool):
        return {"height": crop, "width": crop}
    return crop


def _normalisation(data: Mapping[str, Any]) -> dict[str, Any]:
    factor = _factor(data)
    if factor is None:
        return {}
    if data.get("do_normalize") is False:
        return {"mean_values": (0.0,), "scale_values": (1.0 / factor,)}
    mean, std = data.get("image_mean"), data.get("image_std")
    if data.get("do_normalize") is not True or mean is None or std is None:
        return {}
    means: tuple[float, ...] = coerce("mean_values", mean)
    stds: tuple[float, ...] = coerce("scale_values", std)
    return {"mean_values": tuple(m / factor for m in means),
            "scale_values": tuple(s / factor for s in stds)}


def _factor(data: Mapping[str, Any]) -> Optional[float]:
    """The rescale factor (1.0 when do_rescale is false); None when not stated."""
    if data.get("do_rescale") is False:
        return 1.0
    value = data.get("rescale_factor")
    if data.get("do_rescale") is True and isinstance(value, (int, float)) and value > 0:
        return float(value)
    return None


def _labels(config: Mapping[str, Any], path: Path) -> dict[str, Any]:
    names = config.get("id2label")
    if not isinstance(names, Mapping) or not names:
        return {}
    labels = from_index_map(names, str(path.with_name("config.json")))
    return label_fields(labels)
