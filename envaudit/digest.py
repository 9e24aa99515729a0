"""SHA-256 as hashlib computes it, without loading OpenSSL (about 3 ms of start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256
else:  # CPython's built-in implementation; hashlib where a build lacks it
    try:
        from _sha2 import sha256  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # Python <= 3.11
        except ImportError:  # pragma: no cover - builds without the built-in module
            from hashlib import sha256

__all__ = ["sha256"]
