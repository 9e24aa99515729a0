"""FleetMarkdownFormat: the fleet's root causes and hosts as tables (CI summaries, wikis)."""

from __future__ import annotations

from envaudit.choices import FailOn
from envaudit.fleet.hostreport import printable
from envaudit.fleet.interface import Fleet, FleetFormat
from envaudit.formats.fleet_text import cause_line, headline, host_names, info_rules, plural


def _cell(text: str | None) -> str:
    return printable((text or "–").replace("|", "\\|").replace("\n", " "))


class FleetMarkdownFormat(FleetFormat):
    def render(self, fleet: Fleet, fail_on: FailOn) -> str:
        first, *rest = headline(fleet, fail_on)
        lines = ["## envaudit fleet report", "", f"**{first}**", ""]
        lines += [f"- {_cell(line.strip())}" for line in rest] + [""]
        lines += ["| severity | rule | root cause | subject | locked | current | hosts |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for i, c in enumerate(fleet.causes):
            if c.severity.value != "info":
                lines.append(
                    f"| {c.severity.value} | {c.rule} | {_cell(cause_line(fleet, i))} "
                    f"| {_cell(c.subject)} | {_cell(c.locked)} | {_cell(c.current)} "
                    f"| {_cell(host_names(fleet, fleet.cause_hosts[i]))} |")
        for rule, n, hosts in info_rules(fleet):
            lines.append(f"| info | {rule} | {plural(n, 'cause')} | – | – | – "
                         f"| {plural(len(hosts), 'host')} |")
        lines += ["", "| host | worst | errors | warnings | info | model | time |",
                  "| --- | --- | ---: | ---: | ---: | --- | --- |"]
        for h in fleet.hosts:
            k = fleet.severity_counts(h)
            worst = fleet.worst(h)
            lines.append(f"| {_cell(h.hostname)} | {worst.value if worst else 'clean'} "
                         f"| {k['error']} | {k['warning']} | {k['info']} | {_cell(h.model)} "
                         f"| {_cell(h.time)} |")
        return "\n".join(lines) + "\n"
