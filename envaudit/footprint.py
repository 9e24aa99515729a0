"""envaudit's own footprint: the distributions it brings into the environment it runs in.

When envaudit audits the interpreter it is installed in, envaudit-ml and its runtime
dependencies (its Requires-Dist, transitively, as installed) are there because of envaudit,
not because of the model. Those the training side did not have are set aside before the
comparison and reported once (PKG-090), never as package changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from envaudit.model import Fingerprint

DIST = "envaudit-ml"


def own_dependencies(dist: str = DIST) -> frozenset[str]:
    """`dist` and everything its installed metadata requires, transitively (canonical names).

    Empty when envaudit runs from a source tree without an installed distribution."""
    import importlib.metadata as md

    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    seen: dict[str, frozenset[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(dist, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        try:
            requires = md.distribution(name).requires or []
        except md.PackageNotFoundError:
            continue
        seen[key] = seen.get(key, frozenset()) | extras
        for line in requires:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if req.marker is None or any(req.marker.evaluate({"extra": e})
                                         for e in (extras or {""})):
                todo.append((req.name, frozenset(req.extras)))
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
