"""What is installed on sys.path: the one scan of .dist-info/.egg-info that probes share.

Reading the METADATA headers directly is about ten times faster than iterating
importlib.metadata (1.5 ms vs 51 ms for 153 distributions), and gives the same
answer: the first distribution of a name on sys.path is the one Python imports.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from envaudit.probes.redact import scrub

_CANON = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """PEP 503 normalised name (what packaging.utils.canonicalize_name returns)."""
    return _CANON.sub("-", name).lower()


@dataclass(frozen=True)
class Distribution:
    """One installed distribution as found on disk (more than the lock keeps)."""

    name: str
    version: str
    path: Path  # the .dist-info / .egg-info
    installer: str
    requested: bool | None
    direct_url: str
    editable: bool
    wheel_tags: tuple[str, ...] = ()


def _headers(path: Path) -> tuple[str, str]:
    """Name and Version from a METADATA/PKG-INFO file, reading only its header block."""
    name = version = ""
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line in ("\n", "\r\n"):
                break
            if line.startswith("Name:"):
                name = line[5:].strip()
            elif line.startswith("Version:"):
                version = line[8:].strip()
            if name and version:
                break
    return name, version


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _direct_url(info: Path) -> tuple[str, bool]:
    text = _read(info / "direct_url.json")
    if not text:
        return "", False
    try:
        data = json.loads(text)
    except ValueError:
        return "", False
    if not isinstance(data, dict):
        return "", False
    url = data.get("url", "")
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    return (scrub(url) if isinstance(url, str) else ""), editable


def read_distribution(info: Path) -> Distribution | None:
    """A .dist-info or .egg-info directory (or egg-info file) as a Distribution."""
    try:
        files = frozenset(os.listdir(info))  # one call instead of a failed open per file
    except NotADirectoryError:
        files = None  # a flat .egg-info file
    except OSError:
        return None
    if files is None:
        meta = info
    elif info.suffix == ".dist-info":
        meta = info / "METADATA"
    else:
        meta = info / "PKG-INFO"
    try:
        name, version = _headers(meta)
    except OSError:
        return None
    if not name or not version:
        return None
    files = files or frozenset()
    installer = (_read(info / "INSTALLER") or "").strip() if "INSTALLER" in files else ""
    requested = ("REQUESTED" in files) if info.suffix == ".dist-info" else None
    url, editable = _direct_url(info) if "direct_url.json" in files else ("", False)
    tags = wheel_tags(_read(info / "WHEEL") or "") if "WHEEL" in files else ()
    return Distribution(canonical_name(name), version, info, installer, requested, url, editable,
                        tags)


def wheel_tags(text: str) -> tuple[str, ...]:
    """The `Tag:` values of a WHEEL file (PEP 427), in file order, without duplicates."""
    found = (line[4:].strip() for line in text.splitlines() if line.startswith("Tag:"))
    return tuple(dict.fromkeys(t for t in found if t))


def iter_distributions(sys_path: tuple[str, ...]) -> list[Distribution]:
    """Every distribution on `sys_path`, in import order (duplicates included)."""
    found: list[Distribution] = []
    seen_dirs: set[str] = set()
    for entry in sys_path:
        directory = os.path.abspath(entry or ".")
        if directory in seen_dirs:
            continue
        seen_dirs.add(directory)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue  # zip files, missing entries: nothing installed there
        for item in names:
            if item.endswith((".dist-info", ".egg-info")):
                dist = read_distribution(Path(directory, item))
                if dist is not None:
                    found.append(dist)
    return found
