"""FrameworksProbe: how torch, TF, ORT, OpenCV... were built, read from files, never imported."""

from __future__ import annotations

import ast
import csv
import mmap
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from envaudit.distributions import TENSORFLOW
from envaudit.model import Framework
from envaudit.probes.distributions import Distribution
from envaudit.probes.interface import Host, Probe

ARCH_TABLE = Path(__file__).resolve().parent.parent / "rules" / "data" / "torch_arch_matrix.csv"
# libtorch_cuda.so is hundreds of MB: scan it only below this size, with mmap (no read()).
SCAN_LIMIT = 2 << 30
_GENCODE = re.compile(rb"-gencode;arch=compute_\d+[a-z]?,code=[a-z_0-9]+(?:;-gencode;arch="
                      rb"compute_\d+[a-z]?,code=[a-z_0-9]+)*")
_CODE = re.compile(r"arch=compute_(\d+[a-z]?),code=([a-z_]+?)_?(\d+[a-z]?)$")
_LABEL_CUDA = re.compile(r"\+cu(\d+)(\d)$")
_FAMILY = re.compile(r"-cu(?:da)?(\d+)(x?)")
# TensorFlow's Windows build_info names CUDA/cuDNN by their DLL suffix: cudart64_112.dll ->
# "64_112", cudnn64_8.dll -> "64_8" (build_info.py of the tensorflow-gpu win_amd64 wheels).
_WINDOWS_DLL = re.compile(r"^64_(\d+)$")
# TensorRT's own distributions, each versioned as TensorRT itself (NVIDIA, "Installing TensorRT",
# Python Package Index method: tensorrt -> tensorrt-cuNN-libs + tensorrt-cuNN-bindings, the older
# tensorrt-libs / tensorrt-bindings, tensorrt-lean and tensorrt-dispatch; PyPI
# tensorrt-lean-cu12-libs / tensorrt-dispatch-cu12-libs 10.2.0). Not tensorrt-llm (TensorRT-LLM,
# its own 0.x/1.x numbering) nor any other tensorrt-* project.
# Monolithic CUDA jaxlib wheels, before the CUDA plugins (jaxlib 0.4.30 dropped them, JAX
# CHANGELOG): jax's setup.py pinned `jaxlib=={v}+cuda{102,111}` up to 0.1.72 (CUDA 10.2 / 11.1),
# then `+cuda{11,12}.cudnn{805,82,86,89,91}` (CUDA major, and the cuDNN major.minor the wheel
# needs "or newer": CHANGELOG jaxlib 0.1.73, "Multiple cuDNN versions are now supported").
_JAXLIB_CUDA = re.compile(r"\+cuda(\d+)(?:\.cudnn(\d)\d*)?$")
_TENSORRT_DIST = re.compile(r"tensorrt(?:-lean|-dispatch)?(?:-cu\d+)?(?:-libs|-bindings)?")


@dataclass(frozen=True)
class Site:
    """What the frameworks probe looks at: import directories and the installed dists."""

    dirs: tuple[Path, ...]
    dists: tuple[Distribution, ...]

    def package_dir(self, name: str) -> Optional[Path]:
        """The first `name/` package on sys.path (the one Python imports)."""
        for d in self.dirs:
            if (d / name / "__init__.py").exists() or (d / name).is_dir():
                return d / name
        return None

    def dist(self, *names: str) -> Optional[Distribution]:
        for dist in self.dists:
            if dist.name in names:
                return dist
        return None

    def providers(self, module: str) -> tuple[str, ...]:
        """Every distribution whose top_level.txt or RECORD installs `module/`.

        Only distributions whose name carries the project's name are read: RECORD files
        run to megabytes (torch's), and every known co-installer is named that way
        (opencv-python*, onnxruntime*, tensorflow*)."""
        stem = _PROJECT_STEM.get(module, module)
        candidates = [d for d in self.dists if stem in d.name.replace("_", "-")]
        return tuple(sorted({d.name for d in candidates if provides(d.path, module)}))


# Import package -> the part of a distribution name that every provider carries.
_PROJECT_STEM = {"cv2": "opencv"}


def provides(info: Path, module: str) -> bool:
    top = _read(info / "top_level.txt", "record")
    if top is not None and module in top.split():
        return True
    record = _read(info / "RECORD", "record") or ""
    prefix = f"{module}/"
    return any(line.startswith(prefix) for line in record.splitlines())


def _read(path: Path, kind: str = "source") -> Optional[str]:
    """A file of the audited environment: regular files only, bounded (envaudit.safeio)."""
    from envaudit.safeio import read_optional

    return read_optional(path, kind)


# ---------------------------------------------------------------- parsing, never exec


def literal_assignments(source: str) -> dict[str, Any]:
    """Module-level `NAME = literal` and `NAME: T = literal`, evaluated with ast.literal_eval."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    out: dict[str, Any] = {}
    for node in tree.body:
        target, value = _assignment(node)
        if target is None or value is None:
            continue
        try:
            out[target] = ast.literal_eval(_unwrap_ordered_dict(value))
        except (ValueError, TypeError, SyntaxError, RecursionError):
            continue
    return out


def _assignment(node: ast.stmt) -> tuple[Optional[str], Optional[ast.expr]]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def _unwrap_ordered_dict(value: ast.expr) -> ast.expr:
    """`collections.OrderedDict([...])` → the list literal inside (TF's build_info.py)."""
    if isinstance(value, ast.Call) and len(value.args) == 1:
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("OrderedDict", "dict"):
            return value.args[0]
    return value


def _file_literals(path: Optional[Path]) -> dict[str, Any]:
    text = _read(path) if path is not None else None
    return literal_assignments(text) if text else {}


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def cuda_from_digits(digits: str) -> str:
    """A CUDA version written without its dot, as in DLL and distribution names: three digits
    are major and minor ("112" -> "11.2", "102" -> "10.2"), so are two before CUDA 10 ("92" ->
    "9.2"); other numbers are a major alone ("12", "13": cudart64_12.dll, jax-cuda12-plugin)."""
    if len(digits) == 3 or (len(digits) == 2 and digits[0] in "6789"):
        return f"{digits[:-1]}.{digits[-1]}"
    return digits


def windows_dll_version(text: str) -> str:
    """TF's Windows form "64_112" -> "11.2", "64_8" (cuDNN) -> "8"; anything else unchanged."""
    m = _WINDOWS_DLL.match(text)
    return cuda_from_digits(m.group(1)) if m else text


def cuda_from_label(version: str) -> str:
    """"2.11.0+cu130" → "13.0"; "" for CPU and unlabelled builds."""
    m = _LABEL_CUDA.search(version)
    return f"{m.group(1)}.{m.group(2)}" if m else ""


# ---------------------------------------------------------------- torch arch list


def scan_gencode(path: Path, limit: int = SCAN_LIMIT) -> tuple[str, ...]:
    """The NVCC -gencode flags embedded in libtorch_cuda.so, as sm_XY / compute_XY targets."""
    try:
        size = path.stat().st_size
        if size == 0 or size > limit:
            return ()
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            start = mm.find(b"-gencode;arch=compute_")
            if start < 0:
                return ()
            m = _GENCODE.match(mm[start:start + 8192])
    except (OSError, ValueError):
        return ()
    return parse_gencode(m.group(0).decode("ascii")) if m else ()


def parse_gencode(text: str) -> tuple[str, ...]:
    """"-gencode;arch=compute_90,code=sm_90;..." → ("sm_90", ...); code=compute_XY is PTX."""
    out: list[str] = []
    for part in text.split(";"):
        m = _CODE.search(part)
        if m:
            out.append(f"{m.group(2)}_{m.group(3)}")
    return tuple(dict.fromkeys(out))


def _release(version: str) -> Optional[tuple[int, int]]:
    m = re.match(r"(\d+)\.(\d+)", version)
    return (int(m.group(1)), int(m.group(2))) if m else None


def table_arch_list(version: str, machine: str = "x86_64") -> tuple[str, ...]:
    """The arch list of a PyPI torch wheel from the release/variant table (research §2.3)."""
    release = _release(version)
    label = version.partition("+")[2]
    if release is None or not label.startswith("cu"):
        return ()
    with ARCH_TABLE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            low, high = _release(row["release_min"]), _release(row["release_max"])
            if (row["variant"] == label and row["machine"] == machine and low and high
                    and low <= release <= high):
                return tuple(row["arch_list"].split())
    return ()


# ---------------------------------------------------------------- one reader per framework


def _torch(site: Site, host: Host) -> Optional[Framework]:
    pkg = site.package_dir("torch")
    info = _file_literals(pkg / "version.py" if pkg else None)
    dist = site.dist("torch")
    version = _s(info.get("__version__")) or (dist.version if dist else "")
    if pkg is None or not version:
        return None
    cuda = _s(info.get("cuda"))
    details = {"hip": _s(info.get("hip")), "git-version": _s(info.get("git_version")),
               "rocm": _s(info.get("rocm")), "xpu": _s(info.get("xpu"))}
    arch: tuple[str, ...] = ()
    if cuda:
        # The release/variant table first: scanning libtorch_cuda.so (hundreds of MB, maybe
        # a cold page cache) is only worth it for builds the table does not know.
        arch = table_arch_list(version, _machine(host))
        details["arch-source"] = "table" if arch else "libtorch_cuda.so"
        arch = arch or scan_gencode(pkg / "lib" / "libtorch_cuda.so")
    return Framework(name="torch", version=version, cuda=cuda, arch_list=arch,
                     cudnn=_pinned_cudnn(dist), provided_by=site.providers("torch") or ("torch",),
                     details=_clean(details))


def _machine(host: Host) -> str:
    if host.uname is not None:
        return host.uname[4]
    import platform

    return platform.machine()


def _pinned_cudnn(dist: Optional[Distribution]) -> str:
    """The cuDNN a wheel pins in Requires-Dist (nvidia-cudnn-cuNN==9.19.0.56 → 9.19.0)."""
    text = _read(dist.path / "METADATA") if dist is not None else None
    m = re.search(r"^Requires-Dist: nvidia-cudnn-cu\d+\s*==\s*(\d+\.\d+\.\d+)", text or "", re.M)
    return m.group(1) if m else ""


def _clean(details: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in sorted(details.items()) if v}


def _torchvision(site: Site, host: Host) -> Optional[Framework]:
    pkg = site.package_dir("torchvision")
    info = _file_literals(pkg / "version.py" if pkg else None)
    version = _s(info.get("__version__"))
    if not version:
        return None
    return Framework(name="torchvision", version=version, cuda=cuda_from_label(version),
                     provided_by=site.providers("torchvision") or ("torchvision",),
                     details=_clean({"git-version": _s(info.get("git_version"))}))


def _tensorflow(site: Site, host: Host) -> Optional[Framework]:
    pkg = site.package_dir("tensorflow")
    dist = site.dist(*TENSORFLOW)
    if pkg is None or dist is None:
        return None
    info = _file_literals(pkg / "python" / "platform" / "build_info.py").get("build_info", {})
    info = dict(info) if isinstance(info, (list, Mapping)) else {}
    cuda = windows_dll_version(_s(info.get("cuda_version"))) if info.get("is_cuda_build") else ""
    details = {k: _s(info.get(k)) for k in ("is_rocm_build", "is_tensorrt_build", "cpu_compiler")}
    return Framework(name="tensorflow", version=dist.version, cuda=cuda,
                     cudnn=windows_dll_version(_s(info.get("cudnn_version"))) if cuda else "",
                     arch_list=tuple(info.get("cuda_compute_capabilities") or ()) if cuda else (),
                     provided_by=site.providers("tensorflow") or (dist.name,),
                     details=_clean({k.replace("_", "-"): v for k, v in details.items()}))


def _onnxruntime(site: Site, host: Host) -> Optional[Framework]:
    pkg = site.package_dir("onnxruntime")
    if pkg is None:
        return None
    info = _file_literals(pkg / "capi" / "build_and_package_info.py")
    dists = site.providers("onnxruntime")
    dist = site.dist(*dists) if dists else None
    version = _s(info.get("__version__")) or (dist.version if dist else "")
    if not version:
        return None
    package = _s(info.get("package_name")) or (dist.name if dist else "")
    return Framework(name="onnxruntime", version=version, cuda=_s(info.get("cuda_version")),
                     provided_by=dists, details=_clean({"package-name": package}))


def _opencv(site: Site, host: Host) -> Optional[Framework]:
    pkg = site.package_dir("cv2")
    info = _file_literals(pkg / "version.py" if pkg else None)
    version = _s(info.get("opencv_version"))
    if not version:
        return None
    flags = {k: _s(info.get(k)).lower() for k in ("contrib", "headless", "rolling", "ci_build")}
    return Framework(name="opencv", version=version, provided_by=site.providers("cv2"),
                     details=_clean({k.replace("_", "-"): v for k, v in flags.items()}))


def tensorrt_dist(name: str) -> bool:
    """A distribution of TensorRT itself (its version is TensorRT's), by canonical name."""
    return _TENSORRT_DIST.fullmatch(name) is not None


def _by_dist_names(site: Site, name: str, prefixes: Sequence[str],
                   keep: Callable[[str], bool] = lambda _: True) -> Optional[Framework]:
    """TensorRT, JAX CUDA plugins, CuPy: the CUDA family is in the distribution's name."""
    dists = [d for d in site.dists if d.name.startswith(tuple(prefixes)) and keep(d.name)]
    if not dists:
        return None
    # "cupy-cuda12x" is CUDA 12.x, "cupy-cuda111" CUDA 11.1 (CuPy's per-minor wheels, PyPI),
    # "jax-cuda12-plugin" / "tensorrt-cu12" CUDA 12.
    families = sorted({m.group(1) if m.group(2) else cuda_from_digits(m.group(1))
                       for d in dists for m in [_FAMILY.search(d.name)] if m})
    cuda = ",".join(families) if len(families) > 1 else (families[0] if families else "")
    return Framework(name=name, version=dists[0].version, cuda=cuda,
                     provided_by=tuple(sorted(d.name for d in dists)))


def _tensorrt(site: Site, host: Host) -> Optional[Framework]:
    return _by_dist_names(site, "tensorrt", ("tensorrt",), tensorrt_dist)


def _jax(site: Site, host: Host) -> Optional[Framework]:
    fw = _by_dist_names(site, "jax", ("jax-cuda", "jax-rocm"))
    jaxlib = site.dist("jaxlib")
    if jaxlib is None:
        return fw
    if fw is None:
        return _monolithic_jaxlib(jaxlib)
    return Framework(name="jax", version=jaxlib.version, cuda=fw.cuda, provided_by=fw.provided_by)


def _monolithic_jaxlib(jaxlib: Distribution) -> Optional[Framework]:
    """A CUDA jaxlib from before the CUDA plugins: its local label names the build."""
    m = _JAXLIB_CUDA.search(jaxlib.version)
    if m is None:
        return None
    return Framework(name="jax", version=jaxlib.version, cuda=cuda_from_digits(m.group(1)),
                     cudnn=m.group(2) or "", provided_by=("jaxlib",))


def _cupy(site: Site, host: Host) -> Optional[Framework]:
    return _by_dist_names(site, "cupy", ("cupy",))


READERS = {
    "torch": _torch, "torchvision": _torchvision, "tensorflow": _tensorflow,
    "onnxruntime": _onnxruntime, "opencv": _opencv, "tensorrt": _tensorrt, "jax": _jax,
    "cupy": _cupy,
}


def site_of(host: Host) -> Site:
    dists = _first_of_each(host.distributions)
    dirs = tuple(Path(p) for p in host.sys_path if p and Path(p).is_dir())
    return Site(dirs=dirs, dists=tuple(dists))


def _first_of_each(dists: Iterable[Distribution]) -> Iterator[Distribution]:
    seen: set[str] = set()
    for d in dists:
        if d.name not in seen:
            seen.add(d.name)
            yield d


def collect_frameworks(host: Host) -> dict[str, Framework]:
    site = site_of(host)
    found = {name: read(site, host) for name, read in READERS.items()}
    return {name: fw for name, fw in sorted(found.items()) if fw is not None}


class FrameworksCache:
    """Reads the frameworks once per host: the libraries probe needs them too."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Host, dict[str, Framework]]] = {}

    def get(self, host: Host) -> dict[str, Framework]:
        cached = self._cache.get(id(host))
        if cached is None or cached[0] is not host:
            cached = (host, collect_frameworks(host))
            self._cache[id(host)] = cached
        return cached[1]


class FrameworksProbe(Probe):
    section = "frameworks"

    def __init__(self, cache: Optional[FrameworksCache] = None) -> None:
        self.cache = cache or FrameworksCache()

    def collect(self, host: Host) -> dict[str, Framework]:
        return dict(self.cache.get(host))
