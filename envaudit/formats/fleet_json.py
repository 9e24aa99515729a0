"""FleetJsonFormat: the merged host × root-cause matrix as JSON, for dashboards and scripts.

Causes are listed once, most severe and widest first; each host names its causes by
index into `causes`, and each cause its hosts by index into `hosts` (the matrix read
both ways). Values are the host reports' own, unescaped: JSON quotes them itself.
"""

from __future__ import annotations

import json
from typing import Any

from envaudit.choices import FailOn
from envaudit.fleet.interface import Fleet, FleetFormat, FleetHost

#: The fleet report's own schema version: a new major removes or changes a key.
FLEET_SCHEMA = "1.0"


def _host(fleet: Fleet, host: FleetHost) -> dict[str, Any]:
    worst = fleet.worst(host)
    return {
        "hostname": host.hostname, "id": host.host_id, "time": host.time,
        "model": host.model or None, "lock_content_hash": host.lock_content_hash,
        "source": host.source, "worst": worst.value if worst else None,
        "summary": fleet.severity_counts(host), "causes": list(host.causes),
    }


def _causes(fleet: Fleet) -> list[dict[str, Any]]:
    return [
        {"severity": c.severity.value, "rule": c.rule, "subject": c.subject,
         "locked": c.locked, "current": c.current, "title": c.title, "message": c.message,
         "hosts": list(hosts)}
        for c, hosts in zip(fleet.causes, fleet.cause_hosts)
    ]


class FleetJsonFormat(FleetFormat):
    def render(self, fleet: Fleet, fail_on: FailOn) -> str:
        doc = {
            "schema": FLEET_SCHEMA,
            "fail_on": fail_on.value,
            "exit_code": int(fleet.exit_code(fail_on)),
            "summary": fleet.worst_counts(),
            "drifting": [h.hostname for h in fleet.drifting(fail_on)],
            "hosts": [_host(fleet, h) for h in fleet.hosts],
            "causes": _causes(fleet),
            "skipped": list(fleet.skipped),
            "notes": list(fleet.notes),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
