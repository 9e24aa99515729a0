"""TensorRT plan/engine files: the TensorRT version from the plan header (a heuristic).

TensorRT documents no plan layout and no API to read a plan's version without deserialising
it (NVIDIA/TensorRT#3073). NVIDIA's answer in that thread places the building TensorRT's
major, minor and patch numbers at bytes 24, 25 and 26 of the plan; autoware's
tensorrt_common reads them the same way. We record them marked "heuristic". Ultralytics
prefixes its .engine files with a 4-byte little-endian length and a JSON metadata block
(ultralytics/engine/exporter.py), which is skipped first. The build GPU is not in the plan:
the snapshot records the GPUs of the host that took it.
"""

from __future__ import annotations

import json
from pathlib import Path

from envaudit import safeio

_VERSION_AT = 24
HEURISTIC = "heuristic: bytes 24-26 of the plan (NVIDIA/TensorRT#3073); the layout is undocumented"


def read(path: Path) -> tuple[dict[str, str], list[str]]:
    """(facts, problems) of a TensorRT plan, reading only its first bytes."""
    try:
        head = safeio.read_head(path, 1 << 16)
    except OSError as e:
        return {}, [f"cannot read: {e.strerror or e}"]
    facts: dict[str, str] = {}
    offset = _ultralytics_prefix(head, facts)
    plan = head[offset : offset + 32]
    if len(plan) < _VERSION_AT + 3:
        return facts, ["shorter than a TensorRT plan header: truncated"]
    major, minor, patch = plan[_VERSION_AT], plan[_VERSION_AT + 1], plan[_VERSION_AT + 2]
    if 5 <= major <= 30:
        facts["tensorrt_version"] = f"{major}.{minor}.{patch}"
        facts["tensorrt_version_source"] = HEURISTIC
    return facts, []


def _ultralytics_prefix(head: bytes, facts: dict[str, str]) -> int:
    """Skip (and record) the JSON metadata Ultralytics writes before the plan."""
    if len(head) < 4:
        return 0
    length = int.from_bytes(head[:4], "little")
    if not 2 <= length <= len(head) - 4 or head[4:5] != b"{":
        return 0
    try:
        meta = json.loads(head[4 : 4 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return 0
    if isinstance(meta, dict):
        for key in ("version", "imgsz", "batch", "half", "task"):
            if key in meta:
                facts[f"ultralytics.{key}"] = str(meta[key])
    return 4 + length
