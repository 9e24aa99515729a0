"""The Python API: what the CLI does, for serving start-up code and other tools.

    from envaudit.api import check
    report = check("envaudit.lock")          # live host against the lock
    if report.exit_code(FailOn.ERROR): ...
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

from envaudit import lockfile
from envaudit.findings import Ignore, Policy
from envaudit.lockfile import LoadedLock
from envaudit.model import Fingerprint, Unavailable
from envaudit.pipeline.interface import Pipeline
from envaudit.probes.interface import Probe
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
    if not (isinstance(locked.fingerprint.pipelines, Unavailable)
            and isinstance(current.pipelines, Unavailable)):
        from envaudit.pipeline.attach import diff_notes

        other += diff_notes(locked.fingerprint, current)
    other += _unverified(locked.fingerprint, current, current_source)
    return make_report(findings, locked_source, current_source, other, policy.describe(),
                       lock_content_hash=locked.fingerprint.meta.content_hash)


def unmatched_note(ig: Ignore) -> str:
    """The warning for a policy ignore that dropped nothing: a stale or misspelt entry."""
    subject = f" subject {ig.subject!r}" if ig.subject else ""
    return (f"warning: policy ignore of {ig.rule}{subject} matched no finding"
            " (check the rule id and subject: `envaudit diff --format json` shows them)")


def _unverified(locked: Fingerprint, current: Fingerprint, source: str) -> tuple[str, ...]:
    """Loud, not silent: locked model artifacts that the deployment side did not check."""
    if isinstance(locked.artifacts, Unavailable) or not isinstance(current.artifacts,
                                                                   Unavailable):
        return ()
    paths = ", ".join(a.path for a in locked.artifacts)
    return (f"the lock records model artifacts ({paths}) that {source} did not verify"
            " (take that lock with snapshot --artifact, or diff on the deployment host)",)


def _live(locked: Fingerprint, probes: list[Probe], progress: Progress | None,
          probe: bool | None) -> Fingerprint:
    """A snapshot of this host, with the lock's behavioural probes run live when asked."""
    if probe is False or (isinstance(locked.behaviour, Unavailable) and not probe):
        return snapshot(probes=probes, progress=progress)
    from envaudit.behaviour.api import probed_snapshot, recorded_libraries

    return probed_snapshot(probes, libraries=recorded_libraries(locked), progress=progress)


def check(
    lock: str | Path = lockfile.DEFAULT_PATH,
    *,
    against: str | Path | None = None,
    policy: Policy | None = None,
    deep: bool = False,
    timeout: float | None = None,
    progress: Progress | None = None,
    probe: bool | None = None,
    pipelines: Sequence[str] = (),
    pipeline_format: str = "auto",
    artifacts: Sequence[str] = (),
    artifact_progress: Progress | None = None,
) -> Report:
    """Load `lock` and compare this host (or the lock `against`) with it.

    With `policy` None the policy is found as the CLI finds it (envaudit.toml or
    [tool.envaudit] in pyproject.toml, from the current directory up to the repository
    root), so start-up checks and the CLI gate decide alike. `probe`: run the lock's
    behavioural probes live (None: when the lock has them; no effect with `against`, whose
    recorded results are compared). `pipelines` ([NAME=]FILE) are the deployment's pipeline
    configs, checked against the lock's [pipelines]. The model artifacts the lock records are
    re-read on this host, at their locked paths or at `artifacts` (matched by name); with
    `against`, the other lock's [[artifacts]] are compared (and `artifacts` is an
    ArtifactError). Raises LockfileError when a lock is missing or invalid, ConfigError for a
    broken policy, and
    envaudit.pipeline.interface.PipelineError when a pipeline file is invalid.
    """
    if policy is None:
        from envaudit.config import load_policy

        policy = load_policy()
    locked = lockfile.load(Path(lock))
    contracts = None
    reader_notes: list[str] = []
    if pipelines:  # read first: a bad file fails before the probes run
        from envaudit.pipeline.attach import for_diff

        contracts = for_diff(pipelines, pipeline_format, locked.fingerprint.pipelines,
                             reader_notes)
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
        current = _live(locked.fingerprint, default_probes(**kwargs), progress, probe)
        current = _verify(locked.fingerprint, current, artifacts, artifact_progress)
        source = "this host"
    if contracts is not None:
        current = _with_pipelines(current, contracts)
    report = diff(locked, current, locked_source=str(lock), current_source=source, policy=policy)
    from envaudit.scrub import one_line  # names and notes from the contract files: one line

    return dataclasses.replace(report, notes=(*(one_line(n, 2000) for n in reader_notes),
                                              *report.notes),
                               pipelines=tuple(sorted(one_line(c, 200) for c in contracts or ())))


def _with_pipelines(current: LoadedLock | Fingerprint, contracts: Mapping[str, Pipeline]
                    ) -> LoadedLock | Fingerprint:
    """`current` with the deployment's pipelines read from --pipeline files."""
    from envaudit.pipeline.attach import with_pipelines

    if isinstance(current, LoadedLock):
        return dataclasses.replace(current, fingerprint=with_pipelines(current.fingerprint,
                                                                       contracts))
    return with_pipelines(current, contracts)


def _verify(locked: Fingerprint, current: Fingerprint, overrides: Sequence[str],
            progress: Progress | None) -> Fingerprint:
    if isinstance(locked.artifacts, Unavailable) and not overrides:
        return current  # nothing to verify: no artifacts module imported
    from envaudit.artifacts.api import verify

    return verify(locked, current, overrides, progress=progress)
