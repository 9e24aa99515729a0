"""snapshot --deep: the child process really imports a framework, and is killed on timeout."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from envaudit.model import Unavailable
from envaudit.probes.gpu_runtime import run_child

FAKE_ORT = '''
__version__ = "1.99.0"
def get_available_providers():
    return ["CUDAExecutionProvider", "CPUExecutionProvider"]
def get_device():
    return "GPU"
'''
FAKE_CV2 = '''
__version__ = "5.0.0"
def getNumThreads():
    return 4
def getBuildInformation():
    return """
  CPU/HW features:
    Baseline:                    SSE SSE2 SSE3
    Dispatched code generation:  SSE4_1 AVX2 AVX512_SKX
  Parallel framework:            pthreads
"""
'''


@pytest.fixture
def fakes(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "onnxruntime").mkdir()
    (tmp_path / "onnxruntime" / "__init__.py").write_text(FAKE_ORT)
    (tmp_path / "cv2.py").write_text(FAKE_CV2)
    (tmp_path / "torch.py").write_text("import time\ntime.sleep(60)\n")
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_child_reports_what_only_the_running_library_says(fakes: dict[str, str]) -> None:
    ort = run_child("onnxruntime", timeout=30, environ=fakes)
    assert ort["providers"] == "CUDAExecutionProvider,CPUExecutionProvider"
    assert ort["device"] == "GPU"
    assert ort["version"] == "1.99.0"
    assert "mapped-libraries" in ort
    cv2 = run_child("opencv", timeout=30, environ=fakes)
    assert cv2["dispatched"] == "SSE4_1 AVX2 AVX512_SKX"
    assert cv2["parallel-framework"] == "pthreads"


def test_hanging_import_is_killed_at_the_timeout(fakes: dict[str, str]) -> None:
    start = time.monotonic()
    torch = run_child("torch", timeout=1.0, environ=fakes)
    assert time.monotonic() - start < 10
    assert "took longer than 1s" in torch["error"]


def test_missing_framework_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = run_child("tensorflow", timeout=30, environ=env, python=sys.executable)
    assert "error" in result
    assert "tensorflow" in result["error"].lower() or "No module" in result["error"]


# A framework that imports the standard library's platform and ctypes, as torch does: the
# child ran as a script had envaudit/probes/ first on sys.path, and probes/platform.py hid it.
STDLIB_USER = '''
import ctypes, platform, json
__version__ = "1.99.0"
assert platform.system() and ctypes.sizeof(ctypes.c_void_p)
def get_available_providers():
    return ["CPUExecutionProvider"]
def get_device():
    return platform.system()
'''


def test_child_is_isolated_from_modules_next_to_it(tmp_path: Path) -> None:
    (tmp_path / "onnxruntime").mkdir()
    (tmp_path / "onnxruntime" / "__init__.py").write_text(STDLIB_USER)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "platform.py").write_text("raise ImportError('cwd shadowed platform')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    import subprocess

    from envaudit.probes.gpu_runtime import child_command

    done = subprocess.run(child_command("onnxruntime"), capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60, check=False)
    assert '"device": "Linux"' in done.stdout, done.stdout + done.stderr


def test_failing_framework_is_a_line_on_stderr_at_snapshot_time(tmp_path: Path) -> None:
    (tmp_path / "cv2").mkdir()
    (tmp_path / "cv2" / "__init__.py").write_text("raise ImportError('libGL.so.1: not found')\n")
    (tmp_path / "cv2" / "version.py").write_text("opencv_version = '5.0.0'\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    import subprocess

    lock = tmp_path / "deep.lock"
    done = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "--deep", "-o",
                           str(lock)], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "warning: --deep probe of opencv failed: ImportError: libGL.so.1" in done.stderr
    assert 'error = "ImportError: libGL.so.1: not found"' in lock.read_text()


def _installed(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        pytest.skip(f"{name} is not installed here")
    return ""  # pragma: no cover


def test_deep_snapshot_records_the_real_torch_and_onnxruntime(tmp_path: Path) -> None:
    """The real libraries (CPU torch and onnxruntime in the test venv), not fakes: ~3 s."""
    torch, ort = _installed("torch"), _installed("onnxruntime")
    import subprocess

    from envaudit.lockfile import load

    lock = tmp_path / "deep.lock"
    done = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "--deep", "--timeout",
                           "120", "-o", str(lock)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "--deep probe" not in done.stderr
    runtime = load(lock).fingerprint.runtime
    assert not isinstance(runtime, Unavailable), runtime
    assert runtime["torch"]["version"] == torch
    assert runtime["torch"]["cpu-capability"] and "error" not in runtime["torch"]
    assert runtime["onnxruntime"]["version"] == ort
    assert "CPUExecutionProvider" in runtime["onnxruntime"]["providers"]
