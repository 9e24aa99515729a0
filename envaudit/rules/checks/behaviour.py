"""Checks of the behavioural-probe rules (BEH-*), and the evidence that lowers version findings.

The subject of each match is the probed distribution ("pillow", "torch"), so a probe finding
folds with that package's version findings, and identical outputs bound them (see Evidence).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from envaudit.behaviour.compare import LibraryDiff, Outcome, ProbeDiff, compare_behaviour
from envaudit.model import Unavailable
from envaudit.rules.interface import Context, Evidence, Match, Severity, attester, check

_LISTED = 3  # probes named in one message; the rest are counted


def _diffs(ctx: Context) -> list[LibraryDiff]:
    return compare_behaviour(ctx.locked.behaviour, ctx.current.behaviour)


def _listing(probes: Sequence[ProbeDiff]) -> str:
    shown = "; ".join(f"{p.key}: {p.detail}" for p in probes[:_LISTED])
    more = len(probes) - _LISTED
    return shown + (f"; and {more} more" if more > 0 else "")


def _compared(d: LibraryDiff) -> int:
    return len(d.of(Outcome.SAME)) + len(d.of(Outcome.CHANGED))


@check("behaviour-changed")
def behaviour_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Probe outputs (other than NMS) that changed, with the version the same or moved."""
    for d in _diffs(ctx):
        changed = [p for p in d.of(Outcome.CHANGED) if not p.nms]
        if not changed or d.version_moved != (params["version"] == "moved"):
            continue
        versions = (f"{d.locked_version} → {d.current_version}" if d.version_moved
                    else f"{d.locked_version} on both sides")
        yield Match(d.distribution, d.locked_version, d.current_version,
                    f"{d.distribution} {versions}, yet {len(changed)} of {_compared(d)} probe"
                    f" outputs changed: {_listing(changed)}")


@check("behaviour-nms")
def behaviour_nms(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """NMS probes that kept other boxes, with the boxes kept on both sides."""
    for d in _diffs(ctx):
        changed = [p for p in d.of(Outcome.CHANGED) if p.nms]
        if changed:
            yield Match(d.distribution, d.locked_version, d.current_version,
                        f"{len(changed)} NMS probe(s) of {d.library} keep other boxes:"
                        f" {_listing(changed)}")


@check("behaviour-not-compared")
def behaviour_not_compared(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Probes recorded on one side only, failed, or run on a device the other side lacks."""
    yield from _section_one_sided(ctx)
    for d in _diffs(ctx):
        if d.missing:
            yield Match(d.distribution, d.locked_version or None, d.current_version or None,
                        f"{d.library} probes {d.missing}")
            continue
        skipped = d.of(Outcome.NOT_COMPARED)
        if skipped:
            yield Match(d.distribution, d.locked_version, d.current_version,
                        f"{len(skipped)} probe result(s) of {d.library} not compared:"
                        f" {_listing(skipped)}")


def _section_one_sided(ctx: Context) -> Iterator[Match]:
    a, b = ctx.locked.behaviour, ctx.current.behaviour
    if isinstance(a, Unavailable) == isinstance(b, Unavailable):
        return
    side, reason = ("deployment", b.reason) if isinstance(b, Unavailable) else (
        "training", a.reason if isinstance(a, Unavailable) else "")
    yield Match("behaviour", None, None,
                f"output probes were recorded on one side only; the {side} side has none"
                f" ({reason})")


def _kept_note(same: Sequence[ProbeDiff]) -> str:
    nms = [p for p in same if p.nms]
    if not nms:
        return ""
    return f"; NMS {', '.join(p.detail for p in nms[:_LISTED])}" + (
        f" and {len(nms) - _LISTED} more" if len(nms) > _LISTED else "")


@attester("behaviour")
def identical_outputs(ctx: Context) -> Iterator[Evidence]:
    """Libraries whose every compared probe gave the same output: their version-only
    findings drop to info ("outputs identical on N probes")."""
    for d in _diffs(ctx):
        same = d.of(Outcome.SAME)
        if d.missing or not same or d.of(Outcome.CHANGED):
            continue
        yield Evidence(d.distribution, Severity.INFO,
                       f"outputs identical on {len(same)} probes{_kept_note(same)}")
