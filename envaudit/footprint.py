"""envaudit's own footprint: the distributions it brings into the environment it runs in.

When envaudit audits the interpreter it is installed in, envaudit-ml and its runtime
dependencies (its Requires-Dist, transitively, as installed) are there because of envaudit,
not because of the model. Those the training side did not have are set aside before the
comparison and reported once (PKG-090), never as package changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from envaudit.model import Fingerprint
from envaudit.probes.distributions import Distribution, canonical_name

DIST = "envaudit-ml"
OWN_EXTRAS = frozenset({"fix"})  # envaudit's extras that are runtime, not development tools


def _requires(info: Path) -> list[str]:
    """The Requires-Dist values of a .dist-info's METADATA (header block only)."""
    name = "METADATA" if info.suffix == ".dist-info" else "PKG-INFO"
    try:
        text = (info / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    head = text.split("\n\n", 1)[0]
    return [line[len("Requires-Dist:"):].strip() for line in head.splitlines()
            if line.startswith("Requires-Dist:")]


def own_dependencies(installed: Iterable[Distribution], dist: str = DIST,
                     extras: frozenset[str] = OWN_EXTRAS) -> frozenset[str]:
    """`dist` and everything its installed metadata requires, transitively (canonical names),
    among `installed` (the scan the snapshot already made). envaudit's own extras count when
    their packages are installed. Empty when envaudit runs from a tree it was not installed from."""
    from packaging.requirements import InvalidRequirement, Requirement

    where: dict[str, Path] = {}
    for d in installed:
        where.setdefault(d.name, d.path)  # the first on sys.path is the one in use
    seen: dict[str, frozenset[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(canonical_name(dist), extras)]
    while todo:
        name, wanted = todo.pop()
        if name not in where or (name in seen and wanted <= seen[name]):
            continue
        seen[name] = seen.get(name, frozenset()) | wanted
        for line in _requires(where[name]):
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if req.marker is None or any(req.marker.evaluate({"extra": e})
                                         for e in (wanted | {""})):
                todo.append((canonical_name(req.name), frozenset(req.extras)))
    return frozenset(seen)


def set_aside(locked: Fingerprint, current: Fingerprint,
              own: Iterable[str]) -> tuple[Fingerprint, frozenset[str]]:
    """`current` without the distributions of `own` that `locked` does not have, and their names.

    A package of `own` that training also had stays: a change to it is a real change."""
    if not isinstance(current.packages, tuple):
        return current, frozenset()
    had = ({p.name for p in locked.packages} if isinstance(locked.packages, tuple) else set())
    mine = frozenset(own) - had
    kept = tuple(p for p in current.packages if p.name not in mine)
    aside = frozenset(p.name for p in current.packages if p.name in mine)
    return (replace(current, packages=kept) if aside else current), aside
