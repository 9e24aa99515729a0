"""TextFormat: a rich table on a terminal, plain aligned text when piped or NO_COLOR."""

from __future__ import annotations

import io

from envaudit.findings import Finding
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _value(text: str | None) -> str:
    return "–" if text is None else text


def _summary_line(report: Report, fail_on: FailOn) -> str:
    s = report.summary()
    return (
        f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
        f"exit code {int(report.exit_code(fail_on))} (--fail-on {fail_on.value})"
    )


def _plain_finding(f: Finding, explained: set[str]) -> list[str]:
    """One finding; why/fix/see only the first time a rule appears, and never for info."""
    lines = [f"{f.severity.value.upper():7} {f.rule:9} {f.subject}: {f.message}"]
    if f.severity.value != "info" and f.rule not in explained:
        explained.add(f.rule)
        lines += [
            f"        {f.title}. locked: {_value(f.locked)}  current: {_value(f.current)}",
            f"        why: {' '.join(f.why.split())}",
            f"        fix: {' '.join(f.fix.split())}",
            f"        see: {f.references[0]}",
        ]
    lines += [f"        also {r.rule} ({r.severity.value}): {r.message}" for r in f.related]
    return lines


class TextFormat(Format):
    def __init__(self, *, color: bool = False, width: int = 100) -> None:
        self.color = color
        self.width = width

    def render(self, report: Report, fail_on: FailOn) -> str:
        header = f"envaudit diff: {report.current_source} against {report.locked_source}"
        if not self.color:
            lines = [header, ""]
            if not report.findings:
                lines.append("No drift that affects inference.")
            explained: set[str] = set()
            for f in report.findings:
                lines += _plain_finding(f, explained)
            lines += ["", _summary_line(report, fail_on),
                      "(`envaudit explain RULE` prints a rule's reason, fix and sources)"]
            return "\n".join(lines) + "\n"
        return self._rich(report, fail_on, header)

    def _rich(self, report: Report, fail_on: FailOn, header: str) -> str:
        from rich.console import Console  # lazy: rich's renderer is slow to import
        from rich.markup import escape
        from rich.table import Table

        out = io.StringIO()
        console = Console(file=out, force_terminal=True, color_system="standard", width=self.width)
        console.print(f"[bold]{escape(header)}[/bold]")
        serious = [f for f in report.findings if f.severity.value != "info"]
        if not report.findings:
            console.print("No drift that affects inference.")
        if serious:
            table = Table(show_lines=True, expand=True)
            for col, ratio in (("severity", 1), ("rule", 1), ("subject", 2),
                               ("locked → current", 3), ("finding", 6)):
                table.add_column(col, ratio=ratio, overflow="fold")
            for f in serious:
                also = "".join(f"\n[dim]also {r.rule}: {escape(r.message)}[/dim]"
                               for r in f.related)
                table.add_row(
                    f"[{_STYLE[f.severity.value]}]{f.severity.value}[/]",
                    f.rule,
                    escape(f.subject),
                    escape(f"{_value(f.locked)} → {_value(f.current)}"),
                    f"{escape(f.message)}\n[dim]fix: {escape(' '.join(f.fix.split()))}[/dim]{also}",
                )
            console.print(table)
        for line in _info_summary(report.findings):
            console.print(f"[{_STYLE['info']}]info[/] {escape(line)}")
        console.print(_summary_line(report, fail_on))
        return out.getvalue()


def _info_summary(findings: tuple[Finding, ...]) -> list[str]:
    """On a terminal, info findings are counted per rule (all of them are in --format json)."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        if f.severity.value == "info":
            by_rule.setdefault(f.rule, []).append(f)
    lines = []
    for rule, group in sorted(by_rule.items()):
        names = ", ".join(f.subject for f in group[:4]) + (", …" if len(group) > 4 else "")
        lines.append(f"{rule} ×{len(group)}: {group[0].title} ({names})")
    return lines
