"""Scenarios of the frameworks and serialization rules (FW-*), plus the real H200 → CPU pair."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.findings import Severity
from envaudit.model import Framework
from tests.factories import (
    X86_V4,
    Scenario,
    check_scenario,
    flat,
    fp,
    pkg_scenario,
    run,
    torch_fw,
)

TF_2_15 = {"tensorflow": "2.15.1", "keras": "2.15.0", "numpy": "1.26.4"}
TF_2_17 = {"tensorflow": "2.17.0", "keras": "3.4.1", "tf-keras": "2.17.0", "numpy": "1.26.4"}
A100 = ("NVIDIA A100-SXM4-80GB", "8.0")
A30 = ("NVIDIA A30", "8.0")
H100 = ("NVIDIA H100 80GB HBM3", "9.0")
T4 = ("Tesla T4", "7.5")
OLD_CPU = ("sse", "sse2", "sse3")
VNNI: dict[str, Any] = {"cpu_flags": (*X86_V4, "avx512_vnni")}


_s = pkg_scenario


def _env(old: dict[str, str], new: dict[str, str]) -> dict[str, Any]:
    return {"locked": {"env": old}, "current": {"env": new}}


def _gpus(old: tuple[str, str], new: tuple[str, str]) -> dict[str, Any]:
    return {"locked": {"gpus": [old]}, "current": {"gpus": [new]}}


KERAS = [
    _s("tf-2.15-to-2.16-keras-3", TF_2_15, {**TF_2_15, "tensorflow": "2.16.1", "keras": "3.3.3"},
       {"FW-001": "error"}, ("FW-002", "FW-004")),
    _s("tf-2.17-to-2.15-keras-3-to-2", TF_2_17, TF_2_15, {"FW-001": "warning"}, ("FW-002",)),
    _s("tf-2.17-legacy-keras-both-sides", TF_2_17, None, None, ("FW-001", "FW-002"),
       **_env({"TF_USE_LEGACY_KERAS": "1"}, {"TF_USE_LEGACY_KERAS": "true"})),
    # TensorFlow reads the variable as set only for "true", "True" or "1" (its api_template).
    _s("tf-2.17-legacy-keras-yes-is-not-read", TF_2_17, None, {"FW-002": "error"}, ("FW-001",),
       **_env({"TF_USE_LEGACY_KERAS": "1"}, {"TF_USE_LEGACY_KERAS": "yes"})),
    _s("tf-2.17-legacy-keras-env-dropped", TF_2_17, None, {"FW-002": "error"}, ("FW-001",),
       **_env({"TF_USE_LEGACY_KERAS": "1"}, {})),
    _s("tf-2.15-legacy-keras-env-no-effect", TF_2_15, None, {"FW-002": "info"}, ("FW-001",),
       **_env({"TF_USE_LEGACY_KERAS": "1"}, {})),
    _s("keras-backend-jax-to-default", {"keras": "3.5.0"}, None, {"FW-003": "warning"},
       **_env({"KERAS_BACKEND": "jax"}, {})),
    _s("keras-backend-explicit-default", {"keras": "3.5.0"}, None, None, ("FW-003",),
       **_env({"KERAS_BACKEND": "tensorflow"}, {})),
    _s("tf-2.21-keras-below-pin", {"tensorflow": "2.21.0", "keras": "3.12.1"},
       {"tensorflow": "2.21.0", "keras": "3.10.0"}, {"FW-004": "warning"}, ("FW-001",)),
    _s("tf-2.21-keras-within-pin", {"tensorflow": "2.21.0", "keras": "3.12.1"},
       {"tensorflow": "2.21.0", "keras": "3.14.0"}, None, ("FW-004",)),
]

TENSORFLOW = [
    _s("tf-t4-to-a100-tf32", {"tensorflow": "2.15.0"}, None, {"FW-005": "warning"},
       **_gpus(T4, A100)),
    _s("tf-a100-to-h100-both-tf32", {"tensorflow": "2.15.0"}, None, None, ("FW-005",),
       **_gpus(A100, H100)),
    # TF's default is on on Linux only with AVX512_VNNI/AVX512_BF16/AVX_VNNI/AMX (port.cc).
    _s("tf-2.8-to-2.9-onednn-default-on", {"tensorflow": "2.8.4"}, {"tensorflow": "2.9.3"},
       {"FW-006": "warning"}, ("FW-007",), locked=VNNI, current=VNNI),
    _s("tf-2.8-to-2.9-on-a-cpu-without-vnni", {"tensorflow": "2.8.4"}, {"tensorflow": "2.9.3"},
       None, ("FW-006",)),
    _s("tf-2.15-sapphire-rapids-to-skylake", {"tensorflow": "2.15.0"}, None,
       {"FW-006": "warning"}, locked={"cpu_flags": (*X86_V4, "amx_tile", "avx512_bf16")}),
    _s("tf-2.15-onednn-env-off-dropped", {"tensorflow": "2.15.0"}, None, {"FW-006": "warning"},
       locked={**VNNI, "env": {"TF_ENABLE_ONEDNN_OPTS": "0"}}, current={**VNNI, "env": {}}),
    _s("tf-2.8-to-2.10-onednn-off-both", {"tensorflow": "2.8.4"}, {"tensorflow": "2.10.1"},
       None, ("FW-006",),
       **_env({"TF_ENABLE_ONEDNN_OPTS": "0"}, {"TF_ENABLE_ONEDNN_OPTS": "false"})),
    _s("tf-deterministic-ops-dropped", {"tensorflow": "2.15.0"}, None, {"FW-007": "info"},
       **_env({"TF_DETERMINISTIC_OPS": "1"}, {})),
    _s("tf-deterministic-ops-1-vs-true", {"tensorflow": "2.15.0"}, None, None, ("FW-007",),
       **_env({"TF_DETERMINISTIC_OPS": "1"}, {"TF_DETERMINISTIC_OPS": "true"})),
]

TORCH = [
    _s("torch-1.11-to-1.13-a100-tf32", {"torch": "1.11.0"}, {"torch": "1.13.1"},
       {"FW-008": "warning"}, ("FW-009",), **_gpus(A100, A100)),
    _s("torch-1.11-to-1.13-t4-no-tf32", {"torch": "1.11.0"}, {"torch": "1.13.1"}, None,
       ("FW-008",), **_gpus(T4, T4)),
    _s("torch-2.5-to-2.6-weights-only", {"torch": "2.5.1"}, {"torch": "2.6.0"},
       {"FW-009": "error", "FW-010": "warning"}, ("FW-008", "FW-013")),
    _s("torch-2.6-to-2.5-weights-only-down", {"torch": "2.6.0"}, {"torch": "2.5.1"},
       {"FW-009": "info"}),
    _s("torch-2.5-to-2.7-weights-only-env-override", {"torch": "2.5.1"}, {"torch": "2.7.1"},
       {"FW-009": "warning"}, **_env({}, {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"})),
    # torch reads the variable against ["1", "y", "yes", "true"]; only newer releases (2.13.0)
    # lowercase it first, so "True" does not restore the old default on torch 2.7.
    _s("torch-2.5-to-2.7-weights-only-env-yes", {"torch": "2.5.1"}, {"torch": "2.7.1"},
       {"FW-009": "warning"}, **_env({}, {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "yes"})),
    _s("torch-2.5-to-2.7-weights-only-env-capital-true-not-read", {"torch": "2.5.1"},
       {"torch": "2.7.1"},
       {"FW-009": "error"}, **_env({}, {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "True"})),
    _s("torch-2.5-to-2.13-weights-only-env-capital-true-lowercased", {"torch": "2.5.1"},
       {"torch": "2.13.0"}, {"FW-009": "warning"},
       **_env({}, {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "True"})),
    _s("torch-2.6.0-to-2.6.3-patch", {"torch": "2.6.0+cu124"}, {"torch": "2.6.3+cu124"}, None,
       ("FW-009", "FW-010", "FW-013")),
    _s("torch-2.13-triton-off-pin", {"torch": "2.13.0", "triton": "3.7.1"},
       {"torch": "2.13.0", "triton": "3.6.0"}, {"FW-012": "warning"}),
    _s("torch-2.13-triton-on-pin", {"torch": "2.12.0", "triton": "3.7.0"},
       {"torch": "2.13.0", "triton": "3.7.1"}, None, ("FW-012",)),
    _s("torch-2.10-to-2.11-triton-stayed", {"torch": "2.10.0", "triton": "3.5.0"},
       {"torch": "2.11.0", "triton": "3.5.0"}, {"FW-012": "warning"}),
    _s("torch-and-triton-moved-together", {"torch": "2.10.0", "triton": "3.5.0"},
       {"torch": "2.11.0", "triton": "3.6.0"}, None, ("FW-012",)),
    _s("torch-2.8-to-2.9-fp32-precision-api", {"torch": "2.8.0"}, {"torch": "2.9.1"},
       {"FW-013": "info"}),
    _s("torch-2.9-to-2.10-same-api", {"torch": "2.9.0"}, {"torch": "2.10.0"}, None, ("FW-013",)),
]

NUMPY_PROTOBUF = [
    # The crossing alone is NEP 50 (a warning); an error only with a NumPy-1 build present.
    _s("numpy-1.26-to-2.0", {"numpy": "1.26.4"}, {"numpy": "2.0.2"},
       {"FW-015": "warning"}, ("FW-014", "FW-016")),
    _s("numpy-1.26-to-2.0-with-torch-2.2", {"numpy": "1.26.4", "torch": "2.2.2"},
       {"numpy": "2.0.2", "torch": "2.2.2"}, {"FW-014": "error", "FW-015": "warning"}),
    _s("numpy-1.26-to-2.0-with-torch-2.3", {"numpy": "1.26.4", "torch": "2.3.1"},
       {"numpy": "2.0.2", "torch": "2.3.1"}, {"FW-015": "warning"}, ("FW-014",)),
    _s("numpy-2.1-to-1.26-down", {"numpy": "2.1.3"}, {"numpy": "1.26.4"},
       {"FW-015": "warning"}, ("FW-014",)),
    _s("numpy-2.0-to-2.2", {"numpy": "2.0.0"}, {"numpy": "2.2.6"}, None,
       ("FW-014", "FW-015", "FW-016", "FW-017")),
    _s("numpy-1.23-to-1.24-aliases", {"numpy": "1.23.5"}, {"numpy": "1.24.4"},
       {"FW-016": "error"}, ("FW-014",)),
    _s("numpy-1.25-to-1.22-aliases-down", {"numpy": "1.25.2"}, {"numpy": "1.22.4"},
       {"FW-016": "info"}),
    _s("numpy-2.3-to-2.4-old-cpu", {"numpy": "2.3.5"}, {"numpy": "2.4.1"},
       {"FW-017": "error"}, current={"cpu_flags": OLD_CPU}),
    _s("numpy-2.3-old-cpu-both", {"numpy": "2.3.5"}, None, None, ("FW-017",),
       {"cpu_flags": OLD_CPU}, {"cpu_flags": OLD_CPU}),
    _s("numpy-2.4-to-2.5-v2-cpu", {"numpy": "2.4.1"}, {"numpy": "2.5.0"}, None, ("FW-017",)),
    _s("protobuf-3.20-to-4.21", {"protobuf": "3.20.3"}, {"protobuf": "4.21.12"},
       {"FW-018": "error"}),
    _s("protobuf-4.25-to-3.19-down", {"protobuf": "4.25.3"}, {"protobuf": "3.19.6"},
       {"FW-018": "info"}),
    _s("protobuf-4.21-to-5.27", {"protobuf": "4.21.0"}, {"protobuf": "5.27.2"}, None,
       ("FW-018",)),
]

ONNX_TRT = [
    _s("ort-gpu-1.8-to-1.10-providers", {"onnxruntime-gpu": "1.8.1"},
       {"onnxruntime-gpu": "1.10.0"}, {"FW-021": "error"}),
    _s("ort-gpu-1.11-to-1.8-down", {"onnxruntime-gpu": "1.11.1"},
       {"onnxruntime-gpu": "1.8.2"}, {"FW-021": "info"}),
    _s("ort-cpu-1.8-to-1.10-single-provider", {"onnxruntime": "1.8.0"},
       {"onnxruntime": "1.10.0"}, None, ("FW-021",)),
    _s("onnx-1.16-export-ort-1.17", {"onnx": "1.16.0", "onnxruntime": "1.18.1"},
       {"onnx": "1.16.0", "onnxruntime": "1.17.3"}, {"FW-022": "warning"}),
    _s("onnx-1.16-export-ort-1.20", {"onnx": "1.16.0", "onnxruntime": "1.18.1"},
       {"onnx": "1.16.0", "onnxruntime": "1.20.1"}, None, ("FW-022",)),
    # The table is data/onnxruntime_support.csv, shared with ART-004 (its measured 1.32 row).
    _s("onnx-1.24-export-ort-1.32", {"onnx": "1.24.0", "onnxruntime": "1.20.1"},
       {"onnx": "1.24.0", "onnxruntime": "1.32.0"}, {"FW-022": "warning"}),
    _s("onnx-1.23-export-ort-1.32", {"onnx": "1.23.2", "onnxruntime": "1.20.1"},
       {"onnx": "1.23.2", "onnxruntime": "1.32.0"}, None, ("FW-022",)),
    _s("tensorrt-10.3-to-10.7", {"tensorrt": "10.3.0"}, {"tensorrt": "10.7.0"},
       {"FW-023": "error"}),
    _s("tensorrt-cu12-unchanged", {"tensorrt-cu12": "10.3.0"}, None, None,
       ("FW-023", "FW-024", "FW-025"), **_gpus(A100, A100)),
    _s("tensorrt-a100-to-h100", {"tensorrt": "10.3.0"}, None, {"FW-024": "error"},
       **_gpus(A100, H100)),
    _s("tensorrt-a100-to-a30-same-cc", {"tensorrt": "10.3.0"}, None, {"FW-024": "warning"},
       **_gpus(A100, A30)),
    _s("tensorrt-x86-to-aarch64", {"tensorrt": "10.3.0"}, None, {"FW-025": "error"},
       current={"machine": "aarch64"}),
]

CLASSICAL = [
    _s("sklearn-1.4-to-1.5", {"scikit-learn": "1.4.2"}, {"scikit-learn": "1.5.0"},
       {"FW-026": "error"}),
    _s("sklearn-1.5.0-to-1.5.2", {"scikit-learn": "1.5.0"}, {"scikit-learn": "1.5.2"},
       {"FW-026": "warning"}),
    _s("sklearn-same", {"scikit-learn": "1.5.2"}, None, None, ("FW-026",)),
    _s("xgboost-2.0-to-2.1", {"xgboost": "2.0.3"}, {"xgboost": "2.1.1"}, {"FW-027": "warning"}),
    _s("xgboost-same", {"xgboost": "2.1.1"}, None, None, ("FW-027",)),
    _s("python-3.8-to-3.7-pickle-5", {"numpy": "1.21.6"}, None, {"FW-028": "warning"},
       locked={"python": "3.8.10"}, current={"python": "3.7.17"}),
    _s("python-3.7-to-3.9-pickle-up", {"numpy": "1.21.6"}, None, {"FW-028": "info"},
       locked={"python": "3.7.17"}, current={"python": "3.9.19"}),
    _s("python-3.11-to-3.12", {"numpy": "1.26.4"}, None, None, ("FW-028",),
       locked={"python": "3.11.9"}, current={"python": "3.12.4"}),
    _s("torch-2.6-cu126-on-glibc-2.26", {"torch": "2.6.0+cu126"}, None, {"FW-029": "error"},
       current={"libc_version": "2.26"}),
    # pytorch#141565: torch 2.6's CPU, cu118 and cu124 wheels stayed manylinux2014 (glibc 2.17).
    _s("torch-2.6-cu124-on-glibc-2.26", {"torch": "2.6.0"}, None, None, ("FW-029",),
       current={"libc_version": "2.26"}),
    _s("torch-2.6-on-glibc-2.28", {"torch": "2.6.0"}, None, None, ("FW-029",),
       current={"libc_version": "2.28"}),
]

TRAIN_H200 = {"torch": "2.11.0+cu130", "torchvision": "0.26.0", "numpy": "2.5.2",
              "pillow": "12.3.0", "onnxruntime": "1.30.0", "onnx": "1.23.1",
              "opencv-python-headless": "5.0.0.93", "pip": "25.2"}
DEPLOY_CPU = {"torch": "2.13.0+cpu", "numpy": "2.4.6", "pillow": "13.0.0",
              "onnxruntime": "1.32.0", "onnx": "1.23.2", "opencv-python-headless": "5.0.0.93",
              "pip": "25.3"}
H200_HOST = fp(python="3.12.3", packages=TRAIN_H200, gpus=[("NVIDIA H200", "9.0")],
               frameworks={"torch": torch_fw()})
CPU_HOST = fp(python="3.11.7", packages=DEPLOY_CPU, gpus=(),
              frameworks={"torch": torch_fw("2.13.0+cpu", cuda="")})
MY_RULES = ("FW-0", "PRE-")

REAL_PAIR = Scenario(
    "real-h200-train-to-cpu-deploy", H200_HOST, CPU_HOST,
    {"PKG-002": "warning", "FW-010": "warning", "PRE-014": "info"},
    frozenset({"FW-001", "FW-009", "FW-013", "FW-014", "FW-015", "FW-016", "FW-017",
               "FW-022", "FW-028", "FW-029", "PRE-002", "PRE-007", "PRE-008"}),
)

SCENARIOS: list[Scenario] = [*KERAS, *TENSORFLOW, *TORCH, *NUMPY_PROTOBUF, *ONNX_TRT,
                             *CLASSICAL, REAL_PAIR]


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_real_pair_numpy_and_pillow_are_warnings_and_subjects_unique() -> None:
    findings = run(H200_HOST, CPU_HOST)
    by_subject = {f.subject: f for f in findings}
    assert len(by_subject) == len(findings)
    assert by_subject["numpy"].severity is Severity.WARNING
    assert by_subject["pillow"].severity.rank <= Severity.WARNING.rank
    mine = [r for r, _ in flat(findings) if r.startswith(MY_RULES)]
    assert len(mine) == len(set(mine))


def test_identical_framework_hosts_give_no_findings() -> None:
    pkgs = {**TF_2_17, "torch": "2.6.0", "triton": "3.2.0", "tensorrt": "10.3.0",
            "onnx": "1.16.0", "onnxruntime-gpu": "1.17.1", "scikit-learn": "1.5.2"}
    kw: dict[str, Any] = {"gpus": [A100], "env": {"TF_USE_LEGACY_KERAS": "1"},
                          "frameworks": {"cv2": Framework(name="cv2", version="4.10.0")}}
    assert run(fp(packages=pkgs, **kw), fp(packages=pkgs, **kw)) == []


def test_only_tooling_changed_is_at_most_info() -> None:
    base = {"torch": "2.6.0", "numpy": "2.1.0", "pip": "24.0", "setuptools": "69.0.0"}
    moved = {**base, "pip": "25.3", "setuptools": "80.9.0", "ruff": "0.6.0"}
    findings = run(fp(packages=base), fp(packages=moved))
    assert all(f.severity is Severity.INFO for f in findings)


_VERSIONS = st.sampled_from(["1.11.0", "1.24.4", "2.0.2", "2.6.0+cu124", "2.16.1", "3.20.3",
                             "4.5.5.62", "5.0.0.93", "10.0.0"])
_DISTS = st.sampled_from(["torch", "numpy", "tensorflow", "keras", "protobuf", "pillow",
                          "opencv-python", "onnxruntime-gpu", "tensorrt", "scikit-learn"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_DISTS, _VERSIONS, max_size=6))
def test_identical_fingerprints_never_fire(pkgs: dict[str, str]) -> None:
    assert run(fp(packages=pkgs), fp(packages=pkgs)) == []
