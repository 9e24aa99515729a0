"""Compare two sides' probe results by outcome. Pure: no probing, no rules.

Exact probes compare the sha256 of their output bytes; metric probes compare each number with
the probe's tolerance; NMS probes compare the boxes kept. See docs/lockfile.md ("Behaviour").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from envaudit.behaviour.catalog import find_probe
from envaudit.behaviour.interface import Compare, LibraryRun, ProbeResult, ProbeSpec, Tolerance
from envaudit.model import Fact, Unavailable

Behaviour = Mapping[str, Fact[LibraryRun]]


class Outcome(str, enum.Enum):
    SAME = "same"
    CHANGED = "changed"
    # Recorded, skipped or failed on one side only: not compared, and said so.
    NOT_COMPARED = "not-compared"


@dataclass(frozen=True)
class ProbeDiff:
    key: str
    outcome: Outcome
    # "max-abs-err 1.98e-04 → 4.78e-02 (×242)", "kept 10 boxes → 9 boxes ...".
    detail: str
    nms: bool = False


@dataclass(frozen=True)
class LibraryDiff:
    """One library's probes on both sides; `missing` when a side has no results at all."""

    library: str
    distribution: str
    locked_version: str
    current_version: str
    probes: tuple[ProbeDiff, ...] = ()
    missing: str = ""

    def of(self, outcome: Outcome) -> list[ProbeDiff]:
        return [p for p in self.probes if p.outcome is outcome]

    @property
    def version_moved(self) -> bool:
        return self.locked_version != self.current_version


def _pair(old: float, new: float) -> str:
    """"old → new", both in scientific notation when either is small (errors vs float64)."""
    small = any(v and abs(v) < 1e-3 for v in (old, new))
    fmt = "{:.2e}" if small else "{:.6g}"
    ratio = f" (×{new / old:.0f})" if old and new / old >= 10 else ""
    return f"{fmt.format(old)} → {fmt.format(new)}{ratio}"


def _metric_changes(a: ProbeResult, b: ProbeResult, tol: Tolerance | None) -> list[str]:
    """Each metric that moved (beyond `tol` when given), as "name old → new"."""
    out = []
    for name in sorted(set(a.metrics) & set(b.metrics)):
        old, new = a.metrics[name], b.metrics[name]
        moved = old != new if tol is None else not tol.holds(old, new)
        if moved:
            out.append(f"{name} {_pair(old, new)}")
    return out


def _settings(a: ProbeResult, b: ProbeResult) -> str:
    moved = [f"{k} {a.info[k]} → {b.info[k]}" for k in sorted(set(a.info) & set(b.info))
             if a.info[k] != b.info[k]]
    return f"; settings: {', '.join(moved)}" if moved else ""


def _kept(indices: tuple[int, ...]) -> str:
    return f"{len(indices)} box{'es' if len(indices) != 1 else ''} {list(indices)}"


def compare_results(spec: ProbeSpec | None, a: ProbeResult, b: ProbeResult) -> ProbeDiff:
    """One probe's outcome from the locked result `a` to the current result `b`."""
    problem = _not_compared(a, b)
    if problem:
        return ProbeDiff(a.key, Outcome.NOT_COMPARED, problem)
    mode = spec.compare if spec else _fallback(a, b)
    if mode is Compare.EXACT and not (a.digest and b.digest):
        mode = Compare.METRICS  # no digest recorded (a hand-made or older record)
    if mode is Compare.KEPT:
        same = a.kept == b.kept
        detail = (f"kept {_kept(a.kept)} on both sides" if same
                  else f"kept {_kept(a.kept)} → {_kept(b.kept)}")
        return ProbeDiff(a.key, Outcome.SAME if same else Outcome.CHANGED, detail, nms=True)
    if mode is Compare.METRICS:
        moved = _metric_changes(a, b, spec.tolerance if spec else Tolerance())
        outcome = Outcome.CHANGED if moved else Outcome.SAME
        return ProbeDiff(a.key, outcome, "; ".join(moved) + (_settings(a, b) if moved else ""))
    if a.digest == b.digest:
        return ProbeDiff(a.key, Outcome.SAME, "")
    moved = _metric_changes(a, b, None)
    detail = "output bytes differ" + (f" ({'; '.join(moved)})" if moved else "")
    return ProbeDiff(a.key, Outcome.CHANGED, detail + _settings(a, b))


def _fallback(a: ProbeResult, b: ProbeResult) -> Compare:
    """How to compare a probe this catalog does not know: boxes, else bytes, else numbers
    (each exactly: an unknown probe has no tolerance)."""
    if a.kept or b.kept:
        return Compare.KEPT
    return Compare.EXACT if a.digest and b.digest else Compare.METRICS


def _not_compared(a: ProbeResult, b: ProbeResult) -> str:
    for side, r in (("training", a), ("deployment", b)):
        if r.error:
            return f"failed on the {side} side: {r.error}"
    if a.skipped != b.skipped:
        return ("not run on the training side: " + a.skipped if a.skipped
                else "not run on the deployment side: " + b.skipped)
    return ""


def _one_sided(results: Mapping[str, ProbeResult], other: Mapping[str, ProbeResult],
               side: str) -> list[ProbeDiff]:
    return [ProbeDiff(k, Outcome.NOT_COMPARED, f"recorded on the {side} side only")
            for k in sorted(set(results) - set(other)) if not results[k].skipped]


def compare_library(a: LibraryRun, b: LibraryRun) -> LibraryDiff:
    old = {r.key: r for r in a.results}
    new = {r.key: r for r in b.results}
    both = [k for k in sorted(set(old) & set(new)) if not (old[k].skipped and new[k].skipped)]
    probes = [compare_results(find_probe(old[k].probe), old[k], new[k]) for k in both]
    probes += _one_sided(old, new, "training") + _one_sided(new, old, "deployment")
    return LibraryDiff(a.library, b.distribution, a.version, b.version, tuple(probes))


def _missing(library: str, a: Fact[LibraryRun], b: Fact[LibraryRun]) -> LibraryDiff:
    run = a if isinstance(a, LibraryRun) else b
    assert isinstance(run, LibraryRun)
    reason = b.reason if isinstance(b, Unavailable) else (
        a.reason if isinstance(a, Unavailable) else "")
    side = "deployment" if isinstance(b, Unavailable) else "training"
    return LibraryDiff(library, run.distribution, getattr(a, "version", ""),
                       getattr(b, "version", ""),
                       missing=f"not run on the {side} side: {reason}")


def compare_behaviour(locked: Fact[Behaviour], current: Fact[Behaviour]) -> list[LibraryDiff]:
    """Per library probed on at least one side: its probe outcomes, or why there are none."""
    if isinstance(locked, Unavailable) or isinstance(current, Unavailable):
        return []
    out = []
    for library in sorted(set(locked) | set(current)):
        a = locked.get(library, Unavailable("not in this catalog"))
        b = current.get(library, Unavailable("not in this catalog"))
        if isinstance(a, LibraryRun) and isinstance(b, LibraryRun):
            out.append(compare_library(a, b))
        elif isinstance(a, LibraryRun) or isinstance(b, LibraryRun):
            out.append(_missing(library, a, b))
    return out
