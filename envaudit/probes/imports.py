"""Which import packages each installed distribution puts on disk, from RECORD / top_level.txt.

Two distributions that install the same import package (opencv-python and -headless both
write `cv2/`, cupy-cuda11x and -cuda12x both write `cupy/`) overwrite each other's files:
the last one installed wins. This is decided from the files the distributions really
install, never from a list of names: the Windows `tensorflow` wheel, which only depends on
`tensorflow-intel`, installs no `tensorflow/` of its own and is no conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Optional

from envaudit.probes.packages import Distribution

# RECORD rows (path first, at the start of a line): `top/second...` and single-file modules
# (`six.py`, `_cffi_backend.cpython-311-x86_64-linux-gnu.so`). Paths outside site-packages
# (`../../bin/x`) start with a dot and never match.
_IN_DIR = re.compile(r"^([A-Za-z_]\w*)/([^,/\n]*)(/?)", re.M)
_MODULE = re.compile(r"^([A-Za-z_]\w*)(?:\.[^,/\n]*)?\.(?:py|so|pyd),", re.M)


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def roots_from_record(text: str) -> frozenset[str]:
    """Import roots a RECORD installs: `cv2`, `torch`; a namespace package (no `__init__.py`,
    like `nvidia/` or `google/`) counts by its subpackage: `nvidia/cudnn`."""
    rows = set(_IN_DIR.findall(text))
    regular = {top for top, second, slash in rows if second == "__init__.py" and not slash}
    roots = set(_MODULE.findall(text))
    for top, second, slash in rows:
        if top == "__pycache__":
            continue
        if top in regular:
            roots.add(top)
        else:
            sub = second if slash else second.split(".", 1)[0]
            roots.add(f"{top}/{sub}" if sub.isidentifier() and sub != "__pycache__" else top)
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
