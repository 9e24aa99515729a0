"""Read an ONNX model's header, graph signature and NMS nodes without the onnx package.

An ONNX file is one serialised ``ModelProto`` (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto);
the field numbers used here are that file's. The file is memory-mapped and only the fields we
need are decoded: initializer payloads (``raw_data`` and friends) are skipped by offset, so a
model of any size costs the pages of its small fields, not its weights.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from envaudit import safeio
from envaudit.artifacts import _protobuf as pb
from envaudit.artifacts.interface import ArtifactError

__all__ = ["ArtifactError", "OnnxModel", "OnnxNode", "OnnxTensor", "parse_onnx", "read_onnx"]

# A protobuf message cannot exceed 2 GiB (weights beyond that go to external data files:
# https://onnx.ai/onnx/repo-docs/ExternalData.html), so a larger .onnx file is not one model.
MAX_BYTES = 2**31 - 1
# If/Loop/Scan bodies are graphs inside node attributes; deeper nesting than this is hostile.
MAX_DEPTH = 32

AttributeValue = Union[int, float, str, tuple[Union[int, float, str], ...]]

# TensorProto.DataType numbers (onnx.proto) -> numpy-style names.
ELEM_TYPES: Mapping[int, str] = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
    8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64",
    14: "complex64", 15: "complex128", 16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz",
    19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4", 23: "float4e2m1",
    24: "float8e8m0", 25: "uint2", 26: "int2", 27: "float6e2m3", 28: "float6e3m2",
}  # fmt: skip

# Scalar constants decodable from raw_data: data type -> struct code.
_SCALAR_CODES: Mapping[int, str] = {1: "<f", 6: "<i", 7: "<q", 11: "<d"}


@dataclass(frozen=True)
class OnnxTensor:
    """A graph input or output: its name, element type and shape."""

    name: str
    elem_type: str  # "float32", "uint8", ...; "sequence"/"map"/"optional"/"unknown(N)" otherwise
    shape: tuple[Union[int, str, None], ...]  # int dim, symbolic dim_param, or None (unknown)
    rank_known: bool = True  # False when the model records no shape at all (shape is then ())


@dataclass(frozen=True)
class OnnxNode:
    """A node of interest (NMS) with its attributes and the constant values of its inputs."""

    op_type: str
    domain: str
    name: str
    attributes: Mapping[str, AttributeValue]
    inputs: tuple[str, ...] = ()
    # NonMaxSuppression takes its thresholds as inputs: those fed by a scalar initializer or
    # Constant node are resolved here (input name -> value).
    constant_inputs: Mapping[str, Union[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class OnnxModel:
    """What an ONNX file says about itself."""

    ir_version: int
    producer_name: str
    producer_version: str
    opsets: Mapping[str, int]  # domain ("" = ai.onnx) -> version
    metadata: Mapping[str, str]  # metadata_props
    inputs: tuple[OnnxTensor, ...]  # graph inputs that are not initializers
    outputs: tuple[OnnxTensor, ...]
    nms_nodes: tuple[OnnxNode, ...]
    external_data: tuple[str, ...]  # sidecar file locations, as written in the model


def read_onnx(path: Path, *, max_bytes: int = MAX_BYTES) -> OnnxModel:
    """Read the ONNX model at path; ArtifactError (one line) if it is not a readable model."""
    try:
        with safeio.open_regular(path) as handle:
            size = _check_size(path, handle.seek(0, 2), max_bytes)
            with mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) as buf:
                return _parse(buf, size)
    except OSError as e:
        raise ArtifactError(f"{path}: cannot read ONNX model: {e.strerror or e}") from e
    except pb.Malformed as e:
        raise ArtifactError(f"{path}: not a valid ONNX model: {e}") from e


def parse_onnx(data: bytes, *, name: str = "<bytes>") -> OnnxModel:
    """Parse a serialised ModelProto held in memory (tests, embedded models)."""
    try:
        return _parse(data, len(data))
    except pb.Malformed as e:
        raise ArtifactError(f"{name}: not a valid ONNX model: {e}") from e


def _check_size(path: Path, size: int, max_bytes: int) -> int:
    if size == 0:
        raise ArtifactError(f"{path}: not a valid ONNX model: the file is empty")
    if size > max_bytes:
        raise ArtifactError(
            f"{path}: {size} bytes is over the {max_bytes}-byte limit for an ONNX protobuf "
            "(weights that large belong in external data files)"
        )
    return size


class _Scan:
    """The state of one parse: the buffer and the external data locations met so far."""

    def __init__(self, buf: pb.Buffer) -> None:
        self.buf = buf
        self.external: dict[str, None] = {}  # ordered set


@dataclass
class _Header:
    ir_version: Optional[int] = None
    producer_name: str = ""
    producer_version: str = ""
    opsets: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    graph: Optional[_Graph] = None


def _parse(buf: pb.Buffer, size: int) -> OnnxModel:
    scan = _Scan(buf)
    head = _Header()
    for f in pb.fields(buf, 0, size):
        _model_field(scan, head, f)
    if head.ir_version is None or head.graph is None:
        missing = "ir_version" if head.ir_version is None else "graph"
        raise pb.Malformed(f"no {missing} (is this an ONNX file?)")
    graph = head.graph
    return OnnxModel(
        ir_version=head.ir_version,
        producer_name=head.producer_name,
        producer_version=head.producer_version,
        opsets=head.opsets,
        metadata=head.metadata,
        inputs=tuple(t for t in graph.inputs if t.name not in graph.initializers),
        outputs=tuple(graph.outputs),
        nms_nodes=tuple(graph.nms),
        external_data=tuple(scan.external),
    )


def _model_field(scan: _Scan, head: _Header, f: pb.Field) -> None:
    """Fold one ModelProto field into head."""
    buf = scan.buf
    if f.number == 1:
        head.ir_version = pb.integer(f)
    elif f.number == 2:
        head.producer_name = pb.text(buf, f)
    elif f.number == 3:
        head.producer_version = pb.text(buf, f)
    elif f.number == 8:
        domain, version = _opset(buf, f)
        head.opsets[domain] = version
    elif f.number == 14:
        key, value = _entry(buf, f)
        head.metadata[key] = value
    elif f.number == 7:
        head.graph = _graph(scan, f, depth=0, outer={})


def _opset(buf: pb.Buffer, f: pb.Field) -> tuple[str, int]:
    """OperatorSetIdProto: domain (1), version (2). "ai.onnx" is the default domain's alias."""
    domain, version = "", 0
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            domain = pb.text(buf, g)
        elif g.number == 2:
            version = pb.integer(g)
    return ("" if domain == "ai.onnx" else domain), version


def _entry(buf: pb.Buffer, f: pb.Field) -> tuple[str, str]:
    """StringStringEntryProto: key (1), value (2)."""
    key = value = ""
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            key = pb.text(buf, g)
        elif g.number == 2:
            value = pb.text(buf, g)
    return key, value


@dataclass
class _Graph:
    inputs: list[OnnxTensor] = field(default_factory=list)
    outputs: list[OnnxTensor] = field(default_factory=list)
    initializers: set[str] = field(default_factory=set)
    constants: dict[str, Union[int, float]] = field(default_factory=dict)
    nms: list[OnnxNode] = field(default_factory=list)


@dataclass
class _RawNode:
    op_type: str = ""
    domain: str = ""
    name: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    subgraphs: list[_Graph] = field(default_factory=list)
    constant: Union[int, float, None] = None  # the value of a scalar Constant node


def _graph(
    scan: _Scan, f: pb.Field, *, depth: int, outer: Mapping[str, Union[int, float]]
) -> _Graph:
    """GraphProto: node (1), initializer (5), sparse_initializer (15), input (11), output (12)."""
    if depth > MAX_DEPTH:
        raise pb.Malformed(f"subgraphs nested deeper than {MAX_DEPTH}")
    graph, nodes = _Graph(), []
    for g in pb.fields(scan.buf, f.value, f.end):
        if g.number == 1:
            nodes.append(_node(scan, g, depth))
        elif g.number == 5:
            _initializer(scan, graph, g)
        elif g.number == 15:
            _sparse_initializer(scan, graph, g)
        elif g.number in (11, 12):
            (graph.inputs if g.number == 11 else graph.outputs).append(_value_info(scan.buf, g))
    _resolve(graph, nodes, outer)
    return graph


def _resolve(graph: _Graph, nodes: list[_RawNode], outer: Mapping[str, Union[int, float]]) -> None:
    """Collect NMS nodes (with constant inputs resolved) of this graph and its subgraphs."""
    scope = {**outer, **graph.constants}
    scope.update({n.outputs[0]: n.constant for n in nodes if n.constant is not None and n.outputs})
    for node in nodes:
        if _is_nms(node.op_type):
            graph.nms.append(_finish(node, scope))
        for sub in node.subgraphs:
            _resolve_sub(graph, sub, scope)


def _resolve_sub(graph: _Graph, sub: _Graph, scope: Mapping[str, Union[int, float]]) -> None:
    """A subgraph's NMS nodes may use the enclosing graph's constants (ONNX lexical scoping)."""
    for node in sub.nms:
        known = {k: v for k, v in scope.items() if k in node.inputs}
        graph.nms.append(_with_constants(node, known))


def _with_constants(node: OnnxNode, known: Mapping[str, Union[int, float]]) -> OnnxNode:
    merged = {**known, **node.constant_inputs}
    return OnnxNode(node.op_type, node.domain, node.name, node.attributes, node.inputs, merged)


def _finish(node: _RawNode, scope: Mapping[str, Union[int, float]]) -> OnnxNode:
    constants = {name: scope[name] for name in node.inputs if name in scope}
    return OnnxNode(
        node.op_type, node.domain, node.name, node.attributes, tuple(node.inputs), constants
    )


def _is_nms(op_type: str) -> bool:
    """ONNX NonMaxSuppression; TensorRT's EfficientNMS_TRT and BatchedNMS(Dynamic)_TRT plugins."""
    return op_type == "NonMaxSuppression" or op_type.startswith(("EfficientNMS", "BatchedNMS"))


def _node(scan: _Scan, f: pb.Field, depth: int) -> _RawNode:
    """NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7)."""
    buf, node = scan.buf, _RawNode()
    for g in pb.fields(buf, f.value, f.end):
        if g.number in (1, 2):
            (node.inputs if g.number == 1 else node.outputs).append(pb.text(buf, g))
        elif g.number == 3:
            node.name = pb.text(buf, g)
        elif g.number == 4:
            node.op_type = pb.text(buf, g)
        elif g.number == 7:
            node.domain = pb.text(buf, g)
        elif g.number == 5:
            _attribute(scan, node, g, depth)
    if node.domain == "ai.onnx":
        node.domain = ""
    return node


def _attribute(scan: _Scan, node: _RawNode, f: pb.Field, depth: int) -> None:
    """AttributeProto: keep scalar and list values; descend into graphs; note tensors."""
    buf, name, values, kind, listed = scan.buf, "", [], 0, False
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            name = pb.text(buf, g)
        elif g.number == 20:
            kind = pb.integer(g)
        elif g.number in (6, 11):  # g, graphs
            node.subgraphs.append(_graph(scan, g, depth=depth + 1, outer={}))
        elif g.number in (5, 10):  # t, tensors
            _constant_tensor(scan, node, g)
        else:
            listed = listed or g.number in (7, 8, 9)
            values.extend(_attribute_values(buf, g))
    # type (20): FLOATS=6, INTS=7, STRINGS=8; models from before IR 3 may omit it.
    _store_attribute(node, name, values, listed=kind in (6, 7, 8) or (kind == 0 and listed))


def _attribute_values(buf: pb.Buffer, g: pb.Field) -> list[Union[int, float, str]]:
    """Scalar/list attribute fields: f (2), i (3), s (4), floats (7), ints (8), strings (9)."""
    if g.number in (2, 7):
        return list(pb.floats(buf, g))
    if g.number in (3, 8):
        return list(pb.integers(buf, g))
    if g.number in (4, 9):
        return [pb.raw(buf, g).decode("utf-8", errors="replace")]
    return []


def _store_attribute(
    node: _RawNode, name: str, values: list[Union[int, float, str]], *, listed: bool
) -> None:
    if listed:
        node.attributes[name] = tuple(values)
    elif values:
        node.attributes[name] = values[0]
    first = values[0] if values else None
    is_value = node.op_type == "Constant" and name in ("value_float", "value_int")
    if is_value and isinstance(first, (int, float)):
        node.constant = first


def _constant_tensor(scan: _Scan, node: _RawNode, f: pb.Field) -> None:
    info = _tensor(scan, f)
    if node.op_type == "Constant" and info[1] is not None:
        node.constant = info[1]


def _initializer(scan: _Scan, graph: _Graph, f: pb.Field) -> None:
    name, value = _tensor(scan, f)
    graph.initializers.add(name)
    if value is not None:
        graph.constants[name] = value


def _sparse_initializer(scan: _Scan, graph: _Graph, f: pb.Field) -> None:
    """SparseTensorProto: values (1) carries the name; indices (2) may be external too."""
    for g in pb.fields(scan.buf, f.value, f.end):
        if g.number in (1, 2):
            name, _ = _tensor(scan, g)
            if g.number == 1:
                graph.initializers.add(name)


def _tensor(scan: _Scan, f: pb.Field) -> tuple[str, Union[int, float, None]]:
    """TensorProto: name (8), external locations (13, 14); a scalar's value when small."""
    buf, name, parts = scan.buf, "", _TensorParts()
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 8:
            name = pb.text(buf, g)
        elif g.number == 13:
            key, value = _entry(buf, g)
            if key == "location":
                scan.external[value] = None
        else:
            parts.add(buf, g)
    return name, parts.scalar()


class _TensorParts:
    """The few TensorProto fields needed to decode a scalar: dims, data_type, small data."""

    def __init__(self) -> None:
        self.dims: list[int] = []
        self.data_type = 0
        self.values: list[Union[int, float]] = []
        self.raw: Optional[bytes] = None

    def add(self, buf: pb.Buffer, g: pb.Field) -> None:
        if g.number == 1:
            self.dims.extend(pb.integers(buf, g))
        elif g.number == 2:
            self.data_type = pb.integer(g)
        elif g.number == 9 and g.end - g.value <= 8:  # raw_data, only when scalar-sized
            self.raw = pb.raw(buf, g)
        elif g.number in (4, 10) and g.end - g.value <= 8:  # float_data, double_data
            self.values.extend(pb.floats(buf, g, double=g.number == 10))
        elif g.number in (5, 7) and g.end - g.value <= 10:  # int32_data, int64_data
            self.values.extend(pb.integers(buf, g))

    def scalar(self) -> Union[int, float, None]:
        if any(d != 1 for d in self.dims):
            return None
        code = _SCALAR_CODES.get(self.data_type)
        if self.raw is not None and code and len(self.raw) == struct.calcsize(code):
            value: Union[int, float] = struct.unpack(code, self.raw)[0]
            return value
        return self.values[0] if len(self.values) == 1 else None


def _value_info(buf: pb.Buffer, f: pb.Field) -> OnnxTensor:
    """ValueInfoProto: name (1), type (2) -> TypeProto."""
    name, elem, shape = "", "unknown(0)", None
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            name = pb.text(buf, g)
        elif g.number == 2:
            elem, shape = _type(buf, g)
    return OnnxTensor(name, elem, tuple(shape or ()), rank_known=shape is not None)


_OTHER_TYPES: Mapping[int, str] = {4: "sequence", 5: "map", 7: "opaque", 8: "sparse_tensor"}


def _type(buf: pb.Buffer, f: pb.Field) -> tuple[str, Optional[list[Union[int, str, None]]]]:
    """TypeProto: tensor_type (1), optional_type (9); other kinds are named, not described."""
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            return _tensor_type(buf, g)
        if g.number == 9:
            return "optional", None
        if g.number in _OTHER_TYPES:
            return _OTHER_TYPES[g.number], None
    return "unknown(0)", None


def _tensor_type(buf: pb.Buffer, f: pb.Field) -> tuple[str, Optional[list[Union[int, str, None]]]]:
    """TypeProto.Tensor: elem_type (1), shape (2) -> TensorShapeProto.dim (1)."""
    elem, shape = 0, None
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            elem = pb.integer(g)
        elif g.number == 2:
            shape = [_dim(buf, d) for d in pb.fields(buf, g.value, g.end) if d.number == 1]
    return ELEM_TYPES.get(elem, f"unknown({elem})"), shape


def _dim(buf: pb.Buffer, f: pb.Field) -> Union[int, str, None]:
    """TensorShapeProto.Dimension: dim_value (1) or dim_param (2), else unknown."""
    value: Union[int, str, None] = None
    for g in pb.fields(buf, f.value, f.end):
        if g.number == 1:
            value = pb.integer(g)
        elif g.number == 2:
            value = pb.text(buf, g)
    return value
