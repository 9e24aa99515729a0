"""CudaLibrariesProbe and CudaToolkitProbe: every cuDNN/cuBLAS/cudart/NCCL copy and who loads it."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from envaudit.model import CudaLibrary, CudaToolkit, Framework
from envaudit.probes.gpu_frameworks import FrameworksCache, Site, site_of, tensorrt_dist
from envaudit.probes.interface import Host, Probe, ProbeUnavailable

# Library name -> (file stem, wheel distribution prefixes).
LIBRARIES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "cudnn": ("libcudnn", ("nvidia-cudnn",)),
    "cublas": ("libcublas", ("nvidia-cublas",)),
    "cudart": ("libcudart", ("nvidia-cuda-runtime",)),
    "nccl": ("libnccl", ("nvidia-nccl",)),
    "nvinfer": ("libnvinfer", ("tensorrt-libs", "tensorrt-cu", "tensorrt")),
}
# Which libraries each framework loads, and whether its own site-packages copy wins
# (torch's RPATH is $ORIGIN/../../nvidia/<lib>/lib; TF, JAX and CuPy look there too;
# onnxruntime-gpu dlopens through the ordinary loader search unless preload_dlls() is called).
CONSUMERS: Mapping[str, tuple[tuple[str, ...], bool]] = {
    "torch": (("cudnn", "cublas", "cudart", "nccl"), True),
    "tensorflow": (("cudnn", "cublas", "cudart"), True),
    "jax": (("cudnn", "cublas", "cudart"), True),
    "cupy": (("cublas", "cudart"), True),
    "onnxruntime": (("cudnn", "cublas", "cudart"), False),
    "tensorrt": (("nvinfer",), True),
}
SYSTEM_DIRS = ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
               "/usr/lib64", "/usr/lib")
CUDNN_HEADERS = ("/usr/include/x86_64-linux-gnu/cudnn_version.h", "/usr/include/cudnn_version.h",
                 "/usr/include/aarch64-linux-gnu/cudnn_version.h")
_HEADER = re.compile(r"#define\s+CUDNN_(MAJOR|MINOR|PATCHLEVEL)\s+(\d+)")
_VENDORED = re.compile(r"^(lib[a-z]+)[.-][0-9a-f]{8}\.so((?:\.\d+)*)$")


@dataclass(frozen=True)
class _Copy:
    """One directory holding one library (the dataclass the lock keeps, plus a sort rank)."""

    lib: CudaLibrary
    rank: int
    site: str = ""


def rel(host: Host, path: Path) -> str:
    """`path` as it is on the host (the fake root stripped), resolved through symlinks."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(host.root))
    if root == Path("/"):
        return str(real)
    try:
        return "/" + str(real.relative_to(root))
    except ValueError:
        return str(real)


def _so_version(stem: str, filename: str) -> Optional[str]:
    """"libcudnn.so.9.14.0" → "9.14.0"; "libcudnn.so" → ""; other libraries → None."""
    if filename == f"{stem}.so":
        return ""
    if filename.startswith(f"{stem}.so."):
        tail = filename[len(stem) + 4:]
        return tail if re.fullmatch(r"\d+(\.\d+)*", tail) else None
    return None


@functools.lru_cache(maxsize=128)
def _listing(directory: Path) -> tuple[str, ...]:
    """A directory's names, read once per snapshot (system lib dirs hold thousands)."""
    try:
        return tuple(os.listdir(directory))
    except OSError:
        return ()


def _dir_version(directory: Path, stem: str) -> Optional[str]:
    """The most precise version among `stem`.so* files in `directory`, or None if none."""
    names = _listing(directory)
    found = [v for n in names if n.startswith(stem) for v in [_so_version(stem, n)]
             if v is not None]
    if not found:
        return None
    return max(found, key=lambda v: (v.count("."), v)) if any(found) else ""


def cudnn_header(text: str) -> str:
    parts = dict(_HEADER.findall(text))
    if "MAJOR" not in parts:
        return ""
    return f"{parts['MAJOR']}.{parts.get('MINOR', '0')}.{parts.get('PATCHLEVEL', '0')}"


def _wheel_dist(site: Site, name: str, prefixes: tuple[str, ...]) -> str:
    for d in site.dists:
        if name == "nvinfer" and not tensorrt_dist(d.name):
            continue  # tensorrt-llm is not TensorRT: its version is no libnvinfer's
        if any(d.name == p or d.name.startswith((f"{p}-cu", f"{p}-")) for p in prefixes):
            return d.name
    return ""


def _wheel_dirs(site_dir: Path) -> Iterator[Path]:
    nvidia = site_dir / "nvidia"
    if nvidia.is_dir():
        for sub in sorted(nvidia.iterdir()):
            if (sub / "lib").is_dir():
                yield sub / "lib"
    if (site_dir / "tensorrt_libs").is_dir():
        yield site_dir / "tensorrt_libs"


def _wheel_copies(host: Host, site: Site) -> Iterator[_Copy]:
    for rank, site_dir in enumerate(site.dirs):
        for lib_dir in _wheel_dirs(site_dir):
            for name, (stem, prefixes) in LIBRARIES.items():
                version = _dir_version(lib_dir, stem)
                if version is None:
                    continue
                dist = _wheel_dist(site, name, prefixes)
                exact = _wheel_version(lib_dir, name, version, site, dist)
                yield _Copy(CudaLibrary(name=name, version=exact, path=rel(host, lib_dir),
                                        source=f"wheel:{dist}" if dist else "wheel"),
                            rank, str(site_dir))
        yield from _vendored(host, site_dir, rank)


def _wheel_version(lib_dir: Path, name: str, so: str, site: Site, dist: str) -> str:
    if name == "cudnn":
        header = _read(lib_dir.parent / "include" / "cudnn_version.h")
        if header and cudnn_header(header):
            return cudnn_header(header)
    d = site.dist(dist) if dist else None
    return d.version if d is not None and so.count(".") < 2 else so


def _vendored(host: Host, site_dir: Path, rank: int) -> Iterator[_Copy]:
    """auditwheel copies (torchvision.libs/libcudart.faf08d9a.so.13): used by their package."""
    for libs in sorted(site_dir.glob("*.libs")):
        owner = libs.name[: -len(".libs")]
        for f in sorted(os.listdir(libs)):
            m = _VENDORED.match(f)
            names = [n for n, (stem, _) in LIBRARIES.items() if m and m.group(1) == stem]
            if m and names:
                yield _Copy(CudaLibrary(name=names[0], version=m.group(2).lstrip("."),
                                        path=rel(host, libs), source=f"wheel:{owner}",
                                        used_by=(owner,)), rank, str(site_dir))


def _read(path: Path) -> Optional[str]:
    """The start of a header or version file: regular files only (envaudit.safeio)."""
    from envaudit.safeio import Limit, read_optional

    return read_optional(path, Limit(65536, prefix=True))


def loader_dirs(host: Host) -> list[str]:
    """Directories in the dynamic loader's order: LD_LIBRARY_PATH, then the usual system dirs."""
    dirs = [d for d in host.environ.get("LD_LIBRARY_PATH", "").split(":") if d.startswith("/")]
    cuda = sorted(str(p) for p in host.path("/usr/local").glob("cuda*")) if host.path(
        "/usr/local").is_dir() else []
    for top in cuda:
        top_abs = "/usr/local/" + Path(top).name
        dirs += [f"{top_abs}/targets/{t.name}/lib" for t in sorted(Path(top, "targets").glob("*"))]
        dirs += [f"{top_abs}/lib64", f"{top_abs}/lib"]
    return dirs + list(SYSTEM_DIRS)


def _system_copies(host: Host) -> Iterator[_Copy]:
    for rank, d in enumerate(loader_dirs(host), start=1000):
        path = host.path(d)
        for name, (stem, _) in LIBRARIES.items():
            version = _dir_version(path, stem)
            if version is None:
                continue
            if name == "cudnn" and version.count(".") < 2:
                version = _system_cudnn_header(host) or version
            source = "toolkit" if d.startswith("/usr/local/cuda") else "system"
            yield _Copy(CudaLibrary(name=name, version=version, path=rel(host, path),
                                    source=source), rank)


def _system_cudnn_header(host: Host) -> str:
    for h in CUDNN_HEADERS:
        text = host.read_text(h, limit=65536)
        if text and cudnn_header(text):
            return cudnn_header(text)
    return ""


def _unique(copies: Iterable[_Copy]) -> list[_Copy]:
    seen: set[tuple[str, str]] = set()
    out: list[_Copy] = []
    for c in copies:
        key = (c.lib.name, c.lib.path)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# ---------------------------------------------------------------- who loads which copy


def _major(text: str) -> str:
    return text.split(".", 1)[0]


def _wanted_major(lib: str, fw: Framework) -> str:
    if lib in ("cudart", "cublas") and fw.cuda:
        return _major(fw.cuda)
    if lib == "cudnn" and fw.cudnn:
        return _major(fw.cudnn)
    return ""


def _resolve(fw: Framework, lib: str, own_first: bool, fw_site: str,
             copies: list[_Copy]) -> Optional[_Copy]:
    wanted = _wanted_major(lib, fw)
    usable = [c for c in copies if c.lib.name == lib and not c.lib.used_by
              and (not wanted or _major(c.lib.version) in ("", wanted))]
    if own_first:
        own = [c for c in usable if c.site and c.site == fw_site]
        if own:
            return own[0]
    system = sorted((c for c in usable if not c.site), key=lambda c: c.rank)
    return system[0] if system else None


def _framework_site(site: Site, module: str, fw: Framework) -> str:
    """The site-packages directory a framework loads from (its package, or its dists)."""
    pkg = site.package_dir(module)
    if pkg is not None:
        return str(pkg.parent)
    dist = site.dist(*fw.provided_by) if fw.provided_by else None
    return str(dist.path.parent) if dist is not None else ""


_MODULES = {"opencv": "cv2"}


def attach_users(copies: list[_Copy], frameworks: Mapping[str, Framework],
                 site: Site) -> list[CudaLibrary]:
    users: dict[int, list[str]] = {}
    for name, fw in frameworks.items():
        if not fw.cuda or name not in CONSUMERS:
            continue
        libs, own_first = CONSUMERS[name]
        fw_site = _framework_site(site, _MODULES.get(name, name), fw)
        for lib in libs:
            chosen = _resolve(fw, lib, own_first, fw_site, copies)
            if chosen is not None:
                users.setdefault(id(chosen), []).append(name)
    return [replace(c.lib, used_by=tuple(sorted(set(c.lib.used_by) | set(users.get(id(c), ())))))
            for c in copies]


def collect_libraries(host: Host, frameworks: Mapping[str, Framework]) -> tuple[CudaLibrary, ...]:
    _listing.cache_clear()  # a new snapshot sees the disk as it is now
    site = site_of(host)
    copies = _unique([*_wheel_copies(host, site), *_system_copies(host)])
    libs = attach_users(copies, frameworks, site)
    return tuple(sorted(libs, key=lambda lib: (lib.name, lib.path)))


class CudaLibrariesProbe(Probe):
    section = "cuda_libraries"

    def __init__(self, frameworks: Optional[FrameworksCache] = None) -> None:
        self.frameworks = frameworks or FrameworksCache()

    def collect(self, host: Host) -> tuple[CudaLibrary, ...]:
        return collect_libraries(host, self.frameworks.get(host))


# ---------------------------------------------------------------- the toolkit


def _toolkit_dirs(host: Host) -> list[str]:
    named = [host.environ.get(k, "") for k in ("CUDA_HOME", "CUDA_PATH")]
    local = host.path("/usr/local")
    found = sorted(p.name for p in local.glob("cuda*")) if local.is_dir() else []
    dirs = [d for d in named if d.startswith("/")] + [f"/usr/local/{n}" for n in found]
    return [d for d in dict.fromkeys(dirs) if host.path(d).is_dir()]


def _version_file(host: Host, d: str) -> str:
    text = host.read_text(f"{d}/version.json", limit=1 << 16)
    if text:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # a hostile file may nest 64k deep
            data = {}
        cuda = data.get("cuda") if isinstance(data, dict) else None
        if isinstance(cuda, dict) and isinstance(cuda.get("version"), str):
            return str(cuda["version"])
    m = re.search(r"CUDA Version (\d+(?:\.\d+)*)", host.read_text(f"{d}/version.txt") or "")
    return m.group(1) if m else ""


def find_toolkit(host: Host) -> CudaToolkit:
    dirs = _toolkit_dirs(host)
    for d in dirs:
        version = _version_file(host, d)
        if version:
            return CudaToolkit(version=version, path=rel(host, host.path(d)), source="version.json")
    env = host.environ.get("CUDA_VERSION", "")
    if env:
        return CudaToolkit(version=env, path=dirs[0] if dirs else "", source="env:CUDA_VERSION")
    for d in dirs:
        m = re.fullmatch(r"cuda-(\d+\.\d+)", Path(rel(host, host.path(d))).name)
        if m:
            return CudaToolkit(version=m.group(1), path=rel(host, host.path(d)),
                               source="directory-name")
    if dirs:
        raise ProbeUnavailable(f"CUDA toolkit at {dirs[0]} has no readable version")
    raise ProbeUnavailable("no CUDA toolkit found (CUDA_HOME, /usr/local/cuda*, CUDA_VERSION)")


class CudaToolkitProbe(Probe):
    section = "cuda_toolkit"

    def collect(self, host: Host) -> CudaToolkit:
        return find_toolkit(host)
