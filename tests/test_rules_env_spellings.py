"""Scenarios: a variable spelled differently, or set to what unset means, is no change.

Each library reads its boolean variables its own way (quoted where the reader is defined, in
envaudit/rules/checks/env.py): torch's c10 check_env takes exactly "0"/"1" and ignores anything
else, TensorFlow's ReadBoolFromEnvVar 0/1/true/false in any case, JAX's bool_env y/yes/t/true/
on/1 and their opposites, torch.load's overrides 1/y/yes/true, TensorFlow's Keras switch only
"true", "True" and "1".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

import pytest

from tests.factories import X86_V4, Scenario, check_scenario, fp

A100 = ("NVIDIA A100-SXM4-80GB", "8.0")
TORCH = {"numpy": "2.1.0", "torch": "2.5.1"}
TORCH_26 = {"numpy": "2.1.0", "torch": "2.6.0"}
TF = {"numpy": "1.26.4", "tensorflow": "2.17.0"}
VNNI = (*X86_V4, "avx512_vnni")


def env(id: str, before: Mapping[str, str], after: Mapping[str, str],
        fires: Optional[Mapping[str, str]] = None, silent: tuple[str, ...] = (),
        **kw: object) -> Scenario:
    return Scenario(id=id, locked=fp(env=before, **kw), current=fp(env=after, **kw),  # type: ignore[arg-type]
                    fires=fires or {}, silent=frozenset(silent))


SCENARIOS: list[Scenario] = [
    # ENV-004 / NUM-001: torch reads TORCH_ALLOW_TF32_CUBLAS_OVERRIDE with c10 check_env.
    env("tf32-cublas-override-true-is-ignored-by-torch", {},
        {"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "true"}, {"ENV-000": "info"},
        ("ENV-004", "NUM-001"), gpus=[A100], packages=TORCH),
    env("tf32-cublas-override-one-still-forces", {}, {"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "1"},
        {"ENV-004": "warning", "NUM-001": "warning"}, gpus=[A100], packages=TORCH),
    # ENV-013: torch.load's true values are 1, y, yes, true. torch < 2.6 reads only
    # TORCH_FORCE_WEIGHTS_ONLY_LOAD, lower-cased; 2.6 (PR 138225) reads both as written;
    # 2.13 lower-cases both again.
    env("weights-only-on-is-false-for-torch", {},
        {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "on", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "on"},
        {"ENV-000": "info"}, ("ENV-013",), packages=TORCH_26),
    env("weights-only-both-forced-with-y", {},
        {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "y", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "Y"},
        {"ENV-013": "error"}, packages={**TORCH, "torch": "2.13.0"}),
    env("weights-only-capitalised-not-read-by-torch-2-6", {},
        {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "True", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "True"},
        {"ENV-000": "info"}, ("ENV-013",), packages=TORCH_26),
    env("weights-only-lowercase-both-set-on-torch-2-6", {},
        {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "true", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"},
        {"ENV-013": "error"}, packages=TORCH_26),
    env("weights-only-capitalised-read-by-torch-2-5", {}, {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "True"},
        {"ENV-013": "warning"}, packages=TORCH),
    env("weights-only-no-variable-unknown-to-torch-2-5", {},
        {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"},
        {"ENV-013": "warning"}, packages=TORCH),
    # ENV-014: TensorFlow picks tf_keras only for "true", "True" or "1".
    env("legacy-keras-yes-is-keras-3", {}, {"TF_USE_LEGACY_KERAS": "yes"}, {"ENV-000": "info"},
        ("ENV-014",), packages=TF),
    env("legacy-keras-true-capitalised-is-legacy", {}, {"TF_USE_LEGACY_KERAS": "True"},
        {"ENV-014": "error"}, packages=TF),
    # ENV-005: unset means TensorFlow's own default, which follows the CPU (tf_onednn).
    env("tf-onednn-default-on-spelled-out", {}, {"TF_ENABLE_ONEDNN_OPTS": "1"},
        {"ENV-000": "info"}, ("ENV-005", "NUM-002"), packages=TF, cpu_flags=VNNI),
    env("tf-onednn-default-off-spelled-out", {}, {"TF_ENABLE_ONEDNN_OPTS": "false"},
        {"ENV-000": "info"}, ("ENV-005", "NUM-002"), packages=TF, cpu_flags=X86_V4),
    env("tf-onednn-switched-off-on-vnni", {}, {"TF_ENABLE_ONEDNN_OPTS": "0"},
        {"ENV-005": "warning", "NUM-002": "warning"}, packages=TF, cpu_flags=VNNI),
    env("tf-onednn-default-unknown-on-arm", {}, {"TF_ENABLE_ONEDNN_OPTS": "1"},
        {"ENV-005": "warning"}, packages=TF, machine="aarch64", cpu_flags=("asimd",)),
    # ENV-050: the library's default spelled out, or the same value spelled otherwise.
    env("jax-x64-default-spelled-out", {}, {"JAX_ENABLE_X64": "0"}, {"ENV-000": "info"},
        ("ENV-050",)),
    env("jax-x64-same-meaning", {"JAX_ENABLE_X64": "True"}, {"JAX_ENABLE_X64": "1"},
        {"ENV-000": "info"}, ("ENV-050",)),
    env("jax-x64-false-spelled-otherwise", {"JAX_ENABLE_X64": "false"}, {},
        {"ENV-000": "info"}, ("ENV-050",)),
    env("tf-cudnn-autotune-default-spelled-out", {}, {"TF_CUDNN_USE_AUTOTUNE": "TRUE"},
        {"ENV-000": "info"}, ("ENV-050",)),
    env("torch-cudnn-v8-default-spelled-out", {}, {"TORCH_CUDNN_V8_API_DISABLED": "0"},
        {"ENV-000": "info"}, ("ENV-050",)),
    env("torch-cudnn-v8-true-is-ignored-by-torch", {}, {"TORCH_CUDNN_V8_API_DISABLED": "true"},
        {"ENV-000": "info"}, ("ENV-050",)),
    env("torch-cudnn-v8-disabled", {}, {"TORCH_CUDNN_V8_API_DISABLED": "1"},
        {"ENV-050": "warning"}),
    env("tf-cudnn-autotune-off-spelled-false", {"TF_CUDNN_USE_AUTOTUNE": "1"},
        {"TF_CUDNN_USE_AUTOTUNE": "False"}, {"ENV-050": "warning"}),
    # oneDNN reads ONEDNN_<NAME>, else DNNL_<NAME>, lower-cased (src/common/utils.cpp).
    env("onednn-fpmath-same-value-other-spelling", {"ONEDNN_DEFAULT_FPMATH_MODE": "bf16"},
        {"DNNL_DEFAULT_FPMATH_MODE": "BF16"}, {}, ("ENV-011",)),
    env("onednn-fpmath-older-spelling-now-read", {"ONEDNN_DEFAULT_FPMATH_MODE": "strict",
                                                  "DNNL_DEFAULT_FPMATH_MODE": "bf16"},
        {"DNNL_DEFAULT_FPMATH_MODE": "bf16"}, {"ENV-011": "warning"}),
    env("onednn-max-isa-same-value-other-spelling", {"DNNL_MAX_CPU_ISA": "AVX2"},
        {"ONEDNN_MAX_CPU_ISA": "avx2"}, {}, ("ENV-050",)),
    env("onednn-max-isa-newer-spelling-wins", {"DNNL_MAX_CPU_ISA": "AVX2"},
        {"DNNL_MAX_CPU_ISA": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE"},
        {"ENV-050": "warning"}),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)

