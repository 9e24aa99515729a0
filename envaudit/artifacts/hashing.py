"""Stream a file through sha256 at disk speed, reporting progress for anything over a second."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable, Optional

from envaudit import safeio

# 1 MiB reads: large enough that Python's per-call overhead vanishes next to the hash itself.
CHUNK = 1 << 20
# Progress lines start after this many seconds and repeat at most this often.
QUIET_SECONDS = 1.0

Progress = Callable[[str], None]


def sha256_file(path: Path, *, progress: Optional[Progress] = None) -> tuple[int, str]:
    """(size in bytes, hex sha256) of the file; OSError propagates to the caller."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done, started, last = 0, time.monotonic(), 0.0
    with safeio.open_regular(path) as handle:  # a regular file: never a FIFO or device
        total = os.fstat(handle.fileno()).st_size
        while True:
            count = handle.readinto(view)
            if not count:
                break
            digest.update(view[:count])
            done += count
            now = time.monotonic()
            if progress is not None and now - started >= QUIET_SECONDS and now - last >= 1.0:
                last = now
                progress(_line(path, done, total, now - started))
    return done, digest.hexdigest()


def _line(path: Path, done: int, total: int, elapsed: float) -> str:
    percent = f"{100 * done // total}%" if total else "?"
    rate = done / elapsed / 2**20 if elapsed else 0.0
    return f"hashing {path.name}: {percent} ({_mib(done)} of {_mib(total)}, {rate:.0f} MiB/s)"


def _mib(size: int) -> str:
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"
