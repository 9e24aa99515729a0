"""PythonProbe: the interpreter that runs inference."""

from __future__ import annotations

import sys

from envaudit.model import PythonInfo
from envaudit.probes.interface import Host, Probe


class PythonProbe(Probe):
    section = "python"

    def collect(self, host: Host) -> PythonInfo:
        if host.python is not None:
            return host.python
        from packaging.tags import sys_tags  # lazy: only the snapshot needs it

        tag = next(iter(sys_tags()), None)
        v = sys.version_info
        return PythonInfo(
            version=f"{v.major}.{v.minor}.{v.micro}"
            + ("" if v.releaselevel == "final" else f"{v.releaselevel[0]}{v.serial}"),
            implementation=sys.implementation.name,
            executable=sys.executable,
            prefix=sys.prefix,
            base_prefix=getattr(sys, "base_prefix", sys.prefix),
            virtualenv=sys.prefix != getattr(sys, "base_prefix", sys.prefix),
            tag=str(tag) if tag is not None else "",
        )
