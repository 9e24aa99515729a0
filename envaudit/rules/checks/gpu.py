"""Checks of the GPU issue: driver ↔ CUDA, GPU arch ↔ compiled kernels, cuDNN, CUDA builds."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Optional

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
from envaudit.rules.tables import rows
from envaudit.rules.versions import Ver, cc, fmt, ver


@functools.lru_cache(maxsize=2)
def driver_table(windows: bool = False) -> dict[Ver, tuple[Ver, str]]:
    """cuda_driver_table.csv: CUDA release → minimum driver (NVIDIA Table 3), Linux or Windows
    column, parsed and as NVIDIA writes it ("580.95.05": the parsed form prints 580.95.5).
    Windows "N/A" (CUDA 13.x: the toolkit bundles no Windows driver) gives no row."""
    column = "min_driver_windows" if windows else "min_driver_linux"
    out: dict[Ver, tuple[Ver, str]] = {}
    for row in rows("cuda_driver_table.csv"):
        cuda, driver = ver(row["cuda_version"]), ver(row[column])
        if cuda and driver:
            out[cuda] = (driver, row[column])
    return out


def windows_driver(fp: Fingerprint) -> bool:
    """The driver NVML reports is NVIDIA's Windows driver, numbered apart from the Linux one
    (Table 3 has a column each): on Windows, and under WSL 2, where the Windows driver serves
    the Linux side (NVIDIA's CUDA on WSL guide; WSL 2 kernels name themselves
    "...-microsoft-standard-WSL2")."""
    plat = fp.platform
    if isinstance(plat, Unavailable):
        return False
    return plat.system == "Windows" or "microsoft-standard" in plat.release.lower()


def jetson_driver(fp: Fingerprint) -> bool:
    """The driver is a Jetson's (an aarch64 host whose GPU is a Jetson module's iGPU): it comes
    with Jetson Linux, and NVIDIA's release notes treat aarch64-jetson as a platform of its own
    with its own CUDA compatibility package, while Table 3's driver columns are Linux and
    Windows x86_64 and the branch lifecycle tables are for data-center drivers. Their numbers
    say nothing about it."""
    plat = fp.platform
    if isinstance(plat, Unavailable) or plat.machine != "aarch64":
        return False
    return any(cc(g.compute_capability) in jetson_ccs() for g in visible_gpus(fp))


@functools.lru_cache(maxsize=1)
def linux_branches() -> tuple[int, ...]:
    """The driver branches Table 3 names (the first number of its Linux minimums), ascending."""
    return tuple(sorted({driver[0] for driver, _ in driver_table().values()}))


def driver_branch(fp: Fingerprint, driver: Ver) -> int:
    """The branch a driver belongs to. A Linux driver's first number is its branch; a Windows
    one (also under WSL 2) is numbered past it: Table 3 pairs R525's 525.85.12 with Windows
    528.33, R570's 570.124.06 with 572.61, R575's 575.57.08 with 576.57. There the branch is
    the latest Table 3 branch not above the number (581.57 → R580, 591.44 → R590)."""
    if not windows_driver(fp):
        return driver[0]
    known = [b for b in linux_branches() if b <= driver[0]]
    return known[-1] if known else driver[0]


class ReleaseMinimum(NamedTuple):
    """The row a CUDA version is judged by: its name, minimum driver (parsed, as written) and
    a note for the message ("" for a row of NVIDIA's own)."""

    row: str
    driver: Ver
    written: str
    note: str


@functools.lru_cache(maxsize=1)
def same_runtime_rows() -> dict[Ver, str]:
    """Rows not found in the editions of NVIDIA's table read, filled in from the release whose
    CUDA runtime they ship (`same_runtime_as`, from NVIDIA's redistrib manifests): release →
    that release."""
    return {v: row["same_runtime_as"] for row in rows("cuda_driver_table.csv")
            if row.get("same_runtime_as") and (v := ver(row["cuda_version"]))}


def release_minimum(cuda: str, windows: bool = False) -> Optional[ReleaseMinimum]:
    """(row used, its minimum driver, note) for a framework's CUDA version.

    "13.0" (two parts, what a wheel records) → the minor's GA row (13.0.0): the least any
    13.0 build needs. A release NVIDIA's table lacks but whose runtime is known ("13.0.3"
    ships 13.0.2's cudart) → that release's minimum, and the note says it is inferred. Any
    other three-part version with no row → the latest earlier row of its minor, never a
    silent skip; the note says so. None only when the minor is unknown."""
    want = ver(cuda)
    if want is None or len(want) < 2:
        return None
    table = driver_table(windows)
    minor = sorted(k for k in table if k[:2] == want[:2])
    if len(want) == 2 or want in table:
        found = [k for k in minor if k[: len(want)] == want]
        if not found:
            return None
        base = same_runtime_rows().get(found[0])
        note = (f"; inferred: {fmt(found[0])} ships {base}'s CUDA runtime, so {base}'s"
                " minimum applies") if base else ""
        return ReleaseMinimum(fmt(found[0]), *table[found[0]], note)
    earlier = [k for k in minor if k < want]
    if not earlier:
        return None
    row = earlier[-1]
    return ReleaseMinimum(fmt(row), *table[row],
                          f"; no row for {cuda} in envaudit's copy of NVIDIA's table,"
                          f" {fmt(row)}'s is used")


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


def rocm_build(fw: Framework) -> str:
    """How a framework shows it is a ROCm (AMD GPU) build, "" when it is not one: torch's
    version.py `hip`, TensorFlow's build_info is_rocm_build, a -rocm distribution
    (jax-rocm*-plugin, cupy-rocm-*, onnxruntime-rocm, tensorflow-rocm), or AMD's
    onnxruntime-migraphx (the MIGraphX execution provider "on ROCm-supported GPUs", AMD's
    "Install ONNX Runtime for ROCm"). PyTorch for HIP reuses torch.cuda, so `.cuda()` runs
    there (PyTorch "HIP (ROCm) semantics")."""
    hip = fw.details.get("hip", "")
    if hip:
        return f"ROCm (HIP {hip})"
    names = (*fw.provided_by, fw.details.get("package-name", ""))
    rocm = fw.details.get("is-rocm-build", "").lower() == "true" or any(
        "rocm" in n or "migraphx" in n for n in names)
    return "ROCm" if rocm else ""


def rocm_builds(fp: Fingerprint) -> dict[str, str]:
    """Framework → rocm_build() for the frameworks built for ROCm."""
    if isinstance(fp.frameworks, Unavailable):
        return {}
    return {n: r for n, f in sorted(fp.frameworks.items()) if (r := rocm_build(f))}


def no_driver(fp: Fingerprint) -> bool:
    """The host positively has no NVIDIA driver (not merely unreadable)."""
    return isinstance(fp.nvidia, NoDriver)


def libraries(fp: Fingerprint, name: str) -> tuple[CudaLibrary, ...]:
    if isinstance(fp.cuda_libraries, Unavailable):
        return ()
    return tuple(lib for lib in fp.cuda_libraries if lib.name == name)


def cudnn_from_number(n: int) -> str:
    """cudnnGetVersion()'s number as a version. cudnn_version.h defines CUDNN_VERSION as
    major*10000 + minor*100 + patch from cuDNN 9 (91900 → 9.19.0), and as
    major*1000 + minor*100 + patch up to cuDNN 8 (8902 → 8.9.2, 7605 → 7.6.5)."""
    scale = 10000 if n >= 10000 else 1000
    return f"{n // scale}.{n % scale // 100}.{n % 100}"


def cudnn_used(fp: Fingerprint, framework: str) -> Optional[str]:
    """The cuDNN a framework loads: --deep's runtime answer first, else the resolved copy."""
    if not isinstance(fp.runtime, Unavailable):
        raw = fp.runtime.get(framework, {}).get("cudnn", "")
        if raw.isdigit() and int(raw) >= 1000:
            return cudnn_from_number(int(raw))
    for lib in libraries(fp, "cudnn"):
        if framework in lib.used_by and ver(lib.version):
            return lib.version
    return None


# ---------------------------------------------------------------- CUDA ↔ driver


def family_floor(params: Mapping[str, Any], cuda: str, windows: bool = False) -> Optional[str]:
    """The driver a CUDA build needs at least: params family (family_windows for a Windows
    driver) keyed "11.0" (one release) before "11" (the whole major)."""
    v = ver(cuda)
    if v is None:
        return None
    family = params["family_windows" if windows else "family"]
    found = family.get(fmt(v[:2])) if len(v) > 1 else None
    return str(found or family.get(str(v[0]), "")) or None


@check("driver-family-minimum")
def driver_family_minimum(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-001: the driver is older than the framework's CUDA needs (info under forward compat)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None:
        return
    compat, windows = forward_compat_in_use(ctx.current), windows_driver(ctx.current)
    jetson = jetson_driver(ctx.current)
    for name, fw in cuda_builds(ctx.current).items():
        floor_text = None if jetson else family_floor(params, fw.cuda, windows)
        floor, supported = ver(floor_text or ""), ver(info.cuda_driver)
        major = int(fw.cuda.split(".")[0])
        if not ((floor and driver < floor) or (supported and supported[0] < major)):
            continue
        text = (f"{name} is built for CUDA {fw.cuda}, which needs driver ≥ {floor_text or '?'};"
                f" this host has {info.driver} (supports CUDA {info.cuda_driver or '?'})")
        if compat:
            yield Match("gpu", None, info.driver, text + ": it runs through the CUDA forward-"
                        "compatibility package (cuda-compat) on a data-center GPU", Severity.INFO)
        else:
            yield Match("gpu", None, info.driver, text + ": CUDA init fails")


def _ptx_only(fp: Fingerprint, fw: Framework) -> bool:
    return any(coverage(g.compute_capability, fw.arch_list) == "ptx" for g in visible_gpus(fp))


@check("driver-release-minimum")
def driver_release_minimum(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-002: same major, but older than the exact release's minimum (minor-version compat)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None:
        return
    if jetson_driver(ctx.current):
        return
    windows = windows_driver(ctx.current)
    for name, fw in cuda_builds(ctx.current).items():
        found = release_minimum(real_toolkit(ctx.current, fw.cuda), windows)
        if found is None or driver >= found.driver:
            continue
        if driver[0] < _family_floor(params, fw, windows):
            continue
        if forward_compat_in_use(ctx.current):
            continue  # the compat package brings the newer user-mode driver and its PTX JIT
        severity = Severity.ERROR if _ptx_only(ctx.current, fw) else None
        yield Match("gpu", None, info.driver,
                    f"{name} is built with CUDA {fw.cuda} (driver ≥ {found.written} for"
                    f" {found.row}{found.note}); driver {info.driver} runs it only under minor-"
                    "version compatibility: PTX from the newer toolkit cannot be JIT-compiled",
                    severity)


def real_toolkit(fp: Fingerprint, cuda: str) -> str:
    """A wheel's two-part CUDA ("12.8") made exact where the environment says which release
    it runs: the `cuda-toolkit` distribution NVIDIA publishes on PyPI carries the toolkit
    release as its version ("12.8.1"). Otherwise the two-part version (its GA row)."""
    want, pkg = ver(cuda), fp.package("cuda-toolkit")
    have = ver(pkg.version) if pkg is not None else None
    if want and len(want) == 2 and have and len(have) >= 3 and have[:2] == want:
        return fmt(have[:3])
    return cuda


def _family_floor(params: Mapping[str, Any], fw: Framework, windows: bool) -> int:
    floor = ver(family_floor(params, fw.cuda, windows) or "")
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

    SASS sm_XY (and family-specific sm_XYf) runs on the same major with minor ≥ Y; PTX
    compute_XY on any CC ≥ X.Y (NVIDIA Blackwell Compatibility Guide). Architecture-specific
    targets run on X.Y only, PTX included: "PTX code generated for such targets cannot be run
    on later generation devices" (PTX ISA, sm_90a); family-specific PTX compute_XYf only
    within its family, the same major (NVIDIA, "CUDA 12.9 Introduce Family-Specific
    Architecture Features")."""
    have = cc(gpu_cc)
    targets = [t for t in (_arch(a) for a in arch_list) if t]
    if have is None or not targets:
        return ""
    if any(kind == "sm" and _runs_on(have, major, minor, suffix)
           for kind, major, minor, suffix in targets):
        return "native"
    if any(kind == "compute" and _runs_on(have, major, minor, suffix or "ptx")
           for kind, major, minor, suffix in targets):
        return "ptx"
    return "none"


def _runs_on(have: tuple[int, int], major: int, minor: int, suffix: str) -> bool:
    """Code for X.Y (suffix "" SASS, "ptx", "a" arch-specific, "f" family) on CC `have`."""
    if suffix == "a":
        return (major, minor) == have
    if suffix == "ptx":
        return (major, minor) <= have
    return major == have[0] and minor <= have[1]


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


@functools.lru_cache(maxsize=1)
def jetson_ccs() -> frozenset[tuple[int, int]]:
    """Compute capabilities of Jetson modules, from compute_capability.csv (NVIDIA's table)."""
    jetsons = [r for r in rows("compute_capability.csv") if "Jetson" in r["gpu_name"]]
    return frozenset(c for c in (cc(r["compute_capability"]) for r in jetsons) if c)


def _runs_on_jetson(have: tuple[int, int], fw: Framework, unified: Optional[Ver]) -> bool:
    """Before the unified toolkit (CUDA `unified`), a Jetson iGPU needs SASS for its exact
    CC (sm_87 for Orin): sm_80 code from a discrete-GPU wheel does not load there."""
    built = ver(fw.cuda)
    if unified and built and built >= unified:
        return coverage(f"{have[0]}.{have[1]}", fw.arch_list) in ("native", "ptx")
    return f"sm_{have[0]}{have[1]}" in fw.arch_list


@check("jetson-generic-wheel")
def jetson_generic_wheel(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """GPU-009: a Jetson iGPU with a build that has no code for it (a generic PyPI aarch64
    wheel). JetPack builds carry sm_XY for the module and stay silent; an unknown arch
    list is not judged."""
    plat = ctx.current.platform
    if isinstance(plat, Unavailable) or plat.machine != "aarch64":
        return
    unified = ver(str(params["unified_cuda"]))
    for gpu in visible_gpus(ctx.current):
        have = cc(gpu.compute_capability)
        if have is None or have not in jetson_ccs():
            continue
        for name, fw in cuda_builds(ctx.current).items():
            if fw.arch_list and not _runs_on_jetson(have, fw, unified):
                yield Match("gpu", None, gpu.compute_capability,
                            f"Jetson GPU {gpu.name} (CC {gpu.compute_capability}): {name}"
                            f" {fw.version} (CUDA {fw.cuda}; {', '.join(fw.arch_list)}) has"
                            " no code for it: a JetPack build is needed")


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
        rocm = rocm_builds(ctx.current)
        amd = (f"; {', '.join(sorted(rocm))} is a ROCm build: on a host with an AMD GPU the model"
               " runs there, but envaudit reads NVIDIA GPUs only, so it cannot tell (for an AMD"
               " deployment, ignore GPU-011 in the policy knowingly)") if rocm else ""
        yield Match("gpu", ", ".join(sorted({g.name for g in before})), None,
                    f"training had {len(before)} GPU(s); the deployment side has none"
                    f" ({why}){amd}")


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


def cudnn_floor(params: Mapping[str, Any], fp: Fingerprint, fw: Framework) -> Optional[str]:
    """The driver NVIDIA's cuDNN support matrix requires for the cuDNN build of `fw`'s CUDA
    family (cuDNN for CUDA 11.x / 12.x / 13.x), raised where the matrix has a separate row
    (cuDNN for CUDA 12.8/12.9 on Blackwell: ≥ 570.26)."""
    family = fw.cuda.split(".")[0]
    blackwell = any((cc(g.compute_capability) or (0, 0)) >= (10, 0) for g in visible_gpus(fp))
    raised = params.get("blackwell", {}).get(family) if blackwell else None
    built = ver(fw.cuda)
    if raised and built and built[:2] >= (12, 8):
        return str(raised)
    found = params["family"].get(family)
    return str(found) if found else None


@check("cudnn-old-driver")
def cudnn_old_driver(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-004: the driver is below the cuDNN support matrix's floor for this cuDNN build,
    yet not below the CUDA floor (that is CUDA-001's finding: one cause, one report)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None or jetson_driver(ctx.current):
        return
    since = ver(str(params["since"]))
    for name, fw, _old, new in _cudnn_pairs(ctx):
        floor_text = cudnn_floor(params, ctx.current, fw)
        cuda_floor = ver(family_floor(
            {"family": params["cuda"], "family_windows": params["cuda_windows"]}, fw.cuda,
            windows_driver(ctx.current)) or "")
        floor = ver(floor_text or "")
        v = ver(new or "")
        if not (v and since and v >= since and floor and driver < floor):
            continue
        if cuda_floor and driver < cuda_floor:
            continue
        yield Match("cudnn", None, new, f"{name} loads cuDNN {new} for CUDA"
                    f" {fw.cuda.split('.')[0]}.x, which needs driver ≥ {floor_text}; this host"
                    f" has {info.driver}")


@check("cudnn-old-gpu")
def cudnn_old_gpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDNN-005: cuDNN without kernels for the GPU. `confirmed`: NVIDIA's support matrix of
    that release lists no CC below 7.5 (error); `since`: community-reported first release
    without Volta (warning: the boundary is not published)."""
    since, confirmed = ver(str(params["since"])), ver(str(params["confirmed"]))
    for gpu in visible_gpus(ctx.current):
        have = cc(gpu.compute_capability)
        for name, _fw, _old, new in _cudnn_pairs(ctx):
            v = ver(new or "")
            if not (have and have < (7, 5) and v and since and v >= since):
                continue
            sure = bool(confirmed and v >= confirmed)
            yield Match("cudnn", None, new, f"{name} loads cuDNN {new}, which has no kernels"
                        f" for {gpu.name} (CC {gpu.compute_capability})" + (
                            "" if sure else f" (community-reported boundary {params['since']};"
                            f" NVIDIA's matrix confirms it from {params['confirmed']})"),
                        Severity.ERROR if sure else None)


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
    if a is None or b is None or b.cuda:
        return
    was = f"CUDA {a.cuda}" if a.cuda else rocm_build(a)
    now = rocm_build(b)
    if was and now and a.cuda:
        yield rocm_switch(name, a, b, now)
    elif was and not now:
        yield Match(name, f"{a.version} ({was})", f"{b.version} (CPU)",
                    f"{name} {a.version} was a {was} build; {b.version} is a CPU build:"
                    " the model runs on the CPU (or `.cuda()` fails)")


def rocm_switch(name: str, a: Framework, b: Framework, now: str) -> Match:
    """A CUDA build replaced by a ROCm one: the model still runs on a GPU (an AMD one)."""
    return Match(name, f"{a.version} (CUDA {a.cuda})", f"{b.version} ({now})",
                 f"{name} {a.version} was a CUDA {a.cuda} build; {b.version} is a {now} build:"
                 " the model runs on an AMD GPU, with other kernels and numerics",
                 Severity.WARNING)


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
_COMPAT_LIBCUDA = re.compile(r"/compat/libcuda\.so")
# Forward compatibility (cuda-compat) is for data-center GPUs; consumer parts are refused.
_CONSUMER = re.compile(r"GeForce|TITAN", re.I)


def _uses_compat(fp: Fingerprint) -> Optional[bool]:
    """Whether the CUDA forward-compatibility libcuda is used: --deep saw a libcuda mapped from
    a .../compat/ directory, or LD_LIBRARY_PATH puts cuda/compat first; None: unknown."""
    if not isinstance(fp.runtime, Unavailable):
        mapped = ",".join(facts.get("mapped-libraries", "") for facts in fp.runtime.values())
        if _COMPAT_LIBCUDA.search(mapped):
            return True
    if isinstance(fp.env, Unavailable):
        return None
    return bool(_COMPAT.search(fp.env.get("LD_LIBRARY_PATH", "")))


def forward_compat_in_use(fp: Fingerprint) -> bool:
    """Forward compatibility in effect: the compat libcuda is used and every visible GPU is a
    data-center part (NVIDIA refuses it on GeForce/TITAN)."""
    names = [g.name for g in visible_gpus(fp)]
    return bool(_uses_compat(fp)) and bool(names) and not any(_CONSUMER.search(n) for n in names)


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


def branch_end_of_life(params: Mapping[str, Any], branch: str,
                       today: datetime.date) -> Optional[str]:
    """When a driver branch's life ended (a month, or "before <edition>"), None if supported.

    A dated branch (params eol) is past its end from that day. A branch older than every
    branch NVIDIA still lists (params supported) is past its end too: NVIDIA's table says
    branches not listed are end of life. Newer unlisted ones are short-lived new-feature
    branches without an EOL date: not judged."""
    eol = params["eol"].get(branch)
    if eol is not None:
        return str(eol) if str(eol) < today.isoformat() else None
    supported = [int(b) for b in params["supported"]]
    if branch.isdigit() and supported and int(branch) < min(supported):
        return f"not listed in NVIDIA's {params['edition']} table"
    return None


@check("driver-branch-eol")
def driver_branch_eol(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """CUDA-006: the deployment driver's branch is past its end of life (as of ctx.today)."""
    info = nvidia(ctx.current)
    driver = ver(info.driver) if info else None
    if info is None or driver is None or jetson_driver(ctx.current):
        return
    branch = str(driver_branch(ctx.current, driver))
    ended = branch_end_of_life(params, branch, ctx.today)
    if ended is not None:
        yield Match("gpu", None, info.driver,
                    f"driver {info.driver} is on branch R{branch}, past its end of life"
                    f" ({ended}): no more security or bug fixes")
