"""Which import packages each installed distribution puts on disk, from RECORD / top_level.txt.

Two distributions that install the same import package (opencv-python and -headless both
write `cv2/`, cupy-cuda11x and -cuda12x both write `cupy/`) overwrite each other's files:
the last one installed wins. This is decided from the files the distributions really
install, never from a list of names: the Windows `tensorflow` wheel, which only depends on
`tensorflow-intel`, installs no `tensorflow/` of its own and is no conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Optional

from envaudit import safeio
from envaudit.probes.distributions import Distribution

_MODULE_SUFFIXES = (".py", ".so", ".pyd")


def _read(path: Path) -> Optional[str]:
    """The file's text through safeio (regular files only, within the RECORD cap), else None:
    a FIFO, a device or an oversized file is already recorded as the distribution's problem."""
    return safeio.read_optional(path, "record")


def _top_module(name: str) -> Optional[str]:
    """"six.py" → "six", "_cffi_backend.cpython-311-x86_64-linux-gnu.so" → "_cffi_backend"."""
    stem = name.split(".", 1)[0]
    return stem if name.endswith(_MODULE_SUFFIXES) and stem.isidentifier() else None


def _record_tree(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """Top-level directories -> their first-level entries, and top-level module files. Paths
    outside site-packages ("../../bin/x") and .dist-info / .libs folders are not identifiers."""
    tree: dict[str, set[str]] = {}
    modules: set[str] = set()
    for line in text.splitlines():
        top, sep, rest = line.split(",", 1)[0].strip('"').partition("/")
        if not sep:
            module = _top_module(top)
            modules.update([module] if module else [])
        elif top.isidentifier() and top != "__pycache__":
            tree.setdefault(top, set()).add(rest.split("/", 1)[0])
    return tree, modules


def roots_from_record(text: str) -> frozenset[str]:
    """Import roots a RECORD installs: `cv2`, `torch`; a namespace package (no `__init__.py`,
    like `nvidia/` or `google/`) counts by its subpackages: `nvidia/cudnn`."""
    tree, roots = _record_tree(text)
    for top, entries in tree.items():
        if "__init__.py" in entries:
            roots.add(top)
            continue
        subs = {e.split(".", 1)[0] for e in entries} - {"__pycache__"}
        named = {f"{top}/{s}" for s in subs if s.isidentifier()}
        roots.update(named or {top})
    return frozenset(roots)


def candidate_roots(info: Path) -> frozenset[str]:
    """Cheap first answer: top_level.txt when the distribution has one, else its RECORD."""
    top = _read(info / "top_level.txt")
    if top is not None and top.strip():
        return frozenset(n.strip() for n in top.split() if n.strip().isidentifier())
    return exact_roots(info)


def exact_roots(info: Path) -> frozenset[str]:
    """The RECORD's answer; top_level.txt only for installs without a RECORD (egg-info)."""
    record = _read(info / "RECORD")
    if record is not None:
        return roots_from_record(record)
    top = _read(info / "top_level.txt") or ""
    return frozenset(n for n in top.split() if n.isidentifier())


def _owners(roots: Mapping[str, frozenset[str]]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for name, mine in roots.items():
        for root in mine:
            owners.setdefault(root.split("/")[0], set()).add(name)
    return owners


def shared_imports(dists: Iterable[Distribution]) -> dict[str, tuple[str, ...]]:
    """Distribution -> the import packages it installs that another distribution also installs.

    top_level.txt narrows the candidates (torch's RECORD is 1.4 MB); only distributions whose
    top-level names collide have their RECORD read to confirm it."""
    by_name = {d.name: d for d in dists}
    first = {name: candidate_roots(d.path) for name, d in by_name.items()}
    suspects = {n for names in _owners(first).values() if len(names) > 1 for n in names}
    exact = {name: exact_roots(by_name[name].path) for name in suspects}
    owners: dict[str, list[str]] = {}
    for name, mine in sorted(exact.items()):
        for root in mine:
            owners.setdefault(root, []).append(name)
    out: dict[str, set[str]] = {}
    for root, names in owners.items():
        for name in names if len(names) > 1 else ():
            out.setdefault(name, set()).add(root)
    return {name: tuple(sorted(roots)) for name, roots in sorted(out.items())}
