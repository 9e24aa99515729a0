"""A minimal reader of the protobuf wire format: fields as offsets, never copies of large values.

The encoding is documented at https://protobuf.dev/programming-guides/encoding/ : each field is a
varint key (field number << 3 | wire type) followed by a varint (type 0), 8 bytes (type 1), a
varint length and that many bytes (type 2) or 4 bytes (type 5). Groups (types 3 and 4) are
deprecated and never used by ONNX or TensorFlow, so they are rejected as malformed.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

# A whole file (memory-mapped, so skipping a field reads nothing) or bytes in tests.
Buffer = Union[bytes, mmap.mmap]

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


class Malformed(Exception):
    """The bytes are not valid protobuf wire format (the caller names the file)."""


@dataclass(frozen=True)
class Field:
    """One field: its number, wire type and either its value (varint) or its byte span."""

    number: int
    wire: int
    value: int  # the varint itself; for other wire types the start offset of the payload
    end: int  # end offset of the payload (== value for varints)


def read_varint(buf: Buffer, pos: int, end: int) -> tuple[int, int]:
    """Decode the varint at pos; return (value, position after it)."""
    result = 0
    for shift in range(0, 70, 7):
        if pos >= end:
            raise Malformed(f"truncated varint at byte {pos}")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
    raise Malformed(f"varint longer than 10 bytes before byte {pos}")


def fields(buf: Buffer, start: int, end: int) -> Iterator[Field]:
    """Iterate over the fields of the message stored in buf[start:end]."""
    pos = start
    while pos < end:
        key, pos = read_varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise Malformed(f"field number 0 at byte {pos}")
        field, pos = _payload(buf, number, wire, pos, end)
        yield field


def _payload(buf: Buffer, number: int, wire: int, pos: int, end: int) -> tuple[Field, int]:
    """Locate the payload of one field and return it with the position after it."""
    if wire == VARINT:
        value, after = read_varint(buf, pos, end)
        return Field(number, wire, value, after), after
    if wire == LENGTH:
        size, pos = read_varint(buf, pos, end)
        after = pos + size
    elif wire in (FIXED64, FIXED32):
        after = pos + (8 if wire == FIXED64 else 4)
    else:
        raise Malformed(f"unsupported wire type {wire} for field {number} at byte {pos}")
    if after > end:
        raise Malformed(f"field {number} runs past the end of its message (byte {after} > {end})")
    return Field(number, wire, pos, after), after


def signed(value: int) -> int:
    """Reinterpret a varint as a two's-complement int64 (protobuf's int64/int32 encoding)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def text(buf: Buffer, field: Field) -> str:
    """A string field, which protobuf requires to be UTF-8."""
    _expect(field, LENGTH)
    try:
        return bytes(buf[field.value : field.end]).decode("utf-8")
    except UnicodeDecodeError as e:
        raise Malformed(f"field {field.number} is not valid UTF-8") from e


def raw(buf: Buffer, field: Field) -> bytes:
    """A bytes field (copied: call only for small values)."""
    _expect(field, LENGTH)
    return bytes(buf[field.value : field.end])


def integer(field: Field) -> int:
    """An int32/int64/enum/bool field."""
    _expect(field, VARINT)
    return signed(field.value)


def floating(buf: Buffer, field: Field) -> float:
    """A float (fixed32) or double (fixed64) field."""
    if field.wire == FIXED32:
        return float(struct.unpack("<f", bytes(buf[field.value : field.end]))[0])
    _expect(field, FIXED64)
    return float(struct.unpack("<d", bytes(buf[field.value : field.end]))[0])


def integers(buf: Buffer, field: Field) -> list[int]:
    """A repeated integer field: one unpacked element, or a packed run of varints."""
    if field.wire == VARINT:
        return [signed(field.value)]
    _expect(field, LENGTH)
    values, pos = [], field.value
    while pos < field.end:
        value, pos = read_varint(buf, pos, field.end)
        values.append(signed(value))
    return values


def floats(buf: Buffer, field: Field, *, double: bool = False) -> list[float]:
    """A repeated float/double field: one unpacked element, or a packed run."""
    if field.wire in (FIXED32, FIXED64):
        return [floating(buf, field)]
    _expect(field, LENGTH)
    size, code = (8, "d") if double else (4, "f")
    count, rest = divmod(field.end - field.value, size)
    if rest:
        raise Malformed(f"packed field {field.number} has a partial element")
    return [float(x) for x in struct.unpack(f"<{count}{code}", raw(buf, field))]


def _expect(field: Field, wire: int) -> None:
    if field.wire != wire:
        raise Malformed(f"field {field.number} has wire type {field.wire}, expected {wire}")
