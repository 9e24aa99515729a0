"""The behaviour role: probe and library specs (catalog data), comparison modes, its error."""

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
