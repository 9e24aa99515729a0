"""The real pair: the H200 training host's lock against the CPU host's lock (fixtures/locks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.api import diff
from envaudit.findings import Finding

LOCKS = Path(__file__).parent.parent / "fixtures" / "locks"


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    h200 = lockfile.load(LOCKS / "h200.lock")
    cpu = lockfile.load(LOCKS / "cpu-host.lock")
    return list(diff(h200, cpu).findings)


def by_subject(findings: list[Finding], subject: str) -> Finding:
    (found,) = [f for f in findings if f.subject == subject]
    return found


def test_leads_with_cpu_build_and_missing_gpu(findings: list[Finding]) -> None:
    lead = [(f.rule, f.subject, f.severity.value) for f in findings[:2]]
    assert lead == [("FW-011", "torch", "error"), ("GPU-011", "gpu", "error")]


def test_numpy_downgrade_and_python_change_are_warnings(findings: list[Finding]) -> None:
    numpy = by_subject(findings, "numpy")
    assert (numpy.severity.value, numpy.locked, numpy.current) == ("warning", "2.5.2", "2.4.6")
    assert "downgraded" in numpy.message
    python = by_subject(findings, "python")
    assert (python.rule, python.severity.value) == ("PY-001", "warning")


def test_pillow_change_is_no_more_than_a_warning(findings: list[Finding]) -> None:
    pillow = by_subject(findings, "pillow")
    assert pillow.severity.value in ("warning", "info")
    assert all(r.severity.value != "error" for r in pillow.related)


def test_nothing_is_duplicated(findings: list[Finding]) -> None:
    subjects = [f.subject for f in findings]
    assert len(subjects) == len(set(subjects))
    for f in findings:
        sentences = [f.message, *(r.message for r in f.related)]
        assert len(sentences) == len(set(sentences)), f.subject


def test_gpu_facts_are_unknown_or_absent_never_a_removed_package_list(
        findings: list[Finding]) -> None:
    gpu = by_subject(findings, "gpu")
    assert "no NVIDIA driver" in gpu.message
    assert not any(f.subject.startswith("gpus.") for f in findings)


def _rules(report: object) -> dict[str, str]:
    return {f.rule: f.severity.value for lead in report.findings  # type: ignore[attr-defined]
            for f in (lead, *lead.related)}


def test_pypi_torch_and_the_same_build_from_pytorchs_index_are_one_variant(
        tmp_path: Path) -> None:
    """The real H200 lock: PyPI's torch dist-info says 2.11.0, its torch/version.py
    2.11.0+cu130. The same build from download.pytorch.org/whl/cu130 (2.11.0+cu130) is no
    PKG-006 variant change; the CPU wheel is the CUDA-to-CPU error."""
    text = (LOCKS / "h200.lock").read_text(encoding="utf-8")
    assert '{ name = "torch", version = "2.11.0",' in text
    h200 = lockfile.load(LOCKS / "h200.lock")
    for label, expected in (("cu130", None), ("cpu", "error")):
        other = tmp_path / f"{label}.lock"
        other.write_text(text.replace('{ name = "torch", version = "2.11.0",',
                                      f'{{ name = "torch", version = "2.11.0+{label}",'),
                         encoding="utf-8")
        got = _rules(diff(h200, lockfile.load(other)))
        assert got.get("PKG-006") == expected, (label, got.get("PKG-006"))
