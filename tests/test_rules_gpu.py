"""Scenarios for the GPU rules: each fires in one scenario and stays silent in another."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Optional

import pytest

from envaudit.model import CudaLibrary, Framework, Gpu, NoDriver, NvidiaInfo, Unavailable
from tests.factories import Scenario, check_scenario, fp, run, torch_fw

H200 = ("NVIDIA H200", "9.0")
CU130 = {"torch": torch_fw()}
CPU_TORCH = {"torch": torch_fw("2.13.0+cpu", cuda="")}
ROCM_TORCH = Framework("torch", "2.6.0+rocm6.2.4", details={"hip": "6.2.41134-65d174c3e"})
SITE = "/venv/lib/python3.12/site-packages"


def cudnn(version: str, path: str = f"{SITE}/nvidia/cudnn/lib",
          used_by: tuple[str, ...] = ("torch",)) -> CudaLibrary:
    return CudaLibrary(name="cudnn", version=version, path=path, source="wheel", used_by=used_by)


def host(driver: str = "580.159.04", cuda_driver: str = "13.0", gpus: object = (H200,),
         frameworks: object = None, libs: object = None, **kw: object) -> object:
    return fp(nvidia=(driver, cuda_driver), gpus=gpus,  # type: ignore[arg-type]
              frameworks=CU130 if frameworks is None else frameworks,  # type: ignore[arg-type]
              cuda_libraries=[cudnn("9.19.0")] if libs is None else libs,  # type: ignore[arg-type]
              **kw)  # type: ignore[arg-type]


BASE = host()


def windows(f: object, wsl: bool = False) -> object:
    """The same host on Windows, or on Linux under WSL 2 (the Windows driver serves it)."""
    plat = f.platform  # type: ignore[attr-defined]
    if wsl:
        plat = dataclasses.replace(plat, release="5.15.167.4-microsoft-standard-WSL2")
    else:
        plat = dataclasses.replace(plat, system="Windows", release="10", libc="", libc_version="")
    return dataclasses.replace(f, platform=plat)  # type: ignore[call-overload]


ORIN = ("sm_87",)
JETSON = fp(machine="aarch64", cpu_flags=("asimd",), nvidia=("540.4.0", "12.6"),
            gpus=[("Orin (nvgpu)", "8.7")],
            frameworks={"torch": torch_fw("2.5.0", "12.6", arch=ORIN)},
            cuda_libraries=[cudnn("9.3.0", "/usr/lib/aarch64-linux-gnu")])
JETSON_LOCK = dataclasses.replace(JETSON, nvidia=NvidiaInfo(driver="540.3.0", cuda_driver="12.6"))


ALL = frozenset({"CUDA-001", "CUDA-002", "CUDA-003", "CUDA-005", "CUDA-007", "GPU-001",
                 "GPU-002", "GPU-003", "GPU-004", "GPU-006", "GPU-007", "GPU-009", "GPU-010",
                 "GPU-011", "CUDNN-001", "CUDNN-002", "CUDNN-003", "CUDNN-004", "CUDNN-005",
                 "CUDNN-006", "CUDNN-007", "FW-011", "FW-020", "CUDA-004", "CUDA-006"})


def S(id: str, locked: object, current: object, fires: dict[str, str],
      silent: frozenset[str] = frozenset(), today: Optional[datetime.date] = None) -> Scenario:
    return Scenario(id=id, locked=locked, current=current, fires=fires,  # type: ignore[arg-type]
                    silent=silent - set(fires), today=today)


COMPAT = {"LD_LIBRARY_PATH": "/usr/local/cuda/compat:/usr/local/nvidia/lib64"}
DAY = datetime.date(2026, 11, 27)


CU118 = torch_fw("2.5.1+cu118", "11.8", arch=("sm_50", "sm_60", "sm_70", "sm_75", "sm_80",
                                                "sm_86", "sm_90"))
ORT_GPU = Framework(name="onnxruntime", version="1.31.1", cuda="13.0",
                    provided_by=("onnxruntime-gpu",))
OLD_TORCH = torch_fw("2.3.1+cu121", cuda="12.1", arch=("sm_80", "sm_90"))
TORCH23_FW = Framework("torch", "2.3.1+cu121", "12.1", "8.9.2", ("sm_80", "sm_90"))
CUDNN8 = cudnn("8.9.2")
TORCH23 = host("550.54.15", "12.4", frameworks={"torch": TORCH23_FW}, libs=[CUDNN8])

SCENARIOS = [
    S("identical-h200", BASE, BASE, {}, ALL),
    S("driver-535-torch-cu130", BASE, host("535.183.01", "12.2"),
      {"CUDA-001": "error", "CUDA-003": "info", "CUDA-005": "info"}),
    # Forward compatibility (cuda-compat on a data-center GPU): supported, not an error.
    S("driver-535-torch-cu130-forward-compat", host(env=COMPAT),
      host("535.183.01", "12.2", env=COMPAT),
      {"CUDA-001": "info", "CUDA-003": "info", "CUDA-005": "info"}),
    S("driver-535-torch-cu130-compat-libcuda-mapped", BASE,
      host("535.183.01", "12.2", runtime={"torch": {
          "mapped-libraries": "/usr/local/cuda-13.0/compat/libcuda.so.580.65.06"}}),
      {"CUDA-001": "info", "CUDA-003": "info", "CUDA-005": "info"}),
    # CUDA 11.0 builds need 450.36.06 (Table 3), not 450.80.02.
    S("cuda-11-0-build-on-driver-450-51", BASE,
      host("450.51.06", "11.0", frameworks={"torch": torch_fw("1.7.1+cu110", "11.0", arch=(
          "sm_37", "sm_50", "sm_60", "sm_70", "sm_75", "sm_80"))}, libs=[]),
      {}, frozenset({"CUDA-001", "CUDA-002"})),
    S("cuda-11-8-build-on-driver-450-51", BASE,
      host("450.51.06", "11.0", frameworks={"torch": CU118}, libs=[]), {"CUDA-001": "error"}),
    # A wheel records "12.8"; the cuda-toolkit distribution says 12.8.1 (>= 570.124.06).
    S("cu128-wheel-with-cuda-toolkit-12.8.1", BASE,
      fp(nvidia=("570.86.10", "12.8"), gpus=[H200], packages={"cuda-toolkit": "12.8.1"},
         frameworks={"torch": torch_fw("2.8.0+cu128", "12.8")}), {"CUDA-002": "warning"}),
    S("cu128-wheel-ga-toolkit", BASE,
      fp(nvidia=("570.86.10", "12.8"), gpus=[H200], packages={"cuda-toolkit": "12.8.0"},
         frameworks={"torch": torch_fw("2.8.0+cu128", "12.8")}), {}, frozenset({"CUDA-002"})),
    # 12.3.2 ships 12.3.1's cudart: 12.3.1's minimum (545.23.08) is its inferred row.
    S("cuda-12-3-2-inferred-row", BASE,
      host("545.23.06", "12.3", frameworks={"torch": torch_fw("2.2.0", "12.3.2")}, libs=[]),
      {"CUDA-002": "warning"}),
    # 12.6.4 has no row at all: 12.6.3's minimum (560.35.05) is used, never a silent skip.
    S("cuda-12-6-4-without-a-row", BASE,
      host("560.35.03", "12.6", frameworks={"torch": torch_fw("2.6.0", "12.6.4")}, libs=[]),
      {"CUDA-002": "warning"}),
    S("driver-580-65-torch-cu132", host(frameworks={"torch": torch_fw("2.12.0+cu132", "13.2")}),
      host("580.65.06", frameworks={"torch": torch_fw("2.12.0+cu132", "13.2")}),
      {"CUDA-002": "warning"}, frozenset({"CUDA-001"})),
    S("torch-cu134", BASE, host(frameworks={"torch": torch_fw("2.14.1+cu134", "13.4")}),
      {"CUDA-007": "info"}),
    S("h200-to-v100-cu130", BASE, host(gpus=[("Tesla V100", "7.0")]),
      {"GPU-001": "error", "GPU-003": "error", "GPU-006": "warning", "GPU-007": "warning"}),
    S("h200-to-k80-cu12", host(frameworks={"torch": torch_fw("2.5.1+cu121", "12.1")}),
      host(gpus=[("Tesla K80", "3.7")],
           frameworks={"torch": torch_fw("2.5.1+cu121", "12.1", arch=("sm_37", "sm_90"))}),
      {"GPU-002": "error"}),
    S("b200-torch-cu126", host(gpus=[("NVIDIA H100", "9.0")],
                               frameworks={"torch": torch_fw("2.7.0+cu126", "12.6")}),
      host(gpus=[("NVIDIA B200", "10.0")],
           frameworks={"torch": torch_fw("2.7.0+cu126", "12.6",
                                         arch=("sm_80", "sm_90"))}),
      {"GPU-004": "error", "GPU-001": "error"}),
    S("b200-ptx-build", BASE, host(gpus=[("NVIDIA B200", "10.0")],
                                   frameworks={"torch": torch_fw("2.5.0+cu124", "12.4",
                                                                 arch=("sm_90", "compute_90"))}),
      {"GPU-010": "warning", "GPU-004": "warning"}),
    # Arch-specific code (sm_90a/compute_90a) runs on CC 9.0 only, PTX included (PTX ISA);
    # family PTX compute_100f only on 10.x. Read as portable PTX they were a GPU-010 warning.
    S("b200-arch-specific-ptx-only", BASE,
      host(gpus=[("NVIDIA B200", "10.0")],
           frameworks={"torch": torch_fw("2.8.0+cu128", "12.8", arch=("sm_90a", "compute_90a"))}),
      {"GPU-001": "error"}, frozenset({"GPU-010"})),
    S("rtx-5090-family-ptx-of-another-family", BASE,
      host(gpus=[("NVIDIA GeForce RTX 5090", "12.0")],
           frameworks={"torch": torch_fw("2.9.0+cu129", "12.9", arch=("sm_90", "compute_100f"))}),
      {"GPU-001": "error"}, frozenset({"GPU-010"})),
    S("b300-family-sass", BASE,
      host(gpus=[("NVIDIA B300", "10.3")],
           frameworks={"torch": torch_fw("2.9.0+cu129", "12.9", arch=("sm_90", "sm_100f"))}),
      {}, frozenset({"GPU-001", "GPU-010"})),
    S("jetson-orin-generic-wheel", BASE, host(gpus=[("Jetson AGX Orin", "8.7")],
                                              machine="aarch64"), {"GPU-009": "error"}),
    S("jetson-orin-jetpack-build", BASE,
      host(gpus=[("Orin", "8.7")], machine="aarch64",
           frameworks={"torch": torch_fw("2.5.0a0+872d972e41.nv24.08", "12.6",
                                         arch=("sm_72", "sm_87"))}),
      {}, frozenset({"GPU-009"})),
    S("jetson-thor-generic-cu130-sbsa-wheel", BASE,
      host(gpus=[("NVIDIA Thor", "11.0")], machine="aarch64",
           frameworks={"torch": torch_fw(arch=("sm_80", "sm_90", "sm_100", "sm_110", "sm_120"))}),
      {}, frozenset({"GPU-009"})),
    S("jetson-orin-unknown-arch-list", BASE,
      host(gpus=[("Orin", "8.7")], machine="aarch64",
           frameworks={"torch": torch_fw("2.5.0", "12.6", arch=())}), {}, frozenset({"GPU-009"})),
    S("gpu-to-cpu-host", BASE,
      fp(nvidia=NoDriver.because("not found"), gpus=(), frameworks=CPU_TORCH),
      {"GPU-011": "error", "FW-011": "error"}),
    S("gpu-not-collected-is-not-gone", BASE,
      fp(nvidia=Unavailable("NVML timed out"), gpus=Unavailable("NVML timed out"),
         frameworks=CU130), {}, frozenset({"GPU-011"})),
    S("cudnn-9-to-8", BASE, host(libs=[cudnn("8.9.7")]), {"CUDNN-001": "error"}),
    S("cudnn-older-than-build",
      host(frameworks={"torch": Framework("torch", "2.11.0+cu130", "13.0", "9.19.0",
                                          ("sm_90",))}),
      host(frameworks={"torch": Framework("torch", "2.11.0+cu130", "13.0", "9.19.0",
                                          ("sm_90",))}, libs=[cudnn("9.14.0")]),
      {"CUDNN-002": "error", "CUDNN-003": "warning"}),
    S("cudnn-newer-patch", BASE, host(libs=[cudnn("9.19.1")]), {"CUDNN-003": "warning"},
      frozenset({"CUDNN-001", "CUDNN-002"})),
    # cuDNN 9 for CUDA 11.x needs only 450.80.02 (support matrix): 515 is fine.
    S("cudnn-9-for-cuda-11-on-driver-515", BASE,
      host("515.65.01", "11.7", frameworks={"torch": CU118}), {}, frozenset({"CUDNN-004"})),
    S("cudnn-9-for-cuda-11-0-on-driver-450-51", BASE,
      host("450.51.06", "11.0", frameworks={"torch": torch_fw("x+cu110", "11.0")},
           libs=[cudnn("9.1.0")]), {"CUDNN-004": "error"}, frozenset({"CUDA-001"})),
    S("cudnn-for-cuda-12-8-on-b200-driver-565", BASE,
      host("565.57.01", "12.7", gpus=[("NVIDIA B200", "10.0")],
           frameworks={"torch": torch_fw("2.8.0+cu128", "12.8")}),
      {"CUDNN-004": "error", "CUDA-002": "warning", "GPU-006": "warning"}),
    S("cudnn-for-cuda-12-8-on-h200-driver-565", BASE,
      host("565.57.01", "12.7", frameworks={"torch": torch_fw("2.8.0+cu128", "12.8")}),
      {"CUDA-002": "warning"}, frozenset({"CUDNN-004"})),
    S("cudnn-9-19-on-v100", host(frameworks={"torch": torch_fw("2.6.0+cu126", "12.6")}),
      host(gpus=[("Tesla V100", "7.0")], frameworks={"torch": torch_fw("2.6.0+cu126", "12.6")}),
      {"CUDNN-005": "error"}),
    S("cudnn-9-12-on-v100-community-boundary",
      host(frameworks={"torch": torch_fw("2.6.0+cu126", "12.6")}, libs=[cudnn("9.12.0")]),
      host(gpus=[("Tesla V100", "7.0")], frameworks={"torch": torch_fw("2.6.0+cu126", "12.6")},
           libs=[cudnn("9.12.0")]), {"CUDNN-005": "warning"}),
    S("cudnn-9-10-on-v100", host(libs=[cudnn("9.10.2")]),
      host(gpus=[("Tesla V100", "7.0")], frameworks={"torch": torch_fw("2.6.0+cu126", "12.6")},
           libs=[cudnn("9.10.2")]), {}, frozenset({"CUDNN-005"})),
    S("two-cudnn-copies", BASE,
      host(libs=[cudnn("9.19.0"), cudnn("9.14.0", "/usr/lib/x86_64-linux-gnu", ())]),
      {"CUDNN-006": "warning"}),
    S("torch-2-3-with-ort-gpu-1-19", BASE,
      host(frameworks={"torch": OLD_TORCH, "onnxruntime": Framework(
          "onnxruntime", "1.19.2", "12.4")}, libs=[]),
      {"CUDNN-007": "error"}),
    S("ort-gpu-cu13-without-cuda-13-libs", BASE,
      host(frameworks={**CU130, "onnxruntime": ORT_GPU}, libs=[cudnn("9.19.0")]),
      {"FW-020": "error"}),
    S("ort-gpu-cu13-with-libs", BASE,
      host(frameworks={**CU130, "onnxruntime": ORT_GPU},
           libs=[cudnn("9.19.0"), CudaLibrary("cudart", "13.0.96", "/x", "wheel"),
                 CudaLibrary("cublas", "13.1.0.3", "/x", "wheel")]), {}, frozenset({"FW-020"})),
    S("h100-sm-count-change", host(gpus=[Gpu(index=0, name="NVIDIA H100", compute_capability="9.0",
                                             multiprocessor_count=132)]),
      host(gpus=[Gpu(index=0, name="NVIDIA H100", compute_capability="9.0",
                     multiprocessor_count=114)]), {"GPU-006": "warning"},
      frozenset({"GPU-007", "GPU-001"})),
    S("compat-training-to-geforce", host(env=COMPAT),
      host(env=COMPAT, gpus=[("NVIDIA GeForce RTX 4090", "8.9")]),
      {"CUDA-004": "warning"}),
    S("compat-training-dropped-on-deploy", host(env=COMPAT), host(env={}), {"CUDA-004": "warning"}),
    S("compat-on-both-datacenter", host(env=COMPAT), host(env=COMPAT), {},
      frozenset({"CUDA-004"})),
    S("no-compat-anywhere", BASE, host(gpus=[("NVIDIA GeForce RTX 4090", "8.9")]), {},
      frozenset({"CUDA-004"})),
    S("deploy-driver-r535-past-eol", host("570.172.08", "12.8"), host("535.261.03", "12.2"),
      {"CUDA-006": "info"}, today=DAY),
    S("deploy-driver-r580-supported", host("570.172.08", "12.8"), BASE, {},
      frozenset({"CUDA-006"}), today=DAY),
    S("deploy-driver-r570-past-eol", BASE, host("570.172.08", "12.8"), {"CUDA-006": "info"},
      today=DAY),
    S("deploy-driver-r550-unlisted-branch", BASE, host("550.163.01", "12.4"),
      {"CUDA-006": "info"}, today=DAY),
    S("deploy-driver-r590-new-feature-branch", BASE, host("590.48.01", "13.1"), {},
      frozenset({"CUDA-006"}), today=DAY),
    S("r535-before-its-eol", host("570.172.08", "12.8"), host("535.261.03", "12.2"), {},
      frozenset({"CUDA-006"}), today=datetime.date(2026, 1, 15)),
    # Windows drivers are numbered apart: 11.8 needs 520.06 there (Linux 520.61.05).
    S("windows-driver-520-06-torch-cu118", BASE,
      windows(host("520.06", "11.8", frameworks={"torch": CU118}, libs=[])), {},
      frozenset({"CUDA-001", "CUDA-002"})),
    S("wsl2-driver-520-06-torch-cu118", BASE,
      windows(host("520.06", "11.8", frameworks={"torch": CU118}, libs=[]), wsl=True), {},
      frozenset({"CUDA-001", "CUDA-002"})),
    S("linux-driver-520-06-torch-cu118", BASE,
      host("520.06", "11.8", frameworks={"torch": CU118}, libs=[]), {"CUDA-002": "warning"}),
    S("windows-driver-526-98-torch-cu121", BASE,
      windows(host("526.98", "12.0", frameworks={"torch": torch_fw("2.5.1+cu121", "12.1")},
                   libs=[])), {"CUDA-001": "error"}, frozenset({"CUDA-002"})),
    # CUDA 13.x on Windows: Table 3 says N/A, CUDA-001's floor (580.88) is what applies.
    S("windows-driver-580-88-torch-cu130", BASE, windows(host("580.88", "13.0")), {},
      frozenset({"CUDA-001", "CUDA-002", "CUDNN-004"})),
    S("windows-driver-576-57-torch-cu130", BASE, windows(host("576.57", "12.9")),
      {"CUDA-001": "error"}, frozenset({"CUDA-002", "CUDNN-004"})),
    # A Windows driver's first number is not its branch (Table 3: R570 → Windows 572.61).
    S("windows-pascal-on-r580-driver-581-57", BASE,
      windows(host("581.57", "13.0", gpus=[("Quadro P6000", "6.1")])), {},
      frozenset({"GPU-050", "CUDA-006"}), today=DAY),
    S("windows-pascal-on-r590-driver-591-44", BASE,
      windows(host("591.44", "13.1", gpus=[("Quadro P6000", "6.1")])), {"GPU-050": "error"},
      today=DAY),
    S("windows-driver-572-61-is-r570-past-eol", BASE,
      windows(host("572.61", "12.8", frameworks={"torch": torch_fw("2.7.0+cu128", "12.8")})),
      {"CUDA-006": "info"}, today=DAY),
    # A Jetson's driver comes with Jetson Linux (JetPack 6: 540.4.0 with CUDA 12.6): Table 3's
    # x86_64 minimums and the data-center branch tables do not apply to it.
    S("jetson-orin-jetpack-driver-torch-cu126", JETSON_LOCK, JETSON, {},
      frozenset({"CUDA-001", "CUDA-002", "CUDA-006", "CUDNN-004"}), today=DAY),
    S("jetson-orin-jetpack-6-driver-torch-cu130", JETSON_LOCK,
      dataclasses.replace(JETSON, frameworks={"torch": torch_fw("2.9.0", "13.0", arch=ORIN)}),
      {"CUDA-001": "error"}, today=DAY),
    S("linux-pascal-on-driver-581", BASE, host("581.1.0", "13.0", gpus=[("Quadro P6000", "6.1")]),
      {"GPU-050": "error"}),
    # --deep records torch.backends.cudnn.version(): cuDNN 8 encodes it major*1000 (8902 =
    # 8.9.2), cuDNN 9 major*10000 (91900). Read with the 9.x formula, 8902 was "0.89.2".
    S("torch-2-3-cudnn-8-runtime-number", TORCH23,
      host("550.54.15", "12.4", frameworks={"torch": TORCH23_FW}, libs=[CUDNN8],
           runtime={"torch": {"cudnn": "8902"}}), {},
      frozenset({"CUDNN-001", "CUDNN-002", "CUDNN-003"})),
    # A ROCm build of torch records cuda=None and hip=<version> in torch/version.py and runs
    # `.cuda()` on an AMD GPU (PyTorch "HIP (ROCm) semantics"): not a CPU build. envaudit does
    # not read AMD GPUs, so "no NVIDIA GPU" stays GPU-011 (a ROCm wheel on a CPU-only VM must
    # not pass); its message names the ROCm build and how to accept an AMD deployment.
    S("torch-cuda-to-rocm-on-amd-host", BASE,
      fp(nvidia=NoDriver.because("not found"), gpus=(), frameworks={"torch": ROCM_TORCH}),
      {"FW-011": "warning", "GPU-011": "error"}),
    S("torch-rocm-to-cpu", fp(nvidia=NoDriver.because("not found"), gpus=(),
                              frameworks={"torch": ROCM_TORCH}),
      fp(nvidia=NoDriver.because("not found"), gpus=(), frameworks=CPU_TORCH),
      {"FW-011": "error"}),
    S("torch-2-3-loads-older-cudnn-8-minor", TORCH23,
      host("550.54.15", "12.4", frameworks={"torch": TORCH23_FW}, libs=[CUDNN8],
           runtime={"torch": {"cudnn": "8700"}}), {"CUDNN-002": "error", "CUDNN-003": "warning"},
      frozenset({"CUDNN-001"})),
]


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.id) for s in SCENARIOS])
def test_gpu_scenario(scenario: Scenario) -> None:
    check_scenario(scenario)


def test_every_rule_fires_and_stays_silent() -> None:
    fired = {r for s in SCENARIOS for r in s.fires}
    silent = {r for s in SCENARIOS for r in s.silent}
    assert fired >= ALL and silent >= ALL


def test_windows_driver_branch_is_read_from_table_3_not_from_its_first_number() -> None:
    from envaudit.rules.checks.gpu import driver_branch
    from envaudit.rules.versions import ver

    def branch(driver: str, on_windows: bool) -> int:
        f = host(driver)
        v = ver(driver)
        assert v is not None
        return driver_branch(windows(f) if on_windows else f, v)  # type: ignore[arg-type]

    assert [branch(d, True) for d in ("572.61", "576.57", "581.57", "591.44", "528.33")] == [
        570, 575, 580, 590, 525]
    assert branch("581.57", False) == 581
    current = windows(host("572.61", "12.8", frameworks={"torch": torch_fw("2.7.0+cu128", "12.8")}))
    found = [f for lead in run(BASE, current, (), today=DAY) for f in (lead, *lead.related)
             if f.rule == "CUDA-006"]
    assert found and "driver 572.61 is on branch R570" in found[0].message

