"""MarkdownFormat: a pull-request comment or job summary, always under GitHub's size limit."""

from __future__ import annotations

from envaudit.formats._groups import Group, grouped
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

# GitHub refuses a comment body over 65,536 characters; keep a margin for the truncation note.
LIMIT = 65_536
_BUDGET = LIMIT - 2_000
_ICON = {"error": "🔴 error", "warning": "🟠 warning", "info": "🔵 info"}


def _cell(text: str | None) -> str:
    """A table cell: pipes escaped, and no HTML from a lock reaches a rendered comment."""
    return ((text or "–").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _row(g: Group) -> str:
    f = g.lead
    if len(g.findings) == 1:
        what, change = _cell(f.message), f"{_cell(f.locked)} → {_cell(f.current)}"
    else:
        what = f"{_cell(f.title)} ({len(g.findings)})"
        change = ", ".join(f"{_cell(x.subject)} {_cell(x.locked)} → {_cell(x.current)}"
                           for x in g.findings)
    subjects = ", ".join(_cell(s) for s in dict.fromkeys(g.subjects))
    return f"| {_ICON[f.severity.value]} | `{f.rule}` | {subjects} | {change} | {what} |"


def _details(groups: list[Group]) -> list[str]:
    out, seen = [], set()
    for g in groups:
        f = g.lead
        if f.rule in seen:
            continue
        seen.add(f.rule)
        sources = ", ".join(f"<{u}>" for u in f.references)
        out += [f"<details><summary><code>{f.rule}</code> {_cell(f.title)}</summary>", "",
                " ".join(f.why.split()), "", f"**Fix:** {' '.join(f.fix.split())}", "",
                f"Sources: {sources}", "", "</details>", ""]
    return out


class MarkdownFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        s = report.summary()
        title = f"{_cell(report.current_source)} against {_cell(report.locked_source)}"
        counts = f"**{s['error']} error(s), {s['warning']} warning(s), {s['info']} info**"
        code = f"(exit code {int(report.exit_code(fail_on))} with --fail-on {fail_on.value})"
        head = [f"## envaudit: {title}", "", f"{counts} {code}", ""]
        if not report.findings:
            return "\n".join([*head, "No drift that affects inference."]) + "\n"
        groups = grouped(report.findings)
        serious = [g for g in groups if g.lead.severity.rank >= 2]
        info = [g for g in groups if g.lead.severity.rank < 2]
        table = ["| severity | rule | subject | locked → current | finding |",
                 "| --- | --- | --- | --- | --- |", *(_row(g) for g in serious + info)]
        body = [*head, *table, "", "### Why it matters and how to fix it", "", *_details(serious)]
        return _fit(body, len(head) + 2)


def _fit(lines: list[str], keep: int) -> str:
    """Drop the least important lines until the text fits, saying what was left out."""
    text = "\n".join(lines) + "\n"
    if len(text) <= _BUDGET:
        return text
    kept, size = lines[:keep], sum(len(x) + 1 for x in lines[:keep])
    for line in lines[keep:]:
        if size + len(line) + 1 > _BUDGET:
            break
        kept.append(line)
        size += len(line) + 1
    left = len(lines) - len(kept)
    note = (f"\n_Truncated: {left} more line(s) exceed GitHub's {LIMIT:,}-character limit. The full"
            " report is `envaudit diff --format json`._")
    return "\n".join(kept) + "\n" + note + "\n"
