"""Ultralytics: a training run's args.yaml and the metadata its exports carry.

Export metadata (https://docs.ultralytics.com/modes/export/) travels as ONNX
metadata_props (Python reprs, read with ast.literal_eval), `extra/config.txt` in a
TorchScript zip (JSON), a JSON length-prefix before a TensorRT `.engine` plan, or a
`metadata.yaml` beside other exports. What Ultralytics never records comes from the
built-in PROFILE and is listed in the contract's `assumed`.
"""

from __future__ import annotations

import ast
import json
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.labels import from_index_map, label_fields
from envaudit.pipeline.readers import DEFAULT_NAME, read_text
from envaudit.pipeline.readers._yaml import loads as yaml_loads
from envaudit.pipeline.schema import coerce

# What every Ultralytics detector/segmenter/pose/OBB model gets in LetterBox and
# preprocess() and no file records: centred letterbox padded with 114, BGR->RGB, /255,
# NCHW (https://dlstreamer.github.io/dev_guide/model_info_xml.html shows the same values
# in the model_info of an exported YOLOv8 model).
PROFILE: Mapping[str, Any] = {
    "layout": "NCHW", "color_order": "RGB", "mean_values": (0.0,), "scale_values": (255.0,),
    "resize_type": "fit_to_window_letterbox", "pad_value": 114.0,
}
# Classification models are not letterboxed: only the tensor facts apply.
_CLASSIFY_PROFILE = ("layout", "color_order", "mean_values", "scale_values")
# args.yaml / metadata key -> contract field.
_KEYS = {"iou": "iou_threshold", "conf": "confidence_threshold", "max_det": "max_detections",
         "agnostic_nms": "class_agnostic"}
_MAX_METADATA = 1024 * 1024


def read(path: Path) -> PipelineSet:
    """args.yaml, metadata.yaml, a .torchscript zip or a .engine file."""
    suffix = path.suffix.lower()
    if suffix == ".engine":
        data = engine_metadata(path)
    elif suffix == ".torchscript" or _is_zip(path):
        data = torchscript_metadata(path)
    else:
        data = yaml_loads(read_text(path), str(path))
    return PipelineSet({DEFAULT_NAME: from_metadata(data, str(path))}, str(path))


def _is_zip(path: Path) -> bool:
    """zipfile.is_zipfile() on a regular file only (it would open a FIFO and wait)."""
    from envaudit import safeio

    try:
        with safeio.open_regular(path) as fh:
            return zipfile.is_zipfile(fh)
    except OSError:
        return False  # read_text() then names the problem


def from_metadata(data: Mapping[str, Any], source: str) -> Pipeline:
    """The contract from args.yaml keys or export metadata, plus the built-in profile."""
    values: dict[str, Any] = {}
    args = data.get("args")
    for merged in (data, args if isinstance(args, Mapping) else {}):
        for name, attr in _KEYS.items():
            if merged.get(name) is not None:
                values[attr] = _coerce(attr, merged[name], source, name)
    if data.get("imgsz") is not None:
        values["input_size"] = _coerce("input_size", data["imgsz"], source, "imgsz")
    if isinstance(data.get("names"), Mapping):
        labels = from_index_map(data["names"], source)
        values.update(label_fields(labels))
    profile = _profile(data.get("task"))
    assumed = tuple(k for k in profile if k not in values)
    return replace(Pipeline(**{**profile, **values}), source=f"{source} (ultralytics)",
                   assumed=assumed)


def _profile(task: Any) -> dict[str, Any]:
    if task == "classify":
        return {k: PROFILE[k] for k in _CLASSIFY_PROFILE}
    return dict(PROFILE)


def _coerce(attr: str, value: Any, source: str, name: str) -> Any:
    try:
        return coerce(attr, value)
    except ValueError as e:
        raise PipelineError(f"{source}: {name}: {e}") from None


def metadata_props(props: Mapping[str, str]) -> dict[str, Any]:
    """ONNX metadata_props as written by Ultralytics: str() of Python values."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        try:
            out[k] = ast.literal_eval(v)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            out[k] = v  # a plain string such as the description
    return out


def is_ultralytics(props: Mapping[str, str]) -> bool:
    return "Ultralytics" in props.get("author", "") or {"imgsz", "names", "stride"} <= set(props)


def engine_metadata(path: Path) -> dict[str, Any]:
    """The JSON that Ultralytics writes before the TensorRT plan: int32 length, then JSON."""
    from envaudit import safeio

    try:
        with safeio.open_regular(path) as fh:  # a regular file only: never a FIFO or device
            head = fh.read(4)
            size = struct.unpack("<i", head)[0] if len(head) == 4 else -1
            if not 0 < size <= _MAX_METADATA:
                raise PipelineError(f"{path}: no Ultralytics metadata before the TensorRT plan")
            data = json.loads(fh.read(size).decode("utf-8"))
    except OSError as e:
        raise PipelineError(f"{path}: cannot read: {e.strerror or e}") from e
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise PipelineError(f"{path}: the metadata before the plan is not JSON: {e}") from e
    return _mapping(data, path)


def torchscript_metadata(path: Path) -> dict[str, Any]:
    """`<archive>/extra/config.txt` (JSON) of a TorchScript zip exported by Ultralytics."""
    from envaudit import safeio

    try:
        with safeio.open_regular(path) as fh, zipfile.ZipFile(fh) as zf:
            names = [i for i in zf.infolist() if i.filename.endswith("extra/config.txt")]
            if not names:
                raise PipelineError(f"{path}: no extra/config.txt (not an Ultralytics export)")
            if names[0].file_size > _MAX_METADATA:
                raise PipelineError(f"{path}: extra/config.txt is too large")
            data = json.loads(zf.read(names[0]).decode("utf-8"))
    except safeio.UnsafeFile as e:
        raise PipelineError(f"{path}: {e.reason}") from e
    except (OSError, zipfile.BadZipFile) as e:
        raise PipelineError(f"{path}: not a readable zip archive: {e}") from e
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise PipelineError(f"{path}: extra/config.txt is not JSON: {e}") from e
    return _mapping(data, path)


def _mapping(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: the metadata is not a mapping")
    return data
