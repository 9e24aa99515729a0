"""RuntimeProbe (snapshot --deep): imports each framework in a child process, never in envaudit."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from envaudit.probes.gpu_frameworks import FrameworksCache
from envaudit.probes.interface import Host, Probe, ProbeUnavailable

CHILD = Path(__file__).with_name("_deep_child.py")
DEEP_FRAMEWORKS = ("torch", "tensorflow", "onnxruntime", "opencv")


def child_command(framework: str, python: str = sys.executable) -> list[str]:
    """`python -I child.py NAME`: isolated, so nothing next to the child or in the working
    directory can shadow a module the framework imports (envaudit/probes/platform.py did)."""
    return [python, "-I", str(CHILD), framework]


def run_child(framework: str, *, timeout: float, python: str = sys.executable,
              environ: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """What the child reports about `framework`, or {"error": reason}. Killed on timeout."""
    try:
        done = subprocess.run(child_command(framework, python), capture_output=True, text=True,
                              timeout=timeout, env=dict(environ) if environ is not None else None,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"importing {framework} took longer than {timeout:g}s (killed)"}
    except OSError as e:
        return {"error": f"cannot start {python}: {e}"}
    lines = done.stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not data:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"child exited {done.returncode}: {tail}"}
    return {str(k): str(v) for k, v in data.items()}


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
        runner = host.deep_runner or run_child
        installed = self.frameworks.get(host)
        out: dict[str, dict[str, str]] = {}
        for name in DEEP_FRAMEWORKS:
            if name in installed:
                out[name] = dict(runner(name, timeout=self.timeout))
        return out
