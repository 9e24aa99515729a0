"""envaudit's own dependencies, set aside from the deployment side: said once, at info."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.rules.interface import Context, Match, check


@check("own-footprint")
def own_footprint(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    if ctx.footprint:
        names = ", ".join(sorted(ctx.footprint))
        yield Match("envaudit", None, names,
                    f"envaudit's own dependencies (not compared): {names}")
