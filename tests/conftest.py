"""Shared pytest setup: no test reads the developer's environment by accident."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# The parsed-catalog cache goes to a folder of this test run, not the developer's ~/.cache
# (nor CI's home); the folder is removed when the run ends.
_CACHE_DIR = tempfile.mkdtemp(prefix="envaudit-cache-")
os.environ["ENVAUDIT_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_COLOR", "1")
    yield
