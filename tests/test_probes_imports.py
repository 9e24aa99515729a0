"""Same import package from two distributions: decided from RECORD / top_level.txt on disk."""

from __future__ import annotations

import sys
from pathlib import Path

from envaudit.probes.distributions import iter_distributions
from envaudit.probes.imports import roots_from_record, shared_imports
from envaudit.probes.packages import collect_packages


def _dist(site: Path, name: str, files: list[str], top_level: str | None = None) -> None:
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n")
    record = [f"{f},sha256=x,1" for f in files]
    record += [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n")
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level)


def _shared(site: Path) -> dict[str, tuple[str, ...]]:
    return shared_imports(iter_distributions((str(site),)))


def test_variants_that_write_the_same_package_are_found(tmp_path: Path) -> None:
    for name in ("opencv-python", "opencv-python-headless"):
        _dist(tmp_path, name, ["cv2/__init__.py", "cv2/cv2.abi3.so", f"{name}.libs/libz.so"],
              "cv2\n")
    for name in ("onnxruntime", "onnxruntime-gpu"):
        _dist(tmp_path, name, ["onnxruntime/__init__.py", "onnxruntime/capi/_pybind.so"])
    for name in ("cupy-cuda11x", "cupy-cuda12x"):
        _dist(tmp_path, name, ["cupy/__init__.py", "cupy_backends/__init__.py"],
              "cupy\ncupy_backends\n")
    for name in ("tensorflow", "tensorflow-cpu"):
        _dist(tmp_path, name, ["tensorflow/__init__.py", "../../../bin/saved_model_cli"])
    assert _shared(tmp_path) == {
        "cupy-cuda11x": ("cupy", "cupy_backends"), "cupy-cuda12x": ("cupy", "cupy_backends"),
        "onnxruntime": ("onnxruntime",), "onnxruntime-gpu": ("onnxruntime",),
        "opencv-python": ("cv2",), "opencv-python-headless": ("cv2",),
        "tensorflow": ("tensorflow",), "tensorflow-cpu": ("tensorflow",)}


def test_windows_tensorflow_metapackage_is_no_conflict(tmp_path: Path) -> None:
    """tensorflow on Windows is a 7.5 kB wheel depending on tensorflow-intel (#80629)."""
    _dist(tmp_path, "tensorflow", [], "")
    _dist(tmp_path, "tensorflow-intel", ["tensorflow/__init__.py", "tensorflow/python/x.py"],
          "tensorflow\n")
    assert _shared(tmp_path) == {}


def test_namespace_packages_count_by_subpackage(tmp_path: Path) -> None:
    """nvidia/ and jax_plugins/ are namespaces: cudnn + cublas or CUDA 12 + 13 plugins coexist;
    two cuDNN wheels for different CUDA majors both write nvidia/cudnn/."""
    _dist(tmp_path, "nvidia-cublas-cu12", ["nvidia/cublas/__init__.py", "nvidia/cublas/lib/x.so"],
          "nvidia\n")
    _dist(tmp_path, "jax-cuda12-pjrt", ["jax_plugins/xla_cuda12/__init__.py"], "jax_plugins\n")
    _dist(tmp_path, "jax-cuda13-pjrt", ["jax_plugins/xla_cuda13/__init__.py"], "jax_plugins\n")
    _dist(tmp_path, "nvidia-cudnn-cu12", ["nvidia/cudnn/__init__.py", "nvidia/cudnn/lib/a.so"],
          "nvidia\n")
    assert _shared(tmp_path) == {}
    _dist(tmp_path, "nvidia-cudnn-cu11", ["nvidia/cudnn/__init__.py", "nvidia/cudnn/lib/b.so"],
          "nvidia\n")
    assert _shared(tmp_path) == {"nvidia-cudnn-cu11": ("nvidia/cudnn",),
                                 "nvidia-cudnn-cu12": ("nvidia/cudnn",)}
    # Two builds of the CUDA 12 PJRT plugin (a release and a locally built wheel) both write
    # jax_plugins/xla_cuda12/: JAX loads whichever files were written last.
    _dist(tmp_path, "jax-cuda12-pjrt-local", ["jax_plugins/xla_cuda12/__init__.py"],
          "jax_plugins\n")
    assert _shared(tmp_path)["jax-cuda12-pjrt"] == ("jax_plugins/xla_cuda12",)
    packages = collect_packages((str(tmp_path),))
    assert {p.name: p.shared_imports for p in packages}["nvidia-cudnn-cu11"] == ("nvidia/cudnn",)


def test_single_file_modules_and_extension_modules() -> None:
    record = "six.py,,\n_cffi_backend.cpython-311-x86_64-linux-gnu.so,,\nx-1.dist-info/RECORD,,\n"
    assert roots_from_record(record) == {"six", "_cffi_backend"}


def test_real_venv_has_no_conflict_and_reads_real_records() -> None:
    dists = iter_distributions(tuple(sys.path))
    assert shared_imports({d.name: d for d in reversed(dists)}.values()) == {}
    torch = [d for d in dists if d.name == "torch"]
    if torch:
        text = (torch[0].path / "RECORD").read_text()
        assert {"torch", "functorch", "torchgen"} <= roots_from_record(text)
