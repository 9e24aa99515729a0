"""The report of one diff: findings, the summary, and the exit code contract."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from envaudit.choices import ExitCode, FailOn
from envaudit.findings import Finding, Severity
from envaudit.fleet.identity import HostIdentity
from envaudit.scrub import escape_controls, scrub

__all__ = ["ExitCode", "FailOn", "Report", "make_report"]


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    locked_source: str = ""
    current_source: str = ""
    notes: tuple[str, ...] = ()
    # The policy in force, as Policy.describe() says it ("" when the report predates policy).
    policy: str = ""
    # The lock's stated content-hash, and who this report is about (set by `envaudit diff`).
    lock_content_hash: str = ""
    host: Optional[HostIdentity] = None
    # The names of the deployment's pipelines checked (diff --pipeline), sorted.
    pipelines: tuple[str, ...] = ()
    # The threshold of `ok` and `failing()` (envaudit.audit's fail_on; the CLI's --fail-on).
    fail_on: FailOn = FailOn.ERROR

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def exit_code(self, fail_on: FailOn) -> ExitCode:
        if fail_on is FailOn.NEVER:
            return ExitCode.OK
        threshold = Severity(fail_on.value).rank
        drift = any(f.severity.rank >= threshold for f in self.findings)
        return ExitCode.DRIFT if drift else ExitCode.OK


    def failing(self, fail_on: FailOn | None = None) -> tuple[Finding, ...]:
        """The findings at or above `fail_on` (default: the report's own threshold)."""
        chosen = self.fail_on if fail_on is None else fail_on
        if chosen is FailOn.NEVER:
            return ()
        threshold = Severity(chosen.value).rank
        return tuple(f for f in self.findings if f.severity.rank >= threshold)

    @property
    def ok(self) -> bool:
        """True when nothing is at or above the report's threshold (exit code 0)."""
        return self.exit_code(self.fail_on) is ExitCode.OK


def make_report(
    findings: Sequence[Finding], locked_source: str, current_source: str,
    notes: Sequence[str] = (), policy: str = "", lock_content_hash: str = "",
) -> Report:
    """The report; every text that came from a lock or a host is scrubbed of secrets and
    has its control characters escaped, so no format can leak one or drive a terminal."""
    return Report(tuple(clean_finding(f) for f in findings), _clean(locked_source),
                  _clean(current_source), tuple(_clean(n) for n in notes), _clean(policy),
                  lock_content_hash=_clean(lock_content_hash))


def _clean(text: str) -> str:
    return escape_controls(scrub(text), keep_newlines=False)


def _clean_optional(text: str | None) -> str | None:
    return None if text is None else _clean(text)


def clean_finding(f: Finding) -> Finding:
    """`f` with its host-derived texts (subject, values, message) scrubbed and escaped."""
    return dataclasses.replace(
        f, subject=_clean(f.subject), message=_clean(f.message),
        locked=_clean_optional(f.locked), current=_clean_optional(f.current),
        related=tuple(clean_finding(r) for r in f.related),
    )
