"""Merge host reports one at a time into the matrix: memory grows with the matrix, not the files.

Each report is read, reduced to its host and its findings' root causes (rule, subject,
locked → current), and dropped; only the distinct causes and, per host, the indices of
its causes are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Callable

from envaudit.errors import EnvauditError
from envaudit.fleet.hostreport import (
    HostReport,
    HostReportError,
    RawFinding,
    cause,
    printable,
    read_host_report,
)
from envaudit.fleet.interface import Fleet, FleetHost

Warn = Callable[[str], None]


class FleetError(EnvauditError):
    """No host report could be found or read."""


def report_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path given, or each `*.json` directly inside a directory given (sorted); a FIFO
    or device named *.json is kept, so that reading it names the problem (never silent)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.json") if not p.is_dir())
        else:
            yield path


class FleetBuilder:
    """Accumulates hosts; a host reported twice (same id and name) keeps its newest report."""

    def __init__(self, warn: Warn) -> None:
        self.warn = warn
        self._causes: dict[RawFinding, int] = {}
        self._hosts: dict[tuple[str, str], FleetHost] = {}
        self._skipped: list[str] = []

    def add_file(self, path: Path) -> None:
        try:
            self.add(read_host_report(path))
        except HostReportError as e:
            self._skipped.append(str(e))
            self.warn(printable(f"skipped {e}"))

    def add(self, report: HostReport) -> None:
        causes = tuple(sorted({self._causes.setdefault(f, len(self._causes))
                               for f in report.findings}))
        host = FleetHost(
            hostname=report.hostname, host_id=report.host_id, time=report.time,
            model=report.model, lock_content_hash=report.lock_content_hash,
            source=report.source, causes=causes,
        )
        key = (host.host_id, host.hostname)
        earlier = self._hosts.get(key)
        if earlier is not None:
            kept = max(earlier, host, key=lambda h: h.time)
            self.warn(printable(f"{host.hostname} is reported twice ({earlier.source},"
                                f" {host.source}); keeping {kept.source}, the newer"))
            host = kept
        self._hosts[key] = host

    def build(self) -> Fleet:
        """The matrix, with causes ordered most severe and widest first."""
        hosts = sorted(self._hosts.values(), key=lambda h: (h.hostname, h.host_id))
        if not hosts:
            raise FleetError("no host report could be read" if self._skipped
                             else "no host reports given (files or directories of *.json)")
        old = [cause(raw) for raw in self._causes]
        width = Counter(i for h in hosts for i in h.causes)
        order = sorted((i for i in range(len(old)) if width[i]),
                       key=lambda i: (-old[i].severity.rank, -width[i], old[i].rule,
                                      old[i].subject, old[i].locked or "", old[i].current or ""))
        new_index = {old_i: new_i for new_i, old_i in enumerate(order)}
        hosts = [replace(h, causes=tuple(sorted(new_index[i] for i in h.causes)))
                 for h in hosts]
        columns: list[list[int]] = [[] for _ in order]
        for hi, h in enumerate(hosts):
            for ci in h.causes:
                columns[ci].append(hi)
        return Fleet(hosts=tuple(hosts), causes=tuple(old[i] for i in order),
                     cause_hosts=tuple(tuple(c) for c in columns),
                     skipped=tuple(self._skipped), notes=tuple(_lock_notes(hosts)))


def _lock_notes(hosts: list[FleetHost]) -> list[str]:
    """Reports against different locks (or models) are merged, but the user is told."""
    notes = []
    for attr, what in (("lock_content_hash", "locks"), ("model", "models")):
        seen = Counter(getattr(h, attr) or "(none)" for h in hosts)
        if len(seen) > 1:
            parts = ", ".join(f"{k} ({n} host{'' if n == 1 else 's'})"
                              for k, n in seen.most_common())
            notes.append(f"the reports are against {len(seen)} different {what}: {parts}")
    return notes


def merge(paths: Iterable[Path], warn: Warn) -> Fleet:
    """Read every host report under `paths` into one Fleet. Raises FleetError."""
    builder = FleetBuilder(warn)
    for path in report_paths(paths):
        builder.add_file(path)
    return builder.build()

