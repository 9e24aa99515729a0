"""Check functions, registered by name; every module here is imported by the catalog."""

from __future__ import annotations

import importlib
import os


def load_all() -> None:
    """Import every check module so that its @check functions register.

    The folder is listed directly: pkgutil (and importlib.util with it) costs more to
    import than this loop takes.
    """
    for folder in __path__:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and not name.startswith("_"):
                importlib.import_module(f"{__name__}.{name[:-3]}")
