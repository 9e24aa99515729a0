"""Compare two pipelines field by field: what differs, and what stays unknown."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from envaudit.pipeline.interface import CONTRACT_FIELDS, Pipeline, key

_UNPADDED = ("standard", "crop")
# Relative tolerance for numbers: DeepStream writes 1/255 as 0.0039215697906911373 (float32).
_REL_TOL = 1e-4


@dataclass(frozen=True)
class FieldDiff:
    """One contract field stated on both sides with different values."""

    field: str
    locked: Any
    current: Any


def same(attr: str, a: Any, b: Any) -> bool:
    """Whether two stated values of field `attr` mean the same thing."""
    if isinstance(a, tuple) and isinstance(b, tuple) and attr in ("mean_values", "scale_values"):
        return _same_channels(a, b)
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=_REL_TOL, abs_tol=1e-9)
    return bool(a == b)


def _same_channels(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Per-channel values; one value stands for every channel ([255] == [255, 255, 255])."""
    if len(a) != len(b) and 1 not in (len(a), len(b)):
        return False
    width = max(len(a), len(b))
    wide_a = a * width if len(a) == 1 else a
    wide_b = b * width if len(b) == 1 else b
    return all(math.isclose(x, y, rel_tol=_REL_TOL, abs_tol=1e-9)
               for x, y in zip(wide_a, wide_b))


def _skipped(attr: str, locked: Pipeline, current: Pipeline) -> bool:
    """pad_value does not matter where either side does not pad; the label map is compared
    once, by labels-key where both sides have it, else by labels-hash."""
    if attr == "pad_value":
        return locked.resize_type in _UNPADDED or current.resize_type in _UNPADDED
    if attr == "labels_hash":
        return _both(locked, current, "labels_key")
    if attr == "labels_key":
        return (not _both(locked, current, "labels_key")
                and _both(locked, current, "labels_hash"))
    return False


def _both(locked: Pipeline, current: Pipeline, attr: str) -> bool:
    return getattr(locked, attr) is not None and getattr(current, attr) is not None


def diff(locked: Pipeline, current: Pipeline) -> list[FieldDiff]:
    """The fields stated on both sides whose values differ, in contract order."""
    out = []
    for attr in CONTRACT_FIELDS:
        a, b = getattr(locked, attr), getattr(current, attr)
        if a is None or b is None or _skipped(attr, locked, current) or same(attr, a, b):
            continue
        out.append(FieldDiff(attr, a, b))
    return out


def unknown(locked: Pipeline, current: Pipeline) -> list[str]:
    """Fields stated on one side only: not compared (never a default assumed)."""
    return [key(a) for a in CONTRACT_FIELDS
            if (getattr(locked, a) is None) != (getattr(current, a) is None)
            and not _skipped(a, locked, current)]


def show(attr: str, value: Any) -> str:
    """A value as the user wrote it: 640x640, [123.675, 116.28, 103.53], 0.7, true."""
    if attr == "input_size" and isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(show(attr, v) for v in value) + "]"
    return str(value)


def notes(name: str, locked: Pipeline, current: Pipeline) -> Optional[str]:
    """A stderr note listing the fields of pipeline `name` that only one side states."""
    fields = unknown(locked, current)
    if not fields:
        return None
    return (f"pipeline {name}: not compared, stated on one side only: {', '.join(fields)}")
