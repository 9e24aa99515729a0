"""Load the team's policy from [tool.envaudit] in pyproject.toml, envaudit.toml or --config."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from envaudit.errors import ConfigError
from envaudit.findings import Ignore, Policy, Severity
from envaudit.probes.distributions import canonical_name

KEYS = ("ignore", "severity", "critical", "allowed")
# Tables of [tool.envaudit] that other parts read: [tool.envaudit.pipeline] is the
# pipeline contract (envaudit.pipeline.readers.contract), not policy.
OTHER_KEYS = ("pipeline",)
IGNORE_KEYS = ("rule", "reason", "expires", "subject")
SEVERITIES = tuple(s.value for s in Severity)
PYPROJECT = "pyproject.toml"
STANDALONE = "envaudit.toml"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest choice, or "" when none is close."""
    import difflib  # only for a mistyped name

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_SHORT_ID = re.compile(r"^([A-Z]+)-?(\d{1,3})$")


def normalize_rule_id(text: str) -> str:
    """"env-8", "ENV8" -> "ENV-008"; anything else upper-cased."""
    wanted = text.strip().upper()
    short = _SHORT_ID.match(wanted)
    return f"{short.group(1)}-{int(short.group(2)):03d}" if short else wanted


def suggest_rule(text: str, ids: Iterable[str]) -> str:
    """The did-you-mean for a rule id: its zero-padded spelling first, then the closest id."""
    choices = list(ids)
    padded = normalize_rule_id(text)
    if padded in choices and padded != text:
        return f" (did you mean {padded!r}?)"
    return did_you_mean(padded, choices)


class _Problems:
    """Collects every problem of one file, to report them together."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        from envaudit.scrub import escape_controls  # keys come from the file: one line

        self.messages.append(escape_controls(f"{where}: {message}", keep_newlines=False))

    def raise_any(self) -> None:
        if self.messages:
            raise ConfigError(f"{self.source}: " + "; ".join(self.messages))


def find_config(cwd: Path) -> Optional[Path]:
    """The nearest envaudit.toml, or pyproject.toml with a [tool.envaudit] table, walking up
    from `cwd` to the repository root (the first directory holding .git) or the filesystem
    root, as ruff and pytest find theirs.

    Anything at an envaudit.toml (a directory, a FIFO, a dangling symlink...) is the
    policy file: reading it then fails loudly instead of the policy being skipped."""
    for directory in (cwd, *cwd.parents):
        standalone = directory / STANDALONE
        if os.path.lexists(standalone):
            return standalone
        pyproject = directory / PYPROJECT
        if os.path.lexists(pyproject) and _tool_table(_read(pyproject)) is not None:
            return pyproject
        if os.path.lexists(directory / ".git"):
            return None
    return None


def _read(path: Path) -> dict[str, Any]:
    from envaudit import safeio, safetoml

    try:
        return safetoml.loads(safeio.read_text(path, "config"))
    except safeio.UnsafeFile as e:
        raise ConfigError(f"{path}: {e.reason}") from e
    except safetoml.TomlInputError as e:
        raise ConfigError(f"{path}: {e}") from e


def _tool_table(data: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    tool = data.get("tool")
    table = tool.get("envaudit") if isinstance(tool, Mapping) else None
    return table if isinstance(table, Mapping) else None


def load_policy(path: Optional[Path] = None, *, cwd: Optional[Path] = None) -> Policy:
    """The policy from `path` (explicit --config), or found in `cwd`; the empty policy if none.

    A pyproject.toml (or any file with a [tool.envaudit] table) is read from that table,
    any other file from its top-level keys. Raises ConfigError naming the file and key.
    """
    if path is None:
        path = find_config(cwd if cwd is not None else Path.cwd())
        if path is None:
            return Policy()
    elif not os.path.lexists(path):
        raise ConfigError(f"{path}: config file not found")
    data = _read(path)
    table = _tool_table(data)
    if table is not None:
        policy = parse_policy(table, source=str(path), prefix="tool.envaudit.")
    elif path.name == PYPROJECT:
        raise ConfigError(f"{path}: no [tool.envaudit] table")
    else:
        policy = parse_policy(data, source=str(path))
    return replace(policy, source=str(path))


def parse_policy(table: Mapping[str, Any], *, source: str = "config", prefix: str = "",
                 rule_ids: Optional[Iterable[str]] = None) -> Policy:
    """Validate one policy table; `rule_ids` defaults to the shipped catalog's ids."""
    if rule_ids is None:
        from envaudit.rules.catalog import load_catalog

        rule_ids = [r.id for r in load_catalog().rules]
    ids = frozenset(rule_ids)
    problems = _Problems(source)
    for key in table:
        if key not in KEYS and key not in OTHER_KEYS:
            problems.add(f"{prefix}{key}", "unknown key" + did_you_mean(key, KEYS))
    policy = Policy(
        ignore=_ignores(table.get("ignore", []), ids, problems, f"{prefix}ignore"),
        severity=_severities(table.get("severity", {}), ids, problems, f"{prefix}severity"),
        critical=_critical(table.get("critical", []), problems, f"{prefix}critical"),
        allowed=_allowed(table.get("allowed", {}), problems, f"{prefix}allowed"),
    )
    problems.raise_any()
    return policy


def _rule_id(value: Any, ids: frozenset[str], problems: _Problems, where: str) -> bool:
    if not isinstance(value, str):
        problems.add(where, "a rule id must be a string")
        return False
    if value not in ids:
        problems.add(where, f"unknown rule id {_short(value)}" + suggest_rule(value, ids))
        return False
    return True


def _ignores(raw: Any, ids: frozenset[str], problems: _Problems, where: str
             ) -> tuple[Ignore, ...]:
    if not isinstance(raw, list):
        problems.add(where, "must be an array of tables")
        return ()
    out: list[Ignore] = []
    for i, entry in enumerate(raw):
        found = _ignore(entry, ids, problems, f"{where}[{i}]")
        if found is not None:
            out.append(found)
    return tuple(out)


def _ignore(entry: Any, ids: frozenset[str], problems: _Problems, where: str
            ) -> Optional[Ignore]:
    if not isinstance(entry, Mapping):
        problems.add(where, "must be a table like {rule = ..., reason = ...}")
        return None
    before = len(problems.messages)
    for key in entry:
        if key not in IGNORE_KEYS:
            problems.add(f"{where}.{key}", "unknown key" + did_you_mean(key, IGNORE_KEYS))
    if "rule" not in entry:
        problems.add(where, "missing 'rule'")
    else:
        _rule_id(entry["rule"], ids, problems, f"{where}.rule")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.add(f"{where}.reason", "a non-empty reason is required")
    expires = _date(entry.get("expires"), problems, f"{where}.expires")
    subject = entry.get("subject")
    if subject is not None and not isinstance(subject, str):
        problems.add(f"{where}.subject", "must be a string")
    if len(problems.messages) > before:
        return None
    return Ignore(rule=entry["rule"], reason=str(reason).strip(), expires=expires,
                  subject=subject)


def _date(value: Any, problems: _Problems, where: str) -> Optional[datetime.date]:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(where, f"{_short(value)} is not a date (write 2027-01-31 or \"YYYY-MM-DD\")")
    return None


def _severities(raw: Any, ids: frozenset[str], problems: _Problems, where: str
                ) -> dict[str, Severity]:
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a table of rule id = severity")
        return {}
    out: dict[str, Severity] = {}
    for rule, value in raw.items():
        if not _rule_id(rule, ids, problems, f"{where}.{rule}"):
            continue
        if value not in SEVERITIES:
            problems.add(f"{where}.{rule}", f"invalid severity {_short(value)}, expected one of"
                         f" {', '.join(SEVERITIES)}" + did_you_mean(str(value), SEVERITIES))
            continue
        out[rule] = Severity(value)
    return out


def _critical(raw: Any, problems: _Problems, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
        problems.add(where, "must be an array of package names")
        return frozenset()
    return frozenset(canonical_name(n) for n in raw)


def _allowed(raw: Any, problems: _Problems, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a table of package = \"PEP 440 specifier\"")
        return {}
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # only with `allowed`

    out: dict[str, str] = {}
    for name, spec in raw.items():
        if not isinstance(spec, str) or not spec.strip() or len(spec) > MAX_SPECIFIER:
            problems.add(f"{where}.{name}", f"{_short(spec)} is not a PEP 440 version"
                         f" specifier (a string like \">=1.26,<2\", at most {MAX_SPECIFIER}"
                         " characters)")
            continue
        try:
            SpecifierSet(spec)
        except (InvalidSpecifier, TypeError, ValueError):
            problems.add(f"{where}.{name}", f"{_short(spec)} is not a PEP 440 version specifier")
            continue
        out[canonical_name(name)] = spec
    return out


MAX_SPECIFIER = 1000


def _short(value: Any) -> str:
    """repr() of a value from the file, cut to fit one line of an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def expired_ignores(policy: Policy, today: Optional[datetime.date] = None) -> list[str]:
    """One note per ignore that has expired and therefore applies no more."""
    today = today or datetime.date.today()
    return [
        f"ignore of {ig.rule}{f' for {ig.subject}' if ig.subject else ''} expired on"
        f" {ig.expires.isoformat()} and no longer applies ({ig.reason})"
        for ig in policy.ignore
        if ig.expires is not None and not ig.active(today)
    ]
