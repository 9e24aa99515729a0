"""PythonProbe: the interpreter that runs inference.

Standard library only (no `packaging`): the probe must give the same answer whatever else is
installed. Its facts come from envaudit.probes._interp, the module that `--python` also runs
under another interpreter: one implementation for both.
"""

from __future__ import annotations

from envaudit.model import PythonInfo
from envaudit.probes import _interp
from envaudit.probes._interp import abi_tag, interpreter_tag, platform_tag, python_tag
from envaudit.probes.interface import Host, Probe

__all__ = ["PythonProbe", "abi_tag", "interpreter_tag", "platform_tag", "python_info",
           "python_tag"]


def python_info(facts: dict[str, object]) -> PythonInfo:
    """PythonInfo from _interp.facts() (already validated when it came from another process)."""
    return PythonInfo(
        version=str(facts["version"]),
        implementation=str(facts["implementation"]),
        executable=str(facts["executable"]),
        prefix=str(facts["prefix"]),
        base_prefix=str(facts["base_prefix"]),
        virtualenv=bool(facts["virtualenv"]),
        tag=str(facts["tag"]),
    )


class PythonProbe(Probe):
    section = "python"

    def collect(self, host: Host) -> PythonInfo:
        if host.python is not None:
            return host.python
        return python_info(_interp.facts())
