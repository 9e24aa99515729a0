"""JsonFormat: the stable machine-readable contract (docs/formats.md)."""

from __future__ import annotations

import json
from typing import Any

from envaudit.findings import Finding
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "title": f.title,
        "message": f.message,
        "subject": f.subject,
        "locked": f.locked,
        "current": f.current,
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
            "findings": [finding_dict(f) for f in report.findings],
            "summary": report.summary(),
            "exit_code": int(report.exit_code(fail_on)),
            "locked": report.locked_source,
            "current": report.current_source,
            "notes": list(report.notes),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
