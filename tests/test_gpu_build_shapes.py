"""The shapes in which framework builds record their CUDA (and cuDNN) version, read by the
frameworks probe into one form the GPU rules compare: "11.2", "12", never "64_112" or "111"."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.model import Framework
from envaudit.probes.distributions import Distribution
from envaudit.probes.gpu_frameworks import Site, _cupy, _jax, _tensorflow, _tensorrt
from envaudit.probes.interface import Host
from tests.factories import flat, fp, run

HOST = Host(root=Path("/nonexistent"), environ={}, sys_path=())


def dist(root: Path, name: str, version: str) -> Distribution:
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n\n")
    return Distribution(name=name, version=version, path=info, installer="pip",
                        requested=True, direct_url="", editable=False)


# TensorFlow's Windows wheels (the last native Windows GPU builds, TF <= 2.10) name CUDA and
# cuDNN by their DLL suffixes in build_info.py: cudart64_112.dll -> "64_112", cudnn64_8.dll ->
# "64_8" (build_info.py of the tensorflow-gpu 2.x win_amd64 wheels; tensorflow#44750 prints
# "CUDA version: 64_112 / cuDNN version: 64_8").
WINDOWS_TF = ("build_info = collections.OrderedDict([('cpu_compiler', 'cl.exe'), "
              "('cuda_compute_capabilities', ['sm_35', 'sm_50', 'sm_60', 'sm_70', 'sm_75', "
              "'compute_80']), ('cuda_version', '{cuda}'), ('cudart_dll_name', "
              "'cudart{cuda}.dll'), ('cudnn_dll_name', 'cudnn64_8.dll'), ('cudnn_version', "
              "'{cudnn}'), ('is_cuda_build', True), ('is_rocm_build', False), "
              "('is_tensorrt_build', False)])\n")


@pytest.mark.parametrize("cuda,cudnn,want_cuda,want_cudnn", [
    ("64_112", "64_8", "11.2", "8"), ("64_101", "64_7", "10.1", "7"),
    ("64_92", "64_7", "9.2", "7"), ("12.3", "8", "12.3", "8"),
], ids=["win-11.2", "win-10.1", "win-9.2", "linux-12.3"])
def test_tensorflow_windows_dll_versions(tmp_path: Path, cuda: str, cudnn: str, want_cuda: str,
                                         want_cudnn: str) -> None:
    platform = tmp_path / "tensorflow" / "python" / "platform"
    platform.mkdir(parents=True)
    (tmp_path / "tensorflow" / "__init__.py").write_text("")
    (platform / "build_info.py").write_text(WINDOWS_TF.format(cuda=cuda, cudnn=cudnn))
    site = Site(dirs=(tmp_path,), dists=(dist(tmp_path, "tensorflow-gpu", "2.10.1"),))
    found = _tensorflow(site, HOST)
    assert found is not None and (found.cuda, found.cudnn) == (want_cuda, want_cudnn)


@pytest.mark.parametrize("reader,names,want", [
    (_cupy, ("cupy-cuda111",), "11.1"), (_cupy, ("cupy-cuda110",), "11.0"),
    (_cupy, ("cupy-cuda102",), "10.2"), (_cupy, ("cupy-cuda92",), "9.2"),
    (_cupy, ("cupy-cuda11x",), "11"), (_cupy, ("cupy-cuda12x",), "12"),
    (_tensorrt, ("tensorrt-cu12", "tensorrt-cu12-libs"), "12"),
    (_jax, ("jax-cuda12-plugin", "jax-cuda12-pjrt", "jaxlib"), "12"),
], ids=["cupy111", "cupy110", "cupy102", "cupy92", "cupy11x", "cupy12x", "trt-cu12", "jax12"])
def test_cuda_from_distribution_names(tmp_path: Path, reader: object, names: tuple[str, ...],
                                      want: str) -> None:
    site = Site(dirs=(), dists=tuple(dist(tmp_path, n, "1.0") for n in names))
    found = reader(site, HOST)  # type: ignore[operator]
    assert isinstance(found, Framework) and found.cuda == want


def test_windows_tf_2_10_on_its_driver_is_not_a_false_cuda_001(tmp_path: Path) -> None:
    """TF 2.10 (CUDA 11.2) on a Windows R516 driver: fine. With "64_112" read as CUDA 64112
    CUDA-001 said the driver was too old."""
    platform = tmp_path / "tensorflow" / "python" / "platform"
    platform.mkdir(parents=True)
    (tmp_path / "tensorflow" / "__init__.py").write_text("")
    (platform / "build_info.py").write_text(WINDOWS_TF.format(cuda="64_112", cudnn="64_8"))
    site = Site(dirs=(tmp_path,), dists=(dist(tmp_path, "tensorflow-gpu", "2.10.1"),))
    tf = _tensorflow(site, HOST)
    assert tf is not None
    gpu = [("NVIDIA GeForce RTX 3090", "8.6")]
    locked = fp(nvidia=("512.15", "11.6"), gpus=gpu, frameworks={"tensorflow": tf})
    current = fp(nvidia=("516.94", "11.7"), gpus=gpu, frameworks={"tensorflow": tf})
    got = dict(flat(run(locked, current)))
    assert "CUDA-001" not in got and "CUDA-002" not in got


def test_cupy_cuda111_on_a_cuda_11_driver_is_not_a_false_cuda_001(tmp_path: Path) -> None:
    cupy = _cupy(Site(dirs=(), dists=(dist(tmp_path, "cupy-cuda111", "12.3.0"),)), HOST)
    assert cupy is not None
    locked = fp(nvidia=("470.199.02", "11.4"), gpus=[("NVIDIA A100", "8.0")],
                frameworks={"cupy": cupy})
    current = fp(nvidia=("470.256.02", "11.4"), gpus=[("NVIDIA A100", "8.0")],
                 frameworks={"cupy": cupy})
    got = dict(flat(run(locked, current)))
    assert "CUDA-001" not in got and "GPU-002" not in got


# TensorRT's own wheels all carry the TensorRT version: tensorrt, tensorrt-libs/-bindings,
# tensorrt-cuNN(-libs/-bindings), tensorrt-lean*, tensorrt-dispatch* (NVIDIA, "Installing
# TensorRT: Python Package Index"; PyPI tensorrt-lean-cu12-libs 10.2.0). TensorRT-LLM
# (tensorrt-llm 0.x/1.x) is another product with its own numbering.
@pytest.mark.parametrize("names,want", [
    (("tensorrt-llm", "tensorrt", "tensorrt-cu12", "tensorrt-cu12-libs",
      "tensorrt-cu12-bindings"), ("tensorrt", "tensorrt-cu12", "tensorrt-cu12-bindings",
                                  "tensorrt-cu12-libs")),
    (("tensorrt-llm", "tensorrt-lean", "tensorrt-lean-cu12-libs"),
     ("tensorrt-lean", "tensorrt-lean-cu12-libs")),
    (("tensorrt-llm", "tensorrt-dispatch-cu12", "tensorrt-dispatch-cu12-bindings"),
     ("tensorrt-dispatch-cu12", "tensorrt-dispatch-cu12-bindings")),
], ids=["full", "lean", "dispatch"])
def test_tensorrt_version_is_tensorrt_s_not_tensorrt_llm_s(
        tmp_path: Path, names: tuple[str, ...], want: tuple[str, ...]) -> None:
    dists = tuple(dist(tmp_path, n, "1.0.0" if n == "tensorrt-llm" else "10.11.0.33")
                  for n in names)
    found = _tensorrt(Site(dirs=(), dists=dists), HOST)
    assert found is not None
    assert (found.version, found.cuda, found.provided_by) == ("10.11.0.33", "12" if
                                                              "cu12" in " ".join(want) else "",
                                                              want)


def test_tensorrt_llm_alone_is_no_tensorrt(tmp_path: Path) -> None:
    assert _tensorrt(Site(dirs=(), dists=(dist(tmp_path, "tensorrt-llm", "1.0.0"),)), HOST) is None


def test_libnvinfer_wheel_version_is_not_tensorrt_llm_s(tmp_path: Path) -> None:
    """libnvinfer.so.10 in tensorrt_libs/ takes its exact version from TensorRT's wheel."""
    from envaudit.probes.gpu_libraries import _wheel_copies

    (tmp_path / "tensorrt_libs").mkdir()
    (tmp_path / "tensorrt_libs" / "libnvinfer.so.10").write_bytes(b"")
    dists = (dist(tmp_path, "tensorrt-llm", "1.0.0"),
             dist(tmp_path, "tensorrt-cu12-libs", "10.11.0.33"))
    host = Host(root=Path("/"), environ={}, sys_path=(str(tmp_path),))
    copies = [c.lib for c in _wheel_copies(host, Site(dirs=(tmp_path,), dists=dists))]
    assert [(c.name, c.version, c.source) for c in copies] == [
        ("nvinfer", "10.11.0.33", "wheel:tensorrt-cu12-libs")]


# Monolithic CUDA jaxlib wheels, before the CUDA plugins (JAX CHANGELOG: jaxlib 0.4.30 "Support
# for monolithic CUDA jaxlibs has been dropped"): jax's setup.py pinned
# `jaxlib=={v}+cuda{102,111}` up to jaxlib 0.1.72, then `+cuda{11,12}.cudnn{805,82,86,89,91}`
# (jaxlib 0.1.73 "Multiple cuDNN versions are now supported", e.g. jax[cuda11_cudnn82]).
@pytest.mark.parametrize("label,cuda,cudnn", [
    ("0.4.13+cuda12.cudnn89", "12", "8"), ("0.4.29+cuda12.cudnn91", "12", "9"),
    ("0.3.25+cuda11.cudnn805", "11", "8"), ("0.4.7+cuda11.cudnn86", "11", "8"),
    ("0.1.72+cuda111", "11.1", ""), ("0.1.69+cuda102", "10.2", ""),
], ids=["cuda12-cudnn89", "cuda12-cudnn91", "cuda11-cudnn805", "cuda11-cudnn86", "cuda111",
        "cuda102"])
def test_monolithic_cuda_jaxlib(tmp_path: Path, label: str, cuda: str, cudnn: str) -> None:
    site = Site(dirs=(), dists=(dist(tmp_path, "jax", label.split("+")[0]),
                                dist(tmp_path, "jaxlib", label)))
    found = _jax(site, HOST)
    assert found is not None
    assert (found.version, found.cuda, found.cudnn, found.provided_by) == (
        label, cuda, cudnn, ("jaxlib",))


@pytest.mark.parametrize("version", ["0.4.13", "0.4.30", "0.1.72+cpu"])
def test_cpu_jaxlib_alone_is_no_cuda_build(tmp_path: Path, version: str) -> None:
    assert _jax(Site(dirs=(), dists=(dist(tmp_path, "jaxlib", version),)), HOST) is None


def test_monolithic_cuda_jaxlib_to_cpu_jaxlib_is_fw_050(tmp_path: Path) -> None:
    """jaxlib 0.4.13+cuda12.cudnn89 in training, the CPU jaxlib here: the model leaves the GPU;
    and on a CUDA 11 driver the CUDA 12 build is CUDA-001's error."""
    old = _jax(Site(dirs=(), dists=(dist(tmp_path, "jaxlib", "0.4.13+cuda12.cudnn89"),)), HOST)
    assert old is not None
    locked = fp(packages={"jax": "0.4.13", "jaxlib": "0.4.13+cuda12.cudnn89"},
                frameworks={"jax": old})
    cpu = fp(packages={"jax": "0.4.13", "jaxlib": "0.4.13"}, frameworks={})
    assert dict(flat(run(locked, cpu))).get("FW-050") == "error"
    old_driver = fp(nvidia=("470.256.02", "11.4"), gpus=[("NVIDIA A100", "8.0")],
                    packages={"jax": "0.4.13", "jaxlib": "0.4.13+cuda12.cudnn89"},
                    frameworks={"jax": old})
    assert "CUDA-001" in dict(flat(run(locked, old_driver)))
