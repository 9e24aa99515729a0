"""Validate a contract table (from a contract file or a lock) into a Pipeline.

Every problem names its key path; an unknown key gets a did-you-mean. Values are
normalised to one spelling ("nchw" -> "NCHW", "linear" -> "bilinear") so that two
files that say the same thing compare equal.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from envaudit.pipeline.interface import CONTRACT_FIELDS, Pipeline, PipelineError, key

_CHOICES: dict[str, dict[str, str]] = {
    "layout": {"nchw": "NCHW", "nhwc": "NHWC"},
    "dtype": {n: n for n in ("float32", "float16", "bfloat16", "float64", "uint8", "int8",
                             "int32", "int64")} | {"fp32": "float32", "fp16": "float16"},
    "color_order": {"rgb": "RGB", "bgr": "BGR", "gray": "GRAY", "grey": "GRAY"},
    "resize_type": {"standard": "standard", "stretch": "standard",
                    "fit_to_window": "fit_to_window", "keep_aspect": "fit_to_window",
                    "fit_to_window_letterbox": "fit_to_window_letterbox",
                    "letterbox": "fit_to_window_letterbox", "crop": "crop"},
    "interpolation": {"nearest": "nearest", "nearest_exact": "nearest_exact",
                      "bilinear": "bilinear", "linear": "bilinear", "bicubic": "bicubic",
                      "cubic": "bicubic", "area": "area", "box": "area",
                      "lanczos": "lanczos", "lanczos4": "lanczos", "hamming": "hamming"},
    "box_format": {"xyxy": "xyxy", "xywh": "xywh", "cxcywh": "cxcywh"},
    "box_space": {"input": "input", "original": "original", "normalized": "normalized",
                  "normalised": "normalized"},
}
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_LIBRARIES = {"cv2": "opencv", "pil": "pillow", "tf": "tensorflow"}
_KINDS = {
    "input_size": "size", "pad_value": "float", "mean_values": "floats",
    "scale_values": "floats", "confidence_threshold": "unit", "iou_threshold": "unit",
    "max_detections": "int", "num_classes": "int", "class_agnostic": "bool",
    "resize_library": "library", "labels_hash": "hash",
    "labels_key": "key",
}


@dataclass
class Problems:
    """Every problem of one document, reported together in one PipelineError."""

    source: str
    items: list[tuple[str, str]]  # (key path, message)

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_any(self) -> None:
        if self.items:
            path, message = self.items[0]
            more = len(self.items) - 1
            tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            raise PipelineError(f"{self.source}: at '{path}': {message}{tail}")


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _choice(attr: str) -> Callable[[Any], Any]:
    table = _CHOICES[attr]

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"expected one of {_shown(table)}")
        word = value.strip().lower().replace("-", "_")
        if word.startswith("inter_"):  # OpenCV's cv2.INTER_LINEAR spelling
            word = word[len("inter_"):]
        if word not in table:
            raise ValueError(f"{value!r} is not one of {_shown(table)}"
                             + did_you_mean(word, list(table)))
        return table[word]
    return parse


def _shown(table: Mapping[str, str]) -> str:
    return ", ".join(sorted(set(table.values())))


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("expected a number")
    return float(value)


def _unit(value: Any) -> float:
    number = _number(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"expected a number from 0 to 1, got {number}")
    return number


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("expected a non-negative integer")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _size(value: Any) -> tuple[int, ...]:
    """An int (square) or [height, width]."""
    items = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    if (not isinstance(items, (list, tuple)) or len(items) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in items)):
        raise ValueError("expected a positive integer or [height, width]")
    return (int(items[0]), int(items[1]))


def _floats(value: Any) -> tuple[float, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or len(items) > 4:
        raise ValueError("expected a number or a list of 1 to 4 numbers (one per channel)")
    return tuple(_number(v) for v in items)


def _library(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a library name such as opencv, pillow, torchvision")
    word = value.strip().lower()
    return _LIBRARIES.get(word, word)


def _hash(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("sha256:") or len(value) != 71:
        raise ValueError('expected "sha256:" and 64 hex digits')
    return value


def _key(value: Any) -> str:
    """labels-key: "sha256u:" + 64 hex digits, written lower-case (as labels.py does)."""
    text = value if isinstance(value, str) else ""
    digits = text[len("sha256u:"):]
    if not text.startswith("sha256u:") or not _HEX64.fullmatch(digits):
        raise ValueError('expected "sha256u:" and 64 hex digits')
    return "sha256u:" + digits.lower()


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "size": _size, "float": _number, "floats": _floats, "unit": _unit, "int": _int,
    "bool": _bool, "library": _library, "hash": _hash,
    "key": _key,
}


def parser(attr: str) -> Callable[[Any], Any]:
    """The function that validates and normalises one contract field."""
    if attr in _CHOICES:
        return _choice(attr)
    return _PARSERS[_KINDS[attr]]


KEYS: dict[str, str] = {key(a): a for a in CONTRACT_FIELDS}


def parse_pipeline(table: Any, path: str, problems: Problems, *, extra: tuple[str, ...] = (),
                   ignore_unknown: bool = False) -> Pipeline:
    """The Pipeline in `table` (keys spelled input-size or input_size); problems collected.

    `extra` are other keys the caller handles itself; unknown keys are problems unless
    `ignore_unknown` (a lock from a newer minor schema).
    """
    if not isinstance(table, Mapping):
        problems.add(path, "expected a table of contract fields")
        return Pipeline()
    values: dict[str, Any] = {}
    for raw_key, raw in table.items():
        name = str(raw_key).replace("_", "-")
        if name in extra:
            continue
        attr = KEYS.get(name)
        if attr is None:
            if not ignore_unknown:
                problems.add(f"{path}.{raw_key}", "unknown key"
                             + did_you_mean(name, [*KEYS, *extra]))
            continue
        try:
            values[attr] = parser(attr)(raw)
        except ValueError as e:
            problems.add(f"{path}.{raw_key}", str(e))
    return Pipeline(**values)


def coerce(attr: str, value: Any) -> Any:
    """`value` normalised for field `attr` (verify() and readers); ValueError if invalid."""
    if attr not in CONTRACT_FIELDS:
        raise KeyError(attr)
    return None if value is None else parser(attr)(value)
