"""Run the probes against a host and assemble a Fingerprint."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from envaudit import __version__
from envaudit.lockfile import SCHEMA
from envaudit.model import SECTIONS, Fingerprint, Meta, Unavailable
from envaudit.probes.interface import Host, Probe, ProbeUnavailable

DEFAULT_TIMEOUT = 5.0

# Progress callback: receives one short line per step (the CLI prints it on stderr).
Progress = Callable[[str], None]


def default_probes(
    *, deep: bool = False, timeout: float = DEFAULT_TIMEOUT, raw_ids: bool = False,
    gpu: bool = True,
) -> list[Probe]:
    """The probes of a snapshot, in the order they run. No ML framework is imported
    unless `deep` is set, and then only in child processes."""
    from envaudit.probes.cpu import CpuProbe
    from envaudit.probes.env import EnvProbe
    from envaudit.probes.packages import PackagesProbe
    from envaudit.probes.platform import PlatformProbe
    from envaudit.probes.python import PythonProbe

    probes: list[Probe] = [PythonProbe(), PlatformProbe(), CpuProbe(), PackagesProbe(), EnvProbe()]
    if gpu:  # False: only the core sections (the benchmark's baseline)
        probes.extend(_gpu_probes(deep=deep, timeout=timeout, raw_ids=raw_ids))
    return probes


def _gpu_probes(*, deep: bool, timeout: float, raw_ids: bool) -> list[Probe]:
    try:
        from envaudit.probes import gpu_stack
    except ImportError:  # pragma: no cover - the GPU probes ship with the package
        return []
    return gpu_stack.probes(deep=deep, timeout=timeout, raw_ids=raw_ids)


def run_probe(probe: Probe, host: Host) -> Any:
    """The probe's section, or Unavailable with the reason it could not be collected."""
    try:
        return probe.collect(host)
    except ProbeUnavailable as e:
        return Unavailable(e.reason)
    except Exception as e:  # a probe bug must not cost the user their snapshot
        return Unavailable(f"probe {type(probe).__name__} failed: {type(e).__name__}: {e}")


def snapshot(
    host: Host | None = None,
    probes: Sequence[Probe] | None = None,
    *,
    created: str | None = None,
    progress: Progress | None = None,
) -> Fingerprint:
    host = host or Host()
    sections: dict[str, Any] = {}
    for probe in probes if probes is not None else default_probes():
        if progress is not None:
            progress(f"probing {probe.section}")
        sections[probe.section] = run_probe(probe, host)
    for section in SECTIONS:
        if section.required:
            sections.setdefault(section.attr, Unavailable("no probe ran for this section"))
    meta = Meta(
        schema=SCHEMA,
        created=created or _now(),
        tool=f"envaudit {__version__}",
    )
    return Fingerprint(meta=meta, **sections)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # RFC 3339, UTC
