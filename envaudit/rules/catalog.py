"""Load the rule catalog (TOML files shipped in envaudit/rules/data) and validate it."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit import __version__
from envaudit._compat import tomllib
from envaudit.digest import sha256
from envaudit.distributions import expand_families
from envaudit.errors import CatalogError, OutputError
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
    """The shipped catalog. Raises CatalogError when the data is inconsistent.

    A cache file that is corrupt or not envaudit's (any data the catalog cannot be built
    from) is never an error: the shipped data is parsed again and the cache rewritten."""
    from envaudit.rules.checks import load_all

    load_all()
    files, from_cache = _data_files()
    if from_cache:
        try:
            return _build(files)
        except Exception:  # a foreign cache: the shipped data decides
            files, _ = _data_files(use_cache=False)
    return _build(files)


def _build(files: Mapping[str, Any]) -> Catalog:
    rules: list[Rule] = []
    for name, data in files.items():
        if name == "packages.toml":
            continue
        for i, raw in enumerate(data.get("rule", [])):
            rules.append(_rule(raw, f"{name}: rule[{i}]"))
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"duplicate rule ids: {', '.join(dupes)}")
    pkgs = files["packages.toml"]
    return Catalog(
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        critical=frozenset(expand_families(pkgs["critical"])),
        tooling=frozenset(pkgs["tooling"]),
    )


CACHE_LIMIT = 16 << 20  # the cache holds the parsed data/*.toml (about 0.2 MiB)


def data_files() -> dict[str, Any]:
    """Every data/*.toml file parsed, by name (sorted); see _data_files()."""
    return _data_files()[0]


def _data_files(*, use_cache: bool = True) -> tuple[dict[str, Any], bool]:
    """(every data/*.toml file parsed, by name; whether it came from the cache).

    Parsing the TOML costs more than everything else a diff does at 150 packages, so
    the parsed data is kept as JSON in a cache file named after the envaudit version and
    a digest of every data file's bytes (the .toml files and the .csv tables beside
    them): an edited data file has another digest, so a stale cache is never read.
    ENVAUDIT_CACHE_DIR chooses the folder ("" turns the cache off). The cache is read
    like any file envaudit does not control (envaudit.safeio: a regular file, at most
    CACHE_LIMIT bytes); anything unreadable there means parsing the shipped data again.
    """
    names = sorted(n for n in os.listdir(DATA) if n.endswith((".toml", ".csv")))
    blobs = {name: (DATA / name).read_bytes() for name in names}
    digest = sha256(b"".join(n.encode() + b"\0" + b + b"\0" for n, b in blobs.items()))
    cache = _cache_file(f"catalog-{__version__}-{digest.hexdigest()[:32]}.json")
    tomls = [name for name in names if name.endswith(".toml")]
    cached = _read_cache(cache, tomls) if cache is not None and use_cache else None
    if cached is not None:
        return cached, True
    files = {name: tomllib.loads(blobs[name].decode("utf-8")) for name in tomls}
    if cache is not None:  # also over a cache that could not be used
        _write_cache(cache, files)
    return files, False


def _read_cache(cache: Path, tomls: list[str]) -> dict[str, Any] | None:
    """The cached data; None when absent, special, too large, not JSON or not a table of
    exactly the data files."""
    from envaudit import safeio

    try:
        cached = json.loads(safeio.read_bytes(cache, safeio.Limit(CACHE_LIMIT)))
    except (safeio.UnsafeFile, ValueError, RecursionError):
        return None
    if not isinstance(cached, dict) or sorted(cached) != tomls:
        return None
    return cached if all(isinstance(v, dict) for v in cached.values()) else None


def _cache_file(name: str) -> Path | None:
    folder = os.environ.get("ENVAUDIT_CACHE_DIR")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "envaudit")
    return Path(folder, name) if folder else None


def _write_cache(cache: Path, files: Mapping[str, Any]) -> None:
    """Best effort: a read-only home only makes the next run parse the TOML again."""
    from envaudit.output import write_atomic

    with contextlib.suppress(OSError, OutputError, TypeError, ValueError):
        text = json.dumps(files, ensure_ascii=False)
        if json.loads(text) != files:  # a value JSON cannot carry (a TOML date, NaN)
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cache, text)
