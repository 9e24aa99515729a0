"""Load the probe catalog (envaudit/behaviour/data/*.toml): libraries and their probes, as data."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from envaudit._compat import tomllib
from envaudit.behaviour.interface import (
    BehaviourError,
    Compare,
    LibrarySpec,
    ProbeSpec,
    Tolerance,
)
from envaudit.distributions import expand_families

DATA = Path(__file__).parent / "data"
_LIBRARY_KEYS = ("name", "module", "distributions", "probe-module", "parallel")
_PROBE_KEYS = ("id", "function", "stands-for", "compare")


def _expand(raw: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """The parameter sets of one entry: `params`, or every combination of `matrix`."""
    matrix = raw.get("matrix")
    if matrix is None:
        yield {str(k): str(v) for k, v in raw.get("params", {}).items()}
        return
    keys = list(matrix)
    for values in itertools.product(*(matrix[k] for k in keys)):
        yield dict(zip(keys, (str(v) for v in values)))


def _probes(raw: Mapping[str, Any], library: str, where: str) -> Iterator[ProbeSpec]:
    missing = [k for k in _PROBE_KEYS if k not in raw]
    if missing:
        raise BehaviourError(f"{where}: missing {', '.join(missing)}")
    try:
        compare = Compare(raw["compare"])
    except ValueError as e:
        raise BehaviourError(f"{where}: {e}") from e
    tol = raw.get("tolerance", {})
    tolerance = Tolerance(rtol=float(tol.get("rtol", 0.0)), atol=float(tol.get("atol", 0.0)))
    for params in _expand(raw):
        yield ProbeSpec(
            id=str(raw["id"]).format(**params), library=library, function=str(raw["function"]),
            params=params, stands_for=str(raw["stands-for"]).format(**params),
            compare=compare, tolerance=tolerance, per_device=bool(raw.get("per-device", False)),
        )


def _library(path: Path) -> LibrarySpec:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    lib = data.get("library", {})
    missing = [k for k in _LIBRARY_KEYS if k not in lib]
    if missing:
        raise BehaviourError(f"{path.name}: [library] misses {', '.join(missing)}")
    name = str(lib["name"])
    probes = tuple(p for i, raw in enumerate(data.get("probe", []))
                   for p in _probes(raw, name, f"{path.name}: probe[{i}]"))
    return LibrarySpec(name=name, module=str(lib["module"]),
                       distributions=tuple(expand_families(lib["distributions"])),
                       probe_module=str(lib["probe-module"]), parallel=bool(lib["parallel"]),
                       probes=probes)


@functools.lru_cache(maxsize=1)
def load_probe_catalog() -> Mapping[str, LibrarySpec]:
    """Library name -> spec, for every shipped data file. Raises BehaviourError if inconsistent."""
    libraries = [_library(path) for path in sorted(DATA.glob("*.toml"))]
    ids = [p.id for lib in libraries for p in lib.probes]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BehaviourError(f"duplicate probe ids: {', '.join(dupes)}")
    return {lib.name: lib for lib in libraries}


def find_probe(probe_id: str) -> ProbeSpec | None:
    """The catalog entry of `probe_id` (a result key's part before '@'), or None."""
    for lib in load_probe_catalog().values():
        spec = lib.probe(probe_id)
        if spec is not None:
            return spec
    return None
