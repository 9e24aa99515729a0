"""--python, the active venv, export and fix against real virtual environments.

Two venvs get different small wheels built here (tests/venvs.py, no network); envaudit runs
in the test's own interpreter and audits them from outside. One round trip also installs small
real packages from the package index (skipped when it cannot be reached).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envaudit._compat import tomllib
from envaudit.main import main
from tests.venvs import build_wheel, make_venv, pip
from tests.venvs import clean_environ as _clean

pytestmark = pytest.mark.slow

WHEELS = {("alpha", "1.0"), ("alpha", "1.1"), ("common", "1.0"), ("gamma", "0.1")}
A = {"alpha": "1.0", "common": "1.0"}
B = {"alpha": "1.1", "common": "1.0", "gamma": "0.1"}


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("targets")
    wheels = root / "wheels"
    wheels.mkdir()
    for name, version in sorted(WHEELS):
        build_wheel(wheels, name, version)
    return {"root": root, "wheels": wheels, "a": make_venv(root, "a", A, wheels),
            "b": make_venv(root, "b", B, wheels)}


@pytest.fixture(autouse=True)
def _no_active_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX", "ENVAUDIT_PYTHON"):
        monkeypatch.delenv(var, raising=False)


def envaudit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def packages(lock: Path) -> dict[str, str]:
    data = tomllib.loads(lock.read_text())
    return {p["name"]: p["version"] for p in data.get("packages", []) if p["name"] != "pip"}


def package_findings(report: dict[str, Any]) -> dict[str, str]:
    return {f["subject"]: f["rule"] for f in report["findings"]
            if f["group"] == "packages" or f["rule"].startswith("PKG")}


def test_snapshot_python_of_each_and_diff_show_exactly_the_real_differences(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, expected in (("a", A), ("b", B)):
        lock = tmp_path / f"{name}.lock"
        code, _, _ = envaudit(capsys, "snapshot", "--python", str(envs[name]), "-o", str(lock))
        assert code == 0
        assert packages(lock) == expected
        python = tomllib.loads(lock.read_text())["python"]
        assert python["prefix"] == str(envs[name].parent.parent)
        assert python["virtualenv"] is True
    code, out, _ = envaudit(capsys, "diff", str(tmp_path / "a.lock"), "--python", str(envs["b"]),
                            "--format", "json", "--fail-on", "never")
    assert code == 0
    report = json.loads(out)
    assert package_findings(report) == {"alpha": "PKG-005", "gamma": "PKG-004"}
    assert not any(f["rule"] == "PKG-090" for f in report["findings"])


def test_the_active_venv_is_audited_and_stderr_says_so(
        envs: dict[str, Path], tmp_path: Path) -> None:
    bin_dir = str(envs["b"].parent)
    env = _clean(VIRTUAL_ENV=str(envs["b"].parent.parent),
                 PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o", "active.lock"],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"auditing the active environment {envs['b'].parent.parent} (VIRTUAL_ENV)" in (
        done.stderr)
    assert packages(tmp_path / "active.lock") == B


def test_auditing_envauditss_own_interpreter_sets_its_dependencies_aside(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "a.lock"
    assert envaudit(capsys, "snapshot", "--python", str(envs["a"]), "-o", str(lock))[0] == 0
    _, out, _ = envaudit(capsys, "diff", str(lock), "--format", "json", "--fail-on", "never")
    report = json.loads(out)
    own = [f for f in report["findings"] if f["rule"] == "PKG-090"]
    from envaudit.footprint import own_dependencies
    from envaudit.probes.interface import Host

    mine = own_dependencies(Host().distributions)
    if not mine:
        pytest.skip("envaudit runs from a source tree here, not an installed distribution")
    assert len(own) == 1
    added = {f["subject"] for f in report["findings"] if f["rule"] == "PKG-004"}
    assert not added & mine


def test_exported_requirements_reinstall_the_same_versions(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock, req = tmp_path / "b.lock", tmp_path / "requirements.txt"
    assert envaudit(capsys, "snapshot", "--python", str(envs["b"]), "-o", str(lock))[0] == 0
    assert envaudit(capsys, "export", str(lock), "-o", str(req))[0] == 0
    assert "alpha==1.1" in req.read_text().splitlines()
    fresh = make_venv(envs["root"], "fresh", {}, envs["wheels"])
    pip(fresh, "install", "--no-index", "--find-links", str(envs["wheels"]), "-r", str(req))
    again = tmp_path / "fresh.lock"
    assert envaudit(capsys, "snapshot", "--python", str(fresh), "-o", str(again))[0] == 0
    assert packages(again) == B


def test_pylock_export_validates_with_packaging(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from packaging.pylock import Pylock

    lock, out = tmp_path / "a.lock", tmp_path / "pylock.toml"
    assert envaudit(capsys, "snapshot", "--python", str(envs["a"]), "-o", str(lock))[0] == 0
    code, _, err = envaudit(capsys, "export", str(lock), "--format", "pylock", "-o", str(out),
                            "--wheels", str(envs["wheels"]))
    assert code == 0
    data = tomllib.loads(out.read_text())
    pylock = Pylock.from_dict(data)
    assert {(str(p.name), str(p.version)) for p in pylock.packages} == set(A.items())
    assert all(w.hashes["sha256"] for p in pylock.packages for w in p.wheels or ())
    tool = data["tool"]["envaudit"]
    assert tool["python"]["prefix"] == str(envs["a"].parent.parent)
    assert tool["unresolved"] == [] and "unresolved" not in err
    code, _, err = envaudit(capsys, "export", str(lock), "--format", "pylock", "-o", str(out))
    Pylock.from_dict(tomllib.loads(out.read_text()))
    assert "2 package(s) have no known archive" in err


def test_fix_prints_the_plan_then_apply_carries_it_out(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drifted = make_venv(envs["root"], "drifted", B, envs["wheels"])
    lock = tmp_path / "a.lock"
    assert envaudit(capsys, "snapshot", "--python", str(envs["a"]), "-o", str(lock))[0] == 0
    code, out, err = envaudit(capsys, "fix", str(lock), "--python", str(drifted))
    assert code == 1
    assert "Would uninstall:\n    gamma\n" in out and "Would install:\n    alpha==1.0\n" in out
    assert "nothing was changed" in err
    before = tmp_path / "before.lock"
    assert envaudit(capsys, "snapshot", "--python", str(drifted), "-o", str(before))[0] == 0
    assert packages(before) == B
    code, out, err = envaudit(capsys, "fix", str(lock), "--python", str(drifted), "--apply",
                              "--no-index", "--find-links", str(envs["wheels"]))
    assert code == 0, out + err
    code, out, _ = envaudit(capsys, "diff", str(lock), "--python", str(drifted), "--format",
                            "json", "--fail-on", "never")
    assert package_findings(json.loads(out)) == {}


def test_exported_requirements_reinstall_from_the_package_index(
        envs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same round trip with small real packages from the index (skipped when unreachable)."""
    real = {"six": "1.16.0", "idna": "3.7"}
    trained = make_venv(tmp_path, "trained", {}, envs["wheels"])
    done = subprocess.run([str(trained), "-m", "pip", "--disable-pip-version-check", "-q",
                           "install", *(f"{k}=={v}" for k, v in real.items())],
                          capture_output=True, text=True, timeout=300, env=_clean())
    if done.returncode != 0:
        pytest.skip(f"the package index is not reachable: {done.stderr.strip()[-200:]}")
    lock, req = tmp_path / "trained.lock", tmp_path / "requirements.txt"
    assert envaudit(capsys, "snapshot", "--python", str(trained), "-o", str(lock))[0] == 0
    assert envaudit(capsys, "export", str(lock), "-o", str(req))[0] == 0
    fresh = make_venv(tmp_path, "fresh", {}, envs["wheels"])
    pip(fresh, "install", "-r", str(req))
    again = tmp_path / "fresh.lock"
    assert envaudit(capsys, "snapshot", "--python", str(fresh), "-o", str(again))[0] == 0
    assert packages(again) == packages(lock) == real
