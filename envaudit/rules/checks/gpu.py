"""Checks of the GPU issue: driver ↔ CUDA, GPU arch ↔ compiled kernels, cuDNN, CUDA builds."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Optional

from envaudit.model import (
    CudaLibrary,
    Fingerprint,
    Framework,
    Gpu,
    NoDriver,
    NvidiaInfo,
    Unavailable,
)
from envaudit.rules.interface import Context, Match, Severity, check

DATA = Path(__file__).resolve().parent.parent / "data"

Ver = tuple[int, ...]


def ver(text: str) -> Optional[Ver]:
    """"580.159.04" → (580, 159, 4); None when it is not dotted numbers."""
    m = re.match(r"^(\d+(?:\.\d+)*)", text.strip()) if text else None
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def cc(text: str) -> Optional[tuple[int, int]]:
    v = ver(text)
    return (v[0], v[1] if len(v) > 1 else 0) if v else None


@functools.lru_cache(maxsize=1)
def driver_table() -> dict[Ver, Ver]:
    """cuda_driver_table.csv: CUDA release → minimum Linux driver (NVIDIA Table 3)."""
    out: dict[Ver, Ver] = {}
    with (DATA / "cuda_driver_table.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cuda, driver = ver(row["cuda_version"]), ver(row["min_driver_linux"])
            if cuda and driver:
                out[cuda] = driver
    return out


def release_minimum(cuda: str) -> Optional[tuple[str, Ver]]:
    """The minimum driver of the earliest release matching `cuda` ("13.0" → 13.0.0 GA)."""
    want = ver(cuda)
    if want is None or len(want) < 2:
        return None
    rows = sorted(k for k in driver_table() if k[: len(want)] == want)
    if not rows:
        return None
    return ".".join(map(str, rows[0])), driver_table()[rows[0]]


# ---------------------------------------------------------------- fingerprint helpers


def nvidia(fp: Fingerprint) -> Optional[NvidiaInfo]:
    return None if isinstance(fp.nvidia, Unavailable) else fp.nvidia


def gpus(fp: Fingerprint) -> Optional[tuple[Gpu, ...]]:
    return None if isinstance(fp.gpus, Unavailable) else fp.gpus


def visible_gpus(fp: Fingerprint) -> tuple[Gpu, ...]:
    return tuple(g for g in gpus(fp) or () if g.visible and cc(g.compute_capability))


def cuda_builds(fp: Fingerprint) -> dict[str, Framework]:
    if isinstance(fp.frameworks, Unavailable):
        return {}
    return {n: f for n, f in sorted(fp.frameworks.items()) if f.cuda and ver(f.cuda.split(",")[0])}


def no_driver(fp: Fingerprint) -> bool:
    """The host positively has no NVIDIA driver (not merely unreadable)."""
    return isinstance(fp.nvidia, NoDriver)


def libraries(fp: Fingerprint, name: str) -> tuple[CudaLibrary, ...]:
    if isinstance(fp.cuda_libraries, Unavailable):
        return ()
    return tuple(lib for lib in fp.cuda_libraries if lib.name == name)


def cudnn_used(fp: Fingerprint, framework: str) -> Optional[str]:
    """The cuDNN a framework loads: --deep's runtime answer first, else the resolved copy."""
    if not isinstance(fp.runtime, Unavailable):
        raw = fp.runtime.get(framework, {}).get("cudnn", "")
        if raw.isdigit() and int(raw) >= 1000:
            n = int(raw)  # 91900 → 9.19.0 (cuDNN ≥ 9: major*10000 + minor*100 + patch)
            return f"{n // 10000}.{n % 10000 // 100}.{n % 100}"
    for lib in libraries(fp, "cudnn"):
        if framework in lib.used_by and ver(lib.version):
            return lib.version
    return None


def _fmt(v: Ver) -> str:
    return ".".join(map(str, v))


# ---------------------------------------------------------------- CUDA ↔ driver


@check("driver-family-minimum")
def driver_family_minimum(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-001: the driver is older than the framework's CUDA major needs."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None:
        return
    for name, fw in cuda_builds(ctx.current).items():
        major = fw.cuda.split(".")[0]
        floor = ver(str(params["family"].get(major, "")))
        supported = ver(info.cuda_driver)
        if (floor and driver < floor) or (supported and supported[0] < int(major)):
            yield Match("gpu", None, info.driver,
                        f"{name} is built for CUDA {fw.cuda}, which needs driver ≥ "
                        f"{params['family'].get(major, '?')}; this host has {info.driver}"
                        f" (supports CUDA {info.cuda_driver or '?'}): CUDA init fails")


def _ptx_only(fp: Fingerprint, fw: Framework) -> bool:
    return any(coverage(g.compute_capability, fw.arch_list) == "ptx" for g in visible_gpus(fp))


@check("driver-release-minimum")
def driver_release_minimum(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-002: same major, but older than the exact release's minimum (minor-version compat)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None:
        return
    for name, fw in cuda_builds(ctx.current).items():
        found = release_minimum(fw.cuda)
        if found is None or driver >= found[1] or driver[0] < _family_floor(params, fw):
            continue
        severity = Severity.ERROR if _ptx_only(ctx.current, fw) else None
        yield Match("gpu", None, info.driver,
                    f"{name} is built with CUDA {fw.cuda} (driver ≥ {_fmt(found[1])} for"
                    f" {found[0]}); driver {info.driver} runs it only under minor-version"
                    " compatibility: PTX from the newer toolkit cannot be JIT-compiled", severity)


def _family_floor(params: Mapping[str, Any], fw: Framework) -> int:
    floor = ver(str(params.get("family", {}).get(fw.cuda.split(".")[0], "")))
    return floor[0] if floor else 0


@check("driver-changed")
def driver_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-003 / CUDA-005: the driver (or the highest CUDA it supports) changed."""
    a, b = nvidia(ctx.locked), nvidia(ctx.current)
    field = str(params["field"])
    if a is None or b is None:
        return
    old, new = getattr(a, field), getattr(b, field)
    if old and new and old != new:
        what = "driver" if field == "driver" else "highest CUDA supported by the driver"
        yield Match("gpu", old, new, f"NVIDIA {what} {old} → {new}")


@check("cuda-unverified-minimum")
def cuda_unverified_minimum(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-007: a framework built with a CUDA whose minimum driver is not documented."""
    for name, fw in cuda_builds(ctx.current).items():
        if any(fw.cuda == c or fw.cuda.startswith(c + ".") for c in params["releases"]):
            yield Match("gpu", None, fw.cuda,
                        f"{name} is built with CUDA {fw.cuda}: its minimum driver is not verified")


# ---------------------------------------------------------------- GPU ↔ compiled kernels


def _arch(target: str) -> Optional[tuple[str, int, int, str]]:
    m = re.fullmatch(r"(sm|compute)_(\d+)(\d)([a-z]?)", target.strip())
    return (m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)) if m else None


def coverage(gpu_cc: str, arch_list: tuple[str, ...]) -> str:
    """"native" (SASS runs), "ptx" (driver JIT-compiles PTX), "none", or "" when unknown.

    SASS sm_XY runs on the same major with minor ≥ Y; sm_XYa only on X.Y exactly;
    PTX compute_XY on any CC ≥ X.Y (NVIDIA Blackwell Compatibility Guide)."""
    have = cc(gpu_cc)
    targets = [t for t in (_arch(a) for a in arch_list) if t]
    if have is None or not targets:
        return ""
    for kind, major, minor, suffix in targets:
        exact = suffix == "a"
        if kind == "sm" and major == have[0] and (minor == have[1] if exact else minor <= have[1]):
            return "native"
    if any(kind == "compute" and (major, minor) <= have for kind, major, minor, _ in targets):
        return "ptx"
    return "none"


@check("arch-coverage")
def arch_coverage(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-001 ("none") and GPU-010 ("ptx"): the deployment GPU against each compiled arch list."""
    wanted = str(params["coverage"])
    for gpu in visible_gpus(ctx.current):
        for name, fw in cuda_builds(ctx.current).items():
            if coverage(gpu.compute_capability, fw.arch_list) != wanted:
                continue
            how = ("has no kernel for it and no PTX to JIT-compile" if wanted == "none" else
                   "only carries PTX for it: the driver JIT-compiles on first use")
            yield Match("gpu", None, gpu.compute_capability,
                        f"{gpu.name} (CC {gpu.compute_capability}): {name} {fw.version}"
                        f" ({', '.join(fw.arch_list)}) {how}")


@check("gpu-too-old-for-cuda")
def gpu_too_old_for_cuda(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-002 / GPU-003: CUDA 12 dropped Kepler, CUDA 13 dropped Maxwell/Pascal/Volta."""
    below, from_major = cc(str(params["below"])), int(params["cuda_major"])
    exact = bool(params.get("exact_major", False))
    for gpu in visible_gpus(ctx.current):
        have = cc(gpu.compute_capability)
        for name, fw in cuda_builds(ctx.current).items():
            major = int(fw.cuda.split(".")[0])
            hit = major == from_major if exact else major >= from_major
            if have and below and have < below and hit:
                yield Match("gpu", None, gpu.compute_capability,
                            f"{gpu.name} (CC {gpu.compute_capability}) is not supported by"
                            f" CUDA {major}; {name} is built with CUDA {fw.cuda}")


@check("blackwell-old-cuda")
def blackwell_old_cuda(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-004: Blackwell (CC ≥ 10.0) needs a build with CUDA ≥ 12.8."""
    need = ver(str(params["cuda"]))
    for gpu in visible_gpus(ctx.current):
        have = cc(gpu.compute_capability)
        if not have or have < (10, 0):
            continue
        for name, fw in cuda_builds(ctx.current).items():
            built = ver(fw.cuda)
            if built and need and len(built) > 1 and built < need:
                jit = coverage(gpu.compute_capability, fw.arch_list) == "ptx"
                yield Match("gpu", None, gpu.compute_capability,
                            f"{gpu.name} (CC {gpu.compute_capability}) is Blackwell; {name} is"
                            f" built with CUDA {fw.cuda} < {params['cuda']}"
                            + (" and runs only through PTX JIT" if jit else ""),
                            Severity.WARNING if jit else None)


def _signature(g: Gpu) -> tuple[str, str, str, str]:
    sms = "" if g.multiprocessor_count is None else str(g.multiprocessor_count)
    mig = "" if g.mig_mode is None else str(g.mig_mode)
    return g.name, g.compute_capability, sms, mig


@check("gpu-model-changed")
def gpu_model_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-006: another GPU model, architecture, SM count or MIG mode (bitwise results lost)."""
    a, b = visible_gpus(ctx.locked), visible_gpus(ctx.current)
    if not a or not b:
        return
    old, new = [_signature(g) for g in a], [_signature(g) for g in b]
    if {s[:2] for s in old} != {s[:2] for s in new} or _known_differs(old, new):
        yield Match("gpu", ", ".join(sorted({f"{g.name} ({g.compute_capability})" for g in a})),
                    ", ".join(sorted({f"{g.name} ({g.compute_capability})" for g in b})),
                    "the GPU model, architecture, SM count or MIG mode differs from training:"
                    " cuBLAS/cuDNN bitwise reproducibility no longer holds")


def _known_differs(old: list[tuple[str, str, str, str]],
                   new: list[tuple[str, str, str, str]]) -> bool:
    return any(bool(p and q and p != q) for x, y in zip(old, new) for p, q in zip(x[2:], y[2:]))


@check("tf32-boundary")
def tf32_boundary(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-007: CC crosses 8.0, so TF32 tensor cores appear or disappear."""
    a, b = visible_gpus(ctx.locked), visible_gpus(ctx.current)
    if not a or not b:
        return
    old = min(cc(g.compute_capability) or (0, 0) for g in a) >= (8, 0)
    new = min(cc(g.compute_capability) or (0, 0) for g in b) >= (8, 0)
    if old != new:
        yield Match("gpu", a[0].compute_capability, b[0].compute_capability,
                    "TF32 tensor cores are " + ("lost" if old else "gained") + " (CC"
                    f" {a[0].compute_capability} → {b[0].compute_capability}): fp32 convolutions"
                    " (and TF matmuls) change numerics by about 1e-3")


@check("jetson-generic-wheel")
def jetson_generic_wheel(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-009: a Jetson iGPU with a generic PyPI aarch64 CUDA wheel."""
    plat = ctx.current.platform
    if isinstance(plat, Unavailable) or plat.machine != "aarch64":
        return
    for gpu in visible_gpus(ctx.current):
        if gpu.compute_capability not in params["cc"]:
            continue
        for name, fw in cuda_builds(ctx.current).items():
            yield Match("gpu", None, gpu.compute_capability,
                        f"Jetson GPU {gpu.name} (CC {gpu.compute_capability}) with the generic"
                        f" {name} {fw.version} CUDA {fw.cuda} build: JetPack builds are needed")


@check("gpu-gone")
def gpu_gone(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-011: GPUs in training, positively none where the model will run."""
    before = gpus(ctx.locked)
    if not before:
        return
    after = gpus(ctx.current)
    if after == () or no_driver(ctx.current):
        why = ctx.current.nvidia.reason if isinstance(ctx.current.nvidia, Unavailable) else \
            "the driver reports no GPU"
        yield Match("gpu", ", ".join(sorted({g.name for g in before})), None,
                    f"training had {len(before)} GPU(s); the deployment side has none ({why})")


# ---------------------------------------------------------------- cuDNN


def _cudnn_pairs(ctx: Context) -> Iterator[tuple[str, Framework, Optional[str], Optional[str]]]:
    """(framework, current build, cuDNN used in training, cuDNN used now)."""
    for name, fw in cuda_builds(ctx.current).items():
        yield name, fw, cudnn_used(ctx.locked, name), cudnn_used(ctx.current, name)


@check("cudnn-build-mismatch")
def cudnn_build_mismatch(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-001 (major ≠ build or training) / CUDNN-002 (minor older than the build's)."""
    level = str(params["level"])
    for name, fw, old, new in _cudnn_pairs(ctx):
        built, now = ver(fw.cudnn), ver(new or "")
        if now is None:
            continue
        if level == "major":
            ref = built or ver(old or "")
            if ref and ref[0] != now[0]:
                yield Match("cudnn", fw.cudnn or old, new,
                            f"{name} was built against / trained with cuDNN"
                            f" {fw.cudnn or old} and loads cuDNN {new}: majors differ")
        elif built and len(built) > 1 and built[0] == now[0] and now[:2] < built[:2]:
            yield Match("cudnn", fw.cudnn, new,
                        f"{name} was compiled against cuDNN {fw.cudnn} and loads the older {new}")


@check("cudnn-version-changed")
def cudnn_version_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-003: same major, another cuDNN version (engines and heuristics change)."""
    for name, _fw, old, new in _cudnn_pairs(ctx):
        a, b = ver(old or ""), ver(new or "")
        if a and b and a[0] == b[0] and a != b:
            yield Match("cudnn", old, new, f"{name} loads cuDNN {new}; training loaded {old}")


@check("cudnn-old-driver")
def cudnn_old_driver(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-004: cuDNN 9 needs driver ≥ 525.60.13 with CUDA 12 (cuDNN support matrix)."""
    info = nvidia(ctx.current)
    driver, floor = (ver(info.driver) if info else None), ver(str(params["driver"]))
    if driver is None or floor is None or driver >= floor:
        return
    for name, _fw, _old, new in _cudnn_pairs(ctx):
        v = ver(new or "")
        if v and v[0] == int(params["major"]):
            yield Match("cudnn", None, new, f"{name} loads cuDNN {new}, which needs driver ≥"
                        f" {params['driver']}; this host has {info.driver if info else '?'}")


@check("cudnn-old-gpu")
def cudnn_old_gpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-005: cuDNN ≥ 9.11 dropped Volta and older (approximate, research §10.4)."""
    since = ver(str(params["since"]))
    for gpu in visible_gpus(ctx.current):
        have = cc(gpu.compute_capability)
        for name, _fw, _old, new in _cudnn_pairs(ctx):
            v = ver(new or "")
            if have and have < (7, 5) and v and since and v >= since:
                yield Match("cudnn", None, new, f"{name} loads cuDNN {new}, which has no kernels"
                            f" for {gpu.name} (CC {gpu.compute_capability})")


def _copies(fp: Fingerprint) -> frozenset[tuple[str, str]]:
    return frozenset((lib.path, lib.version) for lib in libraries(fp, "cudnn"))


@check("cudnn-copies")
def cudnn_copies(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-006: several cuDNN copies, and the set differs from training."""
    now = _copies(ctx.current)
    if len(now) < 2 or isinstance(ctx.locked.cuda_libraries, Unavailable):
        return
    if _copies(ctx.locked) != now:
        listed = "; ".join(f"{v or '?'} in {p}" for p, v in sorted(now))
        yield Match("cudnn", None, str(len(now)),
                    f"{len(now)} cuDNN copies on the deployment side ({listed}): which one loads"
                    " depends on RPATH, LD_LIBRARY_PATH and load order")


@check("torch-ort-cudnn")
def torch_ort_cudnn(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-007: torch ≤ 2.3 (cuDNN 8) next to an onnxruntime-gpu CUDA 12 build (cuDNN 9)."""
    builds = cuda_builds(ctx.current)
    torch, ort = builds.get("torch"), builds.get("onnxruntime")
    tv, ov = ver(torch.version if torch else ""), ver(ort.version if ort else "")
    if torch and ort and tv and ov and tv[:2] <= (2, 3) and ov[:2] >= (1, 19):
        yield Match("cudnn", None, f"torch {torch.version} + onnxruntime {ort.version}",
                    f"torch {torch.version} uses cuDNN 8; onnxruntime-gpu {ort.version} (CUDA"
                    f" {ort.cuda}) needs cuDNN 9: one of them cannot load its cuDNN")


# ---------------------------------------------------------------- framework builds


@check("cuda-build-to-cpu")
def cuda_build_to_cpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """FW-011: a framework's CUDA build was replaced by a CPU build."""
    name = str(params["framework"])
    a, b = ctx.locked.framework(name), ctx.current.framework(name)
    if a is not None and b is not None and a.cuda and not b.cuda:
        yield Match(name, f"{a.version} (CUDA {a.cuda})", f"{b.version} (CPU)",
                    f"{name} {a.version} was a CUDA {a.cuda} build; {b.version} is a CPU build:"
                    " the model runs on the CPU (or `.cuda()` fails)")


@check("ort-cuda-stack")
def ort_cuda_stack(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """FW-020: onnxruntime-gpu's CUDA major has no matching driver or libraries: CPU fallback."""
    ort = cuda_builds(ctx.current).get("onnxruntime")
    if ort is None:
        return
    major = ort.cuda.split(".")[0]
    info = nvidia(ctx.current)
    supported = ver(info.cuda_driver) if info else None
    if supported and supported[0] < int(major):
        yield Match("onnxruntime", None, ort.cuda, f"onnxruntime-gpu is built for CUDA {ort.cuda};"
                    f" the driver supports CUDA {info.cuda_driver if info else '?'}")
        return
    if isinstance(ctx.current.cuda_libraries, Unavailable):
        return
    missing = [lib for lib in ("cudart", "cublas") if not any(
        x.version.split(".")[0] == major for x in libraries(ctx.current, lib))]
    if missing:
        yield Match("onnxruntime", None, ort.cuda,
                    f"onnxruntime-gpu is built for CUDA {ort.cuda} but no CUDA {major}"
                    f" {', '.join(missing)} was found: the CUDA provider fails to load")


# ---------------------------------------------------------------- driver lifecycle, forward compat

_COMPAT = re.compile(r"cuda[^:]*/compat(/|:|$)")
# Forward compatibility (cuda-compat) is for data-center GPUs; consumer parts are refused.
_CONSUMER = re.compile(r"GeForce|TITAN", re.I)


def _uses_compat(fp: Fingerprint) -> Optional[bool]:
    """Whether LD_LIBRARY_PATH puts the CUDA forward-compatibility libcuda first; None: unknown."""
    if isinstance(fp.env, Unavailable):
        return None
    return bool(_COMPAT.search(fp.env.get("LD_LIBRARY_PATH", "")))


@check("forward-compat")
def forward_compat(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-004: training ran a newer CUDA on an older driver through cuda/compat."""
    if _uses_compat(ctx.locked) is not True:
        return
    consumer = [g.name for g in visible_gpus(ctx.current) if _CONSUMER.search(g.name)]
    if consumer:
        yield Match("gpu", "cuda/compat", ", ".join(consumer),
                    f"training used the CUDA forward-compatibility libraries; {consumer[0]} is"
                    " not a data-center GPU, where forward compatibility is not supported")
    elif _uses_compat(ctx.current) is False:
        yield Match("gpu", "cuda/compat", "not on LD_LIBRARY_PATH",
                    "training used the CUDA forward-compatibility libraries (cuda/compat on"
                    " LD_LIBRARY_PATH); the deployment side does not, so a CUDA runtime newer"
                    " than its driver will not initialise")


@check("driver-branch-eol")
def driver_branch_eol(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-006: the deployment driver's branch is past its end of life (as of ctx.today)."""
    info = nvidia(ctx.current)
    branch = info.driver.split(".")[0] if info else ""
    eol = params["eol"].get(branch)
    if eol is not None and str(eol) < ctx.today.isoformat():
        yield Match("gpu", None, info.driver if info else None,
                    f"driver {info.driver if info else ''} is on branch R{branch}, past its end"
                    f" of life ({eol}): no more security or bug fixes")
