"""GithubFormat: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

# Workflow commands: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """Escape a command's message (the runner's own rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """Escape a property value (additionally ':' and ',')."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        lines = []
        for f in report.findings:
            title = _prop(f"{f.rule} {f.subject}: {f.title}")
            body = f.message + "".join(f"\nalso {r.rule}: {r.message}" for r in f.related)
            body += f"\nfix: {' '.join(f.fix.split())}\nsee: {f.references[0]}"
            where = f"file={_prop(report.locked_source)}," if report.locked_source else ""
            lines.append(f"::{_COMMAND[f.severity.value]} {where}title={title}::{_data(body)}")
        s, code = report.summary(), int(report.exit_code(fail_on))
        lines.append(f"envaudit: {s['error']} error(s), {s['warning']} warning(s), {s['info']} "
                     f"info; exit code {code} (--fail-on {fail_on.value})")
        return "\n".join(lines) + "\n"
