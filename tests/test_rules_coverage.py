"""Coverage scenarios of issue 8: old GPUs on new drivers, companions, every framework's CUDA
checks, wheel tags, settings training relied on, CPU ISA families."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from envaudit.model import CudaLibrary, Fingerprint, Framework, NoDriver, Unavailable
from tests.factories import X86_V4, Scenario, check_scenario, fp, torch_fw

P100 = ("Tesla P100-PCIE-16GB", "6.0")
V100 = ("Tesla V100-SXM2-32GB", "7.0")
K80 = ("Tesla K80", "3.7")
T4 = ("Tesla T4", "7.5")
TX2 = ("NVIDIA Jetson TX2", "6.2")
AVX = ("avx", "cx16", "lahf_lm", "popcnt", "sse", "sse2", "sse3", "sse4_1", "sse4_2", "ssse3")
SPR = (*X86_V4, "amx_bf16", "amx_int8", "amx_tile", "avx512_bf16", "avx512_vnni", "avx512bw",
       "avx512dq", "avx512vl", "avx_vnni", "f16c")


def tagged(base: Fingerprint, tags: Mapping[str, tuple[str, ...]]) -> Fingerprint:
    """`base` with WHEEL tags on the named packages."""
    assert not isinstance(base.packages, Unavailable)
    return replace(base, packages=tuple(replace(p, wheel_tags=tags.get(p.name, p.wheel_tags))
                                        for p in base.packages))


def with_python_tag(base: Fingerprint, tag: str) -> Fingerprint:
    assert not isinstance(base.python, Unavailable)
    return replace(base, python=replace(base.python, tag=tag))


NUMPY_228 = {"numpy": ("cp311-cp311-manylinux_2_27_x86_64", "cp311-cp311-manylinux_2_28_x86_64")}
NUMPY_2014 = {"numpy": ("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",)}
NUMPY_MUSL = {"numpy": ("cp311-cp311-musllinux_1_2_x86_64",)}
NUMPY_T = {"numpy": ("cp313-cp313t-manylinux_2_17_x86_64",)}
NUMPY_GIL = {"numpy": ("cp313-cp313-manylinux_2_17_x86_64",)}
NUMPY_I686 = {"numpy": ("cp311-cp311-manylinux_2_17_i686.manylinux2014_i686",)}
PIWHEELS_ARMV7L = {"numpy": ("cp311-cp311-linux_armv7l",)}
PYD_ABI3 = {"numpy": ("cp39-abi3-manylinux_2_17_x86_64",)}

def fw(name: str, version: str, cuda: str, cudnn: str = "", *dists: str,
       arch: tuple[str, ...] = ()) -> Framework:
    return Framework(name=name, version=version, cuda=cuda, cudnn=cudnn, arch_list=arch,
                     provided_by=dists or (name,))


TF = fw("tensorflow", "2.18.0", "12.5.1", "9", "tensorflow",
        arch=("sm_60", "sm_70", "sm_80", "sm_89", "compute_90"))
ORT12 = fw("onnxruntime", "1.20.1", "12.2", "", "onnxruntime-gpu")
ORT13 = fw("onnxruntime", "1.30.0", "13.0", "", "onnxruntime-gpu")
ORT_CPU = fw("onnxruntime", "1.30.0", "", "", "onnxruntime")
JAX13 = fw("jax", "0.7.2", "13", "", "jax-cuda13-pjrt", "jax-cuda13-plugin")
CUPY13 = fw("cupy", "14.0.0", "13", "", "cupy-cuda13x")
TRT13 = fw("tensorrt", "10.13.0", "13", "", "tensorrt-cu13")
H100 = ("NVIDIA H100 80GB HBM3", "9.0")
JAX_ROCM = fw("jax", "0.7.2", "", "", "jax-rocm60-pjrt", "jax-rocm60-plugin")
TF_ROCM = replace(fw("tensorflow", "2.18.0", "", "", "tensorflow-rocm"),
                  details={"is-rocm-build": "True"})
SITE = "/venv/lib/python3.11/site-packages"


def cudnn(version: str, path: str, source: str, *users: str) -> CudaLibrary:
    return CudaLibrary(name="cudnn", version=version, path=path, source=source, used_by=users)


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
    Scenario(id="openblas-coretype-pinned-only-in-training",
             locked=fp(env={"OPENBLAS_CORETYPE": "Haswell"}), current=fp(env={}),
             fires={"ENV-050": "warning"}),
    Scenario(id="tf-cudnn-autotune-off-only-in-deployment",
             locked=fp(env={}), current=fp(env={"TF_CUDNN_USE_AUTOTUNE": "0"}),
             fires={"ENV-050": "warning"}),
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
    # jax compares only the leading dotted numbers of the two versions (jax/_src/lib's
    # check_jaxlib_version, jaxlib/plugin_support.py's check_plugin_version): a .dev or rc
    # suffix does not make a release "newer" or "another version" there.
    Scenario(id="jax-dev-build-with-jaxlib-of-its-number",
             locked=fp(packages={"jax": "0.4.35", "jaxlib": "0.4.35"}),
             current=fp(packages={"jax": "0.4.36.dev20241125", "jaxlib": "0.4.36"}),
             silent=frozenset({"COMP-050"})),
    Scenario(id="jax-cuda-plugin-dev-build-of-jaxlibs-number",
             locked=fp(packages={"jax": "0.7.2", "jaxlib": "0.7.2", "jax-cuda12-plugin": "0.7.2"}),
             current=fp(packages={"jax": "0.7.2", "jaxlib": "0.7.2",
                                  "jax-cuda12-plugin": "0.7.2.dev20250901"}),
             silent=frozenset({"COMP-050"})),
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
    # PKG-050 / PKG-051: wheel tags.
    Scenario(id="manylinux-2-27-wheel-on-glibc-2-26",
             locked=tagged(fp(), NUMPY_228), current=tagged(fp(libc_version="2.26"), NUMPY_228),
             fires={"PKG-050": "error"}),
    Scenario(id="manylinux2014-wheel-on-glibc-2-17",
             locked=tagged(fp(), NUMPY_2014),
             current=tagged(fp(libc_version="2.17"), NUMPY_2014),
             silent=frozenset({"PKG-050", "PKG-051"})),
    Scenario(id="glibc-wheel-copied-to-alpine",
             locked=tagged(fp(), NUMPY_2014),
             current=tagged(replace(fp(), platform=replace(fp().platform, libc="musl",
                                                           libc_version="")), NUMPY_2014),
             fires={"PKG-050": "error"}),
    Scenario(id="musllinux-wheel-on-glibc",
             locked=tagged(fp(), NUMPY_2014), current=tagged(fp(), NUMPY_MUSL),
             fires={"PKG-050": "error"}),
    Scenario(id="x86-wheel-on-aarch64",
             locked=tagged(fp(), NUMPY_2014),
             current=tagged(fp(machine="aarch64", cpu_flags=("asimd",)), NUMPY_2014),
             fires={"PKG-050": "error"}),
    Scenario(id="older-deployment-lock-uses-trainings-tags",
             locked=tagged(fp(), NUMPY_228), current=fp(libc_version="2.26"),
             fires={"PKG-050": "error"}),
    Scenario(id="free-threaded-wheel-on-gil-python",
             locked=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_T),
                                    "cp313-cp313t-manylinux_2_36_x86_64"),
             current=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_T),
                                     "cp313-cp313-manylinux_2_36_x86_64"),
             fires={"PKG-051": "error"}, silent=frozenset({"PKG-050"})),
    Scenario(id="abi3-wheel-on-free-threaded-python",
             locked=with_python_tag(tagged(fp(python="3.13.1"), PYD_ABI3),
                                    "cp313-cp313-manylinux_2_36_x86_64"),
             current=with_python_tag(tagged(fp(python="3.13.1"), PYD_ABI3),
                                     "cp313-cp313t-manylinux_2_36_x86_64"),
             fires={"PKG-051": "error"}),
    # A free-threaded debug build's ABI is cp313td, and it loads cp313t extensions (packaging's
    # tags._cpython_abis: "Debug builds can also load \"normal\" extension modules").
    Scenario(id="free-threaded-wheel-on-free-threaded-debug-python",
             locked=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_T),
                                    "cp313-cp313t-manylinux_2_36_x86_64"),
             current=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_T),
                                     "cp313-cp313td-manylinux_2_36_x86_64"),
             silent=frozenset({"PKG-050", "PKG-051"})),
    Scenario(id="gil-wheel-on-free-threaded-debug-python",
             locked=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_GIL),
                                    "cp313-cp313-manylinux_2_36_x86_64"),
             current=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_GIL),
                                     "cp313-cp313td-manylinux_2_36_x86_64"),
             fires={"PKG-051": "error"}),
    Scenario(id="gil-wheel-on-gil-python",
             locked=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_GIL),
                                    "cp313-cp313-manylinux_2_36_x86_64"),
             current=with_python_tag(tagged(fp(python="3.13.1"), NUMPY_GIL),
                                     "cp313-cp313-manylinux_2_39_x86_64"),
             silent=frozenset({"PKG-050", "PKG-051"})),
    # A 32-bit interpreter on a 64-bit kernel (32-bit Raspberry Pi OS userland on the 64-bit
    # kernel: uname says aarch64, sys.maxsize < 2**31): the interpreter loads armv7l wheels
    # (packaging tags._linux_platforms: linux_aarch64 on a 32-bit interpreter is armv8l, which
    # takes armv8l and armv7l wheels), whatever the kernel's machine says.
    Scenario(id="armv7l-wheel-in-32-bit-python-on-64-bit-kernel",
             locked=with_python_tag(tagged(fp(machine="armv7l"), PIWHEELS_ARMV7L),
                                    "cp311-cp311-linux_armv7l"),
             current=with_python_tag(tagged(fp(machine="aarch64"), PIWHEELS_ARMV7L),
                                     "cp311-cp311-linux_armv8l"),
             silent=frozenset({"PKG-050", "PKG-051"})),
    Scenario(id="armv7l-wheel-in-64-bit-python-on-aarch64",
             locked=with_python_tag(tagged(fp(machine="armv7l"), PIWHEELS_ARMV7L),
                                    "cp311-cp311-linux_armv7l"),
             current=with_python_tag(tagged(fp(machine="aarch64"), PIWHEELS_ARMV7L),
                                     "cp311-cp311-linux_aarch64"),
             fires={"PKG-050": "error"}),
    Scenario(id="i686-wheel-in-32-bit-python-on-x86-64-kernel",
             locked=with_python_tag(tagged(fp(machine="i686"), NUMPY_I686),
                                    "cp311-cp311-linux_i686"),
             current=with_python_tag(tagged(fp(), NUMPY_I686), "cp311-cp311-linux_i686"),
             silent=frozenset({"PKG-050", "PKG-051"})),
    # The other way round: an x86_64 wheel copied into a 32-bit interpreter on an x86_64 kernel.
    Scenario(id="x86-64-wheel-in-32-bit-python-on-x86-64-kernel",
             locked=tagged(fp(), NUMPY_2014),
             current=with_python_tag(tagged(fp(), NUMPY_2014), "cp311-cp311-linux_i686"),
             fires={"PKG-050": "error"}),
    # Every framework gets torch's CUDA checks: the existing rules, framework by framework.
    Scenario(id="tensorflow-cuda12-on-r470-driver",
             locked=fp(nvidia=("550.163.01", "12.4"), gpus=[H100], frameworks={"tensorflow": TF}),
             current=fp(nvidia=("470.256.02", "11.4"), gpus=[H100],
                        frameworks={"tensorflow": TF}),
             fires={"CUDA-001": "error"}),
    Scenario(id="onnxruntime-cuda13-on-r570-driver",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[H100],
                       frameworks={"onnxruntime": ORT13}),
             current=fp(nvidia=("570.195.03", "12.8"), gpus=[H100],
                        frameworks={"onnxruntime": ORT13}),
             fires={"CUDA-001": "error"}),
    Scenario(id="jax-cuda13-plugin-on-r535-driver",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[H100], frameworks={"jax": JAX13}),
             current=fp(nvidia=("535.261.03", "12.2"), gpus=[H100], frameworks={"jax": JAX13}),
             fires={"CUDA-001": "error"}),
    Scenario(id="cupy-cuda13x-on-pascal",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[H100], frameworks={"cupy": CUPY13}),
             current=fp(nvidia=("580.95.05", "13.0"), gpus=[P100], frameworks={"cupy": CUPY13}),
             fires={"GPU-003": "error"}),
    Scenario(id="tensorrt-cu13-on-volta",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[H100], frameworks={"tensorrt": TRT13}),
             current=fp(nvidia=("580.95.05", "13.0"), gpus=[V100],
                        frameworks={"tensorrt": TRT13}),
             fires={"GPU-003": "error"}),
    Scenario(id="tensorflow-arch-list-misses-the-gpu",
             locked=fp(nvidia=("580.95.05", "13.0"), gpus=[H100],
                       frameworks={"tensorflow": replace(TF, arch_list=("sm_80", "compute_90"))}),
             current=fp(nvidia=("580.95.05", "13.0"), gpus=[T4],
                        frameworks={"tensorflow": replace(TF, arch_list=("sm_80", "compute_90"))}),
             fires={"GPU-001": "error"}),
    Scenario(id="tensorflow-built-with-cudnn-9-loads-8",
             locked=fp(frameworks={"tensorflow": TF},
                       cuda_libraries=[cudnn("9.3.0", f"{SITE}/nvidia/cudnn/lib",
                                             "wheel:nvidia-cudnn-cu12", "tensorflow")]),
             current=fp(frameworks={"tensorflow": TF},
                        cuda_libraries=[cudnn("8.9.7", "/usr/lib/x86_64-linux-gnu", "system",
                                              "tensorflow")]),
             fires={"CUDNN-001": "error"}),
    # FW-050: CUDA build to CPU build, any framework.
    Scenario(id="onnxruntime-gpu-replaced-by-onnxruntime",
             locked=fp(packages={"onnxruntime-gpu": "1.30.0"}, frameworks={"onnxruntime": ORT13}),
             current=fp(packages={"onnxruntime": "1.30.0"}, frameworks={"onnxruntime": ORT_CPU}),
             fires={"FW-050": "error"}, silent=frozenset({"FW-011"})),
    Scenario(id="jax-cuda-plugin-uninstalled-jaxlib-stays",
             locked=fp(packages={"jaxlib": "0.7.2", "jax-cuda13-plugin": "0.7.2"},
                       frameworks={"jax": JAX13}),
             current=fp(packages={"jaxlib": "0.7.2"}, frameworks={}),
             fires={"FW-050": "error"}),
    # A ROCm build (jax-rocm plugin, TensorFlow's is_rocm_build) runs on an AMD GPU: a
    # warning about the switch, not "CPU" (GPU-011's "no NVIDIA GPU" is tested in test_rules_gpu).
    Scenario(id="jax-cuda-plugin-to-rocm-plugin",
             locked=fp(packages={"jaxlib": "0.7.2", "jax-cuda13-plugin": "0.7.2"},
                       frameworks={"jax": JAX13}, nvidia=("580.95.05", "13.0"), gpus=[H100]),
             current=fp(packages={"jaxlib": "0.7.2", "jax-rocm60-plugin": "0.7.2"},
                        frameworks={"jax": fw("jax", "0.7.2", "", "", "jax-rocm60-pjrt",
                                              "jax-rocm60-plugin")},
                        nvidia=NoDriver.because("not found"), gpus=()),
             fires={"FW-050": "warning"}),
    Scenario(id="tensorflow-cuda-to-rocm-build",
             locked=fp(frameworks={"tensorflow": TF}),
             current=fp(frameworks={"tensorflow": replace(
                 fw("tensorflow", "2.18.0", "", "", "tensorflow-rocm"),
                 details={"is-rocm-build": "True"})}),
             fires={"FW-050": "warning"}),
    # A ROCm build replaced by a CPU build leaves the GPU just as a CUDA build's does (FW-011
    # says so for torch): an error, never silence.
    Scenario(id="jax-rocm-plugin-uninstalled-jaxlib-stays",
             locked=fp(packages={"jaxlib": "0.7.2", "jax-rocm60-plugin": "0.7.2"},
                       frameworks={"jax": JAX_ROCM}),
             current=fp(packages={"jaxlib": "0.7.2"}, frameworks={}),
             fires={"FW-050": "error"}),
    Scenario(id="tensorflow-rocm-replaced-by-cpu-tensorflow",
             locked=fp(frameworks={"tensorflow": TF_ROCM}),
             current=fp(frameworks={"tensorflow": fw("tensorflow", "2.18.0", "", "",
                                                      "tensorflow-cpu")}),
             fires={"FW-050": "error"}),
    Scenario(id="onnxruntime-rocm-replaced-by-onnxruntime",
             locked=fp(frameworks={"onnxruntime": fw("onnxruntime", "1.20.1", "", "",
                                                      "onnxruntime-rocm")}),
             current=fp(frameworks={"onnxruntime": ORT_CPU}),
             fires={"FW-050": "error"}),
    Scenario(id="onnxruntime-migraphx-replaced-by-onnxruntime",
             locked=fp(frameworks={"onnxruntime": fw("onnxruntime", "1.23.2", "", "",
                                                      "onnxruntime-migraphx")}),
             current=fp(frameworks={"onnxruntime": ORT_CPU}),
             fires={"FW-050": "error"}),
    Scenario(id="jax-rocm-plugin-on-both-sides",
             locked=fp(frameworks={"jax": JAX_ROCM}), current=fp(frameworks={"jax": JAX_ROCM}),
             silent=frozenset({"FW-050"})),
    Scenario(id="jax-rocm-plugin-to-cuda-plugin",
             locked=fp(frameworks={"jax": JAX_ROCM}), current=fp(frameworks={"jax": JAX13}),
             silent=frozenset({"FW-050"})),
    Scenario(id="tensorflow-rocm-removed-altogether",
             locked=fp(packages={"tensorflow-rocm": "2.18.0"},
                       frameworks={"tensorflow": TF_ROCM}),
             current=fp(packages={}, frameworks={}),
             silent=frozenset({"FW-050"})),
    Scenario(id="torch-rocm-to-cpu-is-fw-011-not-fw-050",
             locked=fp(frameworks={"torch": replace(torch_fw("2.9.1+rocm6.4", ""),
                                                    details={"hip": "6.4.43482"})}),
             current=fp(frameworks={"torch": torch_fw("2.9.1+cpu", "")}),
             fires={"FW-011": "error"}, silent=frozenset({"FW-050"})),
    Scenario(id="cupy-removed-altogether",
             locked=fp(packages={"cupy-cuda13x": "14.0.0"}, frameworks={"cupy": CUPY13}),
             current=fp(packages={}, frameworks={}),
             silent=frozenset({"FW-050"})),
    Scenario(id="torch-cuda-to-cpu-is-fw-011-not-fw-050",
             locked=fp(frameworks={"torch": torch_fw()}),
             current=fp(frameworks={"torch": torch_fw("2.11.0+cpu", "")}),
             fires={"FW-011": "error"}, silent=frozenset({"FW-050"})),
    # CUDNN-050: the copy the loader really picks.
    Scenario(id="system-cudnn-shadows-the-wheel-for-onnxruntime",
             locked=fp(frameworks={"onnxruntime": ORT12},
                       cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                             "wheel:nvidia-cudnn-cu12", "onnxruntime")]),
             current=fp(frameworks={"onnxruntime": ORT12},
                        cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12"),
                                        cudnn("9.1.0", "/usr/local/cudnn/lib", "system",
                                              "onnxruntime")]),
             fires={"CUDNN-050": "warning"}),
    Scenario(id="system-cudnn-8-shadows-wheel-cudnn-9",
             locked=fp(frameworks={"onnxruntime": ORT12},
                       cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                             "wheel:nvidia-cudnn-cu12", "onnxruntime")]),
             current=fp(frameworks={"onnxruntime": ORT12},
                        cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12"),
                                        cudnn("8.9.7", "/usr/lib/x86_64-linux-gnu", "system",
                                              "onnxruntime")]),
             fires={"CUDNN-050": "error"}),
    Scenario(id="framework-uses-its-wheel-copy",
             locked=fp(frameworks={"torch": CU126}),
             current=fp(frameworks={"torch": CU126},
                        cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12", "torch"),
                                        cudnn("9.1.0", "/usr/lib/x86_64-linux-gnu", "system")]),
             silent=frozenset({"CUDNN-050"})),
    # CUDNN-051: two frameworks, two cuDNN majors.
    Scenario(id="torch-2.3-cudnn-8-with-onnxruntime-gpu-1.20",
             locked=fp(frameworks={"torch": torch_fw("2.3.1+cu121", "12.1", ("sm_80",))}),
             current=fp(frameworks={"torch": torch_fw("2.3.1+cu121", "12.1", ("sm_80",)),
                                    "onnxruntime": ORT12},
                        cuda_libraries=[cudnn("8.9.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12", "torch")]),
             fires={"CUDNN-051": "error"}),
    Scenario(id="tensorflow-cudnn-9-with-onnxruntime-cuda11-cudnn-8-unknown-copies",
             locked=fp(frameworks={"tensorflow": TF}),
             current=fp(frameworks={"tensorflow": TF,
                                    "onnxruntime": fw("onnxruntime", "1.18.0", "11.8", "",
                                                      "onnxruntime-gpu")}),
             fires={"CUDNN-051": "warning"}),
    Scenario(id="jax-cuda-plugin-next-to-torch-2.3-cudnn-8",
             locked=fp(frameworks={"jax": JAX13}),
             current=fp(frameworks={"jax": replace(JAX13, cuda="12"),
                                    "torch": torch_fw("2.3.1+cu121", "12.1", ("sm_80",))},
                        cuda_libraries=[cudnn("8.9.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12", "torch")]),
             fires={"CUDNN-051": "error"}),
    Scenario(id="torch-2.5-and-onnxruntime-gpu-share-cudnn-9",
             locked=fp(frameworks={"torch": CU126}),
             current=fp(frameworks={"torch": CU126, "onnxruntime": ORT12},
                        cuda_libraries=[cudnn("9.10.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12", "torch")]),
             silent=frozenset({"CUDNN-051"})),
    Scenario(id="both-cudnn-majors-on-disk",
             locked=fp(frameworks={"torch": torch_fw("2.3.1+cu121", "12.1", ("sm_80",))}),
             current=fp(frameworks={"torch": torch_fw("2.3.1+cu121", "12.1", ("sm_80",)),
                                    "onnxruntime": ORT12},
                        cuda_libraries=[cudnn("8.9.2", f"{SITE}/nvidia/cudnn/lib",
                                              "wheel:nvidia-cudnn-cu12", "torch"),
                                        cudnn("9.1.0", "/usr/lib/x86_64-linux-gnu", "system",
                                              "onnxruntime")]),
             silent=frozenset({"CUDNN-051"})),
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


def test_real_h200_to_cpu_pair_gains_no_error_from_the_coverage_rules() -> None:
    """The real pair still reads right: the new rules add no error there, and the CPU change
    says which kernel families go (AMX, AVX512-FP16) under the CPU-003 finding."""
    from pathlib import Path

    from envaudit import lockfile
    from envaudit.api import diff

    locks = Path(__file__).resolve().parent.parent / "fixtures" / "locks"
    report = diff(lockfile.load(locks / "h200.lock"), lockfile.load(locks / "cpu-host.lock"))
    new = ("GPU-050", "CPU-050", "ENV-050", "COMP-050", "PKG-050", "PKG-051", "FW-050",
           "CUDNN-050", "CUDNN-051")
    every = [(f, f.severity.value) for lead in report.findings for f in (lead, *lead.related)]
    assert not [f.rule for f, sev in every if f.rule in new and sev == "error"]
    (cpu,) = [f for f in report.findings if f.subject == "cpu"]
    assert cpu.rule == "CPU-003"
    assert any(r.rule == "CPU-050" and "amx_bf16" in r.message for r in cpu.related)
