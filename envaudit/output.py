"""Where results go: the report or lock on stdout, or atomically into a file."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Optional

from envaudit.errors import OutputError


def err(message: str) -> None:
    """A line on stderr: progress and notes, never the report."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def write_output(text: str, output: Optional[str]) -> None:
    """The report or lock on stdout ('-' or None), else atomically to the file."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(Path(output), text)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file and a rename: never a half-written file."""
    parent = path.parent if str(path.parent) else Path()
    # A unique name beside the target (same filesystem, so the rename is atomic); O_EXCL
    # never reuses a file, and the 0o666 mode is filtered by the umask like any new file.
    tmp = parent / f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e
