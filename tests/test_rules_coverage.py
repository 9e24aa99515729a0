"""Coverage scenarios of issue 8: old GPUs on new drivers, companions, every framework's CUDA
checks, wheel tags, settings training relied on, CPU ISA families."""

from __future__ import annotations

import pytest

from envaudit.model import Unavailable
from tests.factories import X86_V4, Scenario, check_scenario, fp, torch_fw

P100 = ("Tesla P100-PCIE-16GB", "6.0")
V100 = ("Tesla V100-SXM2-32GB", "7.0")
K80 = ("Tesla K80", "3.7")
T4 = ("Tesla T4", "7.5")
TX2 = ("NVIDIA Jetson TX2", "6.2")
AVX = ("avx", "cx16", "lahf_lm", "popcnt", "sse", "sse2", "sse3", "sse4_1", "sse4_2", "ssse3")
SPR = (*X86_V4, "amx_bf16", "amx_int8", "amx_tile", "avx512_bf16", "avx512_vnni", "avx512bw",
       "avx512dq", "avx512vl", "avx_vnni", "f16c")
CU126 = torch_fw("2.7.1+cu126", "12.6", ("sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_90"))

SCENARIOS: list[Scenario] = [
    Scenario(id="pascal-on-r590",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[P100]),
             current=fp(nvidia=("590.48.01", "13.1"), gpus=[P100]),
             fires={"GPU-050": "error"}),
    Scenario(id="volta-on-r580",
             locked=fp(nvidia=("575.57.08", "12.9"), gpus=[V100]),
             current=fp(nvidia=("580.95.05", "13.0"), gpus=[V100]),
             silent=frozenset({"GPU-050"})),
    Scenario(id="kepler-on-r535",
             locked=fp(nvidia=("470.256.02", "11.4"), gpus=[K80]),
             current=fp(nvidia=("535.261.03", "12.2"), gpus=[K80]),
             fires={"GPU-050": "error"}),
    Scenario(id="turing-on-r590",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[T4]),
             current=fp(nvidia=("590.48.01", "13.1"), gpus=[T4]),
             silent=frozenset({"GPU-050"})),
    Scenario(id="jetson-pascal-igpu-on-l4t-driver",
             locked=fp(machine="aarch64", cpu_flags=("asimd",), nvidia=("540.4.0", "12.6"),
                       gpus=[TX2]),
             current=fp(machine="aarch64", cpu_flags=("asimd",), nvidia=("590.1.0", "13.1"),
                        gpus=[TX2]),
             silent=frozenset({"GPU-050"})),
    # CPU-050: ISA families.
    Scenario(id="sapphire-rapids-to-skylake-loses-amx-bf16-vnni",
             locked=fp(cpu_flags=SPR), current=fp(cpu_flags=X86_V4),
             fires={"CPU-050": "warning"}),
    Scenario(id="haswell-to-sandy-bridge-loses-fma-avx2",
             locked=fp(cpu_flags=(*AVX, "avx2", "fma", "f16c")), current=fp(cpu_flags=AVX),
             fires={"CPU-050": "warning"}),
    Scenario(id="gaining-isa-extensions-is-silent",
             locked=fp(cpu_flags=X86_V4), current=fp(cpu_flags=SPR),
             silent=frozenset({"CPU-050"})),
    Scenario(id="cpu-flags-not-read-on-deployment",
             locked=fp(cpu_flags=SPR), current=fp(cpu_flags=()),
             silent=frozenset({"CPU-050"})),
    Scenario(id="graviton3-to-graviton2-loses-sve-bf16",
             locked=fp(machine="aarch64", cpu_flags=("asimd", "asimddp", "bf16", "i8mm", "sve")),
             current=fp(machine="aarch64", cpu_flags=("asimd", "asimddp")),
             fires={"CPU-050": "warning"}),
    Scenario(id="non-kernel-flag-lost-is-silent",
             locked=fp(cpu_flags=(*X86_V4, "movbe")), current=fp(cpu_flags=X86_V4),
             silent=frozenset({"CPU-050"})),
    # ENV-050: settings training relied on.
    Scenario(id="onednn-isa-cap-dropped",
             locked=fp(env={"ONEDNN_MAX_CPU_ISA": "AVX2"}), current=fp(env={}),
             fires={"ENV-050": "warning"}),
    Scenario(id="jax-x64-set-only-in-training",
             locked=fp(env={"JAX_ENABLE_X64": "True"}), current=fp(env={"JAX_ENABLE_X64": "0"}),
             fires={"ENV-050": "warning"}),
    Scenario(id="numpy-dispatch-mask-same-on-both-sides",
             locked=fp(env={"NPY_DISABLE_CPU_FEATURES": "AVX512F"}),
             current=fp(env={"NPY_DISABLE_CPU_FEATURES": "AVX512F"}),
             silent=frozenset({"ENV-050"})),
    Scenario(id="deployment-env-not-collected",
             locked=fp(env={"OPENCV_CPU_DISABLE": "AVX2"}),
             current=fp(env=Unavailable("not collected")),
             silent=frozenset({"ENV-050"})),
    # COMP-050: companions.
    Scenario(id="torch-upgraded-torchvision-left-behind",
             locked=fp(packages={"torch": "2.2.2", "torchvision": "0.17.2"}),
             current=fp(packages={"torch": "2.3.1", "torchvision": "0.17.2"}),
             fires={"COMP-050": "error"}),
    Scenario(id="torch-and-torchvision-moved-together",
             locked=fp(packages={"torch": "2.2.2", "torchvision": "0.17.2"}),
             current=fp(packages={"torch": "2.3.1+cu121", "torchvision": "0.18.1+cu121"}),
             silent=frozenset({"COMP-050"})),
    Scenario(id="torch-release-not-in-the-table",
             locked=fp(packages={"torch": "2.2.2", "torchvision": "0.17.2"}),
             current=fp(packages={"torch": "3.0.0", "torchvision": "0.17.2"}),
             silent=frozenset({"COMP-050"})),
    Scenario(id="torchaudio-left-behind",
             locked=fp(packages={"torch": "2.2.2", "torchaudio": "2.2.2"}),
             current=fp(packages={"torch": "2.3.0", "torchaudio": "2.2.2"}),
             fires={"COMP-050": "error"}),
    Scenario(id="jaxlib-newer-than-jax",
             locked=fp(packages={"jax": "0.4.30", "jaxlib": "0.4.30"}),
             current=fp(packages={"jax": "0.4.30", "jaxlib": "0.4.31"}),
             fires={"COMP-050": "error"}),
    Scenario(id="jaxlib-older-than-jax-is-allowed",
             locked=fp(packages={"jax": "0.4.30", "jaxlib": "0.4.30"}),
             current=fp(packages={"jax": "0.4.31", "jaxlib": "0.4.30"}),
             silent=frozenset({"COMP-050"})),
    Scenario(id="jax-cuda-plugin-not-jaxlibs-version",
             locked=fp(packages={"jax": "0.7.2", "jaxlib": "0.7.2", "jax-cuda12-plugin": "0.7.2"}),
             current=fp(packages={"jax": "0.7.2", "jaxlib": "0.7.1",
                                  "jax-cuda12-plugin": "0.7.2"}),
             fires={"COMP-050": "error"}),
    Scenario(id="tf-keras-behind-tensorflow",
             locked=fp(packages={"tensorflow": "2.17.1", "tf-keras": "2.17.0"}),
             current=fp(packages={"tensorflow": "2.18.0", "tf-keras": "2.17.0"}),
             fires={"COMP-050": "error"}),
    Scenario(id="tf-keras-patch-differs-only",
             locked=fp(packages={"tensorflow": "2.18.0", "tf-keras": "2.18.0"}),
             current=fp(packages={"tensorflow": "2.18.1", "tf-keras": "2.18.0"}),
             silent=frozenset({"COMP-050"})),
    Scenario(id="tensorflow-io-0.36-on-tf-2.16",
             locked=fp(packages={"tensorflow": "2.15.1", "tensorflow-io": "0.36.0"}),
             current=fp(packages={"tensorflow": "2.16.1", "tensorflow-io": "0.36.0"}),
             fires={"COMP-050": "error"}),
    Scenario(id="genai-cuda-without-onnxruntime-gpu",
             locked=fp(packages={"onnxruntime-genai-cuda": "0.9.0", "onnxruntime-gpu": "1.22.0"}),
             current=fp(packages={"onnxruntime-genai-cuda": "0.9.0", "onnxruntime": "1.22.0"}),
             fires={"COMP-050": "error"}),
    Scenario(id="mismatch-already-in-training-is-not-drift",
             locked=fp(packages={"torch": "2.3.1", "torchvision": "0.17.2"}),
             current=fp(packages={"torch": "2.3.1", "torchvision": "0.17.2"}),
             silent=frozenset({"COMP-050"})),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_settings_table_names_are_captured_and_not_already_ruled() -> None:
    """Every ENV-050 variable reaches the lock, and no older ENV rule reports it too."""
    from envaudit.probes.env import is_captured
    from envaudit.rules.catalog import load_catalog
    from envaudit.rules.checks.settings import settings_table

    names = {row["name"] for row in settings_table("env_settings.csv")}
    assert all(is_captured(n) for n in names)
    ruled = {n for r in load_catalog().rules if r.id.startswith("ENV-0") and r.id != "ENV-050"
             for n in r.params.get("names", ())}
    assert not names & ruled
