"""MarkdownFormat: a table for pull-request comments and CI job summaries."""

from __future__ import annotations

from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report


def _cell(text: str | None) -> str:
    """A table cell: pipes escaped, and no HTML from a lock reaches a rendered comment."""
    return ((text or "–").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


class MarkdownFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        s = report.summary()
        lines = [
            f"## envaudit: {report.current_source} against {report.locked_source}",
            "",
            f"**{s['error']} error(s), {s['warning']} warning(s), {s['info']} info** "
            f"(exit code {int(report.exit_code(fail_on))} with --fail-on {fail_on.value})",
            "",
        ]
        if not report.findings:
            lines.append("No drift that affects inference.")
            return "\n".join(lines) + "\n"
        lines += [
            "| severity | rule | subject | locked | current | finding |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in report.findings:
            also = f" (also: {', '.join(r.rule for r in f.related)})" if f.related else ""
            lines.append(
                f"| {f.severity.value} | {f.rule} | {_cell(f.subject)} | {_cell(f.locked)} "
                f"| {_cell(f.current)} | {_cell(f.message)}{also} |"
            )
        lines += ["", "<details><summary>Why it matters and how to fix it</summary>", ""]
        for f in report.findings:
            lines += [
                f"### {f.rule}: {f.title}",
                "",
                f.why.replace("\n", " "),
                "",
                f"**Fix:** {f.fix}",
                "",
                "Sources: " + ", ".join(f"<{u}>" for u in f.references),
                "",
            ]
        lines.append("</details>")
        return "\n".join(lines) + "\n"
