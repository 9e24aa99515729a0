"""Inputs generated in code (fixed seeds, standard library only) and the result a probe returns.

Every probe module builds its inputs from these functions, so the same bytes go into OpenCV,
Pillow, torch and NumPy, whatever else is installed.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

# The probe image: odd sizes, so that resize cannot take an exact-multiple shortcut.
WIDTH, HEIGHT = 53, 37
SEED = 20261127

Result = dict[str, Any]


def image_bytes(width: int = WIDTH, height: int = HEIGHT, channels: int = 3,
                seed: int = SEED) -> bytes:
    """An 8-bit image, row-major HWC: smooth gradients and a ring, plus seeded noise."""
    rng = random.Random(seed)
    out = bytearray()
    for y in range(height):
        for x in range(width):
            ring = 64.0 * math.sin(math.hypot(x - width / 3, y - height / 2) / 3.0)
            for c in range(channels):
                base = (x * 255 / width, y * 255 / height, 128 + ring)[c % 3]
                out.append(max(0, min(255, int(base + rng.gauss(0.0, 12.0)))))
    return bytes(out)


def gaussians(count: int, seed: int = SEED) -> list[float]:
    """`count` standard normal samples from a seeded generator."""
    rng = random.Random(seed)
    return [rng.gauss(0.0, 1.0) for _ in range(count)]


def detections(seed: int = SEED) -> tuple[list[list[float]], list[float], list[int]]:
    """Candidate boxes (x1, y1, x2, y2), scores and classes, as a detector head emits them:
    clusters of overlapping boxes around a few objects, with distinct scores."""
    rng = random.Random(seed)
    boxes: list[list[float]] = []
    for cx, cy, size in ((40.0, 40.0, 30.0), (60.0, 50.0, 28.0), (150.0, 90.0, 50.0),
                         (152.0, 96.0, 20.0), (220.0, 30.0, 24.0)):
        for _ in range(6):
            x = cx + rng.uniform(-6.0, 6.0)
            y = cy + rng.uniform(-6.0, 6.0)
            half = size / 2 * rng.uniform(0.8, 1.2)
            boxes.append([round(x - half, 3), round(y - half, 3),
                          round(x + half, 3), round(y + half, 3)])
    scores = [round(0.05 + 0.9 * i / len(boxes), 4) for i in range(len(boxes))]
    rng.shuffle(scores)
    classes = [i % 2 for i in range(len(boxes))]
    return boxes, scores, classes


def nms_reference(boxes: Sequence[Sequence[float]], scores: Sequence[float], iou: float,
                  score: float) -> list[int]:
    """Greedy NMS in plain Python: the order every implementation should agree on."""
    order = sorted((i for i, s in enumerate(scores) if s >= score), key=lambda i: -scores[i])
    kept: list[int] = []
    for i in order:
        if all(_iou(boxes[i], boxes[k]) <= iou for k in kept):
            kept.append(i)
    return kept


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def result(data: bytes, *, metrics: Mapping[str, float] | None = None,
           kept: Sequence[int] = (), info: Mapping[str, str] | None = None) -> Result:
    """What one probe returns: the sha256 of its exact output bytes and the numbers that matter."""
    return {
        "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
        "kept": [int(i) for i in kept],
        "info": {k: str(v) for k, v in (info or {}).items()},
    }
