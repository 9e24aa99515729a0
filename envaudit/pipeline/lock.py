"""The lock's [pipelines.NAME] tables: (de)serialisation, hooked into envaudit.lockfile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from envaudit.pipeline.interface import CONTRACT_FIELDS, Pipeline, key
from envaudit.pipeline.schema import Problems, parse_pipeline

TABLE = "pipelines"
_META = ("source", "assumed")


def encode(pipelines: Mapping[str, Pipeline]) -> dict[str, Any]:
    """{name: table}: stated fields only (an absent key is unknown), sorted by name."""
    return {name: _table(p) for name, p in sorted(pipelines.items())}


def _table(p: Pipeline) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in CONTRACT_FIELDS:
        value = getattr(p, attr)
        if value is not None:
            out[key(attr)] = list(value) if isinstance(value, tuple) else value
    if p.source:
        out["source"] = p.source
    if p.assumed:
        out["assumed"] = sorted(p.assumed)
    return out


def decode(raw: Any, add: Callable[[str, str], None], *,
           ignore_unknown: bool = False) -> dict[str, Pipeline]:
    """The pipelines of a lock's [pipelines] table; each problem goes to `add(path, msg)`."""
    if not isinstance(raw, dict):
        add(TABLE, "expected a table of pipelines")
        return {}
    out: dict[str, Pipeline] = {}
    for name, table in raw.items():
        path = f"{TABLE}.{name}"
        problems = Problems(path, [])
        p = parse_pipeline(table, path, problems, extra=_META, ignore_unknown=ignore_unknown)
        for item_path, message in problems.items:
            add(item_path, message)
        if isinstance(table, dict):
            p = _with_meta(p, table, path, add)
        out[name] = p
    return out


def _with_meta(p: Pipeline, table: Mapping[str, Any], path: str,
               add: Callable[[str, str], None]) -> Pipeline:
    from dataclasses import replace

    source, assumed = table.get("source", ""), table.get("assumed", [])
    if not isinstance(source, str):
        add(f"{path}.source", "expected a string")
        source = ""
    if not isinstance(assumed, list) or not all(isinstance(a, str) for a in assumed):
        add(f"{path}.assumed", "expected an array of field names")
        assumed = []
    return replace(p, source=source, assumed=tuple(assumed))
