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


def _headers(path: str) -> tuple[str, str]:
    """Name and Version from a METADATA/PKG-INFO file, reading only its header block.

    Binary reads of the first 8 KiB (more only for a longer header block): no text
    decoding of the description that follows, which is most of the file.
    """
    head = _header_block(path)
    name = version = ""
    for line in head.split(b"\n"):
        if line.startswith(b"Name:"):
            name = line[5:].strip().decode("utf-8", "replace")
        elif line.startswith(b"Version:"):
            version = line[8:].strip().decode("utf-8", "replace")
        if name and version:
            break
    return name, version


def _header_block(path: str) -> bytes:
    """The bytes up to the first blank line (the end of the headers), or the whole file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = b""
        while True:
            chunk = os.read(fd, 8192)
            data += chunk
            for blank in (b"\n\n", b"\n\r\n"):
                end = data.find(blank)
                if end >= 0:
                    return data[:end]
            if not chunk:
                return data
    finally:
        os.close(fd)


def _read(path: str) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 1 << 20).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def _direct_url(info: str) -> tuple[str, bool]:
    text = _read(os.path.join(info, "direct_url.json"))
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


def read_distribution(info: str | Path) -> Distribution | None:
    """A .dist-info or .egg-info directory (or egg-info file) as a Distribution.

    Paths are joined as strings: a Path per file read costs more than reading it.
    """
    info = os.fspath(info)
    try:
        files = frozenset(os.listdir(info))  # one call instead of a failed open per file
    except NotADirectoryError:
        files = None  # a flat .egg-info file
    except OSError:
        return None
    wheel = info.endswith(".dist-info")
    meta = info if files is None else os.path.join(info, "METADATA" if wheel else "PKG-INFO")
    try:
        name, version = _headers(meta)
    except OSError:
        return None
    if not name or not version:
        return None
    files = files or frozenset()
    installer = ((_read(os.path.join(info, "INSTALLER")) or "").strip()
                 if "INSTALLER" in files else "")
    requested = ("REQUESTED" in files) if wheel else None
    url, editable = _direct_url(info) if "direct_url.json" in files else ("", False)
    tags = wheel_tags(_read(os.path.join(info, "WHEEL")) or "") if "WHEEL" in files else ()
    return Distribution(canonical_name(name), version, Path(info), installer, requested, url,
                        editable, tags)


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
                dist = read_distribution(os.path.join(directory, item))
                if dist is not None:
                    found.append(dist)
    return found
