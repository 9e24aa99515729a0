"""Pillow probes (run in the child): resize with every filter, JPEG round trips. No NumPy."""

from __future__ import annotations

import io

from PIL import Image

from envaudit.behaviour._common import HEIGHT, WIDTH, Result, image_bytes, result

_SIZES = {"up": (91, 67), "down": (23, 17)}


def _image() -> Image.Image:
    return Image.frombytes("RGB", (WIDTH, HEIGHT), image_bytes())


def _filter(name: str) -> Image.Resampling:
    return Image.Resampling[name.upper()]


def _mean(data: bytes) -> float:
    return sum(data) / len(data) if data else 0.0


def resize(*, device: str, filter: str, direction: str) -> Result:
    data = _image().resize(_SIZES[direction], _filter(filter)).tobytes()
    return result(data, metrics={"mean": _mean(data)})


def jpeg(*, device: str, quality: str) -> Result:
    buf = io.BytesIO()
    _image().save(buf, format="JPEG", quality=int(quality))
    encoded = buf.getvalue()
    with Image.open(io.BytesIO(encoded)) as img:
        decoded = img.convert("RGB").tobytes()
    err = max(abs(a - b) for a, b in zip(decoded, image_bytes()))
    return result(encoded + decoded, metrics={"encoded-bytes": float(len(encoded)),
                                              "max-abs-err": float(err), "mean": _mean(decoded)})
