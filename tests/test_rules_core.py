"""Scenario tests for the core rules: lockfile, Python, packages, CPU/platform, env, unknown."""

from __future__ import annotations

import dataclasses

import pytest

from envaudit.findings import Policy
from envaudit.lockfile import LockNote
from envaudit.model import Fingerprint, Package, Unavailable
from envaudit.rules.checks.core import variant
from tests.factories import X86_V4, Scenario, check_scenario, flat, fp, run, torch_fw

AVX2_ONLY = ("avx", "avx2", "cx16", "fma", "lahf_lm", "popcnt", "sse", "sse2", "sse3", "sse4_1",
             "sse4_2", "ssse3")
BASE = {"numpy": "1.26.4", "pillow": "10.3.0", "requests": "2.31.0", "pip": "24.0",
        "pandas": "2.2.0"}


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in BASE.items() if k != name}


def _broken(base: Fingerprint, name: str, problem: str) -> Fingerprint:
    """`base` with one more, unreadable distribution."""
    assert isinstance(base.packages, tuple)
    bad = Package(name=name, version="1.0", problem=problem)
    return dataclasses.replace(base, packages=(*base.packages, bad))

def _on(base: Fingerprint, system: str) -> Fingerprint:
    """`base` on another operating system (its libc and os-release facts left out)."""
    assert not isinstance(base.platform, Unavailable)
    return dataclasses.replace(base, platform=dataclasses.replace(
        base.platform, system=system, libc="", libc_version="", os_id="", os_version=""))


ORT = {"onnxruntime-gpu": ("onnxruntime",), "onnxruntime": ("onnxruntime",)}
ORT_BOTH = {"onnxruntime-gpu": "1.19.2", "onnxruntime": "1.19.2"}

SCENARIOS = [
    Scenario("hand-edited-lock", fp(), fp(), {"LOCK-001": "warning"},
             notes=(LockNote("content-hash", "x.lock content-hash does not match"),)),
    Scenario("untouched-lock", fp(), fp(), silent=frozenset({"LOCK-001"})),
    Scenario("python-3.11-to-3.12", fp(python="3.11.9"), fp(python="3.12.1"),
             {"PY-001": "warning"}, frozenset({"PY-002"})),
    Scenario("python-3-to-4-major", fp(python="3.13.0"), fp(python="4.0.0"), {"PY-001": "error"}),
    Scenario("python-patch-only", fp(python="3.11.7"), fp(python="3.11.9"), {"PY-002": "info"},
             frozenset({"PY-001"})),
    Scenario("cpython-to-pypy", fp(), fp(implementation="pypy"), {"PY-003": "warning"}),
    Scenario("same-interpreter", fp(), fp(), silent=frozenset({"PY-001", "PY-002", "PY-003"})),
    Scenario("numpy-missing", fp(packages=BASE), fp(packages=_without("numpy")),
             {"PKG-001": "error"}, frozenset({"PKG-003"})),
    Scenario("pandas-missing", fp(packages=BASE), fp(packages=_without("pandas")),
             {"PKG-003": "info"}, frozenset({"PKG-001"})),
    Scenario("pip-missing-is-not-a-warning", fp(packages=BASE), fp(packages=_without("pip")),
             silent=frozenset({"PKG-001", "PKG-003"})),
    Scenario("package-added", fp(packages=BASE), fp(packages={**BASE, "rich": "13.0"}),
             {"PKG-004": "info"}),
    Scenario("nothing-added", fp(packages=BASE), fp(packages=_without("pandas")),
             silent=frozenset({"PKG-004"})),
    Scenario("numpy-minor-upgrade", fp(packages=BASE), fp(packages={**BASE, "numpy": "1.27.0"}),
             {"PKG-002": "warning"}, frozenset({"PKG-005"})),
    Scenario("pillow-patch-is-info", fp(packages=BASE), fp(packages={**BASE, "pillow": "10.3.1"}),
             {"PKG-002": "info"}),
    Scenario("requests-upgrade-is-info", fp(packages=BASE),
             fp(packages={**BASE, "requests": "3.0.0"}), {"PKG-005": "info"},
             frozenset({"PKG-002"})),
    Scenario("cu124-to-cu126", fp(packages={"torch": "2.5.1+cu124"}),
             fp(packages={"torch": "2.5.1+cu126"}), {"PKG-006": "warning"},
             frozenset({"PKG-002"})),
    Scenario("cu121-to-cpu", fp(packages={"torch": "2.3.0+cu121"}),
             fp(packages={"torch": "2.3.0+cpu"}), {"PKG-006": "error"}),
    # PyPI's Linux torch has no local label, yet torch/version.py records its CUDA build: the
    # variant is read from there when the label says nothing.
    Scenario("pypi-cuda-default-to-cu124-index",
             fp(packages={"torch": "2.5.1"}, frameworks={"torch": torch_fw("2.5.1", "12.4")}),
             fp(packages={"torch": "2.5.1+cu124"},
                frameworks={"torch": torch_fw("2.5.1+cu124", "12.4")}),
             silent=frozenset({"PKG-006", "PKG-002"})),
    Scenario("pypi-cuda-default-to-cpu",
             fp(packages={"torch": "2.5.1"}, frameworks={"torch": torch_fw("2.5.1", "12.4")}),
             fp(packages={"torch": "2.5.1+cpu"}, frameworks={"torch": torch_fw("2.5.1+cpu", "")}),
             {"PKG-006": "error"}),
    Scenario("rocm-to-pypi-cuda-default",
             fp(packages={"torch": "2.5.1+rocm6.2"},
                frameworks={"torch": torch_fw("2.5.1+rocm6.2", "", hip="6.2.41133-dd7f95766")}),
             fp(packages={"torch": "2.5.1"}, frameworks={"torch": torch_fw("2.5.1", "12.4")}),
             {"PKG-006": "warning"}),
    Scenario("same-variant", fp(packages={"torch": "2.5.1+cu124"}),
             fp(packages={"torch": "2.5.1+cu124"}), silent=frozenset({"PKG-006"})),
    Scenario("opencv-co-installed", fp(packages={"opencv-python-headless": "4.10.0.84"}),
             fp(packages={"opencv-python-headless": "4.10.0.84", "opencv-python": "4.10.0.84"},
                shared_imports={"opencv-python-headless": ("cv2",), "opencv-python": ("cv2",)}),
             {"PRE-006": "error"}),
    Scenario("opencv-single", fp(packages={"opencv-python": "4.10.0.84"}),
             fp(packages={"opencv-python": "4.11.0.86"}), silent=frozenset({"PRE-006"})),
    Scenario("ort-cpu-and-gpu", fp(packages={"onnxruntime-gpu": "1.19.2"}),
             fp(packages=ORT_BOTH, shared_imports=ORT),
             {"FW-019": "error"}, frozenset({"PRE-006", "PKG-007"})),
    Scenario("ort-conflict-unchanged-since-training",
             fp(packages=ORT_BOTH, shared_imports=ORT),
             fp(packages=ORT_BOTH, shared_imports=ORT),
             silent=frozenset({"FW-019"})),
    Scenario("ort-gpu-only", fp(packages={"onnxruntime-gpu": "1.19.2"}),
             fp(packages={"onnxruntime-gpu": "1.20.0"}), silent=frozenset({"FW-019"})),
    Scenario("tensorflow-and-tensorflow-cpu", fp(packages={"tensorflow": "2.15.0"}),
             fp(packages={"tensorflow": "2.15.0", "tensorflow-cpu": "2.15.0"},
                shared_imports={"tensorflow": ("tensorflow",), "tensorflow-cpu": ("tensorflow",)}),
             {"PKG-007": "error"}, frozenset({"FW-019", "PRE-006"})),
    # pip install tensorflow on Windows: a 7.5 kB tensorflow wheel + tensorflow-intel
    # (tensorflow/tensorflow#80629); only tensorflow-intel writes tensorflow/.
    Scenario("windows-tensorflow-plus-tensorflow-intel", fp(packages={"numpy": "1.26.4"}),
             fp(packages={"tensorflow": "2.18.0", "tensorflow-intel": "2.18.0"}),
             silent=frozenset({"PKG-007"})),
    Scenario("cupy-cuda11x-and-cuda12x", fp(packages={"cupy-cuda12x": "13.3.0"}),
             fp(packages={"cupy-cuda12x": "13.3.0", "cupy-cuda11x": "13.3.0"},
                shared_imports={"cupy-cuda12x": ("cupy",), "cupy-cuda11x": ("cupy",)}),
             {"PKG-007": "error"}),
    # Two non-critical distributions that both ship a top-level tests/ package: a warning.
    Scenario("stray-tests-package-in-two-distributions", fp(packages={"numpy": "2.1.0"}),
             fp(packages={"numpy": "2.1.0", "somelib": "1.0", "otherlib": "2.0"},
                shared_imports={"somelib": ("tests",), "otherlib": ("tests",)}),
             {"PKG-007": "warning"}),
    Scenario("critical-via-policy-makes-it-an-error", fp(packages={"numpy": "2.1.0"}),
             fp(packages={"numpy": "2.1.0", "my-preproc": "1.0", "otherlib": "2.0"},
                shared_imports={"my-preproc": ("preproc",), "otherlib": ("preproc",)}),
             {"PKG-007": "error"}, policy=Policy(critical=frozenset({"my-preproc"}))),
    Scenario("tensorflow-alone", fp(packages={"tensorflow": "2.15.0"}),
             fp(packages={"tensorflow": "2.15.0"}), silent=frozenset({"PKG-007"})),
    Scenario("numpy-shadowed-on-deploy", fp(packages={"numpy": "2.1.0"}),
             fp(packages={"numpy": "2.1.0"}, shadowed={"numpy": ("1.26.4",)}),
             {"PKG-008": "info"}),
    Scenario("shadowed-on-both-sides", fp(packages={"numpy": "2.1.0"},
                                          shadowed={"numpy": ("1.26.4",)}),
             fp(packages={"numpy": "2.1.0"}, shadowed={"numpy": ("1.26.4",)}),
             silent=frozenset({"PKG-008"})),
    Scenario("avx512-to-avx2", fp(cpu_flags=X86_V4), fp(cpu_flags=AVX2_ONLY),
             {"CPU-003": "warning"}),
    Scenario("intel-to-amd-same-isa", fp(), fp(cpu_vendor="AuthenticAMD"), {"CPU-003": "warning"}),
    Scenario("same-cpu-more-cores", fp(cpu_count=8), fp(cpu_count=64),
             silent=frozenset({"CPU-003", "CPU-004"})),
    Scenario("x86-to-aarch64", fp(), fp(machine="aarch64"), {"CPU-004": "warning"}),
    # One architecture, each OS's spelling (sysconfig.get_platform docs: "win-amd64 (64-bit
    # Windows on AMD64, aka x86_64...)", "win-arm64 (64-bit Windows on ARM64, aka AArch64)").
    Scenario("macos-arm64-to-linux-aarch64", _on(fp(machine="arm64"), "Darwin"),
             fp(machine="aarch64"), {"PLAT-001": "info"}, frozenset({"CPU-004"})),
    Scenario("windows-amd64-to-linux-x86_64", _on(fp(machine="AMD64"), "Windows"), fp(),
             {"PLAT-001": "info"}, frozenset({"CPU-004"})),
    Scenario("debian-to-ubuntu-glibc", fp(), fp(os_id="ubuntu", libc_version="2.39"),
             {"PLAT-001": "info"}),
    Scenario("same-platform", fp(), fp(), silent=frozenset({"PLAT-001", "CPU-004"})),
    Scenario("env-var-differs", fp(env={"NCCL_DEBUG": "INFO"}), fp(env={"NCCL_DEBUG": "WARN"}),
             {"ENV-000": "info"}),
    Scenario("env-identical", fp(env={"NCCL_DEBUG": "INFO"}), fp(env={"NCCL_DEBUG": "INFO"}),
             silent=frozenset({"ENV-000"})),
    Scenario("gpu-not-collected", fp(gpus=[("NVIDIA A100", "8.0")]),
             fp(gpus=Unavailable("NVML timed out after 5 s")), {"UNK-001": "error"}),
    Scenario("older-lock-lacks-gpus", fp(gpus=Unavailable("not collected")),
             fp(gpus=[("NVIDIA A100", "8.0")]), {"UNK-001": "info"}),
    Scenario("toolkit-gone-is-a-fact", fp(cuda_toolkit="12.4"),
             fp(cuda_toolkit=Unavailable("no CUDA toolkit found")), {"UNK-001": "info"}),
    Scenario("poisoned-distribution", fp(), _broken(fp(), "evil", "evil-1.0.dist-info: METADATA"
             " is a FIFO (named pipe)"), {"UNK-001": "error"}),
    Scenario("everything-collected", fp(), fp(), silent=frozenset({"UNK-001"})),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_identical_hosts_report_nothing() -> None:
    base = fp(packages=BASE, env={"OMP_NUM_THREADS": "4"})
    assert run(base, base) == []


def test_tooling_only_changes_stay_info() -> None:
    a = fp(packages={**BASE, "pip": "23.0", "setuptools": "68.0", "tqdm": "4.0"})
    b = fp(packages={**BASE, "pip": "24.2", "setuptools": "75.0", "tqdm": "5.0", "wheel": "0.44"})
    assert {sev for _, sev in flat(run(a, b))} == {"info"}


def test_one_root_cause_one_finding() -> None:
    a = fp(packages={"torch": "2.3.0+cu121"})
    b = fp(packages={"torch": "2.5.0+cpu"})
    (finding,) = run(a, b)
    assert finding.rule == "PKG-006"
    assert finding.severity.value == "error"
    messages = [r.message for r in finding.related]
    assert any("upgraded 2.3.0+cu121 → 2.5.0+cpu" in m for m in messages), messages
    assert len(messages) == len(set(messages)), "the same sentence twice"
    assert all(r.subject == "torch" for r in finding.related)


def test_unknown_is_never_reported_as_removed() -> None:
    a = fp(packages=BASE)
    b = fp(packages=Unavailable("sys.path unreadable"))
    got = flat(run(a, b))
    assert got == [("UNK-001", "error")]  # a gate that cannot see must not pass


@pytest.mark.parametrize(("version", "expected"), [
    ("2.4.0+cu124", "cu124"), ("2.4.0+cpu", "cpu"), ("2.4.0", None), ("2.4.0+rocm6.2", "rocm6.2"),
    ("2.4.0+local", None), ("not a version", None),
])
def test_variant(version: str, expected: str | None) -> None:
    assert variant(version) == expected
