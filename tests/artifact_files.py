"""Build model artifacts in their real on-disk layouts, for tests and the docs sandbox."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def _len_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def savedmodel(directory: Path, *, shards: int = 2, tf_version: str = "2.16.1") -> Path:
    """A SavedModel directory: saved_model.pb (SavedModel proto with schema version 1 and one
    MetaGraphDef tagged "serve"), fingerprint.pb, variables.index and `shards` data shards."""
    meta_info = _len_field(4, b"serve") + _len_field(5, tf_version.encode())
    meta_graph = _len_field(1, meta_info) + _len_field(2, b"\x0a\x00" * 64)  # a stand-in graph
    (directory / "variables").mkdir(parents=True, exist_ok=True)
    (directory / "saved_model.pb").write_bytes(_int_field(1, 1) + _len_field(2, meta_graph))
    fingerprint = b"".join(_int_field(n, 1000 + n) for n in range(1, 6))
    (directory / "fingerprint.pb").write_bytes(fingerprint)
    (directory / "variables" / "variables.index").write_bytes(b"\x00index" * 16)
    for i in range(shards):
        name = f"variables.data-{i:05d}-of-{shards:05d}"
        (directory / "variables" / name).write_bytes(bytes([i]) * 4096)
    return directory


def onnx_model(path: Path, *, opset: int = 17, ir_version: int = 8) -> Path:
    """A small ONNX model made with onnx.helper (Conv + Relu), stamped with `opset`."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 3, 3, 3), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["images", "w"], ["c"]), helper.make_node("Relu", ["c"], ["y"])],
        "net",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="envaudit-tests")
    model.ir_version = ir_version
    onnx.save(model, path)
    return path


def torchscript(path: Path) -> Path:
    """A real TorchScript archive: torch.jit.script of a small module, torch.jit.save."""
    import torch

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(64, 64)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.relu(self.fc(x))

    with warnings.catch_warnings():  # torch 2.13 deprecates TorchScript; the format stays
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.save(torch.jit.script(Net()), str(path))
    return path


def tflite(path: Path, *, version: int = 3) -> Path:
    """The smallest FlatBuffer with the TFLite identifier and a Model table whose first field
    (version) is set: root offset, "TFL3", vtable (size 6, table size 8, field 0 at +4), table."""
    vtable = struct.pack("<HHH", 6, 8, 4) + b"\x00\x00"
    table = struct.pack("<iI", 16 - 8, version)
    path.write_bytes(struct.pack("<I", 16) + b"TFL3" + vtable + table)
    return path


def tensorrt_plan(path: Path, *, version: tuple[int, int, int] = (10, 3, 0),
                  ultralytics: bool = False) -> Path:
    """A stand-in plan: 64 bytes with the version where NVIDIA/TensorRT#3073 places it
    (bytes 24-26). Not a loadable engine: TensorRT plans cannot be built without a GPU."""
    plan = bytearray(b"ftrt" + bytes(60))
    plan[24:27] = bytes(version)
    prefix = b""
    if ultralytics:
        meta = b'{"version": "8.3.0", "imgsz": [640, 640], "batch": 1}'
        prefix = len(meta).to_bytes(4, "little") + meta
    path.write_bytes(prefix + bytes(plan))
    return path
