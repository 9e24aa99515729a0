"""Where results go: the report or lock on stdout, or safely into the -o target.

What each kind of target gets (docs/security.md, "What envaudit writes"):
- a regular file (or a new path): a temporary file beside it, fsync, rename over it,
  fsync of the directory; the old file's permission bits are kept. A reader never
  sees half a lock, and a killed writer never damages the old one;
- a symlink: the same, applied to the file it points to (the link stays a link);
- /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, and character devices
  (/dev/null, /dev/tty, /dev/full): written in place, never replaced; a failed write
  (ENOSPC on /dev/full) is an error, never "wrote";
- a directory, a FIFO outside /dev/fd, a socket or a block device: refused (exit 2).
`--append` adds to the end of the target instead (for $GITHUB_STEP_SUMMARY).
Temporary files left by killed writers (`.NAME.PID.NS.tmp`) are removed by the next
write to the same target once their process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import time
from pathlib import Path
from typing import Optional

from envaudit.errors import OutputError, OutputTargetError


def err(message: str) -> None:
    """A line on stderr: progress and notes, never the report (scrubbed, escaped, one line)."""
    from envaudit.scrub import one_line

    sys.stderr.write(one_line(message, limit=2000) + "\n")
    sys.stderr.flush()


def write_output(text: str, output: Optional[str], *, append: bool = False) -> None:
    """The report or lock on stdout ('-' or None), else into the -o target."""
    if output in (None, "-"):
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError as e:  # `envaudit diff | head`: the reader left early
            _silence_stdout()
            raise OutputError("stdout was closed before the output was written (broken"
                              " pipe)") from e
    else:
        write_target(output, text, append=append)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


_STREAMS = re.compile(r"^/(?:dev/(?:stdout|stderr|fd/\d+)|proc/(?:self|\d+)/fd/\d+)$")
STALE_AFTER_S = 60.0  # a dead writer's temporary file older than this is removed


def write_target(target: str, text: str, *, append: bool = False) -> None:
    """Write `text` to the `-o` target as its kind requires (see the module docstring)."""
    if _is_stream(target):
        _write_in_place(target, text, append=True)
        return
    real = os.path.realpath(target)
    try:
        mode: int | None = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise OutputError(f"cannot write {target}: {e.strerror or e}") from e
    if mode is not None and not stat.S_ISREG(mode):
        _special(target, mode, text, append=append)
    elif append:
        _write_in_place(real, text, append=True, create=True)
    else:
        write_atomic(Path(real), text, shown=target)


def _is_stream(target: str) -> bool:
    """True when `target`, or a symlink hop on the way to its file, is a stream path
    (/dev/stdout, /proc/self/fd/1...): the stream is written, never the file behind it."""
    path = os.path.abspath(target)
    for _ in range(40):  # the kernel's own limit on symlink hops
        if _STREAMS.match(path):
            return True
        try:
            link = os.readlink(path)
        except OSError:  # not a symlink, or not there
            return False
        path = os.path.abspath(os.path.join(os.path.dirname(path), link))
    return False


def _special(target: str, mode: int, text: str, *, append: bool) -> None:
    if stat.S_ISCHR(mode):
        _write_in_place(target, text, append=append)
        return
    kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a block device" if stat.S_ISBLK(mode) else "not a regular file")
    raise OutputTargetError(f"cannot write {target}: it is {kind}; give a file path, or"
                            " '-' for stdout")


def _write_in_place(path: str, text: str, *, append: bool, create: bool = False) -> None:
    """Plain write (streams, devices, --append): nothing is replaced, errors are loud."""
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    flags |= (os.O_APPEND if append else os.O_TRUNC) | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e


def write_atomic(path: Path, text: str, *, shown: str | None = None) -> None:
    """Write `text` to `path` via a temporary file and a rename: never a half-written file."""
    parent = path.parent if str(path.parent) else Path()
    remove_stale(path)
    # A unique name beside the target (same filesystem, so the rename is atomic); O_EXCL
    # never reuses a file, and the 0o666 mode is filtered by the umask like any new file.
    tmp = parent / f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    name = shown or str(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise OutputError(f"cannot write {name}: {e.strerror or e}") from e
    try:
        _fill(fd, path, text)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {name}: {e.strerror or e}") from e
    _fsync_dir(parent)


def _fill(fd: int, path: Path, text: str) -> None:
    """Write and fsync the temporary file, with the permission bits of the file it replaces."""
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        with contextlib.suppress(FileNotFoundError):  # a new file: the umask decides
            os.fchmod(fh.fileno(), stat.S_IMODE(os.stat(path).st_mode))
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX needs an fsync of the directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a directory: the rename still happened
    finally:
        os.close(fd)


def remove_stale(path: Path, *, now: float | None = None) -> list[Path]:
    """Remove `.NAME.PID.NS.tmp` files of `path` left by writers that no longer run."""
    parent = path.parent if str(path.parent) else Path()
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.(\d+)\.tmp$")
    removed: list[Path] = []
    try:
        names = os.listdir(parent)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and _stale(parent / name, int(m.group(1)), now or time.time()):
            try:
                (parent / name).unlink()
                removed.append(parent / name)
            except OSError:
                continue
    return removed


def _stale(tmp: Path, pid: int, now: float) -> bool:
    try:
        info = os.lstat(tmp)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER_S:
        return False
    return not _alive(pid)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier process of our pid (pid 1 in containers): we have no tmp yet
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
