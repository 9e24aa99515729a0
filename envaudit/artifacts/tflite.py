"""TFLite flatbuffers: the file identifier and the schema version of the Model table.

A .tflite file is a FlatBuffer (https://flatbuffers.dev/internals/) whose root table is
``Model`` with ``version: uint`` as its first field and file identifier "TFL3"
(tensorflow/compiler/mlir/lite/schema/schema.fbs).
"""

from __future__ import annotations

import struct
from pathlib import Path

from envaudit import safeio

IDENTIFIER = b"TFL3"


def is_tflite(head: bytes) -> bool:
    return head[4:8] == IDENTIFIER


def read(path: Path) -> tuple[dict[str, str], list[str]]:
    """(facts, problems): the Model table's schema version, from the first bytes only."""
    try:
        data = safeio.read_head(path, 1 << 16)
    except OSError as e:
        return {}, [f"cannot read: {e.strerror or e}"]
    if not is_tflite(data):
        return {}, ["no TFL3 file identifier: not a TFLite model"]
    try:
        return {"schema_version": str(_model_version(data))}, []
    except (struct.error, IndexError) as e:
        return {}, [f"malformed FlatBuffer header ({e}): truncated"]


def _model_version(data: bytes) -> int:
    """Root uoffset -> table; table soffset -> vtable; vtable slot 0 -> Model.version."""
    (table,) = struct.unpack_from("<I", data, 0)
    (back,) = struct.unpack_from("<i", data, table)
    vtable = table - back
    (vsize,) = struct.unpack_from("<H", data, vtable)
    if vsize < 6:
        return 0  # field absent: FlatBuffers default (0)
    (field_offset,) = struct.unpack_from("<H", data, vtable + 4)
    if not field_offset:
        return 0
    (version,) = struct.unpack_from("<I", data, table + field_offset)
    return int(version)
