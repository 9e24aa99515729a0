"""The one reader for files envaudit does not control: regular files only, bounded reads.

Every file envaudit reads may be hostile or broken (a lock received from elsewhere, a
policy file, any file of the audited environment): a FIFO would block forever, a
character device such as /dev/zero would be read until memory runs out. So each read
here stats the path first and opens nothing but a regular file (O_NONBLOCK, so a FIFO
swapped in between the stat and the open cannot block either), re-checks with fstat,
and reads at most the cap of its kind (the table LIMITS, documented in docs/security.md).
Symlinks are followed: the target is what must be a regular file.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Union

StrPath = Union[str, "os.PathLike[str]"]
_MIB = 1 << 20


@dataclass(frozen=True)
class Limit:
    """How much of a file of one kind is read: `size` bytes; a longer file is refused,
    or only its first `size` bytes are read when `prefix` is set."""

    size: int
    prefix: bool = False


# Kind of file -> its cap (docs/security.md has this table; a test keeps them in step).
LIMITS: dict[str, Limit] = {
    "lock": Limit(16 * _MIB),  # a lock of ~100k distributions
    "config": Limit(1 * _MIB),  # envaudit.toml, pyproject.toml
    "metadata": Limit(64 * 1024, prefix=True),  # METADATA/PKG-INFO: only the headers matter
    "record": Limit(32 * _MIB),  # RECORD, top_level.txt
    "small": Limit(64 * 1024),  # INSTALLER, direct_url.json, version.py, headers, build info
    "source": Limit(1 * _MIB, prefix=True),  # version.py, build_info.py, headers: the start
    "system": Limit(1 * _MIB, prefix=True),  # /proc, /sys, /etc files (st_size is 0 there)
}

_TYPES = (
    (stat.S_ISDIR, "is a directory"), (stat.S_ISFIFO, "is a FIFO (named pipe)"),
    (stat.S_ISCHR, "is a character device"), (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


class UnsafeFile(Exception):
    """A file that was not read: `reason` says why (one line, without the path)."""

    def __init__(self, path: StrPath, reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason


def file_type(mode: int) -> str | None:
    """Why a file of this st_mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, reason in _TYPES:
        if test(mode):
            return reason
    return "is not a regular file"


def _os_reason(path: StrPath, e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "dangling symlink" if os.path.lexists(path) else "no such file"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {e.strerror or type(e).__name__}"


def read_bytes(path: StrPath, kind: str | Limit) -> bytes:
    """The bytes of the regular file `path`, within the cap of `kind`. Raises UnsafeFile."""
    limit = kind if isinstance(kind, Limit) else LIMITS[kind]
    try:
        bad = file_type(os.stat(path).st_mode)  # devices and FIFOs are never even opened
        if bad is not None:
            raise UnsafeFile(path, bad)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        raise UnsafeFile(path, _os_reason(path, e)) from e
    try:
        return _read_fd(fd, path, limit)
    except OSError as e:
        raise UnsafeFile(path, _os_reason(path, e)) from e
    finally:
        os.close(fd)


class NotRegularFile(OSError):
    """open_regular() refused a FIFO, a device, a socket or a directory; `strerror` says which."""


def open_regular(path: StrPath) -> io.BufferedReader:
    """`path` opened for binary reading if it is a regular file (for the readers that stream
    or mmap a large file: model files, archives); it is never opened for a blocking read
    otherwise. Raises OSError (NotRegularFile for the wrong kind of file), like open()."""
    bad = file_type(os.stat(path).st_mode)
    if bad is not None:
        raise NotRegularFile(errno.EINVAL, bad, os.fspath(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    bad = file_type(os.fstat(fd).st_mode)  # swapped between stat and open
    if bad is not None:
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, bad, os.fspath(path))
    os.set_blocking(fd, True)
    return open(fd, "rb")


def read_head(path: StrPath, size: int) -> bytes:
    """The first `size` bytes of a regular file (a format sniff): never a FIFO or a device;
    OSError as open_regular raises it."""
    with open_regular(path) as handle:
        return handle.read(size)


def _read_fd(fd: int, path: StrPath, limit: Limit) -> bytes:
    info = os.fstat(fd)
    bad = file_type(info.st_mode)  # swapped between stat and open
    if bad is not None:
        raise UnsafeFile(path, bad)
    if info.st_size > limit.size and not limit.prefix:
        raise UnsafeFile(path, f"larger than {_human(limit.size)} ({_human(info.st_size)})")
    chunks: list[bytes] = []
    left = limit.size + 1  # one byte more tells a file that grew past the cap
    while left > 0:
        chunk = os.read(fd, min(left, _MIB))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit.size:
        if not limit.prefix:
            raise UnsafeFile(path, f"larger than {_human(limit.size)}")
        data = data[:limit.size]
    return data


def _human(size: int) -> str:
    if size >= _MIB:
        return f"{size / _MIB:g} MiB"
    return f"{size / 1024:g} KiB" if size >= 1024 else f"{size} bytes"


def decode(data: bytes, path: StrPath) -> str:
    """Strict UTF-8, with a hint for a byte-order mark. Raises UnsafeFile."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise UnsafeFile(path, "starts with a UTF-8 byte-order mark (BOM): save it as UTF-8"
                               " without BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnsafeFile(path, f"not a text file (invalid UTF-8 at byte {e.start})") from e


def read_text(path: StrPath, kind: str | Limit) -> str:
    """The strict UTF-8 text of a regular file within the cap of `kind`. Raises UnsafeFile."""
    return decode(read_bytes(path, kind), path)


def read_lenient(path: StrPath, kind: str | Limit) -> str:
    """Text of an environment file; undecodable bytes become U+FFFD. Raises UnsafeFile."""
    return read_bytes(path, kind).decode("utf-8", errors="replace")


def read_optional(path: StrPath, kind: str | Limit) -> str | None:
    """read_lenient(), or None when the file is absent, special, too large or unreadable."""
    try:
        return read_lenient(path, kind)
    except UnsafeFile:
        return None


def list_dir(path: Path) -> list[str]:
    """The names in a directory, sorted. Raises UnsafeFile with the reason."""
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise UnsafeFile(path, _os_reason(path, e)) from e
