"""The Python API: what the CLI does, for serving start-up code and other tools.

    from envaudit.api import check
    report = check("envaudit.lock")          # live host against the lock
    if report.exit_code(FailOn.ERROR): ...
"""

from __future__ import annotations

from pathlib import Path

from envaudit import lockfile
from envaudit.findings import Policy
from envaudit.lockfile import LoadedLock
from envaudit.model import Fingerprint
from envaudit.report import Report, make_report
from envaudit.snapshot import Progress, default_probes, snapshot


def diff(
    locked: LoadedLock,
    current: LoadedLock | Fingerprint,
    *,
    locked_source: str = "lock",
    current_source: str = "this host",
    policy: Policy | None = None,
) -> Report:
    """Compare `current` (the deployment side) against `locked` (the training reference)."""
    from envaudit.rules.engine import evaluate

    notes = list(locked.notes)
    if isinstance(current, LoadedLock):
        notes += current.notes
        current = current.fingerprint
    findings = evaluate(
        locked.fingerprint, current,
        notes=[n for n in notes if n.code == "content-hash"], policy=policy,
    )
    other = tuple(n.message for n in notes if n.code != "content-hash")
    return make_report(findings, locked_source, current_source, other)


def check(
    lock: str | Path = lockfile.DEFAULT_PATH,
    *,
    against: str | Path | None = None,
    policy: Policy | None = None,
    deep: bool = False,
    timeout: float | None = None,
    progress: Progress | None = None,
) -> Report:
    """Load `lock` and compare this host (or the lock `against`) with it.

    Raises envaudit.errors.LockfileError when a lock is missing or invalid.
    """
    locked = lockfile.load(Path(lock))
    current: LoadedLock | Fingerprint
    if against is not None:
        current = lockfile.load(Path(against))
        source = str(against)
    else:
        kwargs = {"deep": deep} if timeout is None else {"deep": deep, "timeout": timeout}
        current = snapshot(probes=default_probes(**kwargs), progress=progress)
        source = "this host"
    return diff(locked, current, locked_source=str(lock), current_source=source, policy=policy)
