"""The Python API: what the CLI does, for serving start-up code and other tools.

    from envaudit.api import check
    report = check("envaudit.lock")          # live host against the lock
    if report.exit_code(FailOn.ERROR): ...
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from envaudit import lockfile
from envaudit.findings import Policy
from envaudit.lockfile import LoadedLock
from envaudit.model import Fingerprint, Unavailable
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
    other += _unverified(locked.fingerprint, current, current_source)
    return make_report(findings, locked_source, current_source, other)


def _unverified(locked: Fingerprint, current: Fingerprint, source: str) -> tuple[str, ...]:
    """Loud, not silent: locked model artifacts that the deployment side did not check."""
    if isinstance(locked.artifacts, Unavailable) or not isinstance(current.artifacts,
                                                                   Unavailable):
        return ()
    paths = ", ".join(a.path for a in locked.artifacts)
    return (f"the lock records model artifacts ({paths}) that {source} did not verify"
            " (take that lock with snapshot --artifact, or diff on the deployment host)",)


def check(
    lock: str | Path = lockfile.DEFAULT_PATH,
    *,
    against: str | Path | None = None,
    policy: Policy | None = None,
    deep: bool = False,
    timeout: float | None = None,
    progress: Progress | None = None,
    artifacts: Sequence[str] = (),
    artifact_progress: Progress | None = None,
) -> Report:
    """Load `lock` and compare this host (or the lock `against`) with it.

    Raises envaudit.errors.LockfileError when a lock is missing or invalid. The artifacts
    the lock records are re-read on this host, at their locked paths or at `artifacts`
    (matched by name); with `against`, the other lock's [[artifacts]] are compared.
    """
    locked = lockfile.load(Path(lock))
    current: LoadedLock | Fingerprint
    if against is not None:
        if artifacts:
            from envaudit.artifacts.interface import ArtifactError

            raise ArtifactError("--artifact reads this host's files; with --against the other"
                                " lock's [[artifacts]] are compared")
        current = lockfile.load(Path(against))
        source = str(against)
    else:
        kwargs = {"deep": deep} if timeout is None else {"deep": deep, "timeout": timeout}
        current = snapshot(probes=default_probes(**kwargs), progress=progress)
        current = _verify(locked.fingerprint, current, artifacts, artifact_progress)
        source = "this host"
    return diff(locked, current, locked_source=str(lock), current_source=source, policy=policy)


def _verify(locked: Fingerprint, current: Fingerprint, overrides: Sequence[str],
            progress: Progress | None) -> Fingerprint:
    if isinstance(locked.artifacts, Unavailable) and not overrides:
        return current  # nothing to verify: no artifacts module imported
    from envaudit.artifacts.api import verify

    return verify(locked, current, overrides, progress=progress)
