"""Host reports: identity into a diff report, and a `diff --format json` file read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from envaudit.choices import FormatChoice
from envaudit.errors import EnvauditError
from envaudit.findings import Severity
from envaudit.fleet.identity import identify
from envaudit.report import Report

# A diff report of a real host is ~200 KB; anything far larger is not one of ours.
MAX_REPORT_BYTES = 64 * 1024 * 1024


def with_host(
    report: Report, against: Optional[Path], hostname: Optional[str], model: Optional[str],
    raw_ids: bool,
) -> Report:
    """`report` with the identity of the host it describes (`envaudit diff` sets it)."""
    host = identify(against=None if against is None else str(against), hostname=hostname,
                    model=model or "", raw_ids=raw_ids,
                    lock_content_hash=report.lock_content_hash)
    return replace(report, host=host)


TEXTFILE_USAGE = "needs --format prometheus and no --output"


def textfile_misused(
    fmt: FormatChoice, output: Optional[str], textfile_dir: Optional[Path],
) -> bool:
    """True when --textfile-dir comes with another format or with --output (a usage error)."""
    return textfile_dir is not None and (fmt is not FormatChoice.PROMETHEUS or output is not None)


def ignored_host_options(fmt: FormatChoice, given: Mapping[str, object]) -> list[str]:
    """The host options given (`--model`...) that `fmt` does not write."""
    if fmt in (FormatChoice.JSON, FormatChoice.PROMETHEUS):
        return []
    return [option for option, value in given.items() if value]


def textfile_or_output(
    text: str, fmt: FormatChoice, output: Optional[str], textfile_dir: Optional[Path],
    model: Optional[str], *, append: bool = False,
) -> None:
    """Write a diff report: into --textfile-dir (Prometheus only) or to stdout / --output."""
    from envaudit.formats.prometheus import write_textfile
    from envaudit.output import write_output

    if textfile_dir is None:
        write_output(text, output, append=append)
    else:
        assert fmt is FormatChoice.PROMETHEUS and output is None, TEXTFILE_USAGE
        write_textfile(textfile_dir, text, model or "")


# Host reports come from many machines: their text never reaches a terminal as control codes.
def printable(text: str) -> str:
    """`text` with control characters (escape sequences, bells, newlines, bidi overrides)
    shown as \\xNN by the scrubber's escaping, as in every other human format."""
    from envaudit.scrub import escape_controls

    return escape_controls(text, keep_newlines=False)


class HostReportError(EnvauditError):
    """A host report file is unreadable, not JSON, or not an envaudit diff report."""


@dataclass(frozen=True)
class FindingKey:
    """What makes two hosts' findings the same root cause, and the words to show it."""

    severity: Severity
    rule: str
    subject: str
    locked: Optional[str]
    current: Optional[str]
    title: str
    message: str


@dataclass(frozen=True)
class HostReport:
    """The part of one host report that a fleet keeps (findings without why/fix/related)."""

    source: str
    hostname: str
    host_id: str
    time: str
    model: str
    lock_content_hash: str
    findings: tuple[RawFinding, ...]


def read_host_report(path: Path) -> HostReport:
    """Read `path` (written by `envaudit diff --format json`). Raises HostReportError."""
    from envaudit import safeio

    try:  # a regular file only (a FIFO or device never blocks the merge), within the cap
        doc = json.loads(safeio.read_bytes(path, safeio.Limit(MAX_REPORT_BYTES)))
    except safeio.UnsafeFile as e:
        raise HostReportError(f"{path}: cannot read: {e.reason}") from e
    except (ValueError, RecursionError) as e:
        raise HostReportError(f"{path}: not JSON: {e}") from e
    try:
        return _host_report(doc, str(path))
    except (KeyError, TypeError, ValueError) as e:
        raise HostReportError(f"{path}: not an envaudit diff report: {e}") from e


def _host_report(doc: Any, source: str) -> HostReport:
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise ValueError("no 'findings' list")
    host = doc.get("host") or {}
    if not isinstance(host, dict):
        raise ValueError("'host' is not an object")
    findings = tuple(_finding(f, i) for i, f in enumerate(doc["findings"]))
    name = _text(host.get("hostname")) or Path(source).stem
    return HostReport(
        source=source, hostname=name, host_id=_text(host.get("id")) or name,
        time=_text(host.get("time")), model=_text(host.get("model")),
        lock_content_hash=_text(host.get("lock_content_hash")), findings=findings,
    )


_SEVERITIES = frozenset(s.value for s in Severity)

#: A finding as read: (severity, rule, subject, locked, current, title, message); a plain
#: tuple because a fleet reads hundreds of thousands of them and interns each once.
RawFinding = tuple[str, str, str, Optional[str], Optional[str], str, str]


def _finding(f: Any, index: int) -> RawFinding:
    if not isinstance(f, dict):
        raise ValueError(f"findings[{index}] is not an object")
    raw = (f.get("severity"), f.get("rule"), f.get("subject"), f.get("locked"),
           f.get("current"), f.get("title") or "", f.get("message") or "")
    if raw[0] not in _SEVERITIES:
        raise ValueError(f"findings[{index}].severity is missing or unknown")
    for key, value in zip(("rule", "subject", "locked", "current", "title", "message"),
                          raw[1:]):
        if not isinstance(value, str) and (value is not None or key in ("rule", "subject")):
            raise ValueError(f"findings[{index}].{key} is not a string")
    return raw  # type: ignore[return-value]  # checked field by field just above


def cause(raw: RawFinding) -> FindingKey:
    """The root cause a raw finding stands for."""
    return FindingKey(Severity(raw[0]), *raw[1:])


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
