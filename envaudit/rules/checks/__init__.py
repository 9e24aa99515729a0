"""Check functions, registered by name; every module here is imported by the catalog."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every check module so that its @check functions register."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
