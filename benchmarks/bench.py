"""Every speed figure of envaudit side by side, as medians and ratios, in one run.

    python benchmarks/bench.py [--runs N] [--python PY] [--only snapshot|diff]
    python benchmarks/bench.py --make-venv DIR [--distributions 150]  # then --python DIR/bin/python

Snapshot: `envaudit snapshot` against `python -c pass`, `pip freeze`, torch's
`collect_env` (when torch is installed) and the stand-alone floor snapfloor.py (when
../shared/perf/ is present), with peak memory. Diff: the live `envaudit diff` against a
snapshot of the same environment, and `diff A --against B` of two locks with 100, 1,000
and 10,000 packages. Commands run interleaved after one warm-up each. A measurement,
not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT.parent / "shared" / "perf" / "snapfloor.py"
SIZES = (100, 1_000, 10_000)
# As installed: with bytecode (.pyc) files, which the warm-up run writes where missing.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
GOALS = ("goals: snapshot <= 2x floor, >= 10x faster than pip freeze, <= 16 MiB;"
         " live diff <= 80 ms; 10,000-package diff <= 300 ms")


def run_once(cmd: list[str], cwd: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


Figures = dict[str, tuple[float, float, float]]


def measure(commands: dict[str, list[str]], runs: int, cwd: str) -> Figures:
    """name -> (median wall s, median CPU s, peak MiB), interleaved after one warm-up each."""
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():
        run_once(cmd, cwd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(run_once(cmd, cwd))
    return {name: (statistics.median(x[0] for x in s), statistics.median(x[1] for x in s),
                   max(x[2] for x in s)) for name, s in samples.items()}


def snapshot_commands(py: str, work: str) -> dict[str, list[str]]:
    out = os.path.join(work, "bench.lock")
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "envaudit snapshot": [py, "-m", "envaudit", "snapshot", "-o", out],
        "pip freeze": [py, "-m", "pip", "freeze"],
    }
    if FLOOR.is_file():
        commands["snapfloor.py (the floor)"] = [py, str(FLOOR), os.path.join(work, "floor.lock")]
    if _has(py, "torch"):
        commands["torch collect_env"] = [py, "-m", "torch.utils.collect_env"]
    return commands


def _has(py: str, module: str) -> bool:
    code = f"import importlib.util as u, sys; sys.exit(u.find_spec({module!r}) is None)"
    return subprocess.run([py, "-c", code]).returncode == 0


MAKE_LOCKS = """
import dataclasses, sys
from pathlib import Path
from envaudit import lockfile
from envaudit.model import Package
base = lockfile.load(Path(sys.argv[1])).fingerprint
for n in map(int, sys.argv[3:]):
    bulk = [Package(name=f"bulk-{i:05d}", version=f"{i % 9}.{i % 13}.{i % 5}",
                    installer="pip", requested=False, wheel_tags=("py3-none-any",))
            for i in range(n)]
    # B: every 50th version changed, ten removed, ten added.
    moved = [dataclasses.replace(p, version=p.version + ".post1") if i % 50 == 0 else p
             for i, p in enumerate(bulk)]
    added = [Package(name=f"new-{i}", version="1.0") for i in range(10)]
    for side, extra in (("a", bulk), ("b", moved[10:] + added)):
        fp = dataclasses.replace(base, packages=tuple(base.packages) + tuple(extra))
        Path(sys.argv[2], f"{side}{n}.lock").write_text(lockfile.dumps(fp))
"""


def diff_commands(py: str, work: str) -> dict[str, list[str]]:
    lock = os.path.join(work, "live.lock")
    subprocess.run([py, "-m", "envaudit", "snapshot", "-o", lock], check=True,
                   stderr=subprocess.DEVNULL)
    subprocess.run([py, "-c", MAKE_LOCKS, lock, work, *map(str, SIZES)], check=True)
    commands = {"python -c pass": [py, "-c", "pass"],
                "envaudit diff (live host)": [py, "-m", "envaudit", "diff", lock]}
    for n in SIZES:
        a, b = (os.path.join(work, f"{side}{n}.lock") for side in "ab")
        # A report file in the work folder: -o writes atomically (a rename), so never a device.
        report = os.path.join(work, f"report{n}.txt")
        commands[f"diff --against, {n:,} packages"] = [py, "-m", "envaudit", "diff", a,
                                                        "--against", b, "-o", report]
    return commands


def report(title: str, results: Figures, base: str) -> None:
    """One table: medians of wall and CPU time, peak memory, ratios to `base` and to
    `python -c pass` (the interpreter's own start-up, a yardstick that survives a busy
    machine better than milliseconds do)."""
    ref, idle = results[base], results["python -c pass"]
    print(f"\n{title:32} {'wall':>9} {'CPU':>9} {'peak':>9}  {'x ' + base:>26}  x pass (CPU)")
    for name, (wall, cpu, mib) in results.items():
        print(f"  {name:30} {wall * 1000:6.1f} ms {cpu * 1000:6.1f} ms {mib:5.1f} MiB"
              f"  {wall / ref[0]:12.2f} (CPU {cpu / ref[1]:5.2f})  {cpu / idle[1]:8.1f}")


def environment(py: str) -> str:
    code = ("import sys; from envaudit.probes.distributions import iter_distributions as d;"
            " print(sys.version.split()[0], len({x.name for x in d(tuple(sys.path))}))")
    version, count = subprocess.run([py, "-c", code], check=True, capture_output=True,
                                    text=True).stdout.split()
    return (f"python {version} ({py}), {count} distributions; {platform.machine()},"
            f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")


def make_venv(target: Path, total: int) -> None:
    """A venv that sees this interpreter's packages and envaudit's source, plus synthetic
    distributions until it holds `total` distributions."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    site = next(target.glob("lib/python*/site-packages"))
    here = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "_bench.pth").write_text("\n".join([*here, str(ROOT)]) + "\n")
    code = ("import sys; from envaudit.probes.distributions import iter_distributions as d;"
            " print(len({x.name for x in d(tuple(sys.path))}))")
    count = int(subprocess.run([str(target / "bin" / "python"), "-c", code], check=True,
                               capture_output=True, text=True).stdout)
    for i in range(max(0, total - count)):
        _synthetic(site, i)
    print(f"{target}: {max(count, total)} distributions")


def _synthetic(site: Path, i: int) -> None:
    info = site / f"bench_dist_{i:03d}-1.{i % 7}.{i}.dist-info"
    info.mkdir(exist_ok=True)
    headers = ["Metadata-Version: 2.1", f"Name: bench-dist-{i:03d}", f"Version: 1.{i % 7}.{i}",
               "Summary: a synthetic distribution of the benchmark", "License: MIT",
               *(f"Classifier: Programming Language :: Python :: 3.{k}" for k in range(9, 14)),
               *(f"Requires-Dist: numpy>=1.{k}" for k in range(3))]
    (info / "METADATA").write_text("\n".join(headers) + "\n\n" + "Description.\n" * 100)
    (info / "INSTALLER").write_text("pip\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
                                "Tag: py3-none-any\n")
    (info / "RECORD").write_text(f"bench_dist_{i:03d}/__init__.py,,\n")


@dataclasses.dataclass(frozen=True)
class Args:
    runs: int
    python: str
    make_venv: Optional[str]
    distributions: int
    only: Optional[str]


def parse() -> Args:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    parser.add_argument("--make-venv", metavar="DIR", help="build a measuring venv and stop")
    parser.add_argument("--distributions", type=int, default=150)
    parser.add_argument("--only", choices=("snapshot", "diff"), help="one half of the figures")
    return Args(**vars(parser.parse_args()))


def main() -> None:
    args = parse()
    if args.make_venv:
        make_venv(Path(args.make_venv), args.distributions)
        return
    print(environment(args.python) + f"; {args.runs} interleaved runs\n{GOALS}")
    with tempfile.TemporaryDirectory() as work:
        # The parsed-catalog cache (filled by the warm-up runs) in the work folder, not ~.
        ENV["ENVAUDIT_CACHE_DIR"] = os.path.join(work, "cache")
        if args.only in (None, "snapshot"):
            report("snapshot", measure(snapshot_commands(args.python, work), args.runs, work),
                   "envaudit snapshot")
        if args.only in (None, "diff"):
            report("diff", measure(diff_commands(args.python, work), args.runs, work),
                   "envaudit diff (live host)")


if __name__ == "__main__":
    main()
