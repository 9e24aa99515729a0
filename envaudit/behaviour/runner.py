"""Run each library's probes in an isolated child process and collect the results.

Each child is `python -I -m envaudit.behaviour._child LIB PATH`, with a timeout; it answers
in PATH, a file in a private directory this process created, never on stdout (the probed
libraries may print). Libraries that may take a GPU run one at a time, the others in parallel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, ClassVar

from envaudit import safeio
from envaudit.behaviour.catalog import load_probe_catalog
from envaudit.behaviour.interface import LibraryRun, LibrarySpec, ProbeResult
from envaudit.model import Fact, Unavailable
from envaudit.probes.interface import Host, Probe

# Seconds one library's child may take (import included: `import torch` alone took 6 s on
# the H200 host, see fixtures/behaviour/README.md).
PROBE_TIMEOUT = 120.0
# The child's answer file: read as any untrusted file (regular only, bounded).
_RESULT_LIMIT = safeio.Limit(16 << 20)

# Progress events: (library, "start" | "done" | "unavailable", a short detail).
Events = Callable[[str, str, str], None]


def _installed(spec: LibrarySpec) -> bool:
    """Whether the library's module can be found, without importing it."""
    try:
        return importlib.util.find_spec(spec.module) is not None
    except (ImportError, ValueError):
        return False


def _child(spec: LibrarySpec, path: Path, timeout: float, python: str) -> str | None:
    """Run the child; None on success, else the reason it failed."""
    cmd = [python, "-I", "-m", "envaudit.behaviour._child", spec.name, str(path)]
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"probes of {spec.name} timed out after {timeout:g} s"
    except OSError as e:
        return f"cannot start {python}: {e.strerror or e}"
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"probe child for {spec.name} exited with {done.returncode}: {tail[0][:200]}"
    return None


def run_library(spec: LibrarySpec, *, timeout: float = PROBE_TIMEOUT,
                python: str = sys.executable) -> Fact[LibraryRun]:
    """The results of one library's probes, or Unavailable with the reason."""
    if python == sys.executable and not _installed(spec):
        return Unavailable(f"{spec.module} is not installed")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="envaudit-probe-") as tmp:  # mode 0700
        path = Path(tmp) / "result.json"
        path.touch(mode=0o600)
        failed = _child(spec, path, timeout, python)
        seconds = time.perf_counter() - start
        if failed is not None:
            return Unavailable(failed)
        try:
            doc = json.loads(safeio.read_text(path, _RESULT_LIMIT))
        except (safeio.UnsafeFile, ValueError, RecursionError) as e:
            return Unavailable(f"probe child for {spec.name} wrote no readable result: {e}")
    return parse_answer(spec.name, doc, seconds)


def parse_answer(library: str, doc: Any, seconds: float) -> Fact[LibraryRun]:
    """The child's JSON document as a LibraryRun (or its Unavailable)."""
    if not isinstance(doc, dict):
        return Unavailable(f"probe child for {library} answered {type(doc).__name__}")
    if "unavailable" in doc:
        return Unavailable(str(doc["unavailable"]))
    try:
        results = tuple(sorted((_result(r) for r in doc["results"]), key=lambda r: r.key))
        return LibraryRun(library=library, distribution=str(doc["distribution"]),
                          version=str(doc["version"]), seconds=seconds, results=results)
    except (KeyError, TypeError, ValueError) as e:
        return Unavailable(f"probe child for {library} answered an unreadable result: {e!r}")


def _result(raw: Mapping[str, Any]) -> ProbeResult:
    return ProbeResult(
        key=str(raw["key"]), device=str(raw["device"]), digest=str(raw.get("digest", "")),
        metrics={str(k): float(v) for k, v in raw.get("metrics", {}).items()},
        kept=tuple(int(i) for i in raw.get("kept", ())),
        info={str(k): str(v) for k, v in raw.get("info", {}).items()},
        skipped=str(raw.get("skipped", "")), error=str(raw.get("error", "")),
    )


def _quiet(library: str, state: str, detail: str) -> None:
    """The default progress callback: say nothing."""


def _chain(specs: list[LibrarySpec], timeout: float, events: Events,
           python: str) -> dict[str, Any]:
    out: dict[str, Fact[LibraryRun]] = {}
    for spec in specs:
        events(spec.name, "start", "")
        out[spec.name] = run_library(spec, timeout=timeout, python=python)
        events(spec.name, *_outcome(out[spec.name]))
    return out


def _outcome(run: Fact[LibraryRun]) -> tuple[str, str]:
    if isinstance(run, Unavailable):
        return "unavailable", run.reason
    failed = sum(1 for r in run.results if r.error)
    tail = f", {failed} failed" if failed else ""
    return "done", f"{len(run.results)} results{tail} in {run.seconds:.2f} s"


def probe_all(libraries: Iterable[str] | None = None, *, timeout: float = PROBE_TIMEOUT,
              events: Events = _quiet, python: str = sys.executable,
              ) -> dict[str, Fact[LibraryRun]]:
    """Every (or the named) catalog library's results, run by `python` (which must import
    envaudit); parallel where safe, the libraries that may take a GPU one at a time."""
    catalog = load_probe_catalog()
    specs = [catalog[name] for name in (libraries if libraries is not None else catalog)]
    # The GPU users' chain first: it is the longest (torch), the others fill the other workers.
    chains = [[s for s in specs if not s.parallel], *([s] for s in specs if s.parallel)]
    workers = max(1, min(len(chains), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: list[Future[dict[str, Any]]] = [
            pool.submit(_chain, chain, timeout, events, python) for chain in chains if chain]
        merged: dict[str, Fact[LibraryRun]] = {}
        for future in futures:
            merged.update(future.result())
    return dict(sorted(merged.items()))


class BehaviourProbe(Probe):
    """The [behaviour] section: every catalog library's probes (snapshot --probe)."""

    section: ClassVar[str] = "behaviour"

    def __init__(self, *, libraries: Iterable[str] | None = None,
                 timeout: float = PROBE_TIMEOUT, events: Events = _quiet) -> None:
        self.libraries = None if libraries is None else tuple(libraries)
        self.timeout = timeout
        self.events = events

    def collect(self, host: Host) -> Any:
        return probe_all(self.libraries, timeout=self.timeout, events=self.events)
