"""Load the rule catalog (TOML files shipped in envaudit/rules/data) and validate it."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit._compat import tomllib
from envaudit.distributions import expand_families
from envaudit.errors import CatalogError
from envaudit.rules.interface import CHECKS, Impact, Rule, Severity

DATA = Path(__file__).parent / "data"
_ID = re.compile(r"^[A-Z]+-\d{3}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")
_REQUIRED = ("id", "title", "group", "severity", "impact", "why", "fix", "references", "check")


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    # Inference-critical packages and tooling-only packages (data/packages.toml).
    critical: frozenset[str]
    tooling: frozenset[str]

    def get(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.group for r in self.rules))


def _rule(raw: Mapping[str, Any], where: str) -> Rule:
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CatalogError(f"{where}: missing {', '.join(missing)}")
    rule_id = raw["id"]
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise CatalogError(f"{where}: bad id {rule_id!r}")
    refs = tuple(raw["references"])
    if not refs or not all(isinstance(u, str) and _URL.match(u) for u in refs):
        raise CatalogError(f"{rule_id}: every rule needs well-formed https references")
    if raw["check"] not in CHECKS:
        raise CatalogError(f"{rule_id}: unknown check {raw['check']!r}")
    try:
        severity, impact = Severity(raw["severity"]), Impact(raw["impact"])
    except ValueError as e:
        raise CatalogError(f"{rule_id}: {e}") from e
    return Rule(
        id=rule_id,
        title=str(raw["title"]),
        group=str(raw["group"]),
        severity=severity,
        impact=impact,
        why=str(raw["why"]).strip(),
        fix=str(raw["fix"]).strip(),
        references=refs,
        check=str(raw["check"]),
        params=expand_families(dict(raw.get("params", {}))),
        generic=bool(raw.get("generic", False)),
        evidence=tuple(raw.get("evidence", ())),
        drift_only=bool(raw.get("drift-only", True)),
        measurable=bool(raw.get("measurable", False)),
    )


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped catalog. Raises CatalogError when the data is inconsistent."""
    from envaudit.rules.checks import load_all

    load_all()
    rules: list[Rule] = []
    for path in sorted(DATA.glob("*.toml")):
        if path.name == "packages.toml":
            continue
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for i, raw in enumerate(data.get("rule", [])):
            rules.append(_rule(raw, f"{path.name}: rule[{i}]"))
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"duplicate rule ids: {', '.join(dupes)}")
    with (DATA / "packages.toml").open("rb") as fh:
        pkgs = tomllib.load(fh)
    return Catalog(
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        critical=frozenset(expand_families(pkgs["critical"])),
        tooling=frozenset(pkgs["tooling"]),
    )
