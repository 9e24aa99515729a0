"""The behaviour role: probe and library specs (catalog data), comparison modes, its error,
and the recorded results a lock's [behaviour] section holds (ProbeResult, LibraryRun)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from envaudit.errors import EnvauditError


class BehaviourError(EnvauditError):
    """The probe catalog is inconsistent, or a probe child answered something unreadable."""


class Compare(str, enum.Enum):
    """How two results of one probe are compared (docs/lockfile.md, "Behaviour")."""

    EXACT = "exact"  # the sha256 of the output bytes must be equal
    METRICS = "metrics"  # each metric within the probe's tolerance
    KEPT = "kept"  # the NMS kept the same boxes, in the same order


@dataclass(frozen=True)
class Tolerance:
    """|current - locked| <= atol + rtol * |locked| for every metric (numpy.isclose's rule)."""

    rtol: float = 0.0
    atol: float = 0.0

    def holds(self, locked: float, current: float) -> bool:
        return abs(current - locked) <= self.atol + self.rtol * abs(locked)


@dataclass(frozen=True)
class ProbeSpec:
    """One catalog probe: what it runs, what in a pipeline it stands for, how it compares."""

    id: str
    library: str
    # The function in the library's probe module, and its keyword arguments.
    function: str
    params: Mapping[str, str]
    stands_for: str
    compare: Compare
    tolerance: Tolerance = Tolerance()
    # Runs on each device the probe module lists (the CPU and each visible GPU, or each
    # ONNX Runtime execution provider), not on the CPU only.
    per_device: bool = False


@dataclass(frozen=True)
class LibrarySpec:
    """One probed library: the module whose presence decides, and its probe module."""

    name: str
    module: str
    # Distributions that may provide the module; the first one installed is recorded.
    distributions: tuple[str, ...]
    # Module under envaudit.behaviour that runs this library's probes in the child.
    probe_module: str
    # False when the library may take a GPU: such libraries run one at a time.
    parallel: bool
    probes: tuple[ProbeSpec, ...] = field(default=())

    def probe(self, probe_id: str) -> ProbeSpec | None:
        for spec in self.probes:
            if spec.id == probe_id:
                return spec
        return None


@dataclass(frozen=True)
class ProbeResult:
    """What one behavioural probe produced on one device (see envaudit/behaviour/)."""

    # "<probe id>@<device>", e.g. "torch.matmul.fp32@cuda:0".
    key: str
    device: str
    # "sha256:<hex>" of the exact output bytes; "" when not recorded.
    digest: str = ""
    # The few numbers that matter (max abs error vs a float64 reference, mean, size).
    metrics: Mapping[str, float] = field(default_factory=dict)
    # Indices an NMS kept, in the order returned.
    kept: tuple[int, ...] = ()
    # Settings that explain the output (TF32 flags, BLAS name), not compared themselves.
    info: Mapping[str, str] = field(default_factory=dict)
    # Why the probe did not run on this device ("no CUDA device visible"), or why it failed.
    skipped: str = ""
    error: str = ""

    @property
    def probe(self) -> str:
        return self.key.rsplit("@", 1)[0]


@dataclass(frozen=True)
class LibraryRun:
    """The behavioural probes of one library, run in one child process."""

    library: str
    # The distribution that provides the module ("opencv-python-headless") and its version.
    distribution: str
    version: str
    # Wall seconds of the child process (import + probes).
    seconds: float
    results: tuple[ProbeResult, ...] = ()
