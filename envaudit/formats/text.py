"""TextFormat: the report read at 2 a.m.: most important first; colour never changes the layout."""

from __future__ import annotations

import textwrap

from envaudit.findings import Finding
from envaudit.formats._groups import Group, grouped
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report

# ANSI SGR colours per severity; applied to the severity word only, so layout never changes.
_COLOUR = {"error": "1;31", "warning": "33", "info": "36"}
_INDENT = " " * 18  # severity (8) + rule id (9) + a space


def _value(text: str | None) -> str:
    return "none" if text is None else text


def _sentence(f: Finding) -> str:
    """`subject: message`, without repeating a subject the message already starts with."""
    if f.message.lower().startswith(f.subject.lower()):
        return f.message
    return f"{f.subject}: {f.message}"


def _change(f: Finding) -> str:
    """A subject and its values, as short as they can be said: `jax 0.11.2`, `numpy 2.5 → 2.4`."""
    if f.current is None or f.locked is None:
        return f"{f.subject} {f.locked or f.current or ''}".rstrip()
    return f"{f.subject} ({f.locked} → {f.current})"


def _entry_text(group: Group) -> str:
    lead = group.lead
    if len(group.findings) == 1:
        text = _sentence(lead)
    else:
        changes = ", ".join(_change(f) for f in group.findings)
        text = f"{lead.title} ({len(group.findings)}): {changes}"
    related = sorted({r.rule for f in group.findings for r in f.related})
    return text + (f" [also {', '.join(related)}]" if related else "")


class TextFormat(Format):
    def __init__(self, *, color: bool = False, width: int = 100, verbosity: int = 0) -> None:
        self.color = color
        self.width = max(width, 60)
        self.verbosity = verbosity  # -1 quiet, 0 default, 1 verbose

    def _wrap(self, text: str, first: str, rest: str | None = None) -> list[str]:
        # Narrow terminals get a shallow hanging indent: more words per continuation line.
        if rest is None:
            rest = _INDENT if self.width >= 90 else "    "
        return textwrap.wrap(text, self.width, initial_indent=first, subsequent_indent=rest,
                             break_long_words=False, break_on_hyphens=False) or [first]

    def _severity(self, value: str) -> str:
        word = f"{value.upper():8}"
        return f"\x1b[{_COLOUR[value]}m{word}\x1b[0m" if self.color else word

    def _entry(self, group: Group) -> list[str]:
        lead = group.lead
        lines = self._wrap(_entry_text(group), f"{lead.severity.value.upper():8} {lead.rule:8} ")
        if self.color:  # colour the severity word in place: same characters, same layout
            lines[0] = self._severity(lead.severity.value) + lines[0][8:]
        return lines

    def _explained(self, groups: list[Group]) -> list[str]:
        seen: dict[str, Finding] = {}
        for g in groups:
            seen.setdefault(g.lead.rule, g.lead)
        lines = ["", "How to fix (`envaudit explain RULE` gives the reason and sources):"]
        for rule, f in seen.items():
            lines += self._wrap(" ".join(f.fix.split()), f"  {rule:8} ",
                                " " * 11 if self.width >= 90 else "    ")
            if self.verbosity > 0:
                lines += self._wrap("why: " + " ".join(f.why.split()), " " * 11, " " * 11)
                lines += [f"{' ' * 11}see: {u}" for u in f.references]
        return lines

    def render(self, report: Report, fail_on: FailOn) -> str:
        s = report.summary()
        lines = [*self._wrap(f"envaudit diff: {report.current_source} against"
                             f" {report.locked_source}", "", "  "),
                 f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; exit code "
                 f"{int(report.exit_code(fail_on))} (--fail-on {fail_on.value})"]
        if not report.findings:
            return "\n".join([*lines, "No drift that affects inference."]) + "\n"
        groups = grouped(report.findings)
        lowest = {-1: 3, 0: 2, 1: 1}[max(-1, min(1, self.verbosity))]
        shown = [g for g in groups if g.lead.severity.rank >= lowest]
        lines.append("")
        for g in shown:
            lines += self._entry(g)
        hidden = sum(len(g.findings) for g in groups if g.lead.severity.rank < lowest)
        if hidden:
            flag = "-v lists" if self.verbosity >= 0 else "without -q warnings are listed, -v lists"
            lines += ["", *self._wrap(f"{hidden} finding(s) below {_level(lowest)} not shown:"
                                      f" {flag} them, --format json has all.", "", "")]
        if self.verbosity >= 0 and shown:
            lines += self._explained([g for g in shown if g.lead.severity.rank >= 2] or shown)
        return "\n".join(lines) + "\n"


def _level(rank: int) -> str:
    return {3: "error", 2: "warning", 1: "info"}[rank]
