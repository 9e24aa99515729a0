"""Scenarios for the effective-numerics rules NUM-001 (GPU TF32) and NUM-002 (CPU oneDNN)."""

from __future__ import annotations

import pytest

from envaudit.model import Unavailable
from envaudit.rules.checks.numerics import effective_numerics
from tests.factories import X86_V4, Scenario, check_scenario, fp, run, torch_fw

A100 = ("NVIDIA A100-PCIE-40GB", "8.0")
H100 = ("NVIDIA H100 80GB HBM3", "9.0")
T4 = ("Tesla T4", "7.5")
V100 = ("Tesla V100-SXM2-16GB", "7.0")
TORCH = {"numpy": "2.1.0", "torch": "2.5.1"}
TF = {"numpy": "1.26.4", "tensorflow": "2.17.0"}
NUM = frozenset({"NUM-001", "NUM-002"})
VNNI = (*X86_V4, "avx512_vnni")

SCENARIOS: list[Scenario] = [
    Scenario(id="tf32-disabled-by-env-only-on-deployment",
             locked=fp(packages=TORCH, gpus=[A100]),
             current=fp(packages=TORCH, gpus=[A100], env={"NVIDIA_TF32_OVERRIDE": "0"}),
             fires={"NUM-001": "warning", "ENV-003": "warning"},
             silent=frozenset({"NUM-002"})),
    Scenario(id="torch-1.11-to-1.12-on-ampere",
             locked=fp(packages={"torch": "1.11.0"}, gpus=[A100]),
             current=fp(packages={"torch": "1.12.1"}, gpus=[A100]),
             fires={"NUM-001": "warning"}),
    Scenario(id="torch-volta-to-hopper",
             locked=fp(frameworks={"torch": torch_fw("2.5.1+cu124", "12.4")}, gpus=[V100]),
             current=fp(frameworks={"torch": torch_fw("2.5.1+cu124", "12.4")}, gpus=[H100]),
             fires={"NUM-001": "warning"}),
    Scenario(id="tensorflow-turing-to-ampere",
             locked=fp(packages=TF, gpus=[T4]), current=fp(packages=TF, gpus=[A100]),
             fires={"NUM-001": "warning"}, silent=frozenset({"NUM-002"})),
    Scenario(id="torch-cublas-override-forces-matmul-tf32",
             locked=fp(packages=TORCH, gpus=[H100]),
             current=fp(packages=TORCH, gpus=[H100],
                        env={"TORCH_ALLOW_TF32_CUBLAS_OVERRIDE": "1"}),
             fires={"NUM-001": "warning", "ENV-004": "warning"}),
    Scenario(id="same-math-both-sides",
             locked=fp(packages=TORCH, gpus=[A100], env={"NVIDIA_TF32_OVERRIDE": "0"}),
             current=fp(packages=TORCH, gpus=[H100], env={"NVIDIA_TF32_OVERRIDE": "0"}),
             silent=NUM),
    Scenario(id="deployment-gpus-not-collected",
             locked=fp(packages=TORCH, gpus=[A100]),
             current=fp(packages=TORCH, gpus=Unavailable("NVML not found")),
             silent=NUM),
    Scenario(id="torch-cpu-build-gpu-changed",
             locked=fp(frameworks={"torch": torch_fw("2.5.1+cpu", "")}, gpus=[T4]),
             current=fp(frameworks={"torch": torch_fw("2.5.1+cpu", "")}, gpus=[A100]),
             silent=NUM),
    Scenario(id="no-framework-gpu-changed",
             locked=fp(gpus=[T4]), current=fp(gpus=[A100]), silent=NUM),
    Scenario(id="onednn-bf16-math-on-deployment",
             locked=fp(packages=TORCH),
             current=fp(packages=TORCH, env={"ONEDNN_DEFAULT_FPMATH_MODE": "bf16"}),
             fires={"NUM-002": "warning", "ENV-011": "warning"},
             silent=frozenset({"NUM-001"})),
    Scenario(id="tf-onednn-switched-off",
             locked=fp(packages=TF, cpu_flags=VNNI),
             current=fp(packages=TF, cpu_flags=VNNI, env={"TF_ENABLE_ONEDNN_OPTS": "0"}),
             fires={"NUM-002": "warning"}),
    Scenario(id="tensorflow-2.8-to-2.9-on-linux",
             locked=fp(packages={"tensorflow": "2.8.4"}, cpu_flags=VNNI),
             current=fp(packages={"tensorflow": "2.9.3"}, cpu_flags=VNNI),
             fires={"NUM-002": "warning"}),
    # Same TensorFlow, another CPU class: the default flips (tensorflow#56039, port.cc).
    Scenario(id="tf-2.17-amx-host-to-avx2-host",
             locked=fp(packages=TF, cpu_flags=(*X86_V4, "amx_tile", "amx_bf16")),
             current=fp(packages=TF), fires={"NUM-002": "warning"}),
    Scenario(id="tf-onednn-default-spelled-out",
             locked=fp(packages=TF, cpu_flags=VNNI),
             current=fp(packages=TF, cpu_flags=VNNI, env={"TF_ENABLE_ONEDNN_OPTS": "1"}),
             silent=NUM),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_effective_numerics_torch_defaults_on_ampere() -> None:
    got = effective_numerics(fp(packages=TORCH, gpus=[A100]))
    assert got == {"torch.matmul": "fp32", "torch.conv": "tf32", "onednn": "strict"}


def test_effective_numerics_tensorflow_on_turing() -> None:
    got = effective_numerics(fp(packages=TF, gpus=[T4], cpu_flags=VNNI))
    assert got == {"tf.matmul": "fp32", "tf.conv": "fp32", "tf.onednn": "on",
                   "onednn": "strict"}
    assert effective_numerics(fp(packages=TF, gpus=[T4]))["tf.onednn"] == "off"


def test_effective_numerics_unknown_gpu() -> None:
    got = effective_numerics(fp(packages=TORCH, gpus=Unavailable("no NVML")))
    assert got["torch.matmul"] == "unknown"


def test_effective_numerics_without_env_or_frameworks() -> None:
    assert effective_numerics(fp(env=Unavailable("not collected"), packages=TORCH)) == {}
    assert effective_numerics(fp(gpus=[A100])) == {}


def test_one_numerics_finding_cites_each_difference() -> None:
    findings = run(fp(packages=TORCH, gpus=[A100]),
                   fp(packages=TORCH, gpus=[A100],
                      env={"NVIDIA_TF32_OVERRIDE": "0", "ONEDNN_DEFAULT_FPMATH_MODE": "any"}))
    numerics = [f for f in findings if f.subject == "numerics"]
    assert len(numerics) == 1
    lead = numerics[0]
    assert lead.rule == "NUM-001"
    assert [r.rule for r in lead.related] == ["NUM-002"]
    assert "torch.conv tf32 → fp32" in lead.message
    assert lead.locked == "torch.conv=tf32"
