"""FleetTextFormat: the fleet's root causes, most severe first, then its hosts, as plain text."""

from __future__ import annotations

from collections.abc import Sequence

from envaudit.choices import FailOn
from envaudit.fleet.hostreport import printable
from envaudit.fleet.interface import Cause, Fleet, FleetFormat

MAX_NAMES = 8  # hosts named per cause; the rest are counted


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def values(cause: Cause) -> str:
    """`locked → current`, with – for a side that has no value."""
    return printable(f"{cause.locked or '–'} → {cause.current or '–'}")


def cause_line(fleet: Fleet, index: int) -> str:
    """"12 hosts: <the finding's message>" — the root cause in words."""
    cause = fleet.causes[index]
    words = printable(cause.message or cause.title)
    return f"{plural(len(fleet.cause_hosts[index]), 'host')}: {words}"


def host_names(fleet: Fleet, hosts: Sequence[int], limit: int = MAX_NAMES) -> str:
    names = [printable(fleet.hosts[i].hostname) for i in hosts[:limit]]
    more = len(hosts) - limit
    return ", ".join(names) + (f", … (+{more} more)" if more > 0 else "")


def headline(fleet: Fleet, fail_on: FailOn) -> list[str]:
    """The summary lines every fleet format starts with."""
    w = fleet.worst_counts()
    drifting = len(fleet.drifting(fail_on))
    lines = [
        f"{plural(len(fleet.hosts), 'host')}, {plural(len(fleet.causes), 'root cause')}; "
        f"{drifting} drifting at --fail-on {fail_on.value}; exit code "
        f"{int(fleet.exit_code(fail_on))}",
        f"hosts by worst finding: {w['error']} error, {w['warning']} warning, "
        f"{w['info']} info, {w['clean']} clean",
    ]
    if fleet.skipped:
        lines.append(f"{plural(len(fleet.skipped), 'report')} skipped (unreadable):")
        lines += [f"  {printable(s)}" for s in fleet.skipped]
    lines += [f"note: {printable(n)}" for n in fleet.notes]
    return lines


def info_rules(fleet: Fleet) -> list[tuple[str, int, set[int]]]:
    """Info causes summarised per rule: (rule, number of causes, hosts that show any)."""
    by_rule: dict[str, tuple[int, set[int]]] = {}
    for i, cause in enumerate(fleet.causes):
        if cause.severity.value == "info":
            count, hosts = by_rule.get(cause.rule, (0, set()))
            by_rule[cause.rule] = (count + 1, hosts | set(fleet.cause_hosts[i]))
    return [(rule, n, hosts) for rule, (n, hosts) in sorted(by_rule.items())]


class FleetTextFormat(FleetFormat):
    def render(self, fleet: Fleet, fail_on: FailOn) -> str:
        first, *rest = headline(fleet, fail_on)
        lines = [f"envaudit report: {first}", *rest]
        lines += ["", "Root causes (hosts affected), most severe first:"]
        for i, cause in enumerate(fleet.causes):
            if cause.severity.value == "info":
                continue
            lines += [f"{cause.severity.value.upper():7} {cause.rule:9} {cause_line(fleet, i)}",
                      f"        {printable(cause.subject)}: {values(cause)}",
                      f"        hosts: {host_names(fleet, fleet.cause_hosts[i])}"]
        for rule, n, hosts in info_rules(fleet):
            lines.append(f"INFO    {rule:9} {plural(n, 'cause')} on {plural(len(hosts), 'host')}")
        lines += ["", f"{'host':24} {'worst':8} {'errors':>6} {'warnings':>8} {'info':>5}  "
                      f"{'model':12} time"]
        for h in fleet.hosts:
            c = fleet.severity_counts(h)
            worst = fleet.worst(h)
            lines.append(f"{printable(h.hostname):24} {worst.value if worst else 'clean':8} "
                         f"{c['error']:>6} {c['warning']:>8} {c['info']:>5}  "
                         f"{printable(h.model) or '–':12} {printable(h.time) or '–'}")
        return "\n".join(lines) + "\n"
