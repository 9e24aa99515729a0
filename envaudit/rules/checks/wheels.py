"""PKG-050 / PKG-051: installed wheels' tags (PEP 425) against the deployment platform and ABI."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Optional

from envaudit.model import Fingerprint, Package, PlatformInfo, Unavailable
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.versions import machine

_PERENNIAL = re.compile(r"^(manylinux|musllinux)_(\d+)_(\d+)_(\w+)$")
# PEP 600: the legacy manylinux tags are aliases of glibc floors.
_LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_SYSTEMS = {"macosx": "Darwin", "win": "Windows"}


def _linux(tag: str) -> Optional[tuple[str, tuple[int, int], str]]:
    """manylinux_2_28_x86_64 → ("glibc", (2, 28), "x86_64"); linux_x86_64 → ("", (0, 0), ...)."""
    m = _PERENNIAL.match(tag)
    if m:
        libc = "glibc" if m.group(1) == "manylinux" else "musl"
        return libc, (int(m.group(2)), int(m.group(3))), m.group(4)
    for legacy, floor in _LEGACY.items():
        if tag.startswith(legacy + "_"):
            return "glibc", floor, tag[len(legacy) + 1:]
    if tag.startswith("linux_"):
        return "", (0, 0), tag[len("linux_"):]
    return None


def loads(fp: Fingerprint) -> tuple[str, frozenset[str]]:
    """Which Linux wheel architectures the interpreter loads, and who says so: its own platform
    tag (python.tag), else the kernel's machine. They differ for a 32-bit interpreter on a 64-bit
    kernel (uname aarch64, interpreter armv8l); armv8l also loads armv7l wheels, as in
    packaging's tags._linux_platforms ({"armv8l": ["armv8l", "armv7l"]})."""
    tag = fp.python.tag.split("-")[-1] if not isinstance(fp.python, Unavailable) else ""
    parsed = _linux(tag)
    if parsed is not None:
        arch, who = machine(parsed[2]), f"this interpreter is {parsed[2]}"
    elif isinstance(fp.platform, Unavailable) or not fp.platform.machine:
        return "", frozenset()
    else:
        arch, who = machine(fp.platform.machine), f"this host is {fp.platform.machine}"
    return who, frozenset({arch, "armv7l"} if arch == "armv8l" else {arch})


def platform_problem(tag: str, plat: PlatformInfo,
                     archs: tuple[str, frozenset[str]] = ("", frozenset())) -> Optional[str]:
    """Why a platform tag cannot run on `plat` in an interpreter that loads `archs` (see
    `loads`; empty: not known), or None (fits, or not decidable)."""
    if tag == "any":
        return None
    system = next((s for p, s in _SYSTEMS.items() if tag.startswith(p)), None)
    if system is not None:
        return None if plat.system in (system, "") else f"{tag} is a {system} wheel"
    linux = _linux(tag)
    if linux is None:
        return None
    libc, floor, arch = linux
    if plat.system not in ("Linux", ""):
        return f"{tag} is a Linux wheel and this host runs {plat.system}"
    if archs[1] and machine(arch) not in archs[1]:
        return f"{tag} is built for {arch}, {archs[0]}"
    return _libc_problem(tag, libc, floor, plat)


def _libc_problem(tag: str, libc: str, floor: tuple[int, int], plat: PlatformInfo) -> Optional[str]:
    if not libc or not plat.libc:
        return None
    if libc != plat.libc:
        return f"{tag} needs {libc}, this host has {plat.libc}"
    have = tuple(int(p) for p in re.findall(r"\d+", plat.libc_version)[:2])
    if len(have) == 2 and have < floor:
        return f"{tag} needs {libc} ≥ {floor[0]}.{floor[1]}, this host has {plat.libc_version}"
    return None


def abi_problem(abi: str, interpreter_abi: str) -> Optional[str]:
    """Why a wheel ABI tag cannot load in an interpreter of `interpreter_abi` (cp313 / cp313t;
    a debug build adds "d": cp313td is free-threaded and loads cp313t extensions)."""
    free = interpreter_abi.rstrip("d").endswith("t")
    if abi == "none" or abi == "abi3t" or (abi == "abi3" and not free):
        return None
    if abi == "abi3":
        return "abi3 (stable ABI) extensions do not load in a free-threaded interpreter"
    if re.fullmatch(r"cp\d+t", abi) and not free:
        return f"{abi} is built for the free-threaded interpreter; this one is {interpreter_abi}"
    if re.fullmatch(r"cp\d+", abi) and free:
        return f"{abi} is built for the GIL interpreter; {interpreter_abi} is free-threaded"
    return None


def _tags(pkg: Package) -> list[tuple[str, str, str]]:
    """(interpreter, abi, platform) for every compressed tag set of the wheel."""
    out: list[tuple[str, str, str]] = []
    for tag in pkg.wheel_tags:
        parts = tag.split("-")
        if len(parts) == 3:
            out += [(i, a, p) for i in parts[0].split(".") for a in parts[1].split(".")
                    for p in parts[2].split(".")]
    return out


def _interpreter_abi(fp: Fingerprint) -> str:
    if isinstance(fp.python, Unavailable) or fp.python.implementation != "cpython":
        return ""
    parts = fp.python.tag.split("-")
    return parts[1] if len(parts) == 3 and parts[1].startswith("cp") else ""


def wheel_problem(pkg: Package, fp: Fingerprint, aspect: str) -> Optional[str]:
    """The reason none of the wheel's tags fits `fp` in `aspect`, or None."""
    tags = _tags(pkg)
    if aspect == "platform" and not isinstance(fp.platform, Unavailable):
        plat = fp.platform
        archs = loads(fp)
        reasons = [platform_problem(p, plat, archs) for _, _, p in tags]
    elif aspect == "abi" and _interpreter_abi(fp):
        reasons = [abi_problem(a, _interpreter_abi(fp)) for _, a, _ in tags]
    else:
        return None
    if not reasons or any(r is None for r in reasons):
        return None
    return "; ".join(dict.fromkeys(r for r in reasons if r))


def _tagged(ctx: Context) -> Iterator[tuple[Package, str]]:
    """Deployment packages with their tags; training's tags when the deployment lock has none
    at all (an older lock) and the version is the same."""
    if isinstance(ctx.current.packages, Unavailable):
        return
    recorded = any(p.wheel_tags for p in ctx.current.packages)
    for pkg in ctx.current.packages:
        before = ctx.locked.package(pkg.name)
        if pkg.wheel_tags:
            yield pkg, "installed"
        elif not recorded and before and before.version == pkg.version and before.wheel_tags:
            yield before, "training's"


@check("wheel-tags")
def wheel_tags(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A wheel whose every tag misses the deployment platform (or interpreter ABI)."""
    aspect = str(params["aspect"])
    seen: dict[tuple[str, ...], Optional[str]] = {}  # most wheels share their tags
    for pkg, whose in _tagged(ctx):
        if pkg.wheel_tags not in seen:
            seen[pkg.wheel_tags] = wheel_problem(pkg, ctx.current, aspect)
        why = seen[pkg.wheel_tags]
        if why:
            yield Match(pkg.name, None, pkg.version, f"{pkg.name} {pkg.version}: the {whose}"
                        f" wheel ({', '.join(pkg.wheel_tags)}) cannot load here: {why}")
