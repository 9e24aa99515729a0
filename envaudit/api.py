"""The Python API: what the CLI does, for serving start-up code, notebooks and other tools.

    import envaudit
    envaudit.require("envaudit.lock")        # raises envaudit.DriftError on drift
    report = envaudit.audit("envaudit.lock", fail_on="warning")
    lock = envaudit.snapshot("envaudit.lock", python="/opt/venv/bin/python")
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from envaudit import lockfile
from envaudit.choices import FailOn
from envaudit.collect import Progress, default_probes
from envaudit.collect import snapshot as take
from envaudit.errors import DriftError, UsageError
from envaudit.findings import Ignore, Policy
from envaudit.lockfile import LoadedLock
from envaudit.model import Fingerprint, Unavailable
from envaudit.pipeline.interface import Pipeline
from envaudit.probes.interface import Probe
from envaudit.report import Report, make_report

if TYPE_CHECKING:
    from envaudit.probes.interpreter import Audited

__all__ = ["DriftError", "audit", "check", "diff", "render", "require", "snapshot"]

PathLike = Union[str, Path]
PolicyLike = Union[Policy, PathLike, None]
_log = logging.getLogger("envaudit")


def diff(
    locked: LoadedLock,
    current: LoadedLock | Fingerprint,
    *,
    locked_source: str = "lock",
    current_source: str = "this host",
    policy: Policy | None = None,
    footprint: frozenset[str] = frozenset(),
) -> Report:
    """Compare `current` (the deployment side) against `locked` (the training reference).

    `policy` None means no policy (the catalog's defaults); check() discovers one.
    `footprint`: envaudit's own dependencies when `current` is the interpreter envaudit
    runs in; those training did not have are set aside and reported once (PKG-090).
    """
    from envaudit.footprint import set_aside
    from envaudit.rules.engine import evaluate

    notes = list(locked.notes)
    if isinstance(current, LoadedLock):
        notes += current.notes
        current = current.fingerprint
    current, aside = set_aside(locked.fingerprint, current, footprint)
    policy = policy or Policy()
    matched: set[Ignore] = set()
    findings = evaluate(
        locked.fingerprint, current,
        notes=[n for n in notes if n.code == "content-hash"], policy=policy, matched=matched,
        footprint=aside,
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


def _live(locked: Optional[Fingerprint], probes: list[Probe], progress: Progress | None,
          probe: bool | None, target: Audited) -> Fingerprint:
    """A snapshot of the audited interpreter and this host, with the lock's behavioural
    probes run live when asked (they run inside envaudit's own interpreter only)."""
    asked = probe is True or (probe is None and locked is not None
                              and not isinstance(locked.behaviour, Unavailable))
    if asked and not target.own:
        if probe:
            raise UsageError("--probe runs envaudit's behavioural probes inside the audited"
                             " interpreter, which needs envaudit installed there: run"
                             " envaudit from that environment instead of --python")
        _log.warning("behavioural probes not run: they need envaudit inside the audited"
                     " interpreter")
    if not asked or not target.own:
        return take(target.host, probes=probes, progress=progress)
    from envaudit.behaviour.api import probed_snapshot, recorded_libraries

    libraries = recorded_libraries(locked) if locked is not None else None
    return probed_snapshot(probes, libraries=libraries, progress=progress)


def live(
    python: Optional[str] = None, *, deep: bool = False, timeout: Optional[float] = None,
    progress: Progress | None = None, say: Progress | None = None,
    probe: bool | None = False, locked: Optional[Fingerprint] = None, raw_ids: bool = False,
) -> tuple[Fingerprint, str, Audited]:
    """A snapshot of the interpreter to audit (probes.interpreter.choose), its description,
    and the audited interpreter. `say` hears which interpreter was chosen when an active
    venv decided it (default: the "envaudit" logger)."""
    from envaudit.probes.interpreter import audited

    kwargs: dict[str, Any] = {"deep": deep, "raw_ids": raw_ids}
    if timeout is not None:
        kwargs["timeout"] = timeout
    target = audited(python, say=say or _log.info,
                     timeout=10.0 if timeout is None else max(timeout, 10.0))
    fp = _live(locked, default_probes(**kwargs), progress, probe, target)
    where = "this host" if target.host.interpreter is None else (
        f"this host ({target.host.interpreter})")
    return fp, where, target


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
    python: Optional[str] = None,
    say: Progress | None = None,
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
    ArtifactError). The live side is `python`, an active venv, or this interpreter; `say`
    hears which. Raises LockfileError when a lock is missing or invalid, ConfigError for a
    broken policy, PipelineError when a pipeline file is invalid.
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
    if against is not None:
        current: LoadedLock | Fingerprint = _against(Path(against), artifacts)
        source, own = str(against), frozenset[str]()
    else:
        current, source, target = live(python, deep=deep, timeout=timeout, progress=progress,
                                       say=say, probe=probe, locked=locked.fingerprint)
        current = _verify(locked.fingerprint, current, artifacts, artifact_progress)
        own = _own(target, locked.fingerprint, current)
    if contracts is not None:
        current = _with_pipelines(current, contracts)
    report = diff(locked, current, locked_source=str(lock), current_source=source, policy=policy,
                  footprint=own)
    from envaudit.scrub import one_line  # names and notes from the contract files: one line

    return dataclasses.replace(report, notes=(*(one_line(n, 2000) for n in reader_notes),
                                              *report.notes),
                               pipelines=tuple(sorted(one_line(c, 200) for c in contracts or ())))


def _own(target: Audited, locked: Fingerprint, current: Fingerprint) -> frozenset[str]:
    """envaudit's own dependencies when the audited interpreter is the one running envaudit,
    computed only when the deployment side has a package the lock lacks (parsing metadata
    requirements imports packaging.markers, tens of ms: not for a diff that cannot use it)."""
    if not target.own or not isinstance(current.packages, tuple):
        return frozenset()
    had = {p.name for p in locked.packages} if isinstance(locked.packages, tuple) else set()
    if all(p.name in had for p in current.packages):
        return frozenset()
    from envaudit.footprint import own_dependencies

    return own_dependencies(target.host.distributions)


def _against(against: Path, artifacts: Sequence[str]) -> LoadedLock:
    """The lock of --against; --artifact (this host's files) does not apply to it."""
    if artifacts:
        from envaudit.artifacts.interface import ArtifactError

        raise ArtifactError("--artifact reads this host's files; with --against the other"
                            " lock's [[artifacts]] are compared")
    return lockfile.load(against)


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


def snapshot(path: PathLike | None = None, *, python: Optional[str] = None,
             deep: bool = False) -> Fingerprint:
    """Take a snapshot (of `python`, an active venv, or this interpreter); write it to `path`."""
    fp, _, _ = live(python, deep=deep)
    if path is not None:
        from envaudit.output import write_atomic

        write_atomic(Path(path), lockfile.dumps(fp))
    return fp


def _fail_on(value: FailOn | str) -> FailOn:
    try:
        return FailOn(value)
    except ValueError:
        choices = ", ".join(f.value for f in FailOn)
        raise UsageError(f"fail_on={value!r} is not one of {choices}") from None


def _policy(policy: PolicyLike) -> Policy:
    if isinstance(policy, Policy):
        return policy
    from envaudit.config import load_policy

    return load_policy(None if policy is None else Path(policy))


def audit(lock: PathLike = lockfile.DEFAULT_PATH, *, against: PathLike | None = None,
          fail_on: FailOn | str = FailOn.ERROR, policy: PolicyLike = None,
          python: Optional[str] = None, deep: bool = False) -> Report:
    """The report of `envaudit diff LOCK` (policy: a Policy, a config file, or None to find
    one in the current directory, as the CLI does); `report.ok` applies `fail_on`."""
    threshold = _fail_on(fail_on)
    report = check(lock, against=against, policy=_policy(policy), python=python, deep=deep)
    return dataclasses.replace(report, fail_on=threshold)


def require(lock: PathLike = lockfile.DEFAULT_PATH, *, fail_on: FailOn | str = FailOn.ERROR,
            against: PathLike | None = None, policy: PolicyLike = None,
            python: Optional[str] = None) -> Report:
    """audit(), then raise DriftError listing every finding at or above `fail_on`.

    Returns the report when the environment passes: the same decision as the exit code
    of `envaudit diff LOCK --fail-on FAIL_ON` with the same policy."""
    report = audit(lock, against=against, fail_on=fail_on, policy=policy, python=python)
    if not report.ok:
        raise DriftError(report)
    return report


def render(report: Report, format: str = "json") -> str:
    """The report as the CLI would print it with --format FORMAT (text without colour)."""
    from envaudit.choices import FormatChoice
    from envaudit.formats import get_format

    try:
        choice = FormatChoice(format)
    except ValueError:
        choices = ", ".join(f.value for f in FormatChoice)
        raise UsageError(f"format={format!r} is not one of {choices}") from None
    return get_format(choice).render(report, report.fail_on)
