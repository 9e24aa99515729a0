"""The two captured hosts: what the GPU probes read from them, and the committed locks."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.collect import snapshot
from envaudit.model import Fingerprint, NoDriver, Unavailable
from envaudit.rules.engine import evaluate
from tests.hosts import CPU, CREATED, FIXTURES, H200, build_host


@pytest.fixture(scope="module")
def h200(tmp_path_factory: pytest.TempPathFactory) -> Fingerprint:
    return snapshot(build_host(H200, tmp_path_factory.mktemp("h200")), created=CREATED)


@pytest.fixture(scope="module")
def cpu(tmp_path_factory: pytest.TempPathFactory) -> Fingerprint:
    return snapshot(build_host(CPU, tmp_path_factory.mktemp("cpu")), created=CREATED)


def test_h200_driver_and_gpu(h200: Fingerprint) -> None:
    assert not isinstance(h200.nvidia, Unavailable)
    assert (h200.nvidia.driver, h200.nvidia.cuda_driver) == ("580.159.04", "13.0")
    assert not isinstance(h200.gpus, Unavailable) and len(h200.gpus) == 1
    gpu = h200.gpus[0]
    assert (gpu.name, gpu.compute_capability, gpu.memory_total) == ("NVIDIA H200", "9.0",
                                                                    150754820096)
    assert gpu.architecture == "hopper" and gpu.power_limit_w == 700.0
    assert gpu.uuid.startswith("sha256:") and "0000" not in gpu.uuid
    assert "multiprocessor-count" in gpu.unavailable


def test_h200_torch_build(h200: Fingerprint) -> None:
    torch = h200.framework("torch")
    assert torch is not None
    assert (torch.version, torch.cuda) == ("2.11.0+cu130", "13.0")
    assert torch.arch_list == ("sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120")
    ort = h200.framework("onnxruntime")
    assert ort is not None and ort.cuda == "" and ort.details["package-name"] == "onnxruntime"


def test_h200_cudnn_used_by_torch_is_the_wheel(h200: Fingerprint) -> None:
    assert not isinstance(h200.cuda_libraries, Unavailable)
    cudnn = {lib.version: lib for lib in h200.cuda_libraries if lib.name == "cudnn"}
    assert set(cudnn) == {"9.19.0", "9.14.0"}
    assert "torch" in cudnn["9.19.0"].used_by
    assert cudnn["9.19.0"].source == "wheel:nvidia-cudnn-cu13"
    assert cudnn["9.19.0"].path == "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib"
    assert "torch" not in cudnn["9.14.0"].used_by
    assert cudnn["9.14.0"].path == "/usr/lib/x86_64-linux-gnu"


def test_cpu_host(cpu: Fingerprint) -> None:
    assert isinstance(cpu.nvidia, NoDriver)
    assert cpu.gpus == ()
    torch = cpu.framework("torch")
    assert torch is not None and (torch.version, torch.cuda) == ("2.13.0+cpu", "")
    assert not isinstance(cpu.cuda_toolkit, Unavailable)
    assert cpu.cuda_toolkit.version == "13.0"


@pytest.mark.parametrize("host_name,lock", [(H200, "h200.lock"), (CPU, "cpu-host.lock")],
                         ids=["h200", "cpu-host"])
def test_committed_lock_is_regenerated_byte_for_byte(host_name: str, lock: str,
                                                     tmp_path: Path) -> None:
    fresh = lockfile.dumps(snapshot(build_host(host_name, tmp_path), created=CREATED))
    committed = (FIXTURES / "locks" / lock).read_text(encoding="utf-8")
    assert fresh == committed, "run `python fixtures/regenerate.py` and review the diff"
    assert str(tmp_path) not in fresh


def test_locks_round_trip() -> None:
    for lock in ("h200.lock", "cpu-host.lock"):
        loaded = lockfile.load(FIXTURES / "locks" / lock)
        again = lockfile.loads(lockfile.dumps(loaded.fingerprint))
        assert again.fingerprint == loaded.fingerprint
        assert not isinstance(loaded.fingerprint.gpus, Unavailable)


def test_gpu_to_cpu_host_leads_with_cpu_build_and_missing_gpu() -> None:
    locked = lockfile.load(FIXTURES / "locks" / "h200.lock").fingerprint
    current = lockfile.load(FIXTURES / "locks" / "cpu-host.lock").fingerprint
    findings = evaluate(locked, current)
    lead = [(f.rule, f.subject, f.severity.value) for f in findings[:2]]
    assert lead == [("FW-011", "torch", "error"), ("GPU-011", "gpu", "error")]
