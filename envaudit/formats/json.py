"""JsonFormat: the stable machine-readable contract (docs/formats.md, docs/report.schema.json)."""

from __future__ import annotations

import json
import re
from typing import Any

from envaudit.findings import Finding
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

#: The report's own schema version: a new major removes or changes a key, a minor adds one.
REPORT_SCHEMA = "1.1"
_VERSION = re.compile(r"^v?(?P<release>\d+(?:\.\d+)*)(?P<rest>[^+\s]*)(?:\+(?P<local>[\w.]+))?"
                      r"(?: \((?P<note>[^()]*)\))?$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def structured(text: str | None) -> Any:
    """A display value as data: null, a number, a version (release, local label, note), or text."""
    if text is None:
        return None
    if _NUMBER.match(text) and "." not in text:
        return int(text)
    m = _VERSION.match(text)
    if m and len(text) <= 64:
        release = [int(p) for p in m.group("release").split(".")]
        version = text.split(" (", 1)[0]
        return {"version": version, "release": release, "local": m.group("local"),
                "note": m.group("note")}
    return {"text": text}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "title": f.title,
        "message": f.message,
        "subject": f.subject,
        "locked": f.locked,
        "current": f.current,
        "values": {"locked": structured(f.locked), "current": structured(f.current)},
        "why": f.why,
        "fix": f.fix,
        "references": list(f.references),
        "impact": f.impact.value,
        "group": f.group,
        "related": [finding_dict(r) for r in f.related],
    }


class JsonFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        doc = {
            "schema": REPORT_SCHEMA,
            "findings": [finding_dict(f) for f in report.findings],
            "summary": report.summary(),
            "exit_code": int(report.exit_code(fail_on)),
            "fail_on": fail_on.value,
            "locked": report.locked_source,
            "current": report.current_source,
            "notes": list(report.notes),
            "policy": report.policy or None,
            # Who the report is about (docs/fleet.md); null when the caller did not say.
            "host": report.host.to_dict() if report.host is not None else None,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
