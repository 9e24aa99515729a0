"""SarifFormat: SARIF 2.1.0 for code-scanning dashboards (GitHub's upload-sarif and others)."""

from __future__ import annotations

import json
from typing import Any

from envaudit import __version__
from envaudit.findings import Finding
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# SARIF result levels (SARIF 2.1.0 §3.27.10) for our severities.
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _flatten(findings: tuple[Finding, ...]) -> list[Finding]:
    """Every finding, folded ones included: each is its own result for a scanner."""
    out: list[Finding] = []
    for f in findings:
        out.append(f)
        out.extend(f.related)
    return out


def _rule(f: Finding) -> dict[str, Any]:
    why, fix = " ".join(f.why.split()), " ".join(f.fix.split())
    sources = "\n".join(f"- <{u}>" for u in f.references)
    return {
        "id": f.rule,
        "name": f.rule.replace("-", ""),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": why},
        "help": {"text": f"{why}\nFix: {fix}",
                 "markdown": f"{why}\n\n**Fix:** {fix}\n\nSources:\n{sources}"},
        "helpUri": f.references[0],
        "defaultConfiguration": {"level": _LEVEL[f.severity.value]},
        "properties": {"tags": [f.group, f.impact.value]},
    }


def _result(f: Finding, index: int, artifact: str) -> dict[str, Any]:
    return {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _LEVEL[f.severity.value],
        "message": {"text": f"{f.subject}: {f.message}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact}}}],
        "partialFingerprints": {"envauditSubject/v1": f"{f.rule}:{f.subject}"},
        "properties": {"subject": f.subject, "locked": f.locked, "current": f.current},
    }


class SarifFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        findings = _flatten(report.findings)
        index: dict[str, int] = {}
        rules: list[dict[str, Any]] = []
        for f in findings:
            if f.rule not in index:
                index[f.rule] = len(rules)
                rules.append(_rule(f))
        artifact = report.locked_source or "envaudit.lock"
        run = {
            "tool": {"driver": {"name": "envaudit", "version": __version__,
                                "rules": rules}},
            "artifacts": [{"location": {"uri": artifact}}],
            "results": [_result(f, index[f.rule], artifact) for f in findings],
            "invocations": [{"executionSuccessful": True,
                             "exitCode": int(report.exit_code(fail_on))}],
        }
        doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
