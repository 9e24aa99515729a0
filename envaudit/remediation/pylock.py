"""`envaudit export --format pylock`: a PEP 751 pylock.toml with the fingerprint in [tool.envaudit].

PEP 751 requires each package's source (wheel or sdist) with its hashes. An installed
environment knows neither: envaudit fills them only from the archives of a wheel directory
(--wheels DIR, e.g. from `pip download -r requirements.txt -d DIR --no-deps`); a package
without one is listed under [tool.envaudit].unresolved, never written with a made-up source.
https://packaging.python.org/en/latest/specifications/pylock-toml/
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from envaudit.model import Fingerprint, PythonInfo
from envaudit.remediation.interface import Pin, pins


def archives(directory: Path) -> dict[tuple[str, str], list[Path]]:
    """(canonical name, version) -> wheel and sdist files found in `directory`."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    found: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(directory.iterdir()):
        try:
            if path.name.endswith(".whl"):
                name, version, *_ = parse_wheel_filename(path.name)
            elif path.name.endswith((".tar.gz", ".zip")):
                name, version = parse_sdist_filename(path.name)
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        found.setdefault((str(name), str(version)), []).append(path)
    return found


def _sha256(path: Path) -> str:
    """The archive's hash, read as a regular file only (a FIFO named *.whl never blocks)."""
    from envaudit import safeio
    from envaudit.errors import RemediationError

    digest = hashlib.sha256()
    try:
        with safeio.open_regular(path) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        raise RemediationError(f"--wheels {path}: cannot read: {e.strerror or e}") from e
    return digest.hexdigest()


def _file(path: Path, base: Optional[Path]) -> dict[str, Any]:
    shown = os.path.relpath(path, base) if base is not None else str(path)
    return {"name": path.name, "path": shown, "size": path.stat().st_size,
            "hashes": {"sha256": _sha256(path)}}


def _package(p: Pin, files: list[Path], base: Optional[Path]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": p.name, "version": p.version}
    if p.index:
        entry["index"] = p.index
    wheels = [_file(f, base) for f in files if f.name.endswith(".whl")]
    sdists = [_file(f, base) for f in files if not f.name.endswith(".whl")]
    if wheels:
        entry["wheels"] = wheels
    if sdists:
        entry["sdist"] = sdists[0]
    return entry


def _environment(fp: Fingerprint) -> list[str]:
    py = fp.python
    if not isinstance(py, PythonInfo):
        return []
    return [f'implementation_name == "{py.implementation}" and'
            f' python_full_version == "{py.version}"']


def pylock_dict(fp: Fingerprint, lock_text: str, *, wheels: Optional[Path] = None,
                base: Optional[Path] = None) -> dict[str, Any]:
    """The pylock document: every pin with a known archive, the fingerprint under tool."""
    from envaudit._compat import tomllib

    found = archives(wheels) if wheels is not None else {}
    packages, unresolved = [], []
    for p in pins(fp):
        files = found.get((p.name, p.version), [])
        if files and not p.skipped:
            packages.append(_package(p, files, base))
        else:
            unresolved.append(p.line)
    fingerprint: Mapping[str, Any] = tomllib.loads(lock_text)
    tool = {k: v for k, v in fingerprint.items() if k != "packages"}
    tool["unresolved"] = unresolved
    doc: dict[str, Any] = {"lock-version": "1.0", "environments": _environment(fp),
                           "created-by": "envaudit", "packages": packages,
                           "tool": {"envaudit": tool}}
    if not doc["environments"]:
        del doc["environments"]
    return doc


def render_pylock(doc: Mapping[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(dict(doc))
