"""Time `envaudit report` over N synthetic host reports of the real H200 → CPU diff.

Each report is `envaudit diff fixtures/locks/h200.lock --against fixtures/locks/cpu-host.lock
--format json` (258 findings, ~200 KB) with another hostname and host id. The merge runs
in a child process; we print its wall and CPU time (user + system, the steadier figure on
a shared machine) and its peak RSS (ru_maxrss) per N.

    python benchmarks/bench_report.py --hosts 10 100 1000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fleet_reports import CPU, diff_report, synthetic_reports  # noqa: E402

CHILD = ("import resource, sys\n"
         "from envaudit.commands import main\n"
         "sys.argv = ['envaudit', 'report', *sys.argv[1:]]\n"
         "try:\n    main()\nexcept SystemExit:\n    pass\n"
         "u = resource.getrusage(resource.RUSAGE_SELF)\n"
         "print(u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr)\n")


def measure(directory: Path, fmt: str) -> tuple[float, float, int]:
    """Wall and CPU seconds and peak RSS (KiB) of `envaudit report DIR -f FMT -o file`."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory), "--format", fmt,
         "-o", str(directory.parent / f"out.{fmt}")],
        capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    rss, cpu = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(cpu), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--formats", nargs="+", default=["text", "html"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = diff_report(Path(tmp) / "template.json", "template", CPU)
        size = template.stat().st_size
        print(f"one report: {size / 1024:.0f} KiB")
        print("| hosts | input | format | wall time | CPU time | CPU per host | peak RSS |")
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        for n in args.hosts:
            directory = Path(tmp) / f"n{n}"
            synthetic_reports(directory, n, template)
            for fmt in args.formats:
                wall, cpu, rss = measure(directory, fmt)
                print(f"| {n} | {n * size / 2**20:.0f} MiB | {fmt} | {wall:.2f} s | {cpu:.2f} s "
                      f"| {1000 * cpu / n:.1f} ms | {rss / 1024:.0f} MiB |")


if __name__ == "__main__":
    main()
