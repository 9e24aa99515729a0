"""JunitFormat: one test case per rule checked, failing for findings at or above --fail-on."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from envaudit.findings import Finding, Severity
from envaudit.formats.interface import Format
from envaudit.report import FailOn, Report


def _failing(f: Finding, fail_on: FailOn) -> bool:
    return fail_on is not FailOn.NEVER and f.severity.rank >= Severity(fail_on.value).rank


def _by_rule(report: Report) -> dict[str, list[Finding]]:
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        for one in (f, *f.related):
            by_rule.setdefault(one.rule, []).append(one)
    return by_rule


def _case(rule_id: str, title: str, found: list[Finding], fail_on: FailOn) -> list[str]:
    head = f"    <testcase classname=\"envaudit.{rule_id}\" name={quoteattr(title)}"
    failing = [f for f in found if _failing(f, fail_on)]
    lines = [head + (">" if found else "/>")]
    if not found:
        return lines
    text = "\n".join(f"{f.severity.value} {f.subject}: {f.message}" for f in found)
    if failing:
        worst = max(failing, key=lambda f: f.severity.rank)
        lines.append(f"      <failure type={quoteattr(worst.severity.value)}"
                     f" message={quoteattr(f'{len(failing)} finding(s)')}>{escape(text)}</failure>")
    else:
        lines.append(f"      <system-out>{escape(text)}</system-out>")
    return [*lines, "    </testcase>"]


class JunitFormat(Format):
    def render(self, report: Report, fail_on: FailOn) -> str:
        from envaudit.rules.catalog import load_catalog  # lazy: only this format lists all rules

        by_rule = _by_rule(report)
        rules = [(r.id, r.title) for r in load_catalog().rules]
        known = {rule_id for rule_id, _ in rules}
        rules += [(rule_id, found[0].title) for rule_id, found in by_rule.items()
                  if rule_id not in known]
        cases = [line for rule_id, title in rules
                 for line in _case(rule_id, title, by_rule.get(rule_id, []), fail_on)]
        failures = sum(1 for rule_id, _ in rules
                       if any(_failing(f, fail_on) for f in by_rule.get(rule_id, [])))
        name = quoteattr(f"envaudit: {report.current_source} against {report.locked_source}")
        counts = f'tests="{len(rules)}" failures="{failures}" errors="0"'
        return "\n".join([
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<testsuites name=\"envaudit\" {counts}>",
            f"  <testsuite name={name} {counts}>",
            *cases,
            "  </testsuite>",
            "</testsuites>",
        ]) + "\n"
