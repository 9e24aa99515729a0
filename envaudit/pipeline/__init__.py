"""The pre/post-processing contract of a model: schema, readers, verify().

    from envaudit.pipeline import verify
    verify("detector", input_size=640, iou_threshold=0.7)   # raises on a mismatch
"""

from __future__ import annotations

from typing import Any

__all__ = ["verify", "verifying"]


def __getattr__(name: str) -> Any:
    # Lazy: model.py imports envaudit.pipeline.interface on every snapshot, and the
    # verify machinery (lock loading, TOML) is not needed there.
    if name in __all__:
        from envaudit.pipeline import serving as module

        return getattr(module, name)
    raise AttributeError(name)
