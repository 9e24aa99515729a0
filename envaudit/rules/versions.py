"""One home for the parsing rules and checks need: versions, dotted numbers, compute
capabilities, and "which of these distributions is installed"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, Optional, Union

from packaging.version import InvalidVersion, Version

from envaudit.model import Fingerprint, Unavailable

Ver = tuple[int, ...]
_DOTTED = re.compile(r"^(\d+(?:\.\d+)*)")
# platform.machine() / wheel-tag spellings of one architecture (Windows says AMD64/ARM64).
_MACHINES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}


def machine(text: str) -> str:
    """One name per CPU architecture: "AMD64" → "x86_64", "arm64" → "aarch64"."""
    low = text.lower()
    return _MACHINES.get(low, low)


def parse_version(text: Optional[str]) -> Optional[Version]:
    """A PEP 440 version, or None when `text` is empty or not one."""
    if not text:
        return None
    try:
        return Version(text)
    except (InvalidVersion, ValueError):  # or a number too long for int()
        return None


def public_version(text: Optional[str]) -> Optional[Version]:
    """The version without its local label ("2.6.0+cu124" → 2.6.0): labels are variants."""
    v = parse_version(text)
    return Version(v.public) if v is not None else None


def release(v: Version) -> Version:
    """The release a version is judged as by a catalog boundary or range: a pre-, dev- or
    post-release of X counts as X, and the local label is a variant ("2.8.0.dev20250601+cu128",
    "2.7.0a0+git34ef2ba", "2.7.0rc1" → 2.7.0 / 2.8.0). PEP 440 orders X.dev < Xa < Xrc < X and
    leaves pre-releases out of specifiers, so on plain ordering "2.7.0rc1" is below 2.7 and not
    in ">=2.7"; a release candidate is the release branch, and PyTorch's nightlies and source
    builds (NGC's a0+git) are main, which carries the next release's number from the previous
    release's branch cut on (pytorch/pytorch PR 149038)."""
    return Version(v.base_version)


def minor(v: Union[str, Version, None]) -> str:
    """"2.7.1+cu126" (or its Version) → "2.7"; "" when it is not a version."""
    parsed = v if isinstance(v, Version) else parse_version(v)
    return f"{parsed.major}.{parsed.minor}" if parsed is not None else ""


def ver(text: Optional[str]) -> Optional[Ver]:
    """Leading dotted numbers: "580.159.04" → (580, 159, 4), "12.8" → (12, 8); else None."""
    m = _DOTTED.match(text.strip()) if text else None
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def cc(text: Optional[str]) -> Optional[tuple[int, int]]:
    """A compute capability: "8.6" → (8, 6), "9" → (9, 0); None when not numeric."""
    v = ver(text)
    return (v[0], v[1] if len(v) > 1 else 0) if v else None


def fmt(v: Ver) -> str:
    return ".".join(map(str, v))


def max_cc(fp: Fingerprint) -> Optional[Version]:
    """The highest compute capability among the GPUs, as a Version to compare with a
    catalog boundary ("8.0"); None with no GPU or not collected."""
    if isinstance(fp.gpus, Unavailable):
        return None
    known = [c for c in (parse_version(g.compute_capability) for g in fp.gpus) if c is not None]
    return max(known) if known else None


class Installed(NamedTuple):
    """One installed distribution: its name, its version as written, its public version (for
    "did it change") and its release (for boundaries and ranges, see `release`)."""

    name: str
    version: str
    public: Version
    release: Version


def installed(fp: Fingerprint, dists: Sequence[str], since: Optional[str] = None,
              ) -> Optional[Installed]:
    """The first of `dists` installed (its release `since` or later), or None."""
    floor = Version(since) if since else None
    for name in dists:
        pkg = fp.package(name)
        v = public_version(pkg.version if pkg else None)
        if pkg is not None and v is not None and (floor is None or release(v) >= floor):
            return Installed(name, pkg.version, v, release(v))
    return None
