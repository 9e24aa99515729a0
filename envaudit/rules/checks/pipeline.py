"""Checks of the pipeline-contract rules (PIPE-*): one field group per rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.model import Unavailable
from envaudit.pipeline.compare import FieldDiff, diff, show
from envaudit.pipeline.effects import describe
from envaudit.pipeline.interface import Pipeline, key
from envaudit.rules.interface import Context, Match, Severity, check

_FLOAT_TYPES = ("float32", "float16", "bfloat16", "float64")


def _severity(field: str, old: Any, new: Any) -> Severity | None:
    """dtype: float vs integer input is an error, float32 vs float16 the rule's warning."""
    if field == "dtype" and (old in _FLOAT_TYPES) != (new in _FLOAT_TYPES):
        return Severity.ERROR
    return None


def _shown(p: Pipeline, field: str, value: Any) -> str:
    """The value, marked when a reader assumed it (a built-in profile, a documented default)."""
    return show(field, value) + (" (assumed)" if field in p.assumed else "")


def _one(name: str, d: FieldDiff, a: Pipeline, b: Pipeline) -> Match:
    return Match(f"pipeline {name}: {key(d.field)}", _shown(a, d.field, d.locked),
                 _shown(b, d.field, d.current), describe(d),
                 _severity(d.field, d.locked, d.current))


def _together(name: str, diffs: list[FieldDiff], a: Pipeline, b: Pipeline) -> Match:
    """Fields of one step (mean and scale of the normalisation) as one finding."""
    both = [f"{key(d.field)} {_shown(a, d.field, d.locked)}" for d in diffs]
    now = [f"{key(d.field)} {_shown(b, d.field, d.current)}" for d in diffs]
    return Match(f"pipeline {name}: {' + '.join(key(d.field) for d in diffs)}",
                 ", ".join(both), ", ".join(now), "; ".join(describe(d) for d in diffs))


@check("pipeline-field")
def pipeline_field(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Contract fields (params.fields, TOML spelling) stated on both sides, with other values;
    with params.together, all of them in one finding."""
    a, b = ctx.locked.pipelines, ctx.current.pipelines
    if isinstance(a, Unavailable) or isinstance(b, Unavailable):
        return
    wanted = set(params["fields"])
    for name in sorted(set(a) & set(b)):
        old, new = a[name], b[name]
        diffs = [d for d in diff(old, new) if key(d.field) in wanted]
        if diffs and params.get("together"):
            yield _together(name, diffs, old, new)
        else:
            yield from (_one(name, d, old, new) for d in diffs)
