"""envaudit: catch environment drift that changes or breaks ML inference.

The Python API (envaudit.api) is loaded on first use, so `import envaudit` stays cheap:
no typer, no rich, no probe runs until one of these names is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("snapshot", "audit", "require", "render", "DriftError")
__all__ = ["DriftError", "__version__", "audit", "render", "require", "snapshot"]

if TYPE_CHECKING:
    from envaudit.api import audit, render, require, snapshot
    from envaudit.errors import DriftError


def __getattr__(name: str) -> Any:
    """snapshot, audit, require, render, DriftError: imported when first used (PEP 562)."""
    if name in _API:
        # importlib, not an import statement: the API sits at the top of the layers
        # (tests/test_structure.py) and is reached from here only at run time, on first use.
        import importlib

        return getattr(importlib.import_module("envaudit.api"), name)
    raise AttributeError(f"module 'envaudit' has no attribute {name!r}")
