"""NumPy probes (run in the child): NMS in NumPy, fp32 reductions, fp32 matmul, the BLAS in use."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from envaudit.behaviour._common import Result, detections, gaussians, result


def _nms(boxes: Any, scores: Any, iou: float) -> list[int]:
    """Greedy NMS as detector post-processing code writes it in NumPy (float32 boxes)."""
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size:
        i = int(order[0])
        kept.append(i)
        w = np.maximum(0, np.minimum(x2[i], x2[order[1:]]) - np.maximum(x1[i], x1[order[1:]]))
        h = np.maximum(0, np.minimum(y2[i], y2[order[1:]]) - np.maximum(y1[i], y1[order[1:]]))
        inter = w * h
        overlap = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[1:][overlap <= iou]
    return kept


def nms(*, device: str, iou: str, score: str) -> Result:
    raw_boxes, raw_scores, _ = detections()
    boxes, scores = np.asarray(raw_boxes, np.float32), np.asarray(raw_scores, np.float32)
    index = np.flatnonzero(scores >= np.float32(score))
    kept = [int(index[k]) for k in _nms(boxes[index], scores[index], float(iou))]
    return result(repr(kept).encode(), kept=kept, metrics={"kept": float(len(kept))})


def reductions(*, device: str) -> Result:
    values = gaussians(200_003)
    x = np.asarray(values, dtype=np.float32)
    exact = math.fsum(float(v) for v in x)
    sums = np.array([x.sum(), np.cumsum(x)[-1], np.dot(x, np.ones_like(x))], dtype=np.float32)
    errors = {name: abs(float(s) - exact) for name, s in zip(("sum", "cumsum", "dot"), sums)}
    return result(sums.tobytes(), metrics={f"{k}-abs-err": v for k, v in errors.items()})


def matmul(*, device: str) -> Result:
    rng = np.random.default_rng(20261127)
    a = rng.standard_normal((256, 256), dtype=np.float32)
    b = rng.standard_normal((256, 256), dtype=np.float32)
    out = a @ b
    err = float(np.abs(out.astype(np.float64) - a.astype(np.float64) @ b.astype(np.float64)).max())
    return result(out.tobytes(), metrics={"max-abs-err": err}, info=_blas_names())


def _blas_names() -> dict[str, str]:
    deps = _build_dependencies()
    return {f"{k}": f"{v.get('name', '?')} {v.get('version', '')}".strip() for k, v in deps.items()}


def _build_dependencies() -> dict[str, Any]:
    try:
        config = np.show_config(mode="dicts")  # NumPy >= 1.26
    except TypeError:
        return {}
    deps = config.get("Build Dependencies", {}) if isinstance(config, dict) else {}
    return {k: v for k, v in deps.items() if isinstance(v, dict)}


def blas(*, device: str) -> Result:
    deps = _build_dependencies()
    if not deps:
        raise RuntimeError("numpy.show_config(mode='dicts') is not available (NumPy < 1.26)")
    named = {k: {f: str(v.get(f, "")) for f in ("name", "version", "openblas configuration")}
             for k, v in sorted(deps.items())}
    return result(json.dumps(named, sort_keys=True).encode(), info=_blas_names())
