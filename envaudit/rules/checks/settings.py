"""ENV-050: settings training relied on (numerics, determinism, kernel selection, loading)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from envaudit.rules.checks.env import env_of, normalize, shown
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.tables import rows


def settings_table(name: str) -> tuple[Mapping[str, str], ...]:
    """Rows of `name` (env_settings.csv): name, changes, what, source, normalize, default."""
    return rows(name)


def _meaning(value: Optional[str], row: Mapping[str, str]) -> Optional[str]:
    """What the library makes of `value`: read by the row's reader, unset (or ignored) = its
    default; without a reader the text itself, unset = empty."""
    if not row.get("normalize"):
        return (value or "").strip()
    found = normalize(value, row["normalize"])
    return found if found is not None else normalize(row.get("default") or None,
                                                     row["normalize"])


@check("env-setting-changed")
def env_setting_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A catalogued variable that means something else on the two sides."""
    a, b = env_of(ctx.locked), env_of(ctx.current)
    if a is None or b is None:
        return
    for row in settings_table(str(params["table"])):
        name = row["name"]
        old, new = a.get(name), b.get(name)
        if _meaning(old, row) != _meaning(new, row):
            yield Match(name, old, new,
                        f"{name} is {shown(old)} in training and {shown(new)} here; it changes"
                        f" {row['changes']}: {row['what']}")
