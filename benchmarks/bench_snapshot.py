"""Time `envaudit snapshot` against `pip freeze` (and torch's collect_env when present).

Runs the commands interleaved in the same environment, prints each median and the
ratios. Usage: python benchmarks/bench_snapshot.py [--runs N] [--deep]
This is a measurement, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--deep", action="store_true", help="also time snapshot --deep")
    args = parser.parse_args()
    out = os.path.join(tempfile.mkdtemp(), "bench.lock")
    commands = {
        "envaudit snapshot": [sys.executable, "-m", "envaudit", "snapshot", "-o", out],
        "pip freeze": [sys.executable, "-m", "pip", "freeze"],
    }
    if args.deep:
        commands["envaudit snapshot --deep"] = commands["envaudit snapshot"] + ["--deep"]
    if importlib.util.find_spec("torch") is not None:
        commands["torch collect_env"] = [sys.executable, "-m", "torch.utils.collect_env"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm-up: page cache, .pyc files
        _time(cmd)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd))
    from envaudit.probes.packages import collect_packages

    count = len(collect_packages(tuple(sys.path)))
    print(f"python {sys.version.split()[0]}, {count} distributions, {args.runs} interleaved runs")
    base = statistics.median(times["envaudit snapshot"])
    for name, samples in times.items():
        med = statistics.median(samples)
        ratio = "" if name == "envaudit snapshot" else f"  ({med / base:.1f}x envaudit snapshot)"
        print(f"{name:28} median {med * 1000:8.1f} ms{ratio}")


if __name__ == "__main__":
    main()
