"""The fingerprint: frozen, typed facts about one environment that affect inference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, TypeVar, Union

from envaudit import codec

T = TypeVar("T")


@dataclass(frozen=True)
class Unavailable:
    """A fact that could not be collected, with the reason why.

    It is a value, not an exception: the comparison reports it as "unknown",
    never as "removed".
    """

    reason: str


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


# A section of the fingerprint is either collected or Unavailable.
Fact = Union[T, Unavailable]


@dataclass(frozen=True)
class PythonInfo:
    """The interpreter that runs inference."""

    version: str
    implementation: str
    executable: str
    prefix: str
    base_prefix: str
    virtualenv: bool
    # The most specific wheel tag this interpreter accepts, e.g. cp312-cp312-manylinux_2_39_x86_64.
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

    def package(self, name: str) -> Package | None:
        """The active distribution named `name` (canonical), or None."""
        if isinstance(self.packages, Unavailable):
            return None
        for pkg in self.packages:
            if pkg.name == name:
                return pkg
        return None

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
    (Unavailable when no probe ran); the others are optional in older locks.
    """

    attr: str
    kind: str
    element: Any
    required: bool = False
    order: Callable[[Any], tuple[Any, ...]] = _by_name

    @property
    def key(self) -> str:
        return codec.key(self.attr)

    def encode(self, value: Any) -> Any:
        """The collected section as plain TOML data, in canonical order."""
        if self.kind == "array":
            return [codec.encode(v) for v in sorted(value, key=self.order)]
        return codec.encode(value)

    def decode(self, raw: Any, problems: codec.Problems) -> Any:
        """The section read back from TOML data; every problem is added to `problems`."""
        if self.kind == "table":
            return codec.decode(raw, self.element, self.key, problems)
        if self.kind == "array":
            if not isinstance(raw, list):
                problems.add(self.key, f"expected an array of tables, got {codec.kind_of(raw)}")
                return ()
            return tuple(codec.decode(v, self.element, f"{self.key}[{i}]", problems)
                         for i, v in enumerate(raw))
        if not isinstance(raw, dict):
            problems.add(self.key, f"expected a table, got {codec.kind_of(raw)}")
            return {}
        return {k: codec.decode(v, self.element, f"{self.key}.{k}", problems)
                for k, v in raw.items()}


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
)
