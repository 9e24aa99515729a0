"""The Python API: what the CLI does, for serving start-up code and other tools.

    from envaudit.api import check
    report = check("envaudit.lock")          # live host against the lock
    if report.exit_code(FailOn.ERROR): ...
"""

from __future__ import annotations

import datetime
from pathlib import Path

from envaudit import lockfile
from envaudit.findings import Ignore, Policy
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
    """Compare `current` (the deployment side) against `locked` (the training reference).

    `policy` None means no policy (the catalog's defaults); check() discovers one.
    """
    from envaudit.rules.engine import evaluate

    notes = list(locked.notes)
    if isinstance(current, LoadedLock):
        notes += current.notes
        current = current.fingerprint
    policy = policy or Policy()
    matched: set[Ignore] = set()
    findings = evaluate(
        locked.fingerprint, current,
        notes=[n for n in notes if n.code == "content-hash"], policy=policy, matched=matched,
    )
    other = [n.message for n in notes if n.code != "content-hash"]
    other += [unmatched_note(ig) for ig in policy.ignore
              if ig not in matched and ig.active(datetime.date.today())]
    return make_report(findings, locked_source, current_source, other, policy.describe())


def unmatched_note(ig: Ignore) -> str:
    """The warning for a policy ignore that dropped nothing: a stale or misspelt entry."""
    subject = f" subject {ig.subject!r}" if ig.subject else ""
    return (f"warning: policy ignore of {ig.rule}{subject} matched no finding"
            " (check the rule id and subject: `envaudit diff --format json` shows them)")


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

    With `policy` None the policy is found as the CLI finds it (envaudit.toml or
    [tool.envaudit] in pyproject.toml, from the current directory up to the repository
    root), so start-up checks and the CLI gate decide alike. Raises
    envaudit.errors.LockfileError when a lock is missing or invalid, ConfigError for a
    broken policy.
    """
    if policy is None:
        from envaudit.config import load_policy

        policy = load_policy()
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
