"""Effective numerics: what fp32 math each side will really run (TF32, oneDNN reduced precision)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from packaging.version import Version

from envaudit.distributions import TENSORFLOW
from envaudit.model import Fingerprint
from envaudit.rules.checks.env import env_of, normalize, tf32_capable
from envaudit.rules.interface import Context, Match, check
from envaudit.rules.tf_onednn import DEFAULT_POLICY, onednn_on
from envaudit.rules.versions import public_version, release

UNKNOWN = "unknown"
_REDUCED = frozenset({"bf16", "f16", "tf32", "any"})


def _release(text: str) -> Optional[Version]:
    """The release a framework version is judged as (versions.release: 1.12.0a0 is 1.12)."""
    v = public_version(text)
    return release(v) if v is not None else None


def _framework(fp: Fingerprint, name: str, dists: tuple[str, ...]) -> tuple[Optional[Version],
                                                                            Optional[bool]]:
    """(release, is a GPU build) of a framework, from its build facts or its package.

    The GPU-build flag is None when only the package is known (the name alone says nothing
    about a CUDA build, except an explicit -cpu distribution or a +cpu local label).
    """
    fw = fp.framework(name)
    if fw is not None:
        return _release(fw.version), bool(fw.cuda)
    for dist in dists:
        pkg = fp.package(dist)
        if pkg is not None:
            cpu = dist.endswith("-cpu") or pkg.version.endswith("+cpu")
            return _release(pkg.version), (False if cpu else None)
    return None, None


def _gpu_tf32(fp: Fingerprint, env: Mapping[str, str], gpu_build: Optional[bool]) -> str:
    """"no" / "yes" / UNKNOWN: can this side's fp32 GPU math use TF32 at all?"""
    if gpu_build is False or env.get("NVIDIA_TF32_OVERRIDE", "").strip() == "0":
        return "no"
    capable = tf32_capable(fp)
    return UNKNOWN if capable is None else ("yes" if capable else "no")


def _torch(fp: Fingerprint, env: Mapping[str, str]) -> dict[str, str]:
    version, gpu_build = _framework(fp, "torch", ("torch",))
    if version is None:
        return {}
    gate = _gpu_tf32(fp, env, gpu_build)
    if gate != "yes" or version < Version("1.7"):  # TF32 controls arrived in torch 1.7
        value = UNKNOWN if gate == UNKNOWN else "fp32"
        return {"torch.matmul": value, "torch.conv": value}
    # torch.backends.cuda.matmul.allow_tf32 defaults to False from 1.12 (pytorch#76509);
    # cudnn.allow_tf32 stays True. The env override forces matmul TF32 (pytorch#77114).
    forced = normalize(env.get("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"), "c10") == "1"  # check_env
    matmul = "tf32" if version < Version("1.12") or forced else "fp32"
    return {"torch.matmul": matmul, "torch.conv": "tf32"}


def _tensorflow(fp: Fingerprint, env: Mapping[str, str]) -> dict[str, str]:
    version, gpu_build = _framework(fp, "tensorflow", TENSORFLOW)
    if version is None:
        return {}
    gate = _gpu_tf32(fp, env, gpu_build)
    # enable_tensor_float_32_execution defaults to on from TF 2.4, for matmul and conv.
    value = UNKNOWN if gate == UNKNOWN else (
        "tf32" if gate == "yes" and version >= Version("2.4") else "fp32")
    return {"tf.matmul": value, "tf.conv": value, "tf.onednn": _tf_onednn(fp)}


def _tf_onednn(fp: Fingerprint) -> str:
    """TF's oneDNN CPU kernels, decided as FW-006 decides them (envaudit.rules.tf_onednn)."""
    on = onednn_on(fp, DEFAULT_POLICY)
    return UNKNOWN if on is None else ("on" if on else "off")


def _onednn(env: Mapping[str, str]) -> str:
    for name in ("ONEDNN_DEFAULT_FPMATH_MODE", "DNNL_DEFAULT_FPMATH_MODE"):
        mode = (env.get(name) or "").strip().lower()
        if mode:
            return mode if mode in _REDUCED else "strict"
    return "strict"


def effective_numerics(fp: Fingerprint) -> dict[str, str]:
    """What fp32 math each installed framework will run on this side.

    Keys: torch.matmul, torch.conv, tf.matmul, tf.conv ("tf32" | "fp32"), tf.onednn ("on" |
    "off"), onednn (oneDNN's fp32 math mode: "strict" | "bf16" | "f16" | "tf32" | "any").
    A framework that is not installed has no keys; a fact that was not collected is "unknown".
    """
    env = env_of(fp)
    if env is None:
        return {}
    out = {**_torch(fp, env), **_tensorflow(fp, env)}
    if out:
        out["onednn"] = _onednn(env)
    return out


def _shown(values: Mapping[str, str], keys: list[str]) -> str:
    return ", ".join(f"{k}={values[k]}" for k in keys)


@check("effective-numerics")
def effective_numerics_differ(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The effective math of params.keys differs (keys known and present on both sides)."""
    a, b = effective_numerics(ctx.locked), effective_numerics(ctx.current)
    keys = [k for k in params["keys"]
            if k in a and k in b and UNKNOWN not in (a[k], b[k]) and a[k] != b[k]]
    if not keys:
        return
    moves = "; ".join(f"{k} {a[k]} → {b[k]}" for k in keys)
    yield Match("numerics", _shown(a, keys), _shown(b, keys),
                f"effective fp32 math differs: {moves}")
