"""ENV-050: settings training relied on (numerics, determinism, kernel selection, loading)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from envaudit.rules.checks.env import env_of, first_set, normalize, shown
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.tables import rows


def settings_table(name: str) -> tuple[Mapping[str, str], ...]:
    """Rows of `name` (env_settings.csv): name, changes, what, source, normalize, default,
    spelling_of (an older name of another row's setting, read only when that one is unset)."""
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
    table = settings_table(str(params["table"]))
    for row in table:
        if row.get("spelling_of"):
            continue  # read under its newer name's row
        names = [row["name"], *(r["name"] for r in table if r.get("spelling_of") == row["name"])]
        if all(a.get(n) == b.get(n) for n in names):
            continue
        name, old, new = names[0], a.get(names[0]), b.get(names[0])
        if len(names) > 1:  # the value the library reads, under the spelling that was set
            (old_name, old), (new_name, new) = first_set(a, names), first_set(b, names)
            name = new_name if new is not None else old_name
        if _meaning(old, row) != _meaning(new, row):
            yield Match(name, old, new,
                        f"{name} is {shown(old)} in training and {shown(new)} here; it changes"
                        f" {row['changes']}: {row['what']}")
