"""TensorFlow's oneDNN CPU kernels: on or off on one side, for FW-006 and NUM-002 alike.

tensorflow/core/util/port.cc (DefaultOneDnnPolicy): on Linux the default is on only for CPUs
with AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX (TF 2.9 release notes, tensorflow#56039); on
Windows x86 it is on (from TF 2.15); TF_ENABLE_ONEDNN_OPTS overrides both. So a move to
another CPU class flips it even with the same TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from packaging.version import Version

from envaudit.distributions import TENSORFLOW
from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.versions import installed, machine

_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})


def forced(env: Optional[Mapping[str, str]]) -> Optional[bool]:
    """TF_ENABLE_ONEDNN_OPTS as TF reads it (ReadBoolFromEnvVar: 0/1/true/false)."""
    text = ((env or {}).get("TF_ENABLE_ONEDNN_OPTS") or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def default_on(fp: Fingerprint, params: Mapping[str, Any]) -> Optional[bool]:
    """The default without the variable; None when the CPU or platform is unknown.

    params: default_on_since ({system: first TF version}), cpu_flags (any of them turns it on
    on Linux), cpu_gated (systems whose default depends on the CPU flags)."""
    tf = installed(fp, TENSORFLOW)
    if tf is None or isinstance(fp.platform, Unavailable):
        return None
    since = params["default_on_since"].get(fp.platform.system)
    if machine(fp.platform.machine) != "x86_64" or since is None:
        return None if machine(fp.platform.machine) != "x86_64" else False
    if tf.release < Version(str(since)):
        return False
    if fp.platform.system not in params["cpu_gated"]:
        return True
    if isinstance(fp.cpu, Unavailable) or not fp.cpu.flags:
        return None
    return bool(set(fp.cpu.flags) & set(params["cpu_flags"]))


def onednn_on(fp: Fingerprint, params: Mapping[str, Any]) -> Optional[bool]:
    """Whether TensorFlow's oneDNN CPU kernels run on this side (None: unknown / no TF)."""
    if installed(fp, TENSORFLOW) is None:
        return None
    env = None if isinstance(fp.env, Unavailable) else fp.env
    set_by_env = forced(env)
    return set_by_env if set_by_env is not None else default_on(fp, params)


# The catalog's params for the default, shared by FW-006 and NUM-002 (one definition).
DEFAULT_POLICY: Mapping[str, Any] = {
    "default_on_since": {"Linux": "2.9", "Windows": "2.15"},
    "cpu_gated": ["Linux"],
    "cpu_flags": ["avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"],
}
