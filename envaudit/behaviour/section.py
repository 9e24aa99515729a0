"""The lock's optional [behaviour] section: (de)serialisation of recorded probe results.

    [behaviour.pillow]
    distribution = "pillow"
    version = "13.0.0"
    seconds = 0.41
    [behaviour.pillow.results."pillow.resize.bicubic.down@cpu"]
    device = "cpu"
    digest = "sha256:..."
    metrics = { mean = 122.6 }

A library that could not be probed is `[behaviour.NAME] unavailable = "reason"`. Locks
written without --probe have no [behaviour] table at all (schema 1.0 locks load unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envaudit import codec
from envaudit.behaviour.interface import LibraryRun, ProbeResult
from envaudit.codec import Problems
from envaudit.facts import Fact, Unavailable

KEY = "behaviour"

Behaviour = Mapping[str, Fact[LibraryRun]]


def _encode_run(run: LibraryRun) -> dict[str, Any]:
    results = {r.key: {k: v for k, v in codec.encode(r).items() if k != "key"}
               for r in sorted(run.results, key=lambda r: r.key)}
    return {"distribution": run.distribution, "version": run.version,
            "seconds": round(run.seconds, 3), "results": results}


def encode(value: Behaviour) -> dict[str, Any]:
    """The [behaviour] table (absent from the lock when probes were not run)."""
    return {lib: {"unavailable": run.reason} if isinstance(run, Unavailable) else _encode_run(run)
            for lib, run in sorted(value.items())}


def _decode_run(lib: str, raw: Any, problems: Problems) -> Fact[LibraryRun]:
    path = f"{KEY}.{lib}"
    if not isinstance(raw, dict):
        problems.add(path, f"expected a table, got {codec.kind_of(raw)}")
        return Unavailable("invalid")
    if isinstance(raw.get("unavailable"), str):
        return Unavailable(raw["unavailable"])
    results = raw.get("results", {})
    if not isinstance(results, dict):
        problems.add(f"{path}.results", f"expected a table, got {codec.kind_of(results)}")
        results = {}
    decoded = tuple(codec.decode(dict(v, key=k) if isinstance(v, dict) else v, ProbeResult,
                                 f'{path}.results."{k}"', problems) for k, v in results.items())
    header = {k: v for k, v in raw.items() if k != "results"}
    run: LibraryRun = codec.decode({**header, "library": lib}, LibraryRun, path, problems)
    return LibraryRun(library=lib, distribution=run.distribution, version=run.version,
                      seconds=run.seconds, results=decoded)


def decode(raw: Any, problems: Problems) -> Fact[Behaviour]:
    """The [behaviour] table of a parsed lock; problems name their key path."""
    if not isinstance(raw, dict):
        problems.add(KEY, f"expected a table, got {codec.kind_of(raw)}")
        return {}
    return {lib: _decode_run(lib, value, problems) for lib, value in raw.items()}

