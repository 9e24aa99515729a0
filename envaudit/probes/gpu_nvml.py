"""NvidiaProbe and GpusProbe: driver and GPUs through NVML, with a timeout and procfs fallback."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from envaudit.model import Gpu, NoDriver, NvidiaInfo, Unavailable
from envaudit.probes.interface import Host, Probe

# nvmlDeviceGetArchitecture values (nvml.h, nvmlDeviceArchitecture_t).
ARCHITECTURES = {
    2: "kepler", 3: "maxwell", 4: "pascal", 5: "volta", 6: "turing", 7: "ampere",
    8: "ada", 9: "hopper", 10: "blackwell", 13: "rubin",
}
# nvmlComputeMode_t.
COMPUTE_MODES = {0: "default", 1: "exclusive-thread", 2: "prohibited", 3: "exclusive-process"}
_PROC_VERSION = re.compile(r"Kernel Module(?: for \S+)?\s+(\d+\.\d+(?:\.\d+)?)")
_LIB_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
             "/usr/lib/aarch64-linux-gnu", "/usr/local/nvidia/lib64", "/lib64",
             "/usr/lib/wsl/lib")  # WSL2: NVML without /proc/driver/nvidia


@dataclass
class NvmlResult:
    """What one NVML session saw; filled in by the worker thread."""

    nvidia: Any = None
    gpus: Any = None
    # The error that stopped NVML before any device could be read (init, count).
    failure: Optional[BaseException] = None
    failed_call: str = ""


@dataclass
class _Device:
    index: int
    values: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    # UUIDs of the MIG devices on this GPU (MIG mode on); None: not listable. Only used to
    # decide visibility, never recorded (they are raw ids).
    mig_uuids: Optional[tuple[str, ...]] = ()


def hash_id(raw: str) -> str:
    """A stable, truncated hash of a GPU UUID or serial (the same for every snapshot).

    envaudit.digest's SHA-256 (hashlib's, without loading OpenSSL): `diff` hashes the host
    id with it."""
    from envaudit.digest import sha256

    return "sha256:" + sha256(f"envaudit:{raw}".encode()).hexdigest()[:16]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(call: str, e: BaseException) -> str:
    return f"{call}: {type(e).__name__}: {_text(e) or 'no message'}"


def _is_library_missing(e: BaseException) -> bool:
    return any(c.__name__ == "NVMLError_LibraryNotFound" for c in type(e).__mro__)


def cuda_driver_text(value: int) -> str:
    """NVML's 13000 → "13.0" (major = v // 1000, minor = v % 1000 // 10)."""
    return f"{value // 1000}.{value % 1000 // 10}"


# ---------------------------------------------------------------- per-device facts


def _mode(values: Any) -> bool:
    first = values[0] if isinstance(values, (list, tuple)) else values
    return int(first) == 1


_FACTS: tuple[tuple[str, str, Callable[[Any, Any], Any]], ...] = (
    ("name", "nvmlDeviceGetName", lambda n, h: _text(n.nvmlDeviceGetName(h))),
    ("compute_capability", "nvmlDeviceGetCudaComputeCapability",
     lambda n, h: "{}.{}".format(*n.nvmlDeviceGetCudaComputeCapability(h))),
    ("architecture", "nvmlDeviceGetArchitecture",
     lambda n, h: ARCHITECTURES.get(int(n.nvmlDeviceGetArchitecture(h)),
                                    str(n.nvmlDeviceGetArchitecture(h)))),
    ("memory_total", "nvmlDeviceGetMemoryInfo",
     lambda n, h: int(n.nvmlDeviceGetMemoryInfo(h).total)),
    ("multiprocessor_count", "nvmlDeviceGetAttributes",
     lambda n, h: int(n.nvmlDeviceGetAttributes(h).multiprocessorCount)),
    ("mig_mode", "nvmlDeviceGetMigMode", lambda n, h: _mode(n.nvmlDeviceGetMigMode(h))),
    ("ecc_mode", "nvmlDeviceGetEccMode", lambda n, h: _mode(n.nvmlDeviceGetEccMode(h))),
    ("persistence_mode", "nvmlDeviceGetPersistenceMode",
     lambda n, h: _mode(n.nvmlDeviceGetPersistenceMode(h))),
    ("compute_mode", "nvmlDeviceGetComputeMode",
     lambda n, h: COMPUTE_MODES.get(int(n.nvmlDeviceGetComputeMode(h)),
                                    str(n.nvmlDeviceGetComputeMode(h)))),
    ("pci_bus_id", "nvmlDeviceGetPciInfo", lambda n, h: _text(n.nvmlDeviceGetPciInfo(h).busId)),
    ("power_limit_w", "nvmlDeviceGetPowerManagementLimit",
     lambda n, h: round(int(n.nvmlDeviceGetPowerManagementLimit(h)) / 1000.0, 3)),
    ("uuid", "nvmlDeviceGetUUID", lambda n, h: _text(n.nvmlDeviceGetUUID(h))),
)


def _read_device(nvml: Any, index: int) -> _Device:
    dev = _Device(index)
    try:
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
    except Exception as e:  # any NVML error class: the GPU is recorded as unreadable
        dev.missing["device"] = _reason("nvmlDeviceGetHandleByIndex", e)
        return dev
    for key, call, read in _FACTS:
        try:
            dev.values[key] = read(nvml, handle)
        except Exception as e:  # NotSupported, NoPermission, GpuIsLost...: a reason, not a crash
            dev.missing[key.replace("_", "-")] = _reason(call, e)
    if dev.values.get("mig_mode"):
        dev.mig_uuids = _mig_uuids(nvml, handle)
    return dev


def _mig_uuids(nvml: Any, handle: Any) -> Optional[tuple[str, ...]]:
    """The MIG devices' UUIDs ("MIG-..."); empty slots raise NotFound and are skipped; None
    when NVML cannot list them."""
    try:
        count = int(nvml.nvmlDeviceGetMaxMigDeviceCount(handle))
    except Exception:  # any NVML error: unknown, not "no MIG device"
        return None
    out: list[str] = []
    for i in range(count):
        try:
            out.append(_text(nvml.nvmlDeviceGetUUID(
                nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, i))))
        except Exception:  # NVMLError_NotFound: no MIG device in this slot
            continue
    return tuple(out)


# ---------------------------------------------------------------- visibility


def _visible_entries(environ: Mapping[str, str]) -> Optional[list[str]]:
    """Device selectors that limit what CUDA sees, or None when every GPU is visible."""
    cuda = environ.get("CUDA_VISIBLE_DEVICES")
    if cuda is not None:
        return [s.strip() for s in cuda.split(",")] if cuda.strip() else []
    nv = environ.get("NVIDIA_VISIBLE_DEVICES", "").strip()
    if nv in ("none", "void"):
        return []
    if nv and all(s.strip().startswith(("GPU-", "MIG-")) for s in nv.split(",")):
        return [s.strip() for s in nv.split(",")]
    return None  # "all", unset, or host indices the container runtime already applied


def _selected(entries: list[str], dev: _Device, uuid: str) -> bool:
    """CUDA semantics: entries are indices or UUID prefixes; the first invalid one ends the list.

    A MIG device (MIG-<uuid>; MIG-GPU-<gpu-uuid>/<gi>/<ci> before R470) selects the GPU it is
    carved from (NVIDIA's MIG user guide, CUDA device enumeration): that GPU's compute
    capability is what its kernels need. A MIG GPU whose MIG devices NVML could not list
    counts as selected by any MIG entry: unknown must not hide it from the checks."""
    for entry in entries:
        if entry.isdigit():
            if int(entry) == dev.index:
                return True
        elif entry.startswith("MIG-GPU-"):
            if uuid and uuid.startswith(entry[4:].split("/")[0]):
                return True
        elif entry.startswith("MIG-"):
            if dev.mig_uuids is None or any(m.startswith(entry) for m in dev.mig_uuids):
                return True
        elif entry.startswith("GPU-"):
            if uuid and uuid.startswith(entry):
                return True
        else:
            return False
    return False


# ---------------------------------------------------------------- the session


def _to_gpu(dev: _Device, environ: Mapping[str, str], raw_ids: bool) -> Gpu:
    v = dict(dev.values)
    raw_uuid = str(v.pop("uuid", ""))
    entries = _visible_entries(environ)
    return Gpu(
        index=dev.index,
        name=str(v.pop("name", "")),
        compute_capability=str(v.pop("compute_capability", "")),
        uuid=(raw_uuid if raw_ids else hash_id(raw_uuid)) if raw_uuid else "",
        visible=entries is None or _selected(entries, dev, raw_uuid),
        unavailable=dict(sorted(dev.missing.items())),
        **v,
    )


def _system(nvml: Any) -> tuple[NvidiaInfo, dict[str, str]]:
    missing: dict[str, str] = {}
    driver = _text(nvml.nvmlSystemGetDriverVersion())
    cuda = nvml_version = ""
    try:
        cuda = cuda_driver_text(int(nvml.nvmlSystemGetCudaDriverVersion_v2()))
    except Exception as e:  # older libraries lack _v2: recorded, not fatal
        missing["cuda-driver"] = _reason("nvmlSystemGetCudaDriverVersion_v2", e)
    try:
        nvml_version = _text(nvml.nvmlSystemGetNVMLVersion())
    except Exception as e:  # same
        missing["nvml-version"] = _reason("nvmlSystemGetNVMLVersion", e)
    return NvidiaInfo(driver=driver, cuda_driver=cuda, nvml_version=nvml_version,
                      source="nvml"), missing


def _run_session(nvml: Any, host: Host, raw_ids: bool, out: NvmlResult) -> None:
    step = "nvmlInit"
    try:
        nvml.nvmlInit()
        step = "nvmlSystemGetDriverVersion"
        out.nvidia, _ = _system(nvml)
        step = "nvmlDeviceGetCount"
        count = int(nvml.nvmlDeviceGetCount())
        out.gpus = tuple(_to_gpu(_read_device(nvml, i), host.environ, raw_ids)
                         for i in range(count))
    except Exception as e:  # every NVMLError subclass, and a broken binding
        out.failure, out.failed_call = e, step
    finally:
        # Shutdown after a failed init fails too: nothing to keep.
        with contextlib.suppress(Exception):
            nvml.nvmlShutdown()


def _load_nvml(host: Host) -> Any:
    if host.nvml is not None:
        return host.nvml
    import pynvml  # lazy: 60 ms, and only the GPU probes need it

    return pynvml


# ---------------------------------------------------------------- fallbacks


def driver_from_files(host: Host) -> Optional[NvidiaInfo]:
    """The kernel module's version: /sys/module/nvidia/version, /proc/driver/nvidia/version."""
    text = host.read_text("/sys/module/nvidia/version", limit=256)
    if text and text.strip():
        return NvidiaInfo(driver=text.strip(), source="/sys/module/nvidia/version")
    text = host.read_text("/proc/driver/nvidia/version", limit=4096)
    m = _PROC_VERSION.search(text or "")
    if m:
        return NvidiaInfo(driver=m.group(1), source="/proc/driver/nvidia/version")
    return None


def _has_nvml_library(host: Host) -> bool:
    return any(host.path(f"{d}/libnvidia-ml.so.1").exists() for d in _LIB_DIRS)


def _nothing_nvidia(host: Host) -> bool:
    return (driver_from_files(host) is None and not host.path("/dev/nvidiactl").exists()
            and not _has_nvml_library(host))


def _failed(host: Host, reason: str, library_missing: bool) -> NvmlResult:
    """NVML gave nothing: fall back to the driver files; no driver at all is a collected fact."""
    files = driver_from_files(host)
    if files is not None:
        return NvmlResult(nvidia=files, gpus=Unavailable(f"GPUs not readable: {reason}"))
    if library_missing and not _has_nvml_library(host):
        return NvmlResult(nvidia=NoDriver.because(f"{reason}; no /proc/driver/nvidia/version"),
                          gpus=())
    return NvmlResult(nvidia=Unavailable(reason), gpus=Unavailable(reason))


def query(host: Host, *, timeout: float, raw_ids: bool) -> NvmlResult:
    """One NVML session in a daemon thread; a call that hangs costs at most `timeout` seconds."""
    if host.nvml is None and _nothing_nvidia(host):
        # No kernel module, no device node, no libnvidia-ml: importing pynvml (15-60 ms)
        # could only confirm it. Keeps the fast snapshot fast on CPU hosts.
        return _failed(host, "no kernel module, no /dev/nvidiactl, no libnvidia-ml.so.1",
                       library_missing=True)
    try:
        nvml = _load_nvml(host)
    except ImportError as e:
        return _failed(host, f"the pynvml module is not installed ({e})", library_missing=True)
    out = NvmlResult()
    import threading  # only hosts with an NVIDIA driver get this far

    worker = threading.Thread(target=_run_session, args=(nvml, host, raw_ids, out),
                              name="envaudit-nvml", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return _failed(host, f"NVML did not answer within {timeout:g}s", library_missing=False)
    if out.failure is not None and out.nvidia is None:
        return _failed(host, "NVML " + _reason(out.failed_call, out.failure),
                       _is_library_missing(out.failure))
    if out.failure is not None:
        return replace(out, gpus=Unavailable("NVML " + _reason(out.failed_call, out.failure)))
    return out


class NvmlSession:
    """Runs NVML once per host and hands the two sections to their probes."""

    def __init__(self, *, timeout: float, raw_ids: bool) -> None:
        self.timeout = timeout
        self.raw_ids = raw_ids
        self._cache: dict[int, tuple[Host, NvmlResult]] = {}

    def result(self, host: Host) -> NvmlResult:
        cached = self._cache.get(id(host))
        if cached is None or cached[0] is not host:
            cached = (host, query(host, timeout=self.timeout, raw_ids=self.raw_ids))
            self._cache[id(host)] = cached
        return cached[1]


class NvidiaProbe(Probe):
    section = "nvidia"

    def __init__(self, session: NvmlSession) -> None:
        self.session = session

    def collect(self, host: Host) -> Any:
        return self.session.result(host).nvidia


class GpusProbe(Probe):
    section = "gpus"

    def __init__(self, session: NvmlSession) -> None:
        self.session = session

    def collect(self, host: Host) -> Any:
        return self.session.result(host).gpus
