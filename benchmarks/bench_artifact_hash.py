"""Time envaudit's artifact hashing against `sha256sum` and a plain read of the same file.

    python benchmarks/bench_artifact_hash.py --size-gib 2 --runs 3 [--dir /tmp]

Writes a file of pseudo-random bytes (not sparse: every block is on disk), runs the three
readers interleaved, prints each one's median seconds and MiB/s, and deletes the file. The
first pass of each run may come from disk or the page cache depending on memory; the three
readers see the same state because they alternate. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from envaudit.artifacts.hashing import sha256_file


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as fh:
        for i in range(size >> 20):
            fh.write(block[i % 251 :] + block[: i % 251])  # distinct blocks, cheap to make
        fh.flush()
        os.fsync(fh.fileno())


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-gib", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    size = int(args.size_gib * 2**30)
    path = Path(args.dir) / f"envaudit-bench-{os.getpid()}.bin"
    readers = {
        "envaudit sha256_file": lambda: sha256_file(path),
        "sha256sum": lambda: subprocess.run(["sha256sum", str(path)], check=True,
                                            capture_output=True),
        "read only (cat > /dev/null)": lambda: subprocess.run(
            f"cat '{path}' > /dev/null", shell=True, check=True),
    }
    try:
        make_file(path, size)
        times: dict[str, list[float]] = {name: [] for name in readers}
        for _ in range(args.runs):
            for name, fn in readers.items():
                times[name].append(timed(fn))
        for name, values in times.items():
            median = statistics.median(values)
            print(f"{name:30s} {median:7.2f} s  {size / median / 2**20:7.0f} MiB/s"
                  f"  (runs: {', '.join(f'{v:.2f}' for v in values)})")
    finally:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
