"""OpenCV probes (run in the child): resize, cvtColor, imencode/imdecode on generated images."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from envaudit.behaviour._common import HEIGHT, WIDTH, Result, image_bytes, result

_MODES = {
    "nearest": "INTER_NEAREST", "linear": "INTER_LINEAR", "cubic": "INTER_CUBIC",
    "area": "INTER_AREA", "lanczos4": "INTER_LANCZOS4", "linear-exact": "INTER_LINEAR_EXACT",
    "nearest-exact": "INTER_NEAREST_EXACT",
}
# (width, height) targets: odd sizes on both sides of the 53x37 input.
_SIZES = {"up": (91, 67), "down": (23, 17)}
_CODES = {"bgr2rgb": "COLOR_BGR2RGB", "rgb2bgr": "COLOR_RGB2BGR", "bgr2yuv": "COLOR_BGR2YUV"}


def _image(dtype: str = "u8") -> Any:
    img = np.frombuffer(image_bytes(), dtype=np.uint8).reshape(HEIGHT, WIDTH, 3)
    return img.astype(np.float32) / np.float32(255.0) if dtype == "f32" else img.copy()


def _info() -> dict[str, str]:
    return {"threads": str(cv2.getNumThreads()), "cpu-features": cv2.getCPUFeaturesLine()}


def _out(arr: Any, **extra: Any) -> Result:
    return result(np.ascontiguousarray(arr).tobytes(),
                  metrics={"mean": float(np.asarray(arr, dtype=np.float64).mean()),
                           **extra.pop("metrics", {})}, **extra)


def resize(*, device: str, mode: str, dtype: str, direction: str) -> Result:
    out = cv2.resize(_image(dtype), _SIZES[direction], interpolation=getattr(cv2, _MODES[mode]))
    return _out(out, info=_info())


def cvtcolor(*, device: str, code: str) -> Result:
    img = _image()
    if code == "yuv2bgr":
        return _out(cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2YUV), cv2.COLOR_YUV2BGR))
    return _out(cv2.cvtColor(img, getattr(cv2, _CODES[code])))


def codec(*, device: str, fmt: str) -> Result:
    img = _image()
    ext, params = (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 90]) if fmt == "jpeg" else (
        ".png", [cv2.IMWRITE_PNG_COMPRESSION, 3])
    ok, encoded = cv2.imencode(ext, img, params)
    if not ok:
        raise RuntimeError(f"cv2.imencode({ext}) returned False")
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError(f"cv2.imdecode could not read its own {fmt} output")
    err = float(np.abs(decoded.astype(np.int16) - img.astype(np.int16)).max())
    data = encoded.tobytes() + decoded.tobytes()
    return result(data, metrics={"encoded-bytes": float(encoded.size), "max-abs-err": err})
