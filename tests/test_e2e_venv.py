"""End to end: a real virtual environment, a real install, a real snapshot and diff.

The distributions are built here as wheels (no network): `onnx` stands in for an
inference-critical package, `mytool` for anything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import site
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def build_wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal, valid pure-Python wheel with one module."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}_stub.py": f"VERSION = {version!r}\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: envaudit-tests\n"
                              "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv whose own site-packages come first, with envaudit's dependencies after it."""
    root = tmp_path_factory.mktemp("e2e")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    ours = [*site.getsitepackages(), str(ROOT)]
    (Path(purelib) / "zz-envaudit-under-test.pth").write_text("\n".join(ours) + "\n")
    return root


def run(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    python = env / "venv" / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), *args], cwd=env, capture_output=True, text=True,
                          env=clean, timeout=120)


def pip_install(env: Path, wheel: Path) -> None:
    result = run(env, "-m", "pip", "install", "--no-index", "--no-deps",
                 "--disable-pip-version-check", "--quiet", str(wheel))
    assert result.returncode == 0, result.stderr


def test_snapshot_diff_then_change_one_critical_package(env: Path) -> None:
    pip_install(env, build_wheel(env, "onnx", "1.16.0"))
    pip_install(env, build_wheel(env, "mytool", "1.0.0"))
    snap = run(env, "-m", "envaudit", "snapshot")
    assert snap.returncode == 0, snap.stderr
    lock = (env / "envaudit.lock").read_text()
    assert 'name = "onnx"\nversion = "1.16.0"' in lock
    assert f'prefix = "{env / "venv"}"' in lock
    assert "virtualenv = true" in lock

    same = run(env, "-m", "envaudit", "diff", "--fail-on", "warning", "--format", "json")
    assert same.returncode == 0, same.stdout + same.stderr
    assert json.loads(same.stdout)["summary"] == {"error": 0, "warning": 0, "info": 0}

    pip_install(env, build_wheel(env, "onnx", "1.17.0"))
    changed = run(env, "-m", "envaudit", "diff", "--fail-on", "warning", "--format", "json")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    findings = json.loads(changed.stdout)["findings"]
    onnx = [f for f in findings if f["subject"] == "onnx"]
    assert onnx, findings
    assert onnx[0]["severity"] == "warning"
    assert (onnx[0]["locked"], onnx[0]["current"]) == ("1.16.0", "1.17.0")
    assert all(f["subject"] == "onnx" for f in findings if f["severity"] != "info")

    text = run(env, "-m", "envaudit", "diff")
    assert text.returncode == 0  # default --fail-on error: a minor upgrade is a warning
    assert "onnx upgraded 1.16.0 → 1.17.0" in text.stdout


def test_missing_lock_in_real_process_is_one_line(env: Path) -> None:
    result = run(env, "-m", "envaudit", "diff", "does-not-exist.lock")
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
