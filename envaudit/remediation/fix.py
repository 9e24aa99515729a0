"""`envaudit fix`: the pip-tools sync plan that brings the Python side back to the lock.

The plan is pip-tools' own (piptools.sync.diff over the lock's exact pins and the target's
installed distributions); `--apply` hands it to piptools.sync.sync, which runs the target's
pip. envaudit's own dependencies are never uninstalled from the interpreter it runs in.
Anything outside the Python packages (driver, GPU, system CUDA libraries, env vars) is
explained as manual steps, never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit.errors import RemediationError
from envaudit.findings import Finding
from envaudit.model import Fingerprint
from envaudit.remediation.requirements import requirement_lines

PACKAGE_GROUPS = frozenset({"packages"})


@dataclass(frozen=True)
class Plan:
    """What pip-tools would change, and what only a person can."""

    python: str
    install: tuple[str, ...]  # "name==version"
    uninstall: tuple[str, ...]  # names
    manual: tuple[Finding, ...] = ()
    kept: tuple[str, ...] = ()  # envaudit's own dependencies pip-tools would have removed

    @property
    def changes(self) -> bool:
        return bool(self.install or self.uninstall)


def _piptools() -> Any:
    import warnings

    try:
        with warnings.catch_warnings():
            # pip's vendored pkg_resources warns that it is deprecated on import: pip's
            # business, not the user's (https://setuptools.pypa.io/en/latest/pkg_resources.html).
            warnings.simplefilter("ignore", DeprecationWarning)
            import pip._internal.metadata
            import pip._internal.req.constructors  # noqa: F401  (imported quietly here)
            import piptools._compat
            import piptools.sync
    except ImportError as e:
        raise RemediationError("envaudit fix needs pip-tools: pip install 'envaudit-ml[fix]'"
                               ) from e
    return piptools.sync


def _installed(sys_path: Sequence[str]) -> list[Any]:
    """The target's distributions as pip-tools reads them (pip-sync --python-executable)."""
    from pip._internal.metadata import get_environment
    from piptools._compat import Distribution

    env = get_environment(list(sys_path))
    return [Distribution.from_pip_distribution(d)
            for d in env.iter_installed_distributions(local_only=False, skip=[])]


def _requirements(lines: Sequence[str]) -> list[Any]:
    from pip._internal.req.constructors import install_req_from_line

    return [install_req_from_line(line) for line in lines]


def sync_diff(locked: Fingerprint, sys_path: Sequence[str],
              keep: frozenset[str]) -> tuple[list[Any], list[str], tuple[str, ...]]:
    """pip-tools' (to_install, to_uninstall), minus `keep`; and what `keep` saved."""
    sync = _piptools()  # first: imports pip and pip-tools quietly
    to_install, to_uninstall = sync.diff(_requirements(requirement_lines(locked)),
                                         _installed(sys_path))
    from piptools.utils import key_from_ireq

    kept = tuple(sorted(n for n in to_uninstall if n in keep))
    install = sorted(to_install, key=key_from_ireq)
    return install, sorted(n for n in to_uninstall if n not in keep), kept


def manual_steps(findings: Sequence[Finding], planned: frozenset[str]) -> tuple[Finding, ...]:
    """Findings the package plan does not cover: not a package rule, not a planned name."""
    return tuple(f for f in findings
                 if f.group not in PACKAGE_GROUPS and f.subject not in planned
                 and f.severity.rank >= 2)


def apply(install: Sequence[Any], uninstall: Sequence[str], python: str,
          flags: Sequence[str]) -> None:
    """Carry the plan out with pip-tools (the target's pip uninstalls, then installs)."""
    import subprocess

    sync = _piptools()
    try:
        code = sync.sync(install, uninstall, dry_run=False, install_flags=list(flags),
                         python_executable=python)
    except subprocess.CalledProcessError as e:
        raise RemediationError(f"pip exited {e.returncode} while applying the plan") from e
    if code:
        raise RemediationError(f"pip-tools' sync exited {code}")


@dataclass(frozen=True)
class FixRun:
    """A computed fix: the plan, and pip-tools' requirement objects to carry it out."""

    plan: Plan
    install: tuple[Any, ...]
    indexes: tuple[str, ...]  # the package indexes the lock's local labels need


def plan_fix(lock: str, *, python: str | None, policy: Any = None,
             say: Any = None) -> FixRun:
    """Load `lock`, snapshot the interpreter to audit, and compute pip-tools' plan."""
    import sys

    from envaudit import api, lockfile
    from envaudit.collect import default_probes
    from envaudit.collect import snapshot as take
    from envaudit.footprint import own_dependencies
    from envaudit.probes.interpreter import audited
    from envaudit.remediation.interface import pins

    locked = lockfile.load(Path(lock))
    target = audited(python, say=say)
    keep = own_dependencies(target.host.distributions) if target.own else frozenset()
    current = take(target.host, probes=default_probes())
    report = api.diff(locked, current, locked_source=lock, policy=policy, footprint=keep)
    install, uninstall, kept = sync_diff(locked.fingerprint, target.host.sys_path, keep)
    from piptools.utils import format_requirement

    lines = tuple(format_requirement(r) for r in install)
    planned = frozenset(r.name.lower() for r in install if r.name) | frozenset(uninstall)
    plan = Plan(python=target.host.interpreter or sys.executable, install=lines,
                uninstall=tuple(uninstall), manual=manual_steps(report.findings, planned),
                kept=kept)
    indexes = tuple(dict.fromkeys(p.index for p in pins(locked.fingerprint) if p.index))
    return FixRun(plan, tuple(install), indexes)


def render_plan(plan: Plan, lock: str) -> str:
    """The plan as text (pure: the CLI prints it)."""
    out = [f"Plan for {plan.python} against {lock} (pip-tools sync):"]
    if plan.uninstall:
        out += ["  Would uninstall:", *(f"    {n}" for n in plan.uninstall)]
    if plan.install:
        out += ["  Would install:", *(f"    {line}" for line in plan.install)]
    if not plan.changes:
        out.append("  The Python packages match the lock: nothing to install or uninstall.")
    if plan.kept:
        out.append(f"  Kept (envaudit's own dependencies): {', '.join(plan.kept)}")
    if plan.manual:
        out.append("Outside the Python packages, manual steps (envaudit changes nothing here):")
        for f in plan.manual:
            out += [f"  {f.severity.value.upper()} {f.rule} {f.subject}: {f.message}",
                    f"      fix: {' '.join(f.fix.split())}"]
    return "\n".join(out) + "\n"
