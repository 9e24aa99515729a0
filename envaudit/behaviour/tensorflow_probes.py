"""TensorFlow probes (run in the child when TensorFlow is installed): tf.image.resize modes and
an fp32 conv2d error against float64, on the CPU and each visible GPU (TF32 as the process has it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from envaudit.behaviour._common import HEIGHT, WIDTH, Result, image_bytes, result


def devices() -> tuple[list[str], dict[str, str]]:
    """The CPU and each visible GPU; "gpu" with its reason when there is none."""
    gpus = tf.config.list_logical_devices("GPU")
    if not gpus:
        return ["cpu"], {"gpu": "no GPU visible (tf.config.list_logical_devices('GPU') is empty)"}
    return ["cpu", *(f"gpu:{i}" for i in range(len(gpus)))], {}


def _on(device: str) -> Any:
    return tf.device(device.upper().replace("GPU:", "/GPU:").replace("CPU", "/CPU:0"))


def _info() -> dict[str, str]:
    return {"tf32": str(tf.config.experimental.tensor_float_32_execution_enabled())}


def resize(*, device: str, method: str) -> Result:
    pixels = np.frombuffer(image_bytes(), np.uint8).reshape(1, HEIGHT, WIDTH, 3)
    with _on(device):
        out = tf.image.resize(tf.constant(pixels, tf.float32), (17, 23), method=method).numpy()
    return result(np.ascontiguousarray(out).tobytes(), metrics={"mean": float(out.mean())})


def conv2d(*, device: str) -> Result:
    rng = np.random.default_rng(20261127)
    x = rng.standard_normal((1, 64, 64, 16)).astype(np.float32)
    w = rng.standard_normal((3, 3, 16, 32)).astype(np.float32)
    reference = tf.nn.conv2d(x.astype(np.float64), w.astype(np.float64), 1, "SAME").numpy()
    with _on(device):
        out = tf.nn.conv2d(tf.constant(x), tf.constant(w), 1, "SAME").numpy()
    err = float(np.abs(out.astype(np.float64) - reference).max())
    return result(np.ascontiguousarray(out).tobytes(), metrics={"max-abs-err": err}, info=_info())
