"""compare(): added / removed / changed / unknown, and never removed for unknown facts."""

from __future__ import annotations

from envaudit.compare import ChangeKind, compare
from envaudit.model import Unavailable
from tests.factories import fp


def _kinds(a: object, b: object) -> dict[str, ChangeKind]:
    return {c.path: c.kind for c in compare(a, b)}  # type: ignore[arg-type]


def test_identical_fingerprints_have_no_changes() -> None:
    assert compare(fp(), fp()) == []


def test_package_changes() -> None:
    kinds = _kinds(fp(packages={"a": "1", "b": "1"}), fp(packages={"b": "2", "c": "1"}))
    assert kinds == {"packages.a": ChangeKind.REMOVED, "packages.b": ChangeKind.CHANGED,
                     "packages.c": ChangeKind.ADDED}


def test_unavailable_is_unknown_never_removed() -> None:
    a = fp(nvidia=("580.159.04", "13.0"), gpus=[("NVIDIA H200", "9.0")])
    b = fp(nvidia=Unavailable("NVML timed out"), gpus=Unavailable("NVML timed out"))
    changes = compare(a, b)
    assert {c.path: c.kind for c in changes} == {"gpus": ChangeKind.UNKNOWN,
                                                 "nvidia": ChangeKind.UNKNOWN}
    assert all(c.kind is not ChangeKind.REMOVED for c in changes)
    assert changes[0].current == "unknown (NVML timed out)"


def test_local_paths_are_not_drift() -> None:
    a, b = fp(), fp()
    object.__setattr__(b.python, "executable", "/elsewhere/python")
    assert compare(a, b) == []


def test_gpu_fields_are_compared_by_index() -> None:
    kinds = _kinds(fp(gpus=[("NVIDIA A100", "8.0")]), fp(gpus=[("NVIDIA A10", "8.6")]))
    assert kinds == {"gpus.0.name": ChangeKind.CHANGED,
                     "gpus.0.compute-capability": ChangeKind.CHANGED}
