"""PlatformProbe: OS, kernel, machine and C library."""

from __future__ import annotations

import os

from envaudit.model import PlatformInfo
from envaudit.probes.interface import Host, Probe


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines of /etc/os-release, quotes removed."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            out[key.strip()] = value.strip().strip("\"'")
    return out


def _libc(host: Host) -> tuple[str, str]:
    if host.libc is not None:
        return host.libc
    try:
        found = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"
    except (AttributeError, ValueError, OSError):
        found = None
    if found:
        name, _, version = found.partition(" ")
        return name, version
    return ("musl", "") if _musl_loader(host) else ("", "")


def _musl_loader(host: Host) -> bool:
    """musl has no confstr for its version; its dynamic loader /lib/ld-musl-<arch>.so.1 says
    which C library this is (the version stays unknown: reading it needs a subprocess)."""
    lib = host.path("/lib")
    try:
        return any(lib.glob("ld-musl-*.so.1"))
    except OSError:
        return False


def _uname() -> tuple[str, ...]:
    """os.uname()'s five fields; Windows has no os.uname, platform.uname() has the same five."""
    if hasattr(os, "uname"):
        return tuple(os.uname())
    import platform  # only where os.uname is missing

    u = platform.uname()
    return (u.system, u.node, u.release, u.version, u.machine)


class PlatformProbe(Probe):
    section = "platform"

    def collect(self, host: Host) -> PlatformInfo:
        uname = host.uname or _uname()
        libc, libc_version = _libc(host)
        rel = parse_os_release(host.read_text("/etc/os-release") or "")
        return PlatformInfo(
            system=uname[0],
            release=uname[2],
            machine=uname[4],
            libc=libc,
            libc_version=libc_version,
            os_id=rel.get("ID", ""),
            os_version=rel.get("VERSION_ID", ""),
            os_name=rel.get("PRETTY_NAME", ""),
        )
