"""Checks of the pre-processing rules (OpenCV, Pillow, torchvision, tf.image) beyond versions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.checks.frameworks import names
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.versions import installed, machine

# The CPU features that pick OpenCV's SIMD resize paths (and the architecture itself).
_SIMD = ("sse4_2", "avx", "avx2", "avx512f", "asimd", "neon", "sve", "rvv")


def _simd(fp: Fingerprint, with_flags: bool = True) -> str | None:
    """A short description of the SIMD path: "x86_64 avx2,avx512f..." or None."""
    if isinstance(fp.cpu, Unavailable) or isinstance(fp.platform, Unavailable):
        return None
    if not with_flags:
        return machine(fp.platform.machine)
    flags = sorted(f for f in fp.cpu.flags if f in _SIMD)
    return f"{fp.platform.machine} {','.join(flags) or 'baseline'}"


def _flags_read(fp: Fingerprint) -> bool:
    """An empty flag list means the probe could not read them (probes/cpu.py)."""
    return not isinstance(fp.cpu, Unavailable) and bool(fp.cpu.flags)


@check("opencv-cpu")
def opencv_cpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """OpenCV used on both sides while the CPU architecture or SIMD level changed (only the
    architecture when one side's flags were not read)."""
    dists = names(params["package"])
    a, b = installed(ctx.locked, dists), installed(ctx.current, dists)
    both = _flags_read(ctx.locked) and _flags_read(ctx.current)
    old, new = _simd(ctx.locked, both), _simd(ctx.current, both)
    if a is None or b is None or old is None or new is None or old == new:
        return
    yield Match(b[0], old, new,
                f"{b[0]} resizes on another CPU path ({old} → {new}): resize results are not"
                " guaranteed bit-exact across platforms")


def _cv2_cuda(fp: Fingerprint) -> str | None:
    """The CUDA version the cv2 build targets ("" for a CPU build), None when not collected."""
    if isinstance(fp.frameworks, Unavailable):
        return None
    fw = fp.frameworks.get("cv2") or fp.frameworks.get("opencv")
    return None if fw is None else fw.cuda


@check("cv2-cuda-build")
def cv2_cuda_build(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """cv2 is a CUDA build on one side only (cv2.cuda.* on GPU vs CPU functions)."""
    old, new = _cv2_cuda(ctx.locked), _cv2_cuda(ctx.current)
    if old is None or new is None or bool(old) == bool(new):
        return
    have = installed(ctx.current, names(params["package"]))
    shown = {True: "CUDA build", False: "CPU-only build"}
    yield Match(have[0] if have else "cv2", old or "cpu", new or "cpu",
                f"cv2 {shown[bool(old)]} → {shown[bool(new)]}: cv2.cuda.resize and the CPU"
                " cv2.resize are not bit-exact")


def _families(fp: Fingerprint, groups: Mapping[str, Any]) -> dict[str, str]:
    """Family -> installed dist name, for each image library family on this side."""
    out: dict[str, str] = {}
    for family, dists in groups.items():
        have = installed(fp, names(dists))
        if have is not None:
            out[family] = have[0]
    return out


@check("preprocessing-libraries")
def preprocessing_libraries(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """An image library family present on one side only, while another stays on both."""
    if isinstance(ctx.locked.packages, Unavailable) or isinstance(ctx.current.packages,
                                                                  Unavailable):
        return
    old = _families(ctx.locked, params["groups"])
    new = _families(ctx.current, params["groups"])
    if not set(old) & set(new):
        return
    for family in sorted(set(old) ^ set(new)):
        if family in old:
            yield Match(old[family], old[family], None,
                        f"{family} is gone on the deployment side: resizing or decoding may"
                        " now go through another library, with other defaults")
        else:
            yield Match(new[family], None, new[family],
                        f"{family} is new on the deployment side: if it now resizes or"
                        " decodes, its defaults differ from the training library")
