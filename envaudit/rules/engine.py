"""Run the catalog over two fingerprints: matches -> findings -> one finding per root cause."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from envaudit.compare import compare
from envaudit.findings import Policy
from envaudit.lockfile import LockNote
from envaudit.model import Fingerprint
from envaudit.rules.catalog import Catalog, load_catalog
from envaudit.rules.interface import CHECKS, Context, Finding, Match, Rule, Severity


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
    from dataclasses import replace

    return replace(f, related=related) if related else f


def evaluate(
    locked: Fingerprint,
    current: Fingerprint,
    *,
    notes: Iterable[LockNote] = (),
    policy: Policy | None = None,
    catalog: Catalog | None = None,
    today: datetime.date | None = None,
) -> list[Finding]:
    """The findings for deploying `current` where `locked` was the training environment."""
    catalog = catalog or load_catalog()
    policy = policy or Policy()
    today = today or datetime.date.today()
    ctx = _context(locked, current, catalog, policy, tuple(notes), today)
    # A condition already true of the training side alone is not drift: the self-
    # comparison (locked, locked) gives the baseline, and identical matches are dropped.
    baseline = _context(locked, locked, catalog, policy, (), today)
    raw: list[tuple[Finding, bool]] = []
    for rule in catalog.rules:
        known = (
            {(m.subject, m.detail) for m in CHECKS[rule.check](baseline, rule.params)}
            if rule.drift_only else set()
        )
        for m in CHECKS[rule.check](ctx, rule.params):
            if (m.subject, m.detail) in known or _ignored(policy, rule.id, m.subject, today):
                continue
            severity = policy.severity.get(rule.id) or m.severity or rule.severity
            raw.append((_finding(rule, m, severity), rule.generic))
    return fold(raw)


def _context(locked: Fingerprint, current: Fingerprint, catalog: Catalog, policy: Policy,
             notes: tuple[LockNote, ...], today: datetime.date) -> Context:
    return Context(
        locked=locked,
        current=current,
        changes=tuple(compare(locked, current)),
        critical=catalog.critical | policy.critical,
        tooling=catalog.tooling,
        import_conflicts=catalog.import_conflicts,
        notes=notes,
        policy=policy,
        today=today,
    )


def _ignored(policy: Policy, rule_id: str, subject: str, today: datetime.date) -> bool:
    return any(
        ig.rule == rule_id and ig.active(today) and ig.subject in (None, subject)
        for ig in policy.ignore
    )
