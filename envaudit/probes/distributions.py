"""What is installed on sys.path: the one scan of .dist-info/.egg-info that probes share.

Reading the METADATA headers directly is about ten times faster than iterating
importlib.metadata (1.5 ms vs 51 ms for 153 distributions), and gives the same
answer: the first distribution of a name on sys.path is the one Python imports.
Every file is read through envaudit.safeio (regular files only, bounded), and a
distribution that cannot be read is kept with its `problem`, never dropped.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from envaudit import safeio
from envaudit.scrub import escape_controls, scrub

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
    problem: str = ""  # what could not be read, "" for a healthy distribution
    wheel_tags: tuple[str, ...] = ()


def _headers(text: str) -> tuple[str, str]:
    """Name and Version from the header block of METADATA/PKG-INFO text."""
    name = version = ""
    for line in text.partition("\n\n")[0].splitlines():
        if not line.strip():
            break
        if line.startswith("Name:"):
            name = line[5:].strip()
        elif line.startswith("Version:"):
            version = line[8:].strip()
        if name and version:
            break
    return name, version


def _direct_url(info: Path, problems: list[str]) -> tuple[str, bool]:
    try:
        data = json.loads(safeio.read_lenient(info / "direct_url.json", "small"))
    except safeio.UnsafeFile as e:
        problems.append(f"direct_url.json {e.reason}")
        return "", False
    except (ValueError, RecursionError):
        problems.append("direct_url.json is not valid JSON (or nested too deep)")
        return "", False
    if not isinstance(data, dict):
        problems.append("direct_url.json is not a JSON object")
        return "", False
    url = data.get("url", "")
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    return (scrub(url) if isinstance(url, str) else ""), editable


def name_from_directory(info: Path) -> tuple[str, str]:
    """("evil", "1.0") from evil-1.0.dist-info: the fallback when METADATA cannot say."""
    stem = info.name.rsplit(".", 1)[0]
    name, _, rest = stem.partition("-")
    return name, rest.split("-", 1)[0]


def _text(path: Path, kind: str, problems: list[str]) -> str:
    """The file's text; bytes that are not UTF-8 in its header block are recorded."""
    data = safeio.read_bytes(path, kind)
    head = data.split(b"\n\n", 1)[0]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{path.name} is not valid UTF-8 (at byte {e.start})")
    return data.decode("utf-8", errors="replace")


def _metadata(info: Path, files: frozenset[str] | None,
              problems: list[str]) -> tuple[str, str]:
    meta_name = "METADATA" if info.suffix == ".dist-info" else "PKG-INFO"
    meta = info if files is None else info / meta_name
    try:
        name, version = _headers(_text(meta, "metadata", problems))
    except safeio.UnsafeFile as e:
        problems.append(f"{meta_name if files is not None else info.name} {e.reason}")
        return name_from_directory(info)
    if not name:
        problems.append(f"{meta_name} has no Name")
    if not version:
        problems.append(f"{meta_name} has no Version")
    dir_name, dir_version = name_from_directory(info)
    if "\ufffd" in name + version:  # not UTF-8: the directory's name is the better guess
        name, version = dir_name, dir_version
    return name or dir_name, version or dir_version


def read_distribution(info: Path) -> Distribution:
    """A .dist-info or .egg-info directory (or egg-info file) as a Distribution.

    Never fails: what could not be read is in `problem`, and the name and version then
    come from the directory name, so a broken distribution is recorded, not dropped."""
    problems: list[str] = []
    try:
        files: frozenset[str] | None = frozenset(os.listdir(info))
    except NotADirectoryError:
        files = None  # a flat .egg-info file
    except OSError as e:
        reason = "permission denied" if isinstance(e, PermissionError) else (
            e.strerror or type(e).__name__)
        name, version = name_from_directory(info)
        return Distribution(canonical_name(name), version, info, "", None, "", False,
                            f"{info.name}: cannot list the directory: {reason}")
    name, version = _metadata(info, files, problems)
    files = files or frozenset()
    installer = ""
    if "INSTALLER" in files:
        try:
            installer = _text(info / "INSTALLER", "small", problems).strip()
        except safeio.UnsafeFile as e:
            problems.append(f"INSTALLER {e.reason}")
    requested = ("REQUESTED" in files) if info.suffix == ".dist-info" else None
    problems += _check_listed(info, files)
    url, editable = _direct_url(info, problems) if "direct_url.json" in files else ("", False)
    tags = _wheel_tags(info, problems) if "WHEEL" in files else ()
    problem = f"{info.name}: {'; '.join(problems)}" if problems else ""
    return Distribution(canonical_name(name), version[:MAX_VERSION], info, installer,
                        requested, url, editable, escape_controls(problem, keep_newlines=False),
                        wheel_tags=tags)


def _wheel_tags(info: Path, problems: list[str]) -> tuple[str, ...]:
    try:
        text = safeio.read_lenient(info / "WHEEL", "small")
    except safeio.UnsafeFile as e:
        problems.append(f"WHEEL {e.reason}")
        return ()
    return tuple(escape_controls(t, keep_newlines=False) for t in wheel_tags(text))


def wheel_tags(text: str) -> tuple[str, ...]:
    """The `Tag:` values of a WHEEL file (PEP 427), in file order, without duplicates."""
    found = (line[4:].strip() for line in text.splitlines() if line.startswith("Tag:"))
    return tuple(dict.fromkeys(t for t in found if t))


# Files other probes read later (which import package a distribution installs): only their
# type and size are checked here, so that a FIFO or a /dev/zero link is recorded once.
_LISTED = (("RECORD", "record"), ("top_level.txt", "record"))


def _check_listed(info: Path, files: frozenset[str]) -> list[str]:
    out = []
    for name, kind in _LISTED:
        if name not in files:
            continue
        try:
            st = os.stat(os.path.join(info, name))
        except OSError as e:
            missing = isinstance(e, FileNotFoundError)
            out.append(f"{name} {'dangling symlink' if missing else e.strerror}")
            continue
        bad = safeio.file_type(st.st_mode)
        if bad is None and st.st_size > safeio.LIMITS[kind].size:
            bad = f"larger than {safeio.LIMITS[kind].size >> 20} MiB"
        if bad is not None:
            out.append(f"{name} {bad}")
    return out


MAX_VERSION = 256  # a longer Version header is cut (safetoml refuses longer ones in a lock)


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
                found.append(read_distribution(Path(directory, item)))
    return found
