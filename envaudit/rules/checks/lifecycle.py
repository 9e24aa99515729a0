"""GPU-050: a driver branch newer than the last one that supports the GPU's architecture."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from envaudit.model import Gpu
from envaudit.rules.checks.gpu import driver_branch, nvidia, visible_gpus
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.versions import cc, ver


def last_branch(gpu: Gpu, table: list[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    """The table row (architecture, CC range, last branch) that holds this GPU, or None."""
    have = cc(gpu.compute_capability)
    for row in table:
        low, high = cc(str(row["cc_min"])), cc(str(row["cc_max"]))
        if have and low and high and low <= have <= high:
            return row
    return None


@check("driver-past-arch-branch")
def driver_past_arch_branch(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The deployment driver's branch is newer than the last branch for a visible GPU's arch.

    params.table: rows of architecture, cc_min, cc_max, last_branch (NVIDIA's legacy list)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None:
        return
    branch = driver_branch(ctx.current, driver)
    for gpu in visible_gpus(ctx.current):
        row = last_branch(gpu, list(params["table"]))
        if row is not None and branch > int(row["last_branch"]):
            yield Match("gpu", f"R{row['last_branch']}", info.driver,
                        f"{gpu.name} (CC {gpu.compute_capability}) is {row['architecture']};"
                        f" R{row['last_branch']} is the last driver branch that supports it, and"
                        f" this host runs {info.driver}: the driver does not bring the GPU up")
