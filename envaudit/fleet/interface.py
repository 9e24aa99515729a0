"""The fleet role: a host × root-cause matrix merged from many host reports."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from envaudit.choices import ExitCode, FailOn
from envaudit.findings import Severity
from envaudit.fleet.hostreport import FindingKey

#: A root cause is one finding as every host reports it: severity, rule, subject, values.
Cause = FindingKey


@dataclass(frozen=True)
class FleetHost:
    """One host: who it is and the root causes (indices into Fleet.causes) it shows."""

    hostname: str
    host_id: str
    time: str
    model: str
    lock_content_hash: str
    source: str
    causes: tuple[int, ...]


@dataclass(frozen=True)
class Fleet:
    """Hosts (sorted by name) × causes (most severe, most hosts first)."""

    hosts: tuple[FleetHost, ...]
    causes: tuple[Cause, ...]
    # Host indices per cause (the matrix read by column).
    cause_hosts: tuple[tuple[int, ...], ...]
    # One line per report file that could not be read (it was skipped).
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def worst(self, host: FleetHost) -> Optional[Severity]:
        """The most severe finding on `host`, None when it has none."""
        return max((self.causes[i].severity for i in host.causes),
                   key=lambda s: s.rank, default=None)

    def worst_counts(self) -> dict[str, int]:
        """Hosts per worst severity (and "clean"), for the summary and the chart."""
        counts = Counter((w.value if w else "clean") for w in map(self.worst, self.hosts))
        return {k: counts.get(k, 0) for k in ("error", "warning", "info", "clean")}

    def severity_counts(self, host: FleetHost) -> dict[str, int]:
        counts = Counter(self.causes[i].severity.value for i in host.causes)
        return {s.value: counts.get(s.value, 0) for s in Severity}

    def drifting(self, fail_on: FailOn) -> list[FleetHost]:
        """Hosts with a finding at or above `fail_on`."""
        if fail_on is FailOn.NEVER:
            return []
        rank = Severity(fail_on.value).rank
        return [h for h in self.hosts if (w := self.worst(h)) is not None and w.rank >= rank]

    def exit_code(self, fail_on: FailOn) -> ExitCode:
        """1 if any host drifts at `fail_on`; else 3 if a report was skipped; else 0."""
        if self.drifting(fail_on):
            return ExitCode.DRIFT
        return ExitCode.CANNOT_AUDIT if self.skipped else ExitCode.OK


class FleetFormat(ABC):
    @abstractmethod
    def render(self, fleet: Fleet, fail_on: FailOn) -> str:
        """The whole fleet report as a string (ending with a newline)."""
