"""snapshot --deep: the child process really imports a framework, and is killed on timeout."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

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
