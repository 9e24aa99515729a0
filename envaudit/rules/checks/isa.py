"""CPU-050: ISA extensions the math libraries dispatch on, lost between training and deployment."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.model import Unavailable
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.tables import rows
from envaudit.rules.versions import machine


def isa_families(name: str) -> tuple[Mapping[str, str], ...]:
    """Rows of `name` (cpu_isa_families.csv): flag, machine, family, dispatched_by, source."""
    return rows(name)


@check("isa-family-lost")
def isa_family_lost(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """An ISA flag of the table that training had and the deployment CPU lacks (same machine).

    An empty flag list means "not read" and is never compared."""
    a, b, plat = ctx.locked.cpu, ctx.current.cpu, ctx.current.platform
    if isinstance(a, Unavailable) or isinstance(b, Unavailable) or not a.flags or not b.flags:
        return
    arch = "" if isinstance(plat, Unavailable) else machine(plat.machine)
    lost = set(a.flags) - set(b.flags)
    rows = [r for r in isa_families(str(params["table"]))
            if r["flag"] in lost and r["machine"] == arch]
    if rows:
        said = "; ".join(f"{r['flag']}: {r['family']} [{r['dispatched_by']}]" for r in rows)
        yield Match("cpu", ",".join(r["flag"] for r in rows), None,
                    f"the deployment CPU lacks {len(rows)} ISA extension(s) training had, so"
                    f" these kernels change: {said}")
