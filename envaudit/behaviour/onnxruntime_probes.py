"""ONNX Runtime probes (run in the child): a tiny model built in code with onnx.helper
(Conv -> Resize, and NonMaxSuppression), run on every available execution provider."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from envaudit.behaviour._common import HEIGHT, WIDTH, Result, detections, image_bytes, result

# Providers that need a remote endpoint, not this machine: nothing local to measure.
_REMOTE = {"AzureExecutionProvider": "runs models on a remote Azure endpoint, not locally"}


def devices() -> tuple[list[str], dict[str, str]]:
    """Every available execution provider; remote-only ones skipped with the reason."""
    available = list(ort.get_available_providers())
    return [p for p in available if p not in _REMOTE], {
        p: _REMOTE[p] for p in available if p in _REMOTE}


def _const(name: str, array: Any) -> Any:
    return numpy_helper.from_array(np.asarray(array), name=name)


@functools.lru_cache(maxsize=1)
def model_bytes() -> bytes:
    """The probe model: image -> Conv(3x3) -> Resize(linear, x2); boxes, scores -> NMS."""
    rng = np.random.default_rng(20261127)
    boxes, scores, _ = detections()
    init = [
        _const("W", rng.standard_normal((4, 3, 3, 3)).astype(np.float32) / 9),
        _const("scales", np.array([1, 1, 2, 2], np.float32)),
        _const("boxes", np.asarray([boxes], np.float32)),
        _const("scores", np.asarray([[scores]], np.float32)),
        _const("max_out", np.array([100], np.int64)),
        _const("iou", np.array([0.5], np.float32)),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "W"], ["conv"], pads=[1, 1, 1, 1]),
        helper.make_node("Resize", ["conv", "", "scales"], ["resized"], mode="linear"),
        helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_out", "iou_in"],
                         ["selected"]),
    ]
    graph = helper.make_graph(
        nodes, "envaudit-probe",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, HEIGHT, WIDTH]),
         helper.make_tensor_value_info("iou_in", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("resized", TensorProto.FLOAT, ["n", "c", "h", "w"]),
         helper.make_tensor_value_info("selected", TensorProto.INT64, ["k", 3])],
        init[:5])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="envaudit")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _run(provider: str, iou: float) -> list[Any]:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_bytes(), options, providers=[provider])
    pixels = np.frombuffer(image_bytes(), np.uint8).reshape(HEIGHT, WIDTH, 3)
    image = (pixels.transpose(2, 0, 1)[None] / np.float32(255)).astype(np.float32)
    return list(session.run(None, {"image": image, "iou_in": np.array([iou], np.float32)}))


def conv_resize(*, device: str) -> Result:
    resized = np.ascontiguousarray(_run(device, 0.5)[0])
    return result(resized.tobytes(), metrics={"mean": float(resized.astype(np.float64).mean())},
                  info={"provider": device})


def nms(*, device: str, iou: str) -> Result:
    selected = _run(device, float(iou))[1]
    kept = [int(row[2]) for row in selected]
    return result(repr(kept).encode(), kept=kept, metrics={"kept": float(len(kept))},
                  info={"provider": device})
