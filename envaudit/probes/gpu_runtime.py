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


def run_child(framework: str, *, timeout: float, python: str = sys.executable,
              environ: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """What the child reports about `framework`, or {"error": reason}. Killed on timeout."""
    try:
        done = subprocess.run([python, str(CHILD), framework], capture_output=True, text=True,
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
