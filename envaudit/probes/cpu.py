"""CpuProbe: CPU model, vendor, core count and the ISA flags that select inference kernels."""

from __future__ import annotations

import os
import re

from envaudit.model import CpuInfo
from envaudit.probes.interface import Host, Probe, ProbeUnavailable

# Flags that decide which kernels oneDNN, oneMKL, NumPy, PyTorch and OpenCV dispatch
# (x86-64-v2..v4, AVX-512 families, AMX; NEON/SVE on Arm). See rules CPU-001..003.
_RELEVANT = re.compile(
    r"^(sse|sse2|pni|ssse3|sse4_1|sse4_2|popcnt|cx16|lahf_lm|avx|avx2|fma|f16c|bmi1|bmi2|"
    r"movbe|avx512\w*|avx_vnni\w*|amx\w*|neon|asimd\w*|sve\w*|bf16|i8mm|fphp|vsx\w*)$"
)


def relevant_flags(flags: str) -> tuple[str, ...]:
    """The inference-relevant subset of a cpuinfo flags line, sorted; 'pni' is SSE3."""
    picked = {"sse3" if f == "pni" else f for f in flags.split() if _RELEVANT.match(f)}
    return tuple(sorted(picked))


def parse_cpuinfo(text: str) -> dict[str, str]:
    """The first processor block of /proc/cpuinfo as a dict."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if out:
                break
            continue
        key, sep, value = line.partition(":")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out


class CpuProbe(Probe):
    section = "cpu"

    def collect(self, host: Host) -> CpuInfo:
        text = host.read_text("/proc/cpuinfo", limit=64 * 1024)
        if text is None:
            raise ProbeUnavailable("/proc/cpuinfo is not readable on this system")
        info = parse_cpuinfo(text)
        return CpuInfo(
            model=info.get("model name") or info.get("Model") or info.get("cpu model", ""),
            vendor=info.get("vendor_id") or info.get("CPU implementer", ""),
            count=host.cpu_count if host.cpu_count is not None else (os.cpu_count() or 0),
            flags=relevant_flags(info.get("flags") or info.get("Features", "")),
        )
