"""PythonProbe: the interpreter that runs inference.

Standard library only (no `packaging`): the probe must give the same answer whatever else is
installed, and a later `--python` runs it under another interpreter.
"""

from __future__ import annotations

import sys
import sysconfig

from envaudit.model import PythonInfo
from envaudit.probes.interface import Host, Probe


def interpreter_tag() -> str:
    """"cp311" (PEP 425: implementation abbreviation + major + minor)."""
    short = {"cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}
    name = sys.implementation.name
    return f"{short.get(name, name)}{sys.version_info[0]}{sys.version_info[1]}"


def abi_tag() -> str:
    """"cp311", "cp313t" (free-threaded), "cp311d" (debug); for other interpreters the first
    two fields of SOABI ("pypy310_pp73"); "none" when the interpreter does not say."""
    if sys.implementation.name == "cpython":
        debug = "d" if sysconfig.get_config_var("Py_DEBUG") else ""
        threaded = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
        return f"cp{sys.version_info[0]}{sys.version_info[1]}{threaded}{debug}"
    soabi = sysconfig.get_config_var("SOABI")
    if not isinstance(soabi, str) or not soabi:
        return "none"
    return "_".join(soabi.split("-")[:2]).replace(".", "_")


def platform_tag() -> str:
    """sysconfig.get_platform() with "-" and "." as "_": "linux_x86_64", "macosx_11_0_arm64",
    "win_amd64". The generic tag, never a manylinux/musllinux alias (those are policies of
    `packaging`'s version, not facts about the interpreter)."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def python_tag() -> str:
    """interpreter-abi-platform, e.g. "cp311-cp311-linux_x86_64" (docs/lockfile.md)."""
    return f"{interpreter_tag()}-{abi_tag()}-{platform_tag()}"


class PythonProbe(Probe):
    section = "python"

    def collect(self, host: Host) -> PythonInfo:
        if host.python is not None:
            return host.python
        v = sys.version_info
        return PythonInfo(
            version=f"{v.major}.{v.minor}.{v.micro}"
            + ("" if v.releaselevel == "final" else f"{v.releaselevel[0]}{v.serial}"),
            implementation=sys.implementation.name,
            executable=sys.executable,
            prefix=sys.prefix,
            base_prefix=getattr(sys, "base_prefix", sys.prefix),
            virtualenv=sys.prefix != getattr(sys, "base_prefix", sys.prefix),
            tag=python_tag(),
        )
