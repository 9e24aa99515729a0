"""Build fingerprints for tests: a plain baseline host with keyword overrides."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from envaudit.findings import Finding
from envaudit.lockfile import LockNote
from envaudit.model import (
    CpuInfo,
    CudaLibrary,
    CudaToolkit,
    Fingerprint,
    Framework,
    Gpu,
    Meta,
    NvidiaInfo,
    Package,
    PlatformInfo,
    PythonInfo,
    Unavailable,
)

X86_V4 = ("avx", "avx2", "avx512f", "cx16", "fma", "lahf_lm", "popcnt", "sse", "sse2", "sse3",
          "sse4_1", "sse4_2", "ssse3")

_UNSET: Any = object()


def fp(
    *,
    python: str = "3.11.7",
    implementation: str = "cpython",
    packages: Union[Mapping[str, str], Unavailable] = _UNSET,
    env: Union[Mapping[str, str], Unavailable] = _UNSET,
    cpu_flags: Iterable[str] = X86_V4,
    cpu_vendor: str = "GenuineIntel",
    cpu_count: int = 8,
    machine: str = "x86_64",
    libc_version: str = "2.36",
    os_id: str = "debian",
    nvidia: Union[tuple[str, str], Unavailable, None] = None,
    gpus: Union[Iterable[Union[tuple[str, str], Gpu]], Unavailable, None] = None,
    frameworks: Union[Mapping[str, Framework], Unavailable, None] = None,
    cuda_libraries: Union[Iterable[CudaLibrary], Unavailable, None] = None,
    cuda_toolkit: Union[str, Unavailable, None] = None,
    runtime: Union[Mapping[str, Mapping[str, str]], Unavailable, None] = None,
    shadowed: Optional[Mapping[str, tuple[str, ...]]] = None,
    shared_imports: Optional[Mapping[str, tuple[str, ...]]] = None,
) -> Fingerprint:
    """A fingerprint. GPU-side sections default to Unavailable("not collected")."""
    pkgs: Any
    if isinstance(packages, Unavailable):
        pkgs = packages
    else:
        chosen = {"numpy": "2.1.0", "pip": "24.0"} if packages is _UNSET else packages
        pkgs = tuple(
            Package(name=n, version=v, shadowed=(shadowed or {}).get(n, ()),
                    shared_imports=(shared_imports or {}).get(n, ()))
            for n, v in sorted(chosen.items())
        )
    kw: dict[str, Any] = {}
    if nvidia is not None:
        kw["nvidia"] = nvidia if isinstance(nvidia, Unavailable) else NvidiaInfo(
            driver=nvidia[0], cuda_driver=nvidia[1], source="nvml")
    if gpus is not None:
        kw["gpus"] = gpus if isinstance(gpus, Unavailable) else tuple(
            g if isinstance(g, Gpu) else Gpu(index=i, name=g[0], compute_capability=g[1])
            for i, g in enumerate(gpus)
        )
    if frameworks is not None:
        kw["frameworks"] = frameworks
    if cuda_libraries is not None:
        kw["cuda_libraries"] = (cuda_libraries if isinstance(cuda_libraries, Unavailable)
                                else tuple(cuda_libraries))
    if cuda_toolkit is not None:
        kw["cuda_toolkit"] = (cuda_toolkit if isinstance(cuda_toolkit, Unavailable)
                              else CudaToolkit(version=cuda_toolkit))
    if runtime is not None:
        kw["runtime"] = runtime
    return Fingerprint(
        meta=Meta(schema="1.0", created="2026-01-01T00:00:00Z", tool="envaudit test"),
        python=PythonInfo(version=python, implementation=implementation,
                          executable="/usr/bin/python3", prefix="/usr", base_prefix="/usr",
                          virtualenv=False, tag=f"cp311-cp311-linux_{machine}"),
        platform=PlatformInfo(system="Linux", release="6.1.0", machine=machine, libc="glibc",
                              libc_version=libc_version, os_id=os_id, os_version="12"),
        cpu=CpuInfo(model="Test CPU", vendor=cpu_vendor, count=cpu_count,
                    flags=tuple(sorted(cpu_flags))),
        packages=pkgs,
        env={} if env is _UNSET else env,
        **kw,
    )


def torch_fw(version: str = "2.11.0+cu130", cuda: str = "13.0",
             arch: tuple[str, ...] = ("sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"),
             **details: str) -> Framework:
    return Framework(name="torch", version=version, cuda=cuda, arch_list=arch if cuda else (),
                     provided_by=("torch",), details=details)


def flat(findings: Iterable[Finding]) -> list[tuple[str, str]]:
    """(rule id, severity) of every finding, related ones included, sorted."""
    out: list[tuple[str, str]] = []
    for f in findings:
        out.append((f.rule, f.severity.value))
        out += [(r.rule, r.severity.value) for r in f.related]
    return sorted(out)


def run(locked: Fingerprint, current: Fingerprint, notes: Iterable[LockNote] = (),
        **kwargs: Any) -> list[Finding]:
    from envaudit.rules.engine import evaluate

    return evaluate(locked, current, notes=notes, **kwargs)


def ids(locked: Fingerprint, current: Fingerprint, **kwargs: Any) -> set[str]:
    return {rule for rule, _ in flat(run(locked, current, **kwargs))}


@dataclass(frozen=True)
class Scenario:
    """One catalog scenario: (training, deployment) -> rules that fire and rules that must not.

    Every test module named tests/test_rules_*.py exposes its scenarios as SCENARIOS;
    tests/test_catalog_coverage.py checks that each catalog rule fires in one scenario
    and stays silent in another.
    """

    id: str
    locked: Fingerprint
    current: Fingerprint
    # rule id -> expected severity ("error"/"warning"/"info"), lead or related finding.
    fires: Mapping[str, str] = field(default_factory=dict)
    silent: frozenset[str] = frozenset()
    notes: tuple[LockNote, ...] = ()
    # The audit day, for date rules (driver end of life); None: today.
    today: Optional[datetime.date] = None
    # envaudit's own dependencies set aside from the deployment side (envaudit.footprint).
    footprint: frozenset[str] = frozenset()
    # An envaudit.policy.Policy to evaluate with (None: the catalog defaults).
    policy: Any = None


def check_scenario(s: Scenario) -> None:
    extra: dict[str, Any] = {} if s.policy is None else {"policy": s.policy}
    if s.today is not None:
        extra["today"] = s.today
    if s.footprint:
        extra["footprint"] = s.footprint
    got = dict(flat(run(s.locked, s.current, s.notes, **extra)))
    for rule, severity in s.fires.items():
        assert rule in got, f"{s.id}: {rule} did not fire; got {sorted(got)}"
        assert got[rule] == severity, f"{s.id}: {rule} is {got[rule]}, expected {severity}"
    fired_silent = sorted(s.silent & set(got))
    assert not fired_silent, f"{s.id}: {fired_silent} fired but must not"


def pkg_scenario(sid: str, old: Mapping[str, str], new: Optional[Mapping[str, str]] = None,
                 fires: Optional[Mapping[str, str]] = None, silent: tuple[str, ...] = (),
                 locked: Optional[Mapping[str, Any]] = None,
                 current: Optional[Mapping[str, Any]] = None) -> Scenario:
    """A scenario from two package sets (new=None: the same) plus other fp() keywords."""
    return Scenario(sid, fp(packages=old, **(locked or {})),
                    fp(packages=old if new is None else new, **(current or {})),
                    fires or {}, frozenset(silent))


def cli_runner() -> Any:
    """typer's CliRunner with stdout and stderr apart (click < 8.2 mixes them by default)."""
    from typer.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()
