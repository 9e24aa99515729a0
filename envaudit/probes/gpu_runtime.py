"""RuntimeProbe (snapshot --deep): imports each framework in a child process, never in envaudit."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from envaudit import safeio
from envaudit.probes.gpu_frameworks import FrameworksCache
from envaudit.probes.interface import Host, Probe, ProbeUnavailable
from envaudit.scrub import escape_controls, one_line, scrub

CHILD = Path(__file__).with_name("_deep_child.py")
DEEP_FRAMEWORKS = ("torch", "tensorflow", "onnxruntime", "opencv")


def child_command(framework: str, python: str = sys.executable,
                  channel: Optional[str] = None) -> list[str]:
    """`python -I child.py NAME [RESULT-FILE]`: isolated, so nothing next to the child or in
    the working directory can shadow a module the framework imports (envaudit/probes/
    platform.py did); the result goes into `channel`, a file of a private directory."""
    return [python, "-I", str(CHILD), framework, *([channel] if channel is not None else [])]


def run_child(framework: str, *, timeout: float, python: str = sys.executable,
              environ: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """What the child reports about `framework`, or {"error": reason}. Killed on timeout.

    The child runs isolated (child_command) and writes its result into a file of a private
    directory this process created, not on stdout, which any imported package can print
    to; what comes back is validated (validate_child) before it can become a runtime.* value."""
    with tempfile.TemporaryDirectory(prefix="envaudit-deep-") as private:
        channel = os.path.join(private, "result.json")
        try:
            done = subprocess.run(child_command(framework, python, channel),
                                  capture_output=True, text=True, timeout=timeout, check=False,
                                  env=dict(environ) if environ is not None else None)
        except subprocess.TimeoutExpired:
            return {"error": f"importing {framework} took longer than {timeout:g}s (killed)"}
        except OSError as e:
            return {"error": f"cannot start {python}: {e}"}
        try:
            data = json.loads(safeio.read_text(channel, _RESULT_LIMIT))
        except (safeio.UnsafeFile, ValueError, RecursionError):
            data = None
    if not isinstance(data, dict) or not data:
        tail = (done.stderr.strip().splitlines() or ["no result"])[-1]
        return {"error": one_line(f"child exited {done.returncode}: {tail}", limit=300)}
    return validate_child(data)


_KEY = re.compile(r"[a-z][a-z0-9_.-]{0,63}")  # fullmatch: no trailing newline
MAX_KEYS = 200
_RESULT_LIMIT = safeio.Limit(4 << 20)  # the child's whole answer: more than MAX_KEYS full values
MAX_VALUE = 16384  # mapped-libraries lists every loaded CUDA/BLAS library path


def validate_child(data: Mapping[Any, Any]) -> dict[str, str]:
    """The child's result if it fits the runtime schema (lower-case keys, string values,
    bounded), else {"error": why}; values are scrubbed and escaped like any host text."""
    if len(data) > MAX_KEYS:
        return {"error": f"child result has {len(data)} keys (at most {MAX_KEYS})"}
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            return {"error": f"child result has an invalid key {one_line(repr(key), 60)}"}
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            return {"error": f"child result at {key!r} is not a string of at most"
                             f" {MAX_VALUE} characters"}
        out[key] = escape_controls(scrub(value), keep_newlines=False)
    return out


def failures(runtime: object) -> list[str]:
    """One line per framework whose child failed: snapshot prints them on stderr."""
    if not isinstance(runtime, Mapping):
        return []
    return [f"--deep probe of {name} failed: {facts['error']}"
            for name, facts in sorted(runtime.items())
            if isinstance(facts, Mapping) and facts.get("error")]


class RuntimeProbe(Probe):
    section = "runtime"

    def __init__(self, *, timeout: float, frameworks: Optional[FrameworksCache] = None) -> None:
        self.timeout = timeout
        self.frameworks = frameworks or FrameworksCache()

    def collect(self, host: Host) -> dict[str, dict[str, str]]:
        if host.root != Path("/") and host.deep_runner is None:
            raise ProbeUnavailable("--deep needs the live host (this host is a file tree)")
        runner = host.deep_runner or functools.partial(
            run_child, python=host.interpreter or sys.executable)
        installed = self.frameworks.get(host)
        out: dict[str, dict[str, str]] = {}
        for name in DEEP_FRAMEWORKS:
            if name in installed:
                out[name] = dict(runner(name, timeout=self.timeout))
        return out
