"""Triton config.pbtxt: the first input's dims, data_type and format.

The file is protobuf text format (ModelConfig, https://github.com/triton-inference-server/
common/blob/main/protobuf/model_config.proto); this reads the subset it needs: fields,
nested messages, lists, strings, numbers and enum names.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.readers import DEFAULT_NAME, read_text
from envaudit.pipeline.schema import coerce

_TOKEN = re.compile(r'\s*(?:#[^\n]*\n?|(?P<tok>"(?:[^"\\]|\\.)*"|\'[^\']*\'|[{}\[\]:,;<>]'
                    r"|[A-Za-z_][\w.]*|[-+]?[\d.]+(?:[eE][-+]?\d+)?))", re.S)
_TYPES = {"TYPE_FP32": "float32", "TYPE_FP16": "float16", "TYPE_BF16": "bfloat16",
          "TYPE_FP64": "float64", "TYPE_UINT8": "uint8", "TYPE_INT8": "int8",
          "TYPE_INT32": "int32", "TYPE_INT64": "int64"}
_FORMATS = {"FORMAT_NCHW": "NCHW", "FORMAT_NHWC": "NHWC"}
_MAX_DEPTH = 32


def tokens(text: str, source: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip():
                raise PipelineError(f"{source}: cannot read text format at offset {pos}")
            break
        pos = m.end()
        if m.group("tok"):
            out.append(m.group("tok"))
    return out


def _value(tok: str) -> Any:
    if tok[0] in "\"'":
        return tok[1:-1]
    try:
        return int(tok)
    except ValueError:
        try:
            return float(tok)
        except ValueError:
            return tok  # an enum name or true/false


class _Parser:
    def __init__(self, toks: list[str], source: str) -> None:
        self.toks, self.pos, self.source = toks, 0, source

    def fail(self, what: str) -> PipelineError:
        return PipelineError(f"{self.source}: {what} (token {self.pos})")

    def next(self) -> str:
        if self.pos >= len(self.toks):
            raise self.fail("unexpected end of file")
        self.pos += 1
        return self.toks[self.pos - 1]

    def message(self, end: str, depth: int) -> dict[str, list[Any]]:
        if depth > _MAX_DEPTH:
            raise self.fail("nesting too deep")
        out: dict[str, list[Any]] = {}
        while self.pos < len(self.toks) and self.toks[self.pos] != end:
            name = self.next()
            if not re.match(r"^[A-Za-z_]\w*$", name):
                raise self.fail(f"expected a field name, got {name!r}")
            if self.toks[self.pos:self.pos + 1] == [":"]:
                self.pos += 1
            out.setdefault(name, []).extend(self.values(depth))
            if self.toks[self.pos:self.pos + 1] in ([","], [";"]):
                self.pos += 1
        if end:
            self.next()
        return out

    def values(self, depth: int) -> list[Any]:
        tok = self.next()
        if tok in ("{", "<"):
            return [self.message("}" if tok == "{" else ">", depth + 1)]
        if tok != "[":
            return [_value(tok)]
        items: list[Any] = []
        while self.toks[self.pos:self.pos + 1] != ["]"]:
            items += self.values(depth + 1)
            if self.toks[self.pos:self.pos + 1] == [","]:
                self.pos += 1
        self.next()
        return items


def parse(text: str, source: str) -> dict[str, list[Any]]:
    """The message in `text`: field -> list of values (repeated fields and lists alike)."""
    return _Parser(tokens(text, source), source).message("", 0)


def read(path: Path) -> PipelineSet:
    config = parse(read_text(path), str(path))
    inputs = config.get("input", [])
    if not inputs or not isinstance(inputs[0], dict):
        raise PipelineError(f"{path}: no input in the model configuration")
    batched = any(isinstance(b, int) and b > 0 for b in config.get("max_batch_size", []))
    values = _input(inputs[0], batched)
    notes = tuple(cross_check(path, config, inputs[0], batched))
    return PipelineSet({DEFAULT_NAME: replace(Pipeline(**values), source=f"{path} (triton)")},
                       str(path), notes)


def _model_file(path: Path, config: dict[str, list[Any]]) -> Path | None:
    """The newest version's ONNX model (<model>/<version>/model.onnx by default)."""
    name = (config.get("default_model_filename") or ["model.onnx"])[0]
    versions = sorted((d for d in path.parent.iterdir() if d.is_dir() and d.name.isdigit()),
                      key=lambda d: int(d.name))
    found = [v / str(name) for v in versions if (v / str(name)).is_file()]
    return found[-1] if found and str(name).endswith(".onnx") else None


def cross_check(path: Path, config: dict[str, list[Any]], first: dict[str, list[Any]],
                batched: bool) -> list[str]:
    """Where config.pbtxt's first input disagrees with the ONNX model it serves."""
    model_path = _model_file(path, config)
    if model_path is None:
        return []
    from envaudit.artifacts.interface import ArtifactError
    from envaudit.artifacts.onnx import read_onnx

    try:
        model = read_onnx(model_path)
    except ArtifactError as e:
        return [f"{model_path}: not checked against {path.name}: {e}"]
    name = (first.get("name") or [""])[0]
    tensor = next((t for t in model.inputs if t.name == name), None)
    if tensor is None:
        return [f"{path}: input {name!r} is not an input of {model_path}"]
    return _disagreements(path, model_path, first, tensor.shape, tensor.elem_type, batched)


def _disagreements(path: Path, model_path: Path, first: dict[str, list[Any]],
                   shape: tuple[Any, ...], elem_type: str, batched: bool) -> list[str]:
    out = []
    dims = [d for d in first.get("dims", []) if isinstance(d, int)]
    model_dims = list(shape[1:] if batched else shape)
    if len(dims) != len(model_dims) or any(
            isinstance(m, int) and d not in (-1, m) for d, m in zip(dims, model_dims)):
        out.append(f"{path}: dims {dims} but {model_path} has input shape {list(shape)}")
    kind = _TYPES.get((first.get("data_type") or [""])[0])
    if kind is not None and kind != elem_type:
        out.append(f"{path}: data_type {kind} but {model_path} has {elem_type}")
    return out


def _input(first: dict[str, list[Any]], batched: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = (first.get("data_type") or [""])[0]
    if kind in _TYPES:
        out["dtype"] = _TYPES[kind]
    layout = _FORMATS.get((first.get("format") or [""])[0])
    dims = [d for d in first.get("dims", []) if isinstance(d, int)]
    dims = dims if batched else dims[1:]  # without max_batch_size, dims include the batch
    if layout is not None:
        out["layout"] = layout
        if len(dims) == 3 and all(d > 0 for d in dims):
            size = dims[1:] if layout == "NCHW" else dims[:2]
            out["input_size"] = coerce("input_size", size)
    return out
