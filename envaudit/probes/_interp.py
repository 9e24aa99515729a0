"""The interpreter's own facts (version, tag, prefixes, sys.path): the one implementation.

envaudit's in-process snapshot imports this module; `--python PATH` runs the same file as
a script under the interpreter being audited: `PATH -I _interp.py RESULT`. It imports only
the standard library (never envaudit or its dependencies), installs nothing, and writes
one JSON object into RESULT, a file in a private directory the parent created, so nothing
the target prints on stdout can pass for a result. Python 3.9 syntax; an older interpreter
says so in its result (see MIN_VERSION) when it can run this file at all.
"""

from __future__ import annotations

import json
import struct
import sys
import sysconfig

SCHEMA = 1
MIN_VERSION = (3, 9)
_SHORT = {"cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}
# A 32-bit interpreter on a 64-bit Linux kernel (packaging tags._linux_platforms).
_LINUX_32 = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}


def version_string() -> str:
    """"3.11.7", "3.14.0b2": the release, with a pre-release suffix when there is one."""
    v = sys.version_info
    suffix = "" if v.releaselevel == "final" else f"{v.releaselevel[0]}{v.serial}"
    return f"{v.major}.{v.minor}.{v.micro}{suffix}"


def interpreter_tag() -> str:
    """"cp311" (PEP 425: implementation abbreviation + major + minor)."""
    name = sys.implementation.name
    return f"{_SHORT.get(name, name)}{sys.version_info[0]}{sys.version_info[1]}"


def abi_tag() -> str:
    """"cp311", "cp313t" (free-threaded), "cp311d" (debug); other interpreters: the first two
    fields of SOABI ("pypy310_pp73"); "none" when the interpreter does not say."""
    if sys.implementation.name == "cpython":
        debug = "d" if sysconfig.get_config_var("Py_DEBUG") else ""
        threaded = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
        return f"cp{sys.version_info[0]}{sys.version_info[1]}{threaded}{debug}"
    soabi = sysconfig.get_config_var("SOABI")
    if not isinstance(soabi, str) or not soabi:
        return "none"
    return "_".join(soabi.split("-")[:2]).replace(".", "_")


def interpreter_platform(sysconfig_platform: str, pointer_size: int) -> str:
    """sysconfig.get_platform() with "-" and "." as "_" ("linux_x86_64"), for the interpreter's
    pointer size: on Linux get_platform() is the kernel's uname machine, so a 32-bit interpreter
    on a 64-bit kernel is named as packaging's tags._linux_platforms names it (x86_64 → i686,
    aarch64 → armv8l, which loads armv7l wheels). Never a manylinux alias."""
    tag = sysconfig_platform.replace("-", "_").replace(".", "_")
    if pointer_size == 4:
        return _LINUX_32.get(tag, tag)
    return tag


def platform_tag() -> str:
    """This interpreter's generic platform tag ("linux_x86_64"; see interpreter_platform)."""
    return interpreter_platform(sysconfig.get_platform(), struct.calcsize("P"))


def python_tag() -> str:
    """interpreter-abi-platform, e.g. "cp311-cp311-linux_x86_64" (docs/lockfile.md)."""
    return f"{interpreter_tag()}-{abi_tag()}-{platform_tag()}"


def facts() -> dict[str, object]:
    """Everything the parent needs to describe this interpreter (validated there)."""
    base = getattr(sys, "base_prefix", sys.prefix)
    return {
        "schema": SCHEMA,
        "version": version_string(),
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        "prefix": sys.prefix,
        "base_prefix": base,
        "virtualenv": sys.prefix != base,
        "tag": python_tag(),
        "sys_path": [p for p in sys.path if isinstance(p, str)],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -I _interp.py RESULT_FILE\n")
        return 2
    if sys.version_info[:2] < MIN_VERSION:
        result: dict[str, object] = {"error": f"Python {version_string()} is older than 3.9"}
    else:
        result = facts()
    with open(argv[1], "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
