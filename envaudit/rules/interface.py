"""The rule role: rules (data), matches (what a check finds), the check registry.

Severity, Impact and Finding live below the roles (envaudit.findings); they are
re-exported here for the checks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

from envaudit.compare import Change
from envaudit.findings import Finding, Impact, Policy, Severity
from envaudit.lockfile import LockNote
from envaudit.model import Fingerprint


@dataclass(frozen=True)
class Rule:
    """One catalog entry: the words, the default severity, and the check that matches it."""

    id: str
    title: str
    group: str
    severity: Severity
    impact: Impact
    why: str
    fix: str
    references: tuple[str, ...]
    check: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # Generic rules (any package upgraded...) yield to a specific rule on the same subject.
    generic: bool = False
    # Evidence tags from the research ([DOC], [SRC], [WHL], [DEV], [EXP], [SEC]).
    evidence: tuple[str, ...] = ()
    # Drift rules stay silent when the training side alone already matches; a policy
    # rule (an allowed range) holds of the deployment side whatever training had.
    drift_only: bool = True
    # The rule suspects an output change from a version alone: evidence that measured the
    # outputs of its subject (see Evidence) may lower it.
    measurable: bool = False


@dataclass(frozen=True)
class Match:
    """What a check found: the subject, the two values and one specific sentence."""

    subject: str
    locked: str | None
    current: str | None
    detail: str
    # A weighted rule may raise or lower its default severity for this match.
    severity: Severity | None = None


@dataclass(frozen=True)
class Context:
    """What a check sees: both fingerprints (locked is the reference) and their changes."""

    locked: Fingerprint
    current: Fingerprint
    changes: tuple[Change, ...]
    critical: frozenset[str] = frozenset()
    tooling: frozenset[str] = frozenset()
    notes: tuple[LockNote, ...] = ()
    # The team's policy (ignores, severities, allowed ranges).
    policy: Policy = field(default_factory=Policy)
    # The day of the audit, for rules about dates (end-of-life branches, expiring ignores).
    today: datetime.date = field(default_factory=datetime.date.today)
    # envaudit's own dependencies set aside from the deployment side (envaudit.footprint).
    footprint: frozenset[str] = frozenset()

    def section_changes(self, section: str) -> list[Change]:
        return [c for c in self.changes if c.section == section]

    def change(self, path: str) -> Change | None:
        for c in self.changes:
            if c.path == path:
                return c
        return None


@dataclass(frozen=True)
class Evidence:
    """A measurement about one subject that bounds the findings of measurable rules on it,
    e.g. "outputs identical on 14 probes" keeps a Pillow version bump at info."""

    subject: str
    # The highest severity a measurable rule's finding on this subject keeps.
    severity: Severity
    # Appended to the lowered finding's message.
    note: str

__all__ = ["ATTESTERS", "CHECKS", "Attester", "Check", "Context", "Evidence", "Finding", "Impact",
           "Match", "Rule", "Severity", "attester", "check"]

Check = Callable[[Context, Mapping[str, Any]], Iterable[Match]]
Attester = Callable[[Context], Iterable[Evidence]]

#: Attester name -> function; the engine asks every attester for evidence on each diff.
ATTESTERS: dict[str, Attester] = {}

#: Check name (as written in the catalog's `check = "..."`) -> function.
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check function under the name the catalog data uses."""

    def register(fn: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = fn
        return fn

    return register


def attester(name: str) -> Callable[[Attester], Attester]:
    """Register a source of Evidence (measured outputs...) under a name."""

    def register(fn: Attester) -> Attester:
        if name in ATTESTERS:
            raise ValueError(f"attester {name!r} registered twice")
        ATTESTERS[name] = fn
        return fn

    return register
