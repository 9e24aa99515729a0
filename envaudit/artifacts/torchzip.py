"""TorchScript and torch.save archives: zip integrity and the recorded serialization version.

Both are zip files with one top-level folder (https://pytorch.org/docs/stable/notes/serialization.html):
``<name>/data.pkl``, ``<name>/data/<n>`` (storages) and the archive format version in
``<name>/version`` or, in recent releases, ``<name>/.data/version``. TorchScript archives
also carry ``<name>/code/`` and ``<name>/constants.pkl``. Nothing is unpickled here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"


def read(path: Path) -> tuple[str, dict[str, str], list[str]]:
    """(format, facts, problems) of a PyTorch zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            bad = archive.testzip()  # CRC of every member: a truncated copy fails here
            version = _version(archive, names)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        return "torch-zip", {}, [f"not a readable zip archive ({e}): truncated or corrupted"]
    kind = "torchscript" if any("/code/" in n or n.endswith("/constants.pkl") for n in names) \
        else "torch-save"
    facts = {"archive_version": version} if version else {}
    facts["members"] = str(len(names))
    problems = [f"member {bad} fails its CRC check: the archive is corrupted"] if bad else []
    if not any(n.endswith("data.pkl") for n in names):
        problems.append("no data.pkl: not a PyTorch archive")
    return kind, facts, problems


def _version(archive: zipfile.ZipFile, names: list[str]) -> str:
    for suffix in ("/.data/version", "/version"):
        for name in names:
            if name.endswith(suffix) and name.count("/") == suffix.count("/"):
                return archive.read(name).decode("ascii", errors="replace").strip()
    return ""
