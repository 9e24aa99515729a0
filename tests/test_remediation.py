"""export (requirements, pylock) and the fix plan's text, on fingerprints (no venv needed)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit._compat import tomllib
from envaudit.errors import RemediationError
from envaudit.findings import Finding, Impact, Severity
from envaudit.main import main
from envaudit.model import Fingerprint, Package
from envaudit.remediation.fix import Plan, manual_steps, render_plan, sync_diff
from envaudit.remediation.pylock import pylock_dict, render_pylock
from envaudit.remediation.requirements import render_requirements
from tests.factories import fp


def _locked() -> Fingerprint:
    base = fp(packages={"numpy": "1.26.4", "torch": "2.4.0+cu124", "jaxlib": "0.4.30+cuda12",
                        "pip": "24.0", "setuptools": "70.0"})
    assert isinstance(base.packages, tuple)
    mine = Package(name="mypkg", version="0.1", editable=True,
                   direct_url="file:///src/mypkg")
    return replace(base, packages=(*base.packages, mine))


def test_requirements_pins_labels_indexes_and_editables() -> None:
    text = render_requirements(_locked(), "training.lock")
    lines = text.splitlines()
    assert "numpy==1.26.4" in lines and "torch==2.4.0+cu124" in lines
    assert "#   give pip --extra-index-url https://download.pytorch.org/whl/cu124" in lines
    assert lines[lines.index("jaxlib==0.4.30+cuda12") - 1].startswith(
        "# jaxlib: the local label +cuda12 is not on public indexes")
    assert "# mypkg==0.1" in lines and "mypkg==0.1" not in lines
    assert not any(line.startswith(("pip==", "setuptools==")) for line in lines)
    assert "pip-compile --generate-hashes" in text


def test_pylock_without_archives_lists_every_package_as_unresolved() -> None:
    from packaging.pylock import Pylock

    locked = _locked()
    doc = pylock_dict(locked, lockfile.dumps(locked))
    data = tomllib.loads(render_pylock(doc))
    Pylock.from_dict(data)
    assert data["packages"] == []
    assert "torch==2.4.0+cu124" in data["tool"]["envaudit"]["unresolved"]
    assert data["tool"]["envaudit"]["python"]["version"] == "3.11.7"
    assert data["environments"] == [
        'implementation_name == "cpython" and python_full_version == "3.11.7"']


def test_export_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "a.lock"
    lock.write_text(lockfile.dumps(fp()))
    assert main(["export", str(lock), "--wheels", str(tmp_path)]) == 2
    assert main(["export", str(lock), "--format", "pylock", "--wheels",
                 str(tmp_path / "none")]) == 2
    assert main(["export", str(tmp_path / "missing.lock")]) == 3
    assert main(["export", str(lock), "--format", "conda"]) == 2
    capsys.readouterr()


def _finding(rule: str, group: str, subject: str, severity: Severity) -> Finding:
    return Finding(rule=rule, severity=severity, title="t", message=f"{subject} changed",
                   subject=subject, locked="a", current="b", why="w",
                   fix="Install the driver\n  the training host had.", references=(),
                   impact=Impact.BREAKS, group=group)


def test_manual_steps_are_what_the_package_plan_does_not_cover() -> None:
    findings = [
        _finding("GPU-001", "driver", "driver", Severity.ERROR),
        _finding("PKG-001", "packages", "torch", Severity.ERROR),
        _finding("PRE-006", "preprocessing", "opencv-python", Severity.ERROR),
        _finding("ENV-001", "env", "OMP_NUM_THREADS", Severity.INFO),
    ]
    manual = manual_steps(findings, frozenset({"opencv-python"}))
    assert [f.rule for f in manual] == ["GPU-001"]
    text = render_plan(Plan(python="/v/bin/python", install=("torch==2.4.0",), uninstall=(),
                            manual=manual, kept=("rich",)), "training.lock")
    assert text.splitlines() == [
        "Plan for /v/bin/python against training.lock (pip-tools sync):",
        "  Would install:", "    torch==2.4.0",
        "  Kept (envaudit's own dependencies): rich",
        "Outside the Python packages, manual steps (envaudit changes nothing here):",
        "  ERROR GPU-001 driver: driver changed",
        "      fix: Install the driver the training host had.",
    ]


def test_fix_without_pip_tools_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piptools.sync", None)
    with pytest.raises(RemediationError, match=r"pip install 'envaudit-ml\[fix\]'"):
        sync_diff(fp(), (), frozenset())
