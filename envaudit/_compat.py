"""Small shims for the Python versions we support (3.9+)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# CPython's built-in SHA-256 gives the same digests as hashlib's without loading OpenSSL
# (about 3 ms of a snapshot's start-up); hashlib where the module is missing.
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha2 import sha256  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # Python <= 3.11
        except ImportError:  # pragma: no cover - builds without the built-in module
            from hashlib import sha256

__all__ = ["sha256", "tomllib"]
