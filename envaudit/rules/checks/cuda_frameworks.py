"""The CUDA checks torch gets, for every framework that records its build: CPU fallback
(FW-050), the library copy the loader really picks (CUDNN-050), cuDNN majors in one process
(CUDNN-051)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from envaudit.model import CudaLibrary, Fingerprint, Framework, Unavailable
from envaudit.rules.checks.gpu import cuda_builds, libraries, rocm_build, rocm_switch
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.versions import public_version, release


@check("framework-cuda-to-cpu")
def framework_cuda_to_cpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A GPU (CUDA or ROCm) build in training; the same framework still installed here, as a
    CPU build.

    params.still_installed: framework -> distributions that mean "still there" when the
    framework's own GPU record is gone (JAX without its GPU plugin is jaxlib on the CPU)."""
    skip = set(params.get("except", ()))
    for name, (old, was) in gpu_builds(ctx.locked).items():
        new = ctx.current.framework(name)
        if name in skip or (new is not None and new.cuda):
            continue
        if new is not None and rocm_build(new):
            if old.cuda:
                yield rocm_switch(name, old, new, rocm_build(new))
            continue
        left = [p for p in params["still_installed"].get(name, ()) if ctx.current.package(p)]
        if new is None and not left:
            continue  # removed altogether: the package rules say so
        gone = "CUDA" if old.cuda else "ROCm"
        now = f"{new.version} (CPU)" if new is not None else f"{', '.join(left)} without {gone}"
        yield Match(name, f"{old.version} ({was})", now,
                    f"{name} {old.version} was a {was} build; here it is {now}: the"
                    " model runs on the CPU, with other kernels and numerics")


def gpu_builds(fp: Fingerprint) -> dict[str, tuple[Framework, str]]:
    """Framework -> (its build, "CUDA 12.2" / rocm_build()) for CUDA and ROCm builds."""
    if isinstance(fp.frameworks, Unavailable):
        return {}
    found = {n: (f, rocm_build(f)) for n, f in sorted(fp.frameworks.items())}
    cuda = {n: (f, f"CUDA {f.cuda}") for n, f in cuda_builds(fp).items()}
    return {**{n: b for n, b in found.items() if b[1]}, **cuda}


def _wheel_copy(fp: Fingerprint, lib: str) -> Optional[CudaLibrary]:
    """The pip wheel copy (nvidia/<lib>/lib), not one vendored privately into <pkg>.libs."""
    return next((c for c in libraries(fp, lib) if c.source.startswith("wheel:")
                 and not c.path.endswith(".libs")), None)


@check("loader-picks-system-copy")
def loader_picks_system_copy(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A framework resolves cuDNN/cuBLAS to a system or toolkit copy while a pip wheel copy of
    the same library is installed: LD_LIBRARY_PATH or the loader's order shadows the wheel."""
    for lib in params["libraries"]:
        wheel = _wheel_copy(ctx.current, str(lib))
        if wheel is None:
            continue
        for used in libraries(ctx.current, str(lib)):
            users = [u for u in used.used_by if u in cuda_builds(ctx.current)]
            if not users or used.source.startswith("wheel") or used.version == wheel.version:
                continue
            major = used.version.split(".")[0] != wheel.version.split(".")[0]
            yield Match(str(lib), wheel.version, used.version,
                        f"{', '.join(users)} load(s) {lib} {used.version or '?'} from {used.path}"
                        f" ({used.source}), not the {wheel.version} of {wheel.source[6:]} in"
                        f" {wheel.path}", Severity.ERROR if major else None)


def needed_cudnn(fp: Fingerprint, name: str, fw: Framework,
                 table: list[Mapping[str, Any]]) -> Optional[str]:
    """The cuDNN major a framework build needs: its own record, else the documented table."""
    if fw.cudnn:
        return fw.cudnn.split(".")[0]
    found, family = public_version(fw.version), fw.cuda.split(".")[0]
    for row in table:
        if row["framework"] != name or str(row.get("cuda_major", family)) != family:
            continue
        try:
            spec = SpecifierSet(str(row.get("versions", "")))
        except InvalidSpecifier:
            continue
        if found is not None and release(found) in spec:
            return str(row["major"])
    return None


def _available_majors(fp: Fingerprint) -> Optional[set[str]]:
    if isinstance(fp.cuda_libraries, Unavailable):
        return None
    return {c.version.split(".")[0] for c in libraries(fp, "cudnn") if c.version}


@check("cudnn-majors-in-one-process")
def cudnn_majors_in_one_process(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Two CUDA frameworks installed together need different cuDNN majors (pip installs one
    nvidia-cudnn-cuNN); error when a needed major is positively missing, else a warning."""
    table = list(params["table"])
    needs = {n: needed_cudnn(ctx.current, n, fw, table)
             for n, fw in cuda_builds(ctx.current).items()}
    known = {n: m for n, m in needs.items() if m}
    if len(set(known.values())) < 2:
        return
    have = _available_majors(ctx.current)
    missing = sorted({m for m in known.values() if have is not None and m not in have})
    if have is not None and not missing:
        return  # both majors are on disk (a system copy next to the wheel): each finds its own
    said = ", ".join(f"{n} needs cuDNN {m}" for n, m in sorted(known.items()))
    tail = (f": no cuDNN {' or '.join(missing)} is installed, so that framework cannot load it"
            if missing else ": pip installs one nvidia-cudnn-cuNN version, so one of them"
            " likely lacks its major (the cuDNN copies were not collected)")
    yield Match("cudnn", None, said, f"{said}{tail}",
                Severity.ERROR if missing else Severity.WARNING)
