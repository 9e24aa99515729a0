"""The report of one diff: findings, the summary, and the exit code contract."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from envaudit.rules.interface import Finding, Severity


class FailOn(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


class ExitCode(enum.IntEnum):
    OK = 0  # nothing at or above --fail-on
    DRIFT = 1  # a finding at or above --fail-on
    USAGE = 2  # bad command line
    CANNOT_AUDIT = 3  # lock missing, unreadable, invalid, unsupported schema; bad input


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    locked_source: str = ""
    current_source: str = ""
    notes: tuple[str, ...] = ()

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
    notes: Sequence[str] = (),
) -> Report:
    return Report(tuple(findings), locked_source, current_source, tuple(notes))
