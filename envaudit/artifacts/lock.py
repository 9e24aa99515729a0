"""The lock's optional [[artifacts]] section: explicit to/from TOML, errors with key paths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable

from envaudit.artifacts.interface import Artifact, ArtifactFile

KEY = "artifacts"  # model.SECTIONS names it; an absent section is handled by the lockfile

# (key path, message): how problems reach the lockfile's collector.
Report = Callable[[str, str], None]


def encode(artifacts: Sequence[Artifact]) -> list[dict[str, Any]]:
    """The section as TOML-ready data, artifacts sorted by path and files by path."""
    return [_artifact(a) for a in sorted(artifacts, key=lambda a: a.path)]


def _artifact(a: Artifact) -> dict[str, Any]:
    out: dict[str, Any] = {"path": a.path, "kind": a.kind, **_described(a)}
    out["files"] = [_file(f) for f in sorted(a.files, key=lambda f: f.path)]
    return out


def _file(f: ArtifactFile) -> dict[str, Any]:
    return {"path": f.path, "size": f.size, "sha256": f.sha256, **_described(f)}


def _described(x: Artifact | ArtifactFile) -> dict[str, Any]:
    """format, problems and facts, each only when there is one (both tables write them)."""
    out: dict[str, Any] = {}
    if x.format:
        out["format"] = x.format
    if x.problems:
        out["problems"] = list(x.problems)
    if x.facts:
        out["facts"] = dict(sorted(x.facts.items()))
    return out


def decode(raw: Any, report: Report) -> tuple[Artifact, ...]:
    """The section as read from a parsed lock; every problem goes to `report`."""
    if not isinstance(raw, list):
        report(KEY, "expected an array of tables")
        return ()
    return tuple(_read_artifact(item, f"{KEY}[{i}]", report) for i, item in enumerate(raw))


def _read_artifact(raw: Any, where: str, report: Report) -> Artifact:
    table = _table(raw, where, report)
    files = table.get("files", [])
    if not isinstance(files, list):
        report(f"{where}.files", "expected an array of tables")
        files = []
    return Artifact(
        path=_str(table, "path", where, report, required=True),
        kind=_str(table, "kind", where, report, required=True),
        format=_str(table, "format", where, report),
        files=tuple(_read_file(f, f"{where}.files[{i}]", report) for i, f in enumerate(files)),
        facts=_facts(table, where, report),
        problems=_strings(table, "problems", where, report),
    )


def _read_file(raw: Any, where: str, report: Report) -> ArtifactFile:
    table = _table(raw, where, report)
    size = table.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        report(f"{where}.size", "expected a non-negative integer")
        size = 0
    return ArtifactFile(
        path=_str(table, "path", where, report, required=True),
        size=size,
        sha256=_str(table, "sha256", where, report, required=True),
        format=_str(table, "format", where, report),
        facts=_facts(table, where, report),
        problems=_strings(table, "problems", where, report),
    )


def _table(raw: Any, where: str, report: Report) -> Mapping[str, Any]:
    if isinstance(raw, dict):
        return raw
    report(where, "expected a table")
    return {}


def _str(table: Mapping[str, Any], key: str, where: str, report: Report,
         *, required: bool = False) -> str:
    value = table.get(key)
    if value is None:
        if required:
            report(f"{where}.{key}", "required key is missing")
        return ""
    if not isinstance(value, str):
        report(f"{where}.{key}", "expected a string")
        return ""
    return value


def _strings(table: Mapping[str, Any], key: str, where: str, report: Report) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report(f"{where}.{key}", "expected an array of strings")
        return ()
    return tuple(value)


def _facts(table: Mapping[str, Any], where: str, report: Report) -> dict[str, str]:
    value = table.get("facts", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        report(f"{where}.facts", "expected a table of strings")
        return {}
    return dict(value)
