"""The one reader of the catalog's CSV tables (envaudit/rules/data/*.csv).

Each table is read once per process; lines starting with `#` are comments (sources and
notes kept next to the rows).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=16)
def rows(name: str) -> tuple[Mapping[str, str], ...]:
    """The rows of data/`name` as column -> value, in file order."""
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))
