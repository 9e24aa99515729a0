"""The probe role: a Host view, the Probe base class, and the probe's error."""

from __future__ import annotations

import functools
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from envaudit.model import PythonInfo

if TYPE_CHECKING:
    from envaudit.probes.distributions import Distribution


DeepRunner = Callable[..., Mapping[str, str]]


class ProbeUnavailable(Exception):
    """Raised by a probe that cannot collect its section; becomes Unavailable(reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Host:
    """What probes look at. The live host by default; tests point it at a fake tree.

    `root` prefixes every absolute system path a probe reads (/proc, /sys, /usr...);
    `sys_path` is where distributions are searched, in import order. The optional
    arguments replace what the probes would ask the running process or kernel (None:
    ask it); tests pass them to describe a captured host.
    """

    root: Path = Path("/")
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    sys_path: tuple[str, ...] = field(default_factory=lambda: tuple(sys.path))
    # A module with pynvml's API, used instead of importing pynvml.
    nvml: Any = None
    # The interpreter's facts instead of the running one's.
    python: Optional[PythonInfo] = None
    # (name, version) of the C library instead of confstr(CS_GNU_LIBC_VERSION).
    libc: Optional[tuple[str, str]] = None
    # os.uname()'s five fields (sysname, nodename, release, version, machine).
    uname: Optional[tuple[str, ...]] = None
    cpu_count: Optional[int] = None
    # Runs one framework's --deep child: (framework, timeout=seconds) -> facts.
    deep_runner: Optional[DeepRunner] = None
    # The interpreter audited with --python (its --deep children run under it); None: this one.
    interpreter: Optional[str] = None

    def path(self, absolute: str) -> Path:
        """`absolute` (e.g. "/proc/cpuinfo") seen from this host's root."""
        if self.root == Path("/"):
            return Path(absolute)
        return self.root / absolute.lstrip("/")

    @functools.cached_property
    def distributions(self) -> tuple[Distribution, ...]:
        """Every distribution on sys_path in import order, scanned once per Host (snapshot)."""
        from envaudit.probes.distributions import iter_distributions

        return tuple(iter_distributions(self.sys_path))

    def read_text(self, absolute: str, limit: int = 1 << 20) -> str | None:
        """The start of a regular text file, or None when it is absent, special or unreadable."""
        from envaudit.safeio import Limit, read_optional

        return read_optional(self.path(absolute), Limit(limit, prefix=True))


class Probe(ABC):
    """Collects one Fingerprint section. Raise ProbeUnavailable for an expected failure."""

    #: The Fingerprint attribute this probe fills.
    section: ClassVar[str]

    @abstractmethod
    def collect(self, host: Host) -> Any:
        """Return the section's value for `host`."""
