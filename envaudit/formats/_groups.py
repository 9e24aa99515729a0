"""How findings are presented: most important first, one rule's repeats folded into one entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from envaudit.findings import Finding

# Impact order: fails to load or run > silently changes outputs > performance > informational.
_IMPACT = {"breaks": 0, "outputs": 1, "performance": 2, "informational": 3}
# The frameworks a model runs on come before the hardware and libraries under them, which come
# before the packages around them (companions, plugins, pre-processing), then everything else.
_RUNTIMES = ("torch", "tensorflow", "jax", "jaxlib", "onnxruntime", "tensorrt", "openvino",
             "keras", "tf-keras")
_COMPANIONS = ("torch", "triton", "jax", "tensorflow", "tf-", "onnx", "tensorrt", "cupy")
_SYSTEM = ("gpu", "driver", "cuda", "cudnn", "cuda-wheels", "numerics", "python", "cpu")


def centrality(subject: str) -> int:
    """0 runtime framework, 1 its companions and plugins, 2 the GPU/CUDA/CPU stack, 3 the rest."""
    name = subject.lower()
    if any(name == r or name.startswith(f"{r}-") for r in _RUNTIMES):
        return 0
    if name.startswith(_COMPANIONS):
        return 1
    if any(name == s or name.startswith((f"{s}-", f"{s}.")) for s in _SYSTEM):
        return 2
    return 3


def finding_order(f: Finding) -> tuple[int, int, int, str, str]:
    return (-f.severity.rank, _IMPACT.get(f.impact.value, 9), centrality(f.subject), f.rule,
            f.subject)


@dataclass(frozen=True)
class Group:
    """One rule's findings of one severity, in order: shown as one entry."""

    findings: tuple[Finding, ...]

    @property
    def lead(self) -> Finding:
        return self.findings[0]

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(f.subject for f in self.findings)


def grouped(findings: Sequence[Finding]) -> list[Group]:
    """Findings ordered by importance, each rule's repeats (same severity) folded together."""
    by_key: dict[tuple[str, str], list[Finding]] = {}
    for f in sorted(findings, key=finding_order):
        by_key.setdefault((f.rule, f.severity.value), []).append(f)
    return [Group(tuple(group)) for group in by_key.values()]
