"""The report of one diff: findings, the summary, and the exit code contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from envaudit.choices import ExitCode, FailOn
from envaudit.findings import Finding, Severity
from envaudit.fleet.identity import HostIdentity

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


def make_report(
    findings: Sequence[Finding], locked_source: str, current_source: str,
    notes: Sequence[str] = (), policy: str = "", lock_content_hash: str = "",
) -> Report:
    return Report(tuple(findings), locked_source, current_source, tuple(notes), policy,
                  lock_content_hash=lock_content_hash)
