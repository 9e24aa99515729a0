"""Time the behavioural probes (`snapshot --probe`) per library, and against a plain snapshot.

Each library's child process runs alone (no parallel neighbour), `--runs` times; the script
prints the median wall seconds per library (interpreter start, import, every probe), then the
medians of `envaudit snapshot` and `envaudit snapshot --probe` (libraries in parallel).
Usage: python benchmarks/bench_probe.py [--runs N]. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from envaudit.behaviour.catalog import load_probe_catalog
from envaudit.behaviour.interface import LibraryRun
from envaudit.behaviour.runner import run_library


def _library(name: str, runs: int) -> str:
    spec = load_probe_catalog()[name]
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = run_library(spec)
        times.append(time.perf_counter() - start)
        if not isinstance(result, LibraryRun):
            return f"| {name} | – | – | {result.reason} |"
        count = len([r for r in result.results if not r.skipped])
    return f"| {name} | {count} | {statistics.median(times):.2f} s | |"


def _snapshot(extra: list[str], runs: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            cmd = [sys.executable, "-m", "envaudit", "snapshot", "-o",
                   os.path.join(tmp, "x.lock"), *extra]
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| library | probe results | median (alone) | note |\n| --- | --- | --- | --- |")
    for name in load_probe_catalog():
        print(_library(name, args.runs), flush=True)
    plain, probed = _snapshot([], args.runs), _snapshot(["--probe"], args.runs)
    print(f"\nenvaudit snapshot: {plain:.2f} s; envaudit snapshot --probe: {probed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
