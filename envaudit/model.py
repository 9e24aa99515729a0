"""The fingerprint: frozen, typed facts about one environment that affect inference."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from envaudit import codec
from envaudit.facts import Fact as Fact
from envaudit.facts import Unavailable as Unavailable

if TYPE_CHECKING:  # annotations only: a plain snapshot loads none of these roles
    from envaudit.artifacts.interface import Artifact
    from envaudit.behaviour.interface import LibraryRun
    from envaudit.pipeline.interface import Pipeline

@dataclass(frozen=True)
class NoDriver(Unavailable):
    """The host has no NVIDIA driver at all: a state of the host, not a probe that failed.

    In the lock it is the `nvidia` reason that starts with PREFIX (see docs/lockfile.md).
    """

    PREFIX: ClassVar[str] = "no NVIDIA driver"

    @classmethod
    def because(cls, detail: str) -> NoDriver:
        return cls(f"{cls.PREFIX}: {detail}")


def unavailable(reason: str) -> Unavailable:
    """The value a lock's `[unavailable]` reason stands for."""
    return NoDriver(reason) if reason.startswith(NoDriver.PREFIX) else Unavailable(reason)




@dataclass(frozen=True)
class PythonInfo:
    """The interpreter that runs inference."""

    version: str
    implementation: str
    executable: str
    prefix: str
    base_prefix: str
    virtualenv: bool
    # The interpreter's own wheel tag, e.g. cp312-cp312-linux_x86_64 (docs/lockfile.md).
    tag: str


@dataclass(frozen=True)
class PlatformInfo:
    """Operating system, kernel, machine and C library."""

    system: str
    release: str
    machine: str
    libc: str = ""
    libc_version: str = ""
    os_id: str = ""
    os_version: str = ""
    os_name: str = ""


@dataclass(frozen=True)
class CpuInfo:
    """The CPU and the ISA flags that select inference kernels."""

    model: str
    vendor: str
    count: int
    # Only the ISA flags that select inference kernels (see probes/cpu.py).
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Package:
    """One installed distribution (the one Python imports)."""

    name: str
    version: str
    installer: str = ""
    requested: Optional[bool] = None
    direct_url: str = ""
    editable: bool = False
    # Versions of the same name found later on sys.path (shadowed, never imported).
    shadowed: tuple[str, ...] = ()
    # What could not be read of this distribution (its files were missing, special, too
    # large or invalid); "" when healthy. Name and version then come from the directory.
    problem: str = ""
    # Import packages it installs that another installed distribution installs too
    # (RECORD / top_level.txt; "nvidia/cudnn" for a namespace package's subpackage).
    shared_imports: tuple[str, ...] = ()
    # The `Tag:` lines of the wheel's WHEEL file (cp312-cp312-manylinux_2_28_x86_64...);
    # empty when not installed from a wheel or not recorded (older locks).
    wheel_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NvidiaInfo:
    """The NVIDIA driver."""

    driver: str
    # Highest CUDA version the driver supports ("13.0"), not the runtime in use.
    cuda_driver: str = ""
    nvml_version: str = ""
    source: str = ""


@dataclass(frozen=True)
class Gpu:
    """One GPU as NVML reports it."""

    index: int
    name: str
    compute_capability: str
    architecture: str = ""
    memory_total: Optional[int] = None
    multiprocessor_count: Optional[int] = None
    mig_mode: Optional[bool] = None
    ecc_mode: Optional[bool] = None
    persistence_mode: Optional[bool] = None
    compute_mode: str = ""
    pci_bus_id: str = ""
    power_limit_w: Optional[float] = None
    # A salted, truncated hash of the UUID; the raw UUID only with --raw-ids.
    uuid: str = ""
    visible: bool = True
    # Facts about this GPU that could not be read, each with its reason.
    unavailable: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Framework:
    """How an ML framework was built, read from its files without importing it."""

    name: str
    version: str
    # The CUDA version the build targets; "" for a CPU build.
    cuda: str = ""
    cudnn: str = ""
    arch_list: tuple[str, ...] = ()
    # Every distribution that installs this import package (more than one is a conflict).
    provided_by: tuple[str, ...] = ()
    # Other build facts (hip, git-version, contrib, headless, providers...).
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CudaLibrary:
    """One copy of a CUDA library (cuDNN, cuBLAS...) on disk."""

    name: str
    version: str
    path: str
    # "wheel:<dist>", "system" or "toolkit".
    source: str
    # Frameworks that resolve this copy at load time.
    used_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class CudaToolkit:
    """The CUDA toolkit installed on the host (not what frameworks load)."""

    version: str
    path: str = ""
    source: str = ""


#: The [behaviour] section when `snapshot --probe` did not run (also absent from the lock).
NOT_PROBED = Unavailable("not collected (use --probe)")


@dataclass(frozen=True)
class Meta:
    """The lock's [envaudit] header."""

    schema: str
    created: str
    tool: str
    content_hash: str = ""


@dataclass(frozen=True)
class Fingerprint:
    meta: Meta
    python: Fact[PythonInfo]
    platform: Fact[PlatformInfo]
    cpu: Fact[CpuInfo]
    packages: Fact[tuple[Package, ...]]
    env: Fact[Mapping[str, str]]
    nvidia: Fact[NvidiaInfo] = Unavailable("not collected")
    gpus: Fact[tuple[Gpu, ...]] = Unavailable("not collected")
    frameworks: Fact[Mapping[str, Framework]] = Unavailable("not collected")
    cuda_libraries: Fact[tuple[CudaLibrary, ...]] = Unavailable("not collected")
    cuda_toolkit: Fact[CudaToolkit] = Unavailable("not collected")
    # Facts only a running framework can give (snapshot --deep), per framework.
    runtime: Fact[Mapping[str, Mapping[str, str]]] = Unavailable("not collected (use --deep)")
    # The pre/post-processing contracts by name (snapshot/diff --pipeline; envaudit.pipeline).
    pipelines: Fact[Mapping[str, Pipeline]] = Unavailable("not recorded (use --pipeline)")
    # Model files (snapshot --artifact): the lock's optional [[artifacts]] (artifacts/lock.py).
    artifacts: Fact[tuple[Artifact, ...]] = Unavailable(
        "not recorded (snapshot --artifact PATH records model files)")
    # Outputs of the behavioural probes (snapshot --probe), per library; optional in the lock,
    # so a lock without them loads with this same value.
    behaviour: Fact[Mapping[str, Fact[LibraryRun]]] = NOT_PROBED

    def package(self, name: str) -> Package | None:
        """The active distribution named `name` (canonical), or None."""
        return self._packages_by_name.get(name)

    @functools.cached_property
    def _packages_by_name(self) -> Mapping[str, Package]:
        """The packages indexed by name, built on the first lookup (the first of a name wins)."""
        if isinstance(self.packages, Unavailable):
            return {}
        index: dict[str, Package] = {}
        for pkg in self.packages:
            index.setdefault(pkg.name, pkg)
        return index

    def framework(self, name: str) -> Framework | None:
        if isinstance(self.frameworks, Unavailable):
            return None
        return self.frameworks.get(name)


def _by_name(item: Any) -> tuple[Any, ...]:
    return (getattr(item, "name", ""),)


@dataclass(frozen=True)
class Section:
    """One Fingerprint section: its lock key, its shape and how it is written and read.

    `kind` is "table" (one table), "array" (an array of tables, sorted by `order`) or
    "map" (a table of tables or of strings). `required` sections are in every snapshot
    (Unavailable when no probe ran); the others are optional in older locks. `compared`
    sections are part of the generic comparison (envaudit.compare); `listed` sections that
    are Unavailable are named, with the reason, under the lock's [unavailable].
    """

    attr: str
    kind: str
    element: Any
    required: bool = False
    order: Callable[[Any], tuple[Any, ...]] = _by_name
    compared: bool = True
    listed: bool = True

    @property
    def key(self) -> str:
        return codec.key(self.attr)

    def encode(self, value: Any) -> Any:
        """The collected section as plain TOML data, in canonical order."""
        if self.kind == "array":
            return [codec.encode(v) for v in sorted(value, key=self.order)]
        return codec.encode(value)

    def decode(self, raw: Any, problems: codec.Problems, *, newer: bool = False) -> Any:
        """The section read back from TOML data; every problem is added to `problems`.

        `newer`: the lock has a newer minor schema (its unknown keys are ignored; the
        generic sections always ignore them).
        """
        if self.kind == "table":
            return codec.decode(raw, self.element, self.key, problems)
        if self.kind == "array":
            if not isinstance(raw, list):
                problems.add(self.key, f"expected an array of tables, got {codec.kind_of(raw)}")
                return ()
            item = codec.decoder(self.element)
            return tuple([item(v, f"{self.key}[{i}]", problems) for i, v in enumerate(raw)])
        if not isinstance(raw, dict):
            problems.add(self.key, f"expected a table, got {codec.kind_of(raw)}")
            return {}
        return {k: codec.decode(v, self.element, f"{self.key}.{k}", problems)
                for k, v in raw.items()}


@dataclass(frozen=True)
class PipelinesSection(Section):
    """[pipelines.NAME]: the pre/post-processing contracts, (de)serialised by
    envaudit.pipeline.lock (imported only when a lock has them or a snapshot took them)."""

    def encode(self, value: Any) -> Any:
        from envaudit.pipeline import lock

        return lock.encode(value)

    def decode(self, raw: Any, problems: codec.Problems, *, newer: bool = False) -> Any:
        from envaudit.pipeline import lock

        return lock.decode(raw, problems.add, ignore_unknown=newer)


@dataclass(frozen=True)
class ArtifactsSection(Section):
    """[[artifacts]]: written and read by envaudit.artifacts.lock, imported only when used
    (a plain snapshot or a diff of a lock without artifacts never loads the role)."""

    def encode(self, value: Any) -> Any:
        from envaudit.artifacts import lock

        return lock.encode(value)

    def decode(self, raw: Any, problems: codec.Problems, *, newer: bool = False) -> Any:
        from envaudit.artifacts import lock  # reads only the keys it knows, newer lock or not

        return lock.decode(raw, problems.add)


@dataclass(frozen=True)
class BehaviourSection(Section):
    """[behaviour.LIBRARY]: recorded outputs of the behavioural probes, (de)serialised by
    envaudit.behaviour.section (imported only when a lock has them or a snapshot took them)."""

    def encode(self, value: Any) -> Any:
        from envaudit.behaviour import section

        return section.encode(value)

    def decode(self, raw: Any, problems: codec.Problems, *, newer: bool = False) -> Any:
        from envaudit.behaviour import section

        return section.decode(raw, problems)


#: Every section of the fingerprint, in lock order: the one list the lockfile, the
#: comparison, the snapshot, `show` and the documentation test derive from.
SECTIONS: tuple[Section, ...] = (
    Section("python", "table", PythonInfo, required=True),
    Section("platform", "table", PlatformInfo, required=True),
    Section("cpu", "table", CpuInfo, required=True),
    Section("packages", "array", Package, required=True),
    Section("env", "map", str, required=True),
    Section("nvidia", "table", NvidiaInfo),
    Section("gpus", "array", Gpu, order=lambda g: (g.index,)),
    Section("frameworks", "map", Framework),
    Section("cuda_libraries", "array", CudaLibrary, order=lambda c: (c.name, c.path)),
    Section("cuda_toolkit", "table", CudaToolkit),
    Section("runtime", "map", Mapping[str, str]),
    # Optional (schema 1.1), only with --pipeline: PIPE-* compare the typed contracts, and a
    # lock without pipelines says nothing about them (absent, not [unavailable]).
    PipelinesSection("pipelines", "map", dict, compared=False, listed=False),
    # Optional (schema 1.1), only with --artifact: ART-* compare the typed artifacts, and a
    # lock without artifacts says nothing about them (absent, not [unavailable]).
    ArtifactsSection("artifacts", "array", None, compared=False, listed=False),
    # Optional (schema 1.1), only with snapshot --probe: BEH-* compare the recorded outputs
    # against tolerances, and a lock without them is absent, not [unavailable].
    BehaviourSection("behaviour", "map", dict, compared=False, listed=False),
)
