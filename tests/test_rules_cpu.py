"""CPU scenarios: CPU-001 (TensorFlow without AVX), FW-017 (x86-64-v2), FW-029 (glibc)."""

from __future__ import annotations

import pytest

from tests.factories import X86_V4, Scenario, check_scenario, fp

# A 2008-era CPU: SSE4.1 but no SSE4.2, POPCNT or AVX.
PENRYN = ("cx16", "lahf_lm", "sse", "sse2", "sse3", "sse4_1", "ssse3")
# x86-64-v2 without AVX (Nehalem, many emulators' default model).
NEHALEM = (*PENRYN, "popcnt", "sse4_2")
ARM = ("asimd", "fphp", "sve")
CPU_RULES = frozenset({"CPU-001", "FW-017", "FW-029"})

SCENARIOS: list[Scenario] = [
    Scenario(id="tensorflow-on-cpu-without-avx",
             locked=fp(packages={"tensorflow": "2.17.0"}),
             current=fp(packages={"tensorflow": "2.17.0"}, cpu_flags=NEHALEM),
             fires={"CPU-001": "error"}, silent=frozenset({"FW-017"})),
    Scenario(id="tensorflow-cpu-newly-installed-without-avx",
             locked=fp(packages={}, cpu_flags=NEHALEM),
             current=fp(packages={"tensorflow-cpu": "2.16.1"}, cpu_flags=NEHALEM),
             fires={"CPU-001": "error"}),
    # Already true of the training host: not drift (the engine drops the baseline).
    Scenario(id="tensorflow-cpu-without-avx-on-both-sides",
             locked=fp(packages={"tensorflow-cpu": "2.16.1"}, cpu_flags=NEHALEM),
             current=fp(packages={"tensorflow-cpu": "2.16.1"}, cpu_flags=NEHALEM),
             silent=frozenset({"CPU-001"})),
    Scenario(id="old-tensorflow-without-avx",
             locked=fp(packages={"tensorflow": "1.5.1"}),
             current=fp(packages={"tensorflow": "1.5.1"}, cpu_flags=NEHALEM),
             silent=frozenset({"CPU-001"})),
    Scenario(id="tensorflow-cpu-flags-not-read",
             locked=fp(packages={"tensorflow": "2.17.0"}),
             current=fp(packages={"tensorflow": "2.17.0"}, cpu_flags=()),
             silent=CPU_RULES),
    Scenario(id="tensorflow-on-aarch64",
             locked=fp(packages={"tensorflow": "2.17.0"}, machine="aarch64", cpu_flags=ARM),
             current=fp(packages={"tensorflow": "2.17.0"}, machine="aarch64", cpu_flags=ARM),
             silent=CPU_RULES),
    Scenario(id="numpy-2.4-on-pre-v2-cpu",
             locked=fp(packages={"numpy": "2.4.1"}),
             current=fp(packages={"numpy": "2.4.1"}, cpu_flags=PENRYN),
             fires={"FW-017": "error"}),
    Scenario(id="numpy-2.3-on-pre-v2-cpu",
             locked=fp(packages={"numpy": "2.3.5"}),
             current=fp(packages={"numpy": "2.3.5"}, cpu_flags=PENRYN),
             silent=frozenset({"FW-017"})),
    Scenario(id="numpy-2.4-on-v2-cpu",
             locked=fp(packages={"numpy": "2.4.1"}),
             current=fp(packages={"numpy": "2.4.1"}, cpu_flags=NEHALEM),
             silent=CPU_RULES),
    Scenario(id="torch-on-amazon-linux-2",
             locked=fp(packages={"torch": "2.7.1"}, libc_version="2.35"),
             current=fp(packages={"torch": "2.7.1"}, libc_version="2.26"),
             fires={"FW-029": "error"}),
    Scenario(id="tensorflow-2.21-on-glibc-2.26",
             locked=fp(packages={"tensorflow": "2.21.0"}, libc_version="2.31"),
             current=fp(packages={"tensorflow": "2.21.0"}, libc_version="2.26"),
             fires={"FW-029": "error"}),
    Scenario(id="onnxruntime-gpu-1.31-on-glibc-2.27",
             locked=fp(packages={"onnxruntime-gpu": "1.31.1"}),
             current=fp(packages={"onnxruntime-gpu": "1.31.1"}, libc_version="2.27"),
             fires={"FW-029": "error"}),
    Scenario(id="tensorflow-2.21-on-glibc-2.27",
             locked=fp(packages={"tensorflow": "2.21.0"}),
             current=fp(packages={"tensorflow": "2.21.0"}, libc_version="2.27"),
             silent=frozenset({"FW-029"})),
    Scenario(id="torch-2.5-on-glibc-2.26",
             locked=fp(packages={"torch": "2.5.1"}),
             current=fp(packages={"torch": "2.5.1"}, libc_version="2.26"),
             silent=frozenset({"FW-029"})),
    Scenario(id="torch-custom-build-on-old-glibc-both-sides",
             locked=fp(packages={"torch": "2.7.1"}, libc_version="2.26"),
             current=fp(packages={"torch": "2.7.1"}, libc_version="2.26"),
             silent=frozenset({"FW-029"})),
    Scenario(id="modern-host-everything-installed",
             locked=fp(packages={"torch": "2.7.1", "numpy": "2.4.1", "tensorflow": "2.21.0"}),
             current=fp(packages={"torch": "2.7.1", "numpy": "2.4.1", "tensorflow": "2.21.0"},
                        cpu_flags=X86_V4),
             silent=CPU_RULES),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)
