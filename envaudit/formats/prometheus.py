"""PrometheusFormat: node_exporter textfile-collector metrics for one host's report.

The text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/):
label values escape backslash, double quote and line feed; HELP text escapes backslash
and line feed. node_exporter's textfile collector reads `*.prom` files from its
directory (https://github.com/prometheus/node_exporter#textfile-collector), so the file
is written beside its final name and renamed into place (write_textfile).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from envaudit.errors import OutputError
from envaudit.findings import Severity
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

#: Every metric written, with its help text (docs/fleet.md's alert rules use these names).
METRICS = {
    "envaudit_findings": "Findings of the last envaudit diff, per severity, rule and subject.",
    "envaudit_drift": "1 if the last envaudit diff found drift at or above this severity.",
    "envaudit_last_run_timestamp_seconds": "When envaudit diff last ran (Unix time).",
    "envaudit_lock_info": "The lock the host was compared against (value is always 1).",
}


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _series(name: str, labels: dict[str, str], value: float) -> str:
    inner = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items())
    number = str(int(value)) if float(value).is_integer() else repr(float(value))
    return f"{name}{{{inner}}} {number}"


def _family(name: str, samples: Iterable[str]) -> list[str]:
    help_text = METRICS[name].replace("\\", "\\\\").replace("\n", "\\n")
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", *samples]


class PrometheusFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        host = report.host
        model = host.model if host else ""
        # A report without a host (Python API) has no run time: the format stays pure.
        stamps = [] if host is None else [_series(
            "envaudit_last_run_timestamp_seconds", {"model": model}, round(host.timestamp, 3))]
        lock_hash = host.lock_content_hash if host else report.lock_content_hash
        counts = Counter((f.severity.value, f.rule, f.subject) for f in report.findings)
        findings = (_series("envaudit_findings", {"model": model, "severity": s, "rule": r,
                                                  "subject": subj}, n)
                    for (s, r, subj), n in sorted(counts.items()))
        drift = (_series("envaudit_drift", {"model": model, "severity": s.value},
                         int(any(f.severity.rank >= s.rank for f in report.findings)))
                 for s in Severity)
        lines = [
            *_family("envaudit_findings", findings),
            *_family("envaudit_drift", drift),
            *_family("envaudit_last_run_timestamp_seconds", stamps),
            *_family("envaudit_lock_info", [_series(
                "envaudit_lock_info",
                {"model": model, "content_hash": lock_hash}, 1)]),
        ]
        return "\n".join(lines) + "\n"


def textfile_name(model: str) -> str:
    """`envaudit.prom`, or `envaudit_<model>.prom` so that several models share a node."""
    if not model:
        return "envaudit.prom"
    return f"envaudit_{re.sub(r'[^A-Za-z0-9_.-]', '_', model)}.prom"


def write_textfile(directory: Path, text: str, model: str) -> Path:
    """Write the metrics into `directory` atomically (temp file there, then rename), through
    the same safe writer as -o (envaudit.output: a FIFO or directory there is refused)."""
    from envaudit.output import write_target

    if not directory.is_dir():
        raise OutputError(f"--textfile-dir {directory} is not a directory")
    path = directory / textfile_name(model)
    write_target(str(path), text)
    return path
