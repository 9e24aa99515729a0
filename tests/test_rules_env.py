"""Scenarios for the environment-variable rules ENV-001..023."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import pytest

from envaudit.model import Unavailable
from tests.factories import Scenario, check_scenario, fp

A100 = ("NVIDIA A100-SXM4-80GB", "8.0")
L4 = ("NVIDIA L4", "8.9")
T4 = ("Tesla T4", "7.5")
TORCH = {"numpy": "2.1.0", "torch": "2.5.1"}
TF = {"numpy": "1.26.4", "tensorflow": "2.17.0"}
ALL_ENV = frozenset(f"ENV-{i:03d}" for i in range(1, 24))


def case(id: str, before: Mapping[str, str], after: Mapping[str, str],
         fires: Optional[Mapping[str, str]] = None, silent: tuple[str, ...] = (),
         **kw: Any) -> Scenario:
    """Same host on both sides except the env (and the keyword overrides, both sides)."""
    return Scenario(id=id, locked=fp(env=before, **kw), current=fp(env=after, **kw),
                    fires=fires or {}, silent=frozenset(silent))


SCENARIOS: list[Scenario] = [
    # ENV-001
    case("cuda-visible-devices-emptied", {"CUDA_VISIBLE_DEVICES": "0"},
         {"CUDA_VISIBLE_DEVICES": ""}, {"ENV-001": "error", "ENV-000": "info"}, gpus=[A100]),
    case("cuda-visible-devices-minus-one", {}, {"CUDA_VISIBLE_DEVICES": "-1"},
         {"ENV-001": "error"}, gpus=[A100]),
    case("cuda-visible-devices-out-of-range", {"CUDA_VISIBLE_DEVICES": "0"},
         {"CUDA_VISIBLE_DEVICES": "3"}, {"ENV-001": "error"}, gpus=[A100, A100]),
    case("cuda-visible-devices-other-gpu", {"CUDA_VISIBLE_DEVICES": "0"},
         {"CUDA_VISIBLE_DEVICES": "1"}, {"ENV-001": "warning"}, gpus=[A100, A100]),
    case("cuda-visible-devices-truncated", {"CUDA_VISIBLE_DEVICES": "0,1"},
         {"CUDA_VISIBLE_DEVICES": "0,x,1"}, {"ENV-001": "warning"}, gpus=[A100, A100]),
    case("cuda-visible-devices-unset-means-all", {}, {"CUDA_VISIBLE_DEVICES": "0,1"},
         {"ENV-000": "info"}, ("ENV-001",), gpus=[A100, A100]),
    case("cuda-visible-devices-uuid", {"CUDA_VISIBLE_DEVICES": "GPU-1a2b"},
         {"CUDA_VISIBLE_DEVICES": "GPU-1a2b"}, {}, ("ENV-001", "ENV-000"), gpus=[A100]),
    # ENV-002
    case("device-order-mixed-gpus", {}, {"CUDA_DEVICE_ORDER": "PCI_BUS_ID"},
         {"ENV-002": "warning"}, gpus=[A100, T4]),
    case("device-order-same-gpus", {}, {"CUDA_DEVICE_ORDER": "PCI_BUS_ID"},
         {"ENV-002": "info"}, gpus=[L4, L4]),
    case("device-order-default-spelled-out", {}, {"CUDA_DEVICE_ORDER": "fastest_first"},
         {"ENV-000": "info"}, ("ENV-002",), gpus=[A100, T4]),
    # ENV-003
    case("tf32-override-set-on-ampere", {}, {"NVIDIA_TF32_OVERRIDE": "0"},
         {"ENV-003": "warning"}, gpus=[A100]),
    case("tf32-override-set-on-turing", {}, {"NVIDIA_TF32_OVERRIDE": "0"},
         {"ENV-003": "info"}, gpus=[T4]),
    case("tf32-override-unchanged", {"NVIDIA_TF32_OVERRIDE": "0"}, {"NVIDIA_TF32_OVERRIDE": "0"},
         {}, ("ENV-003",), gpus=[A100]),
    # ENV-004
    case("torch-tf32-cublas-override-on", {}, {"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "1"},
         {"ENV-004": "warning"}, gpus=[A100], packages=TORCH),
    case("torch-tf32-cublas-override-explicit-off", {}, {"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "0"},
         {"ENV-000": "info"}, ("ENV-004",), gpus=[A100], packages=TORCH),
    case("torch-tf32-cublas-override-without-torch", {}, {"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "1"},
         {"ENV-004": "info"}, gpus=[A100]),
    # ENV-005
    case("tf-onednn-switched-off", {"TF_ENABLE_ONEDNN_OPTS": "1"}, {"TF_ENABLE_ONEDNN_OPTS": "0"},
         {"ENV-005": "warning"}, packages=TF),
    case("tf-onednn-same-meaning", {"TF_ENABLE_ONEDNN_OPTS": "1"},
         {"TF_ENABLE_ONEDNN_OPTS": "true"}, {"ENV-000": "info"}, ("ENV-005",), packages=TF),
    case("tf-onednn-without-tensorflow", {"TF_ENABLE_ONEDNN_OPTS": "1"},
         {"TF_ENABLE_ONEDNN_OPTS": "0"}, {"ENV-005": "info"}),
    # ENV-006, ENV-007
    case("tf-deterministic-ops-dropped", {"TF_DETERMINISTIC_OPS": "1"}, {},
         {"ENV-006": "info"}, packages=TF),
    case("tf-deterministic-ops-default", {"TF_DETERMINISTIC_OPS": "0"}, {},
         {"ENV-000": "info"}, ("ENV-006",)),
    case("cublas-workspace-dropped", {"CUBLAS_WORKSPACE_CONFIG": ":4096:8"}, {},
         {"ENV-007": "info"}),
    # ENV-008
    case("omp-threads-doubled", {"OMP_NUM_THREADS": "8"}, {"OMP_NUM_THREADS": "16"},
         {"ENV-008": "warning"}),
    case("mkl-threads-unset", {"MKL_NUM_THREADS": "4"}, {}, {"ENV-008": "warning"}),
    case("omp-threads-same-number", {"OMP_NUM_THREADS": "8"}, {"OMP_NUM_THREADS": " 08"},
         {"ENV-000": "info"}, ("ENV-008",)),
    Scenario(id="threads-unset-core-count-changed", locked=fp(cpu_count=8),
             current=fp(cpu_count=64), fires={"ENV-008": "info"}),
    Scenario(id="threads-pinned-core-count-changed",
             locked=fp(cpu_count=8, env={"OMP_NUM_THREADS": "4"}),
             current=fp(cpu_count=64, env={"OMP_NUM_THREADS": "4"}), silent=frozenset({"ENV-008"})),
    # ENV-009 .. ENV-012
    case("mkl-cbwr-pinned", {}, {"MKL_CBWR": "AVX2"}, {"ENV-009": "warning"}),
    case("mkl-cbwr-auto-spelled-out", {}, {"MKL_CBWR": "auto"}, {"ENV-000": "info"},
         ("ENV-009",)),
    case("mkl-dynamic-off", {}, {"MKL_DYNAMIC": "FALSE"}, {"ENV-010": "info"}),
    case("mkl-dynamic-default", {}, {"MKL_DYNAMIC": "true"}, {"ENV-000": "info"}, ("ENV-010",)),
    case("onednn-fpmath-bf16", {}, {"ONEDNN_DEFAULT_FPMATH_MODE": "bf16"},
         {"ENV-011": "warning"}),
    case("onednn-fpmath-strict-spelled-out", {}, {"ONEDNN_DEFAULT_FPMATH_MODE": "STRICT"},
         {"ENV-000": "info"}, ("ENV-011",)),
    case("aten-cpu-capability-forced", {}, {"ATEN_CPU_CAPABILITY": "default"},
         {"ENV-012": "warning"}, packages=TORCH),
    case("aten-cpu-capability-case-only", {"ATEN_CPU_CAPABILITY": "AVX2"},
         {"ATEN_CPU_CAPABILITY": "avx2"}, {"ENV-000": "info"}, ("ENV-012",), packages=TORCH),
    # ENV-013
    case("weights-only-forced", {}, {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1"},
         {"ENV-013": "warning"}, packages=TORCH),
    case("weights-only-both-forced", {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1"},
         {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"},
         {"ENV-013": "error"}, packages={**TORCH, "torch": "2.6.0"}),
    case("weights-only-explicit-default", {}, {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "0"},
         {"ENV-000": "info"}, ("ENV-013",), packages=TORCH),
    # ENV-014
    case("legacy-keras-switched-on", {}, {"TF_USE_LEGACY_KERAS": "1"}, {"ENV-014": "error"},
         packages=TF),
    case("keras-backend-jax", {}, {"KERAS_BACKEND": "jax"}, {"ENV-014": "warning"},
         packages={"keras": "3.12.0"}),
    case("keras-backend-without-keras", {}, {"KERAS_BACKEND": "jax"}, {"ENV-014": "info"}),
    case("keras-backend-default-spelled-out", {}, {"KERAS_BACKEND": "TensorFlow"},
         {"ENV-000": "info"}, ("ENV-014",), packages=TF),
    # ENV-015 .. ENV-021
    case("protobuf-pure-python", {}, {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"},
         {"ENV-015": "info"}),
    case("protobuf-case-only", {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"},
         {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "UPB"}, {"ENV-000": "info"}, ("ENV-015",)),
    case("torch-allocator-expandable", {}, {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True"},
         {"ENV-016": "info"}),
    case("tf-allow-growth", {}, {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}, {"ENV-017": "info"}),
    case("tf-allow-growth-default", {}, {"TF_FORCE_GPU_ALLOW_GROWTH": "false"},
         {"ENV-000": "info"}, ("ENV-017",)),
    case("cuda-module-loading-eager", {}, {"CUDA_MODULE_LOADING": "EAGER"}, {"ENV-018": "info"}),
    case("cuda-module-loading-default", {}, {"CUDA_MODULE_LOADING": "lazy"}, {"ENV-000": "info"},
         ("ENV-018",)),
    case("cuda-launch-blocking-left-on", {}, {"CUDA_LAUNCH_BLOCKING": "1"}, {"ENV-019": "info"}),
    case("cuda-launch-blocking-off", {}, {"CUDA_LAUNCH_BLOCKING": "0"}, {"ENV-000": "info"},
         ("ENV-019",)),
    case("ld-library-path-compat", {"LD_LIBRARY_PATH": "/usr/local/nvidia/lib64"},
         {"LD_LIBRARY_PATH": "/usr/local/cuda/compat:/usr/local/nvidia/lib64"},
         {"ENV-020": "warning"}),
    case("ld-preload-added", {}, {"LD_PRELOAD": "/opt/lib/libjemalloc.so.2"},
         {"ENV-020": "warning"}),
    case("container-visible-devices", {"NVIDIA_VISIBLE_DEVICES": "all"},
         {"NVIDIA_VISIBLE_DEVICES": "0"}, {"ENV-021": "info"}),
    # ENV-022, ENV-023
    case("cuda-arch-list-misses-gpu", {"TORCH_CUDA_ARCH_LIST": "8.0"},
         {"TORCH_CUDA_ARCH_LIST": "9.0a"}, {"ENV-022": "warning"}, gpus=[A100]),
    case("cuda-arch-list-widened", {"TORCH_CUDA_ARCH_LIST": "8.0"},
         {"TORCH_CUDA_ARCH_LIST": "8.0;9.0+PTX"}, {"ENV-022": "info"}, gpus=[A100]),
    case("tf-log-level-raised", {}, {"TF_CPP_MIN_LOG_LEVEL": "2"}, {"ENV-023": "info"}),
    case("tf-log-level-zero", {}, {"TF_CPP_MIN_LOG_LEVEL": "0"}, {"ENV-000": "info"},
         ("ENV-023",)),
    # Nothing differs, or nothing is known: every specific rule stays silent.
    case("env-identical", {"OMP_NUM_THREADS": "4", "CUDA_VISIBLE_DEVICES": "0"},
         {"OMP_NUM_THREADS": "4", "CUDA_VISIBLE_DEVICES": "0"}, {}, tuple(ALL_ENV), gpus=[A100]),
    Scenario(id="env-not-collected-on-deployment",
             locked=fp(env={"CUDA_VISIBLE_DEVICES": "0", "OMP_NUM_THREADS": "4"}, gpus=[A100]),
             current=fp(env=Unavailable("not collected"), gpus=[A100]),
             fires={"UNK-001": "error"}, silent=ALL_ENV | {"ENV-000"}),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_specific_rule_leads_over_generic() -> None:
    from tests.factories import run

    findings = run(fp(env={"CUDA_VISIBLE_DEVICES": "0"}, gpus=[A100]),
                   fp(env={"CUDA_VISIBLE_DEVICES": ""}, gpus=[A100]))
    lead = next(f for f in findings if f.subject == "CUDA_VISIBLE_DEVICES")
    assert lead.rule == "ENV-001"
    assert [r.rule for r in lead.related] == ["ENV-000"]


@pytest.mark.parametrize(("value", "count", "expected"), [
    (None, 2, None),
    ("", 2, ()),
    ("1,0", 2, ("1", "0")),
    ("0,7,1", 2, ("0",)),
    ("MIG-abc, 1", None, ("MIG-abc", "1")),
], ids=["unset", "empty", "reordered", "truncated", "mig"])
def test_visible_selection(value: Optional[str], count: Optional[int],
                           expected: Optional[tuple[str, ...]]) -> None:
    from envaudit.rules.checks.env import visible_selection

    assert visible_selection(value, count) == expected
