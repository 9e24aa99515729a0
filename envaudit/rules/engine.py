"""Run the catalog over two fingerprints: matches -> findings -> one finding per root cause."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from envaudit.compare import Change, compare
from envaudit.findings import Ignore, Policy
from envaudit.lockfile import LockNote
from envaudit.model import Fingerprint
from envaudit.rules.catalog import Catalog, load_catalog
from envaudit.rules.interface import (
    ATTESTERS,
    CHECKS,
    Context,
    Evidence,
    Finding,
    Match,
    Rule,
    Severity,
)

_SEPARATORS = re.compile(r"[-_.]+")


def _finding(rule: Rule, m: Match, severity: Severity) -> Finding:
    return Finding(
        rule=rule.id,
        severity=severity,
        title=rule.title,
        message=m.detail,
        subject=m.subject,
        locked=m.locked,
        current=m.current,
        why=rule.why,
        fix=rule.fix,
        references=rule.references,
        impact=rule.impact,
        group=rule.group,
    )


def _order(f: Finding, generic: bool, position: int) -> tuple[int, int, int]:
    return (-f.severity.rank, 1 if generic else 0, position)


def fold(findings: Sequence[tuple[Finding, bool]]) -> list[Finding]:
    """One finding per subject: the most severe (specific before generic) leads,
    the others ride along as `related`. Input pairs are (finding, rule is generic)."""
    by_subject: dict[str, list[tuple[tuple[int, int, int], Finding]]] = {}
    for position, (f, generic) in enumerate(findings):
        by_subject.setdefault(f.subject, []).append((_order(f, generic, position), f))
    folded: list[Finding] = []
    for group in by_subject.values():
        group.sort(key=lambda pair: pair[0])
        lead = group[0][1]
        seen = {lead.message}
        related = []
        for _, f in group[1:]:
            if f.message not in seen:  # two rules, one sentence: say it once
                seen.add(f.message)
                related.append(f)
        folded.append(_replace_related(lead, tuple(related)))
    folded.sort(key=lambda f: (-f.severity.rank, f.rule, f.subject))
    return folded


def _replace_related(f: Finding, related: tuple[Finding, ...]) -> Finding:
    return replace(f, related=related) if related else f


def evaluate(
    locked: Fingerprint,
    current: Fingerprint,
    *,
    notes: Iterable[LockNote] = (),
    policy: Policy | None = None,
    catalog: Catalog | None = None,
    today: datetime.date | None = None,
    matched: set[Ignore] | None = None,
    footprint: frozenset[str] = frozenset(),
) -> list[Finding]:
    """The findings for deploying `current` where `locked` was the training environment.

    Each policy ignore that dropped a finding is added to `matched` when it is given.
    """
    catalog = catalog or load_catalog()
    policy = policy or Policy()
    today = today or datetime.date.today()
    ctx = replace(_context(locked, current, catalog, policy, tuple(notes), today),
                  footprint=footprint)
    # A condition already true of the training side alone is not drift: the self-
    # comparison (locked, locked) gives the baseline, and identical matches are dropped.
    # Comparing a fingerprint with itself finds no change, so none is computed.
    baseline = _context(locked, locked, catalog, policy, (), today, changes=())
    evidence = _evidence(ctx)
    raw: list[tuple[Finding, bool]] = []
    for rule in catalog.rules:
        known = (
            {(m.subject, m.detail) for m in CHECKS[rule.check](baseline, rule.params)}
            if rule.drift_only else set()
        )
        for m in CHECKS[rule.check](ctx, rule.params):
            if (m.subject, m.detail) in known:
                continue
            ignore = _ignored(policy, rule.id, m.subject, today)
            if ignore is not None:
                if matched is not None:
                    matched.add(ignore)
                continue
            m = _bounded(rule, m, evidence)
            severity = policy.severity.get(rule.id) or m.severity or rule.severity
            raw.append((_finding(rule, m, severity), rule.generic))
    return fold(raw)


def _evidence(ctx: Context) -> dict[str, Evidence]:
    """Subject -> the evidence that bounds it lowest, from every registered attester."""
    out: dict[str, Evidence] = {}
    for attest in ATTESTERS.values():
        for e in attest(ctx):
            if e.subject not in out or e.severity.rank < out[e.subject].severity.rank:
                out[e.subject] = e
    return out


def _bounded(rule: Rule, m: Match, evidence: dict[str, Evidence]) -> Match:
    """A measurable rule's match, lowered to what measured evidence on its subject allows."""
    e = evidence.get(m.subject)
    severity = m.severity or rule.severity
    if not rule.measurable or e is None or severity.rank <= e.severity.rank:
        return m
    return replace(m, severity=e.severity, detail=f"{m.detail}: {e.note}")


def _context(locked: Fingerprint, current: Fingerprint, catalog: Catalog, policy: Policy,
             notes: tuple[LockNote, ...], today: datetime.date,
             changes: tuple[Change, ...] | None = None) -> Context:
    return Context(
        locked=locked,
        current=current,
        changes=tuple(compare(locked, current)) if changes is None else changes,
        critical=catalog.critical | policy.critical,
        tooling=catalog.tooling,
        notes=notes,
        policy=policy,
        today=today,
    )


def _ignored(policy: Policy, rule_id: str, subject: str, today: datetime.date) -> Ignore | None:
    """The active ignore that drops this finding; subjects match case-insensitively, with
    package-style names canonicalised (`Pillow` is `pillow`, `my_lib` is `My-Lib`)."""
    for ig in policy.ignore:
        if ig.rule == rule_id and ig.active(today) and (
                ig.subject is None or same_subject(ig.subject, subject)):
            return ig
    return None


def same_subject(a: str, b: str) -> bool:
    return _SEPARATORS.sub("-", a).casefold() == _SEPARATORS.sub("-", b).casefold()
