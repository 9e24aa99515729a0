"""ENV-050: settings training relied on (numerics, determinism, kernel selection, loading)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.rules.checks.env import env_of, shown
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.tables import rows


def settings_table(name: str) -> tuple[Mapping[str, str], ...]:
    """Rows of `name` (env_settings.csv): name, changes, what, source."""
    return rows(name)


@check("env-setting-changed")
def env_setting_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A catalogued variable set on one side and unset or set otherwise on the other."""
    a, b = env_of(ctx.locked), env_of(ctx.current)
    if a is None or b is None:
        return
    for row in settings_table(str(params["table"])):
        name = row["name"]
        old, new = a.get(name), b.get(name)
        if (old or "").strip() != (new or "").strip():
            yield Match(name, old, new,
                        f"{name} is {shown(old)} in training and {shown(new)} here; it changes"
                        f" {row['changes']}: {row['what']}")
