"""Time `envaudit snapshot` against `pip freeze` (and torch's collect_env when present).

Runs the commands interleaved in the same environment, prints each median and the
ratios. Usage: python benchmarks/bench_snapshot.py [--runs N] [--deep] [--core] [--probe]
[--python PY] (--python: measure the environment of another interpreter that has envaudit
installed; --probe: the cost of `snapshot --python`, the interpreter probe in a subprocess,
against the in-process snapshot of the same interpreter).
This is a measurement, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The same as `envaudit snapshot -o OUT` without the GPU/CUDA probes.
CORE = (
    "from pathlib import Path\n"
    "from envaudit import lockfile\n"
    "from envaudit.output import write_atomic\n"
    "from envaudit.collect import default_probes, snapshot\n"
    "fp = snapshot(probes=default_probes(gpu=False))\n"
    "write_atomic(Path({out!r}), lockfile.dumps(fp))"
)


# The file `snapshot --python` runs under the audited interpreter (stdlib only, -I).
PROBE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "envaudit", "probes", "_interp.py")


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--deep", action="store_true", help="also time snapshot --deep")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    parser.add_argument("--core", action="store_true",
                        help="also time a snapshot with the core probes only (no GPU section)")
    parser.add_argument("--probe", action="store_true",
                        help="also time `snapshot --python` of the same interpreter (the"
                             " interpreter probe run with -I) and the probe alone")
    args = parser.parse_args()
    py = args.python
    out = os.path.join(tempfile.mkdtemp(), "bench.lock")
    commands = {
        "envaudit snapshot": [py, "-m", "envaudit", "snapshot", "-o", out],
        "pip freeze": [py, "-m", "pip", "freeze"],
    }
    if args.core:
        commands["core probes only"] = [py, "-c", CORE.format(out=out)]
    if args.probe:
        commands["snapshot --python (same)"] = commands["envaudit snapshot"] + ["--python", py]
        commands["interpreter probe alone"] = [py, "-I", PROBE, out + ".json"]
    if args.deep:
        commands["envaudit snapshot --deep"] = commands["envaudit snapshot"] + ["--deep"]
    has_torch = subprocess.run([py, "-c", "import importlib.util as u, sys;"
                                " sys.exit(u.find_spec('torch') is None)"]).returncode == 0
    if has_torch:
        commands["torch collect_env"] = [py, "-m", "torch.utils.collect_env"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm-up: page cache, .pyc files
        _time(cmd)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd))
    count = subprocess.run(
        [py, "-c", "import sys; from envaudit.probes.packages import collect_packages as c;"
         " print(sys.version.split()[0], len(c(tuple(sys.path))))"],
        check=True, capture_output=True, text=True).stdout.split()
    print(f"python {count[0]} ({py}), {count[1]} distributions, {args.runs} interleaved runs")
    base = statistics.median(times["envaudit snapshot"])
    for name, samples in times.items():
        med = statistics.median(samples)
        ratio = "" if name == "envaudit snapshot" else f"  ({med / base:.1f}x envaudit snapshot)"
        print(f"{name:28} median {med * 1000:8.1f} ms{ratio}")


if __name__ == "__main__":
    main()
