"""NVML probe: fault injection for every call, hangs, visibility, ids, hosts without NVIDIA."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pynvml
import pytest

from envaudit import lockfile
from envaudit.collect import snapshot
from envaudit.model import NoDriver, Unavailable
from envaudit.probes import gpu_stack
from envaudit.probes.gpu_nvml import _FACTS, hash_id, query
from envaudit.probes.interface import Host
from tests.hosts import CPU, H200, FakeNvml, MissingNvml, build_host, nvml_data

ERRORS = [pynvml.NVMLError_LibraryNotFound, pynvml.NVMLError_DriverNotLoaded,
          pynvml.NVMLError_NoPermission, pynvml.NVMLError_NotSupported,
          pynvml.NVMLError_GpuIsLost, pynvml.NVMLError_Unknown,
          pynvml.NVMLError_FunctionNotFound, pynvml.NVMLError_Uninitialized,
          pynvml.NVMLError_LibRmVersionMismatch, pynvml.NVMLError_Timeout]
CALLS = ["nvmlInit", "nvmlSystemGetDriverVersion", "nvmlSystemGetCudaDriverVersion_v2",
         "nvmlSystemGetNVMLVersion", "nvmlDeviceGetCount", "nvmlDeviceGetHandleByIndex",
         *[call for _, call, _ in _FACTS]]


@pytest.fixture(scope="module")
def h200(tmp_path_factory: pytest.TempPathFactory) -> Host:
    return build_host(H200, tmp_path_factory.mktemp("h200"))


def with_nvml(host: Host, nvml: object) -> Host:
    return dataclasses.replace(host, nvml=nvml)


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_nvml_failure_still_gives_a_lock(call: str, error: type, h200: Host) -> None:
    host = with_nvml(h200, FakeNvml(nvml_data(), fail={call: error}))
    nvml_probes = gpu_stack.probes(timeout=5)[:2]  # nvidia and gpus: what NVML feeds
    fp = snapshot(host, nvml_probes, created="2026-11-27T00:00:00Z")
    loaded = lockfile.loads(lockfile.dumps(fp)).fingerprint
    assert dataclasses.replace(loaded, meta=fp.meta) == fp
    assert fp.gpus != (), "an NVML failure on a host with a driver is never 'no GPU'"
    if isinstance(fp.gpus, tuple) and call not in ("nvmlSystemGetCudaDriverVersion_v2",
                                                    "nvmlSystemGetNVMLVersion"):
        assert fp.gpus[0].unavailable, "the failed fact is recorded with its reason"


def test_hanging_nvml_returns_within_the_timeout(tmp_path: Path) -> None:
    host = build_host(H200, tmp_path, FakeNvml(nvml_data(), hang={"nvmlDeviceGetName": 5.0}))
    start = time.perf_counter()
    result = query(host, timeout=0.3, raw_ids=False)
    assert time.perf_counter() - start < 1.3
    assert isinstance(result.gpus, Unavailable) and "0.3s" in result.gpus.reason
    # The driver still comes from /proc/driver/nvidia/version.
    assert not isinstance(result.nvidia, Unavailable)
    assert result.nvidia.driver == "580.159.04"


def test_host_without_anything_nvidia(tmp_path: Path) -> None:
    fp = snapshot(build_host(CPU, tmp_path), created="2026-11-27T00:00:00Z")
    assert isinstance(fp.nvidia, Unavailable) and "LibraryNotFound" in fp.nvidia.reason
    assert fp.gpus == ()


def test_missing_library_but_driver_files_is_unknown_not_none(tmp_path: Path) -> None:
    host = build_host(H200, tmp_path, MissingNvml())
    result = query(host, timeout=2, raw_ids=False)
    assert not isinstance(result.nvidia, Unavailable)
    assert result.nvidia.source == "/proc/driver/nvidia/version"
    assert isinstance(result.gpus, Unavailable)


def test_no_permission_is_unknown(tmp_path: Path) -> None:
    nvml = FakeNvml(nvml_data(), fail={"nvmlInit": pynvml.NVMLError_NoPermission})
    (tmp_path / "x").mkdir()
    host = build_host(CPU, tmp_path / "x", nvml)
    result = query(host, timeout=2, raw_ids=False)
    assert isinstance(result.nvidia, Unavailable) and isinstance(result.gpus, Unavailable)
    assert not isinstance(result.nvidia, NoDriver)


def test_raw_ids_and_stable_hash(tmp_path: Path) -> None:
    host = build_host(H200, tmp_path)
    raw = query(host, timeout=2, raw_ids=True).gpus
    hashed = query(host, timeout=2, raw_ids=False).gpus
    assert isinstance(raw, tuple) and isinstance(hashed, tuple)
    assert raw[0].uuid == "GPU-00000000-0000-0000-0000-000000000000"
    assert hashed[0].uuid == hash_id(raw[0].uuid) == hash_id(raw[0].uuid)


@pytest.mark.parametrize("env,visible", [
    ({}, True), ({"CUDA_VISIBLE_DEVICES": ""}, False), ({"CUDA_VISIBLE_DEVICES": "0"}, True),
    ({"CUDA_VISIBLE_DEVICES": "1"}, False), ({"CUDA_VISIBLE_DEVICES": "-1,0"}, False),
    ({"CUDA_VISIBLE_DEVICES": "GPU-0000"}, True), ({"NVIDIA_VISIBLE_DEVICES": "none"}, False),
    ({"NVIDIA_VISIBLE_DEVICES": "all"}, True),
], ids=["unset", "cvd-empty", "cvd-0", "cvd-1", "cvd-invalid-first", "cvd-uuid", "nvd-none",
        "nvd-all"])
def test_visible_devices(env: dict[str, str], visible: bool, h200: Host) -> None:
    host = dataclasses.replace(h200, environ=env)
    gpus = query(host, timeout=2, raw_ids=False).gpus
    assert isinstance(gpus, tuple) and gpus[0].visible is visible


@pytest.mark.gpu
@pytest.mark.skipif("ENVAUDIT_GPU_TESTS" not in __import__("os").environ,
                    reason="set ENVAUDIT_GPU_TESTS=1 on a GPU host")
def test_real_nvml() -> None:  # pragma: no cover - hardware only
    from envaudit.probes.interface import Host

    result = query(Host(), timeout=5, raw_ids=False)
    assert isinstance(result.gpus, tuple) and result.gpus


def test_cpu_host_without_anything_nvidia_skips_pynvml(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No module, no device node, no library: the answer is known without importing pynvml."""
    from envaudit.probes import gpu_nvml

    def no_import(host: object) -> object:
        raise AssertionError("pynvml must not be imported here")

    monkeypatch.setattr(gpu_nvml, "_load_nvml", no_import)
    result = gpu_nvml.query(Host(root=tmp_path, environ={}), timeout=1.0, raw_ids=False)
    assert result.gpus == ()
    assert isinstance(result.nvidia, NoDriver)


class MigNvml(FakeNvml):
    """The H200 capture with MIG mode on and two MIG devices (slot 1 empty, as NVML leaves
    unused slots: NVMLError_NotFound)."""

    MIG = ("MIG-11111111-2222-3333-4444-555555555555", None,
           "MIG-99999999-8888-7777-6666-555555555555")

    def __init__(self, *, readable: bool = True) -> None:
        data = nvml_data()
        data["devices"] = [{**data["devices"][0], "mig": [1, 1]}]
        super().__init__(data)
        self.readable = readable

    def nvmlDeviceGetMaxMigDeviceCount(self, h: int) -> int:
        self._call("nvmlDeviceGetMaxMigDeviceCount")
        if not self.readable:
            raise pynvml.NVMLError_NoPermission()
        return len(self.MIG)

    def nvmlDeviceGetMigDeviceHandleByIndex(self, h: int, i: int) -> tuple[int, int]:
        self._call("nvmlDeviceGetMigDeviceHandleByIndex")
        if self.MIG[i] is None:
            raise pynvml.NVMLError_NotFound()
        return (h, i)

    def nvmlDeviceGetUUID(self, h: object) -> str:
        if isinstance(h, tuple):
            self._call("nvmlDeviceGetUUID")
            return str(self.MIG[h[1]])
        return super().nvmlDeviceGetUUID(h)  # type: ignore[arg-type]


# MIG in Kubernetes and on bare metal: the device plugin / the user selects a MIG device by its
# UUID (NVIDIA_VISIBLE_DEVICES / CUDA_VISIBLE_DEVICES=MIG-<uuid>; drivers before R470 wrote
# MIG-GPU-<gpu-uuid>/<gi>/<ci>). The parent GPU (the device NVML lists) is then the one CUDA uses.
@pytest.mark.parametrize("env,visible", [
    ({"NVIDIA_VISIBLE_DEVICES": "MIG-11111111-2222-3333-4444-555555555555"}, True),
    ({"CUDA_VISIBLE_DEVICES": "MIG-99999999-8888-7777-6666-555555555555"}, True),
    ({"CUDA_VISIBLE_DEVICES": "MIG-1111"}, True),
    ({"CUDA_VISIBLE_DEVICES": "MIG-GPU-00000000-0000-0000-0000-000000000000/1/0"}, True),
    ({"CUDA_VISIBLE_DEVICES": "MIG-GPU-00000000-0000-0000-0000-000000000001/1/0"}, False),
    ({"CUDA_VISIBLE_DEVICES": "MIG-aaaaaaaa-2222-3333-4444-555555555555"}, False),
    ({}, True),
], ids=["nvd-mig-uuid", "cvd-mig-uuid", "cvd-mig-prefix", "cvd-legacy-mig", "cvd-legacy-other",
        "cvd-other-mig", "unset"])
def test_mig_device_selects_its_parent_gpu(env: dict[str, str], visible: bool,
                                           h200: Host) -> None:
    host = dataclasses.replace(h200, environ=env, nvml=MigNvml())
    gpus = query(host, timeout=2, raw_ids=False).gpus
    assert isinstance(gpus, tuple) and gpus[0].mig_mode is True
    assert gpus[0].visible is visible


def test_mig_uuids_unreadable_keeps_the_mig_gpu_visible(h200: Host) -> None:
    """Unknown is not "hidden": a MIG GPU whose MIG devices cannot be listed is still judged."""
    host = dataclasses.replace(h200, environ={"CUDA_VISIBLE_DEVICES": "MIG-1111"},
                               nvml=MigNvml(readable=False))
    gpus = query(host, timeout=2, raw_ids=False).gpus
    assert isinstance(gpus, tuple) and gpus[0].visible is True


def test_mig_pod_gpu_rules_still_judge_the_gpu(tmp_path: Path) -> None:
    """A MIG pod on the H200 with a torch build without sm_90: GPU-001 must still fire."""
    from dataclasses import replace as dc_replace

    from envaudit.rules.engine import evaluate

    host = dataclasses.replace(
        build_host(H200, tmp_path), nvml=MigNvml(),
        environ={"NVIDIA_VISIBLE_DEVICES": "MIG-11111111-2222-3333-4444-555555555555"})
    locked = snapshot(host, created="2026-11-27T00:00:00Z")
    torch = locked.framework("torch")
    assert torch is not None and not isinstance(locked.frameworks, Unavailable)
    current = dc_replace(locked, frameworks={**locked.frameworks, "torch": dc_replace(
        torch, arch_list=("sm_75", "sm_80", "sm_86"))})
    rules = {f.rule for lead in evaluate(locked, current) for f in (lead, *lead.related)}
    assert "GPU-001" in rules
