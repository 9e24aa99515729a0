"""What `snapshot --probe` and `diff` do with behavioural probes, for the CLI to call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Optional

from envaudit.behaviour.interface import LibraryRun
from envaudit.model import Fingerprint, Unavailable
from envaudit.probes.interface import Probe

Progress = Optional[Callable[[str], None]]


def _summary(fp: Fingerprint) -> list[str]:
    """One stderr line per failing probe (libraries not probed were said by the progress)."""
    if isinstance(fp.behaviour, Unavailable):
        return [f"output probes did not run: {fp.behaviour.reason}"]
    return [f"probe {r.key} failed: {r.error}" for run in fp.behaviour.values()
            if isinstance(run, LibraryRun) for r in run.results if r.error]


def probed_snapshot(probes: Sequence[Probe], *, libraries: Sequence[str] | None = None,
                    progress: Progress = None) -> Fingerprint:
    """A snapshot with the [behaviour] section: each library's probes in a child process,
    progress on stderr; what could not be probed is said on stderr too."""
    from envaudit.behaviour.catalog import load_probe_catalog
    from envaudit.behaviour.progress import stderr_progress
    from envaudit.behaviour.runner import BehaviourProbe
    from envaudit.collect import snapshot
    from envaudit.output import err

    names = list(libraries) if libraries is not None else list(load_probe_catalog())
    with stderr_progress(names) as events:
        fp = snapshot(probes=[*probes, BehaviourProbe(libraries=names, events=events)],
                      progress=progress)
    for line in _summary(fp):
        err(f"envaudit: {line}")
    return fp


def recorded_libraries(fp: Fingerprint) -> list[str] | None:
    """The libraries a lock has probe results for (to run the same live), None if none."""
    from envaudit.behaviour.catalog import load_probe_catalog

    if isinstance(fp.behaviour, Unavailable):
        return None
    known = load_probe_catalog()
    if not any(isinstance(run, LibraryRun) for run in fp.behaviour.values()):
        return None
    return [lib for lib in fp.behaviour if lib in known]
