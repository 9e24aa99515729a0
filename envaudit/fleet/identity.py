"""Who a report is about: hostname, a stable (salted) host id, the time, the lock and the model.

The stable id comes from the machine ID, which systemd documents as confidential: "it
should be hashed with a cryptographic, keyed hash function, using a fixed,
application-specific key" (machine-id(5),
https://www.freedesktop.org/software/systemd/man/latest/machine-id.html). We hash it
the way GPU UUIDs are hashed (envaudit.probes.gpu_nvml.hash_id); --raw-ids keeps it raw.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from envaudit import safeio

MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


@dataclass(frozen=True)
class HostIdentity:
    """The host a report describes, so that many reports can be merged."""

    hostname: str
    host_id: str
    # Where host_id comes from: "machine-id", "hostname" or "lock-path" (diff --against).
    id_source: str
    timestamp: float
    lock_content_hash: str = ""
    model: str = ""

    @property
    def time(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.timestamp))

    def to_dict(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname, "id": self.host_id, "id_source": self.id_source,
            "time": self.time, "lock_content_hash": self.lock_content_hash,
            "model": self.model or None,
        }


def read_machine_id(files: tuple[Path, ...] = MACHINE_ID_FILES) -> Optional[str]:
    """The host's machine ID, or None where no file has one (many containers)."""
    for path in files:
        try:
            value = safeio.read_bytes(path, "small").decode("ascii").strip()
        except (safeio.UnsafeFile, UnicodeDecodeError):
            continue
        if value and value != "uninitialized":
            return value
    return None


def identify(
    *, against: Optional[str] = None, hostname: Optional[str] = None, model: str = "",
    raw_ids: bool = False, lock_content_hash: str = "", machine_id: Optional[str] = None,
    now: Optional[float] = None,
) -> HostIdentity:
    """This host's identity; for `diff --against LOCK` the host is the one LOCK describes."""
    import socket

    from envaudit.probes.gpu_nvml import hash_id

    name = hostname or (against if against is not None else socket.gethostname())
    if against is None and hostname is None:
        mid = machine_id if machine_id is not None else read_machine_id()
        raw, source = (mid, "machine-id") if mid else (name, "hostname")
    else:
        raw, source = name, ("hostname" if hostname else "lock-path")
    return HostIdentity(
        hostname=name, host_id=raw if raw_ids else hash_id(raw), id_source=source,
        timestamp=time.time() if now is None else now,
        lock_content_hash=lock_content_hash, model=model,
    )

