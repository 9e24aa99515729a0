"""What each ONNX Runtime release loads: the one reader of data/onnxruntime_support.csv.

Both rules that judge a model against the deployed ONNX Runtime read it: ART-004 (the
model's own opset and IR version) and FW-022 (the onnx release it was exported next to).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

from envaudit.rules.tables import rows


@dataclass(frozen=True)
class OrtSupport:
    """One row of data/onnxruntime_support.csv: what an ONNX Runtime release loads."""

    release: tuple[int, int]
    limits: Mapping[str, int]  # "opset.ai.onnx" / "opset.ai.onnx.ml" / "ir_version" -> max
    onnx: str  # the newest onnx release whose models it loads ("" where not said)
    source: str


@functools.lru_cache(maxsize=1)
def ort_table() -> tuple[OrtSupport, ...]:
    """The ORT support table, oldest release first."""
    table_rows = rows("onnxruntime_support.csv")
    keys = {"opset.ai.onnx": "max_opset", "opset.ai.onnx.ml": "max_ml_opset",
            "ir_version": "max_ir"}
    table = [
        OrtSupport(_release(r["onnxruntime"]),
                   {k: int(r[col]) for k, col in keys.items() if r[col]}, r["onnx"], r["source"])
        for r in table_rows
    ]
    return tuple(sorted(table, key=lambda s: s.release))


def _release(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def onnx_release(release: tuple[int, int]) -> Optional[str]:
    """The newest onnx release whose models ONNX Runtime `release` loads, if its row says."""
    for row in ort_table():
        if row.release == release and row.onnx:
            return row.onnx
    return None


def onnx_floor(release: tuple[int, int]) -> Optional[tuple[tuple[int, int], str]]:
    """(row release, onnx) for `release`: its own row, else the latest earlier row with an onnx
    value (a lower bound: a newer ORT runs every model an older one ran); None before the table."""
    rows = [r for r in ort_table() if r.release <= release and r.onnx]
    return (rows[-1].release, rows[-1].onnx) if rows else None


def support_verdict(release: tuple[int, int], key: str, value: int) -> tuple[str, str]:
    """("ok" | "unsupported" | "unknown", the limit in words) for one model fact."""
    rows = [r for r in ort_table() if key in r.limits]
    lower = [r for r in rows if r.release <= release]
    upper = [r for r in rows if r.release >= release]
    if not lower:
        return "ok", "older than envaudit's table"
    lo = lower[-1]
    if lo.release == release or value <= lo.limits[key]:
        verdict = "ok" if value <= lo.limits[key] else "unsupported"
        return verdict, f"at most {lo.limits[key]}"
    if upper and value > upper[0].limits[key]:
        hi = upper[0]
        return "unsupported", f"at most {hi.limits[key]} even in {_name(hi.release)}"
    newer = f" and {upper[0].limits[key]} in {_name(upper[0].release)}" if upper else ""
    return "unknown", f"{lo.limits[key]} in {_name(lo.release)}{newer}; no row for this release"


def _name(release: tuple[int, int]) -> str:
    return f"{release[0]}.{release[1]}"


