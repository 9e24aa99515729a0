"""The GPU/CUDA probes of a snapshot: driver, GPUs, frameworks, libraries, toolkit, runtime."""

from __future__ import annotations

from envaudit.probes.interface import Probe


def probes(*, deep: bool = False, timeout: float = 5.0, raw_ids: bool = False) -> list[Probe]:
    """The probes in snapshot order. NVML is imported only when the nvidia probe runs, and
    frameworks are imported only with `deep`, each in its own child process."""
    from envaudit.probes.gpu_frameworks import FrameworksCache, FrameworksProbe
    from envaudit.probes.gpu_libraries import CudaLibrariesProbe, CudaToolkitProbe
    from envaudit.probes.gpu_nvml import GpusProbe, NvidiaProbe, NvmlSession

    session = NvmlSession(timeout=timeout, raw_ids=raw_ids)
    frameworks = FrameworksCache()
    out: list[Probe] = [
        NvidiaProbe(session),
        GpusProbe(session),
        FrameworksProbe(frameworks),
        CudaLibrariesProbe(frameworks),
        CudaToolkitProbe(),
    ]
    if deep:
        from envaudit.probes.gpu_runtime import RuntimeProbe

        out.append(RuntimeProbe(timeout=timeout, frameworks=frameworks))
    return out
