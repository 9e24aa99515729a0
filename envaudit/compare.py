"""Compare two fingerprints into a list of changes. Pure: no probing, no rules."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envaudit.codec import encode
from envaudit.model import SECTIONS, Fingerprint, Unavailable

# Facts that name where things live on one machine, not what runs: never drift.
_LOCAL_ONLY = frozenset({
    "python.executable", "python.prefix", "python.base-prefix",
})


class ChangeKind(str, enum.Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    # Collected on one side only: we do not know, so it is never "removed".
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Change:
    path: str  # dotted fact path, e.g. "packages.numpy" or "gpus.0.name"
    kind: ChangeKind
    locked: str | None
    current: str | None

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}", out)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, item in enumerate(value):
            ident = item.get("name") if "index" not in item else item["index"]
            if "path" in item and "name" in item:
                ident = f"{item['name']}@{item['path']}"
            _flatten(dict(item), f"{prefix}.{ident if ident is not None else i}", out)
    elif isinstance(value, list):
        out[prefix] = ",".join(str(v) for v in value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = str(value)


def facts(fp: Fingerprint) -> tuple[dict[str, str], dict[str, str]]:
    """(fact path -> value, unavailable section key -> reason) for one fingerprint."""
    values: dict[str, str] = {}
    missing: dict[str, str] = {}
    for spec in SECTIONS:
        if not spec.compared:
            continue  # compared by its own rules (pipelines: PIPE-*, artifacts: ART-*)
        key, section = spec.key, getattr(fp, spec.attr)
        if isinstance(section, Unavailable):
            missing[key] = section.reason
            continue
        if key == "packages":
            for pkg in section:
                values[f"packages.{pkg.name}"] = pkg.version
            continue
        encoded = [encode(v) for v in section] if spec.kind == "array" else encode(section)
        _flatten(encoded, key, values)
    for path in _LOCAL_ONLY:
        values.pop(path, None)
    return values, missing


def _side(missing: Mapping[str, str], key: str) -> str:
    return f"unknown ({missing[key]})" if key in missing else "collected"


def compare(locked: Fingerprint, current: Fingerprint) -> list[Change]:
    """Every difference from `locked` (the reference) to `current`, sorted by path."""
    a, a_missing = facts(locked)
    b, b_missing = facts(current)
    changes: list[Change] = []
    for key in sorted(set(a_missing) | set(b_missing)):
        if key in a_missing and key in b_missing:
            continue
        sides = (_side(a_missing, key), _side(b_missing, key))
        changes.append(Change(key, ChangeKind.UNKNOWN, *sides))
    unknown = set(a_missing) | set(b_missing)
    differ = [p for p in a.keys() | b.keys() if a.get(p) != b.get(p)]
    for path in sorted(differ):
        if unknown and path.split(".", 1)[0] in unknown:
            continue
        old, new = a.get(path), b.get(path)
        kind = (
            ChangeKind.ADDED if old is None else ChangeKind.REMOVED if new is None
            else ChangeKind.CHANGED
        )
        changes.append(Change(path, kind, old, new))
    return changes
