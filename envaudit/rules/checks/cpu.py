"""Checks for CPU features and the C library that a wheel needs to load at all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.versions import installed, machine


def missing_flags(fp: Fingerprint, needed: list[str]) -> Optional[list[str]]:
    """Flags of `needed` this x86-64 CPU lacks; None when unknown or not x86-64.

    An empty flag list means the probe could not read them, not a CPU without features.
    """
    if isinstance(fp.cpu, Unavailable) or not fp.cpu.flags:
        return None
    if isinstance(fp.platform, Unavailable) or machine(fp.platform.machine) != "x86_64":
        return None
    have = set(fp.cpu.flags)
    return [f for f in needed if f not in have]


@check("cpu-feature-floor")
def cpu_feature_floor(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A package version whose wheels need CPU features the deployment CPU lacks.

    params: packages, since (first version with the requirement), flags, level (its name).
    """
    pkg = installed(ctx.current, list(params["packages"]), since=str(params["since"]))
    lacking = missing_flags(ctx.current, list(params["flags"]))
    if pkg is None or not lacking:
        return
    before = ctx.locked.package(pkg.name)
    yield Match(pkg.name, before.version if before else None, pkg.version,
                f"{pkg.name} {pkg.version} needs {params['level']} but this CPU lacks"
                f" {', '.join(lacking)}: importing it dies")
