"""Which interpreter to audit (--python, ENVAUDIT_PYTHON, an active venv) and its facts.

The interpreter's own facts (version, tag, prefixes, sys.path) come from running
envaudit/probes/_interp.py under it in isolated mode (-I); everything else is read by
envaudit itself: distributions and framework builds from the files on that sys.path
(the same scan as in-process), driver, GPUs and CPU from the host. Nothing is installed
into the target and nothing but its standard library is imported there.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Optional

from envaudit.errors import InterpreterError
from envaudit.probes.interface import Host

ENV_VAR = "ENVAUDIT_PYTHON"
ACTIVE_VARS = ("VIRTUAL_ENV", "CONDA_PREFIX")  # the first one set decides
PROBE = Path(__file__).with_name("_interp.py")
SUPPORTED = "CPython 3.9 or newer"
_VERSION = r"^(\d+)\.(\d+)\.\d+(?:[abc]\d+)?$"
_STRINGS = ("version", "implementation", "executable", "prefix", "base_prefix", "tag")
MAX_PATH_ENTRIES = 1000
MAX_TEXT = 4096


# NamedTuples, not dataclasses: this module is on the default snapshot path, where a frozen
# dataclass's generated code costs milliseconds of start-up (a NamedTuple a tenth of that).
class Target(NamedTuple):
    """An interpreter other than the running one, and what chose it."""

    python: str
    chosen_by: str  # "--python", "ENVAUDIT_PYTHON", "VIRTUAL_ENV" or "CONDA_PREFIX"


def _same_dir(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def in_prefix(prefix: str) -> str:
    """The interpreter of an environment directory (a venv or conda prefix)."""
    if os.name == "nt":  # pragma: no cover - POSIX is what the tests run on
        return os.path.join(prefix, "Scripts", "python.exe")
    return os.path.join(prefix, "bin", "python")


def choose(python: Optional[str], environ: Mapping[str, str]) -> Optional[Target]:
    """The interpreter to audit, or None for the one running envaudit.

    --python wins, then ENVAUDIT_PYTHON, then an active VIRTUAL_ENV or CONDA_PREFIX that is
    not the environment envaudit runs in (pipx, `uv tool`, pre-commit's private venv)."""
    if python:
        return Target(python, "--python")
    if environ.get(ENV_VAR):
        return Target(environ[ENV_VAR], ENV_VAR)
    for var in ACTIVE_VARS:
        prefix = environ.get(var)
        if prefix:
            if _same_dir(prefix, sys.prefix):
                return None
            return Target(in_prefix(prefix), var)
    return None


def resolve(python: str) -> str:
    """An executable path from what the user gave: a path, a command on PATH, or an
    environment directory (its bin/python)."""
    import shutil

    if os.path.isdir(python):
        python = in_prefix(python)
    elif os.sep not in python:
        python = shutil.which(python) or python
    if not os.path.isfile(python):
        raise InterpreterError(f"--python {python}: no such interpreter")
    if not os.access(python, os.X_OK):
        raise InterpreterError(f"--python {python}: not executable")
    return python


def read_facts(python: str, *, timeout: float = 30.0) -> dict[str, Any]:
    """The facts _interp.py reports under `python`, validated; InterpreterError otherwise."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="envaudit-python-") as private:
        channel = os.path.join(private, "facts.json")
        try:
            done = subprocess.run([python, "-I", str(PROBE), channel], capture_output=True,
                                  text=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise InterpreterError(f"{python} did not answer within {timeout:g}s") from None
        except OSError as e:
            raise InterpreterError(f"cannot start {python}: {e.strerror or e}") from e
        data = _load(channel)
    if data is None:
        tail = (done.stderr.strip().splitlines() or ["no result"])[-1][:200]
        raise InterpreterError(f"{python} could not run envaudit's interpreter probe (exit "
                               f"{done.returncode}: {tail}); envaudit audits {SUPPORTED}")
    return validate(data, python)


def _load(channel: str) -> Optional[Any]:
    """The answer file, read like any untrusted file (envaudit.safeio): the target's code
    could have put a FIFO or a /dev/zero link at that path."""
    import json

    from envaudit import safeio

    try:
        return json.loads(safeio.read_text(channel, safeio.Limit(4 << 20)))
    except (safeio.UnsafeFile, ValueError, RecursionError):
        return None


def validate(data: Any, python: str) -> dict[str, Any]:
    """The probe's result if it has the expected shape, else InterpreterError naming the key."""
    def bad(what: str) -> InterpreterError:
        return InterpreterError(f"{python}: the interpreter probe's result {what}")

    if not isinstance(data, dict):
        raise bad("is not a JSON object")
    if isinstance(data.get("error"), str):
        raise InterpreterError(f"{python}: {data['error'][:200]}; envaudit audits {SUPPORTED}")
    if data.get("schema") != 1:
        raise bad(f"has schema {data.get('schema')!r}, expected 1")
    for key in _STRINGS:
        if not isinstance(data.get(key), str) or len(data[key]) > MAX_TEXT:
            raise bad(f"has no valid {key!r}")
    if not isinstance(data.get("virtualenv"), bool):
        raise bad("has no valid 'virtualenv'")
    path = data.get("sys_path")
    if not isinstance(path, list) or len(path) > MAX_PATH_ENTRIES or not all(
            isinstance(p, str) and len(p) <= MAX_TEXT for p in path):
        raise bad("has no valid 'sys_path'")
    m = re.match(_VERSION, data["version"])
    if m is None:
        raise bad(f"has an invalid version {data['version'][:40]!r}")
    if (int(m.group(1)), int(m.group(2))) < (3, 9):
        raise InterpreterError(f"{python} is Python {data['version']}; envaudit audits {SUPPORTED}")
    return data


class Audited(NamedTuple):
    """The host view of the interpreter to audit, and whether it is the one running envaudit."""

    host: Host
    own: bool


def audited(python: Optional[str], *, environ: Optional[Mapping[str, str]] = None,
            timeout: float = 30.0, say: Optional[Callable[[str], None]] = None) -> Audited:
    """The interpreter to audit as a Host; `say` hears why when an active venv was chosen."""
    env = dict(os.environ) if environ is None else dict(environ)
    target = choose(python, env)
    if target is None:
        return Audited(Host(environ=env), own=True)
    executable = resolve(target.python)
    if say is not None and target.chosen_by in ACTIVE_VARS:
        say(f"auditing the active environment {os.path.dirname(os.path.dirname(executable))}"
            f" ({target.chosen_by}), not the one envaudit runs in ({sys.prefix});"
            " pass --python to choose another")
    facts = read_facts(executable, timeout=timeout)
    return Audited(host_for(facts, env), own=_same_dir(facts["prefix"], sys.prefix))


def host_for(facts: Mapping[str, Any], environ: Mapping[str, str]) -> Host:
    """A Host whose interpreter facts and sys.path are the target's; the rest is this host."""
    from envaudit.probes.python import python_info

    return Host(environ=environ, sys_path=tuple(facts["sys_path"]),
                python=python_info(dict(facts)), interpreter=facts["executable"])
