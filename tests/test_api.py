"""The Python API exported from `envaudit`: snapshot, audit, require, and its cheap import."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import envaudit
from envaudit import lockfile
from envaudit.choices import FailOn
from envaudit.errors import UsageError
from envaudit.main import main
from tests.factories import fp

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, packages: dict[str, str]) -> Path:
    path.write_text(lockfile.dumps(fp(packages=packages)))
    return path


def test_import_envaudit_is_cheap() -> None:
    code = ("import sys, envaudit; heavy = [m for m in sys.modules if m.split('.')[0] in"
            " ('typer', 'rich', 'click', 'packaging', 'envaudit') and m != 'envaudit'];"
            " print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_the_api_names_are_the_api_functions() -> None:
    from envaudit import api, collect

    assert envaudit.snapshot is api.snapshot and callable(collect.snapshot)
    assert (envaudit.audit, envaudit.require, envaudit.DriftError) == (
        api.audit, api.require, api.DriftError)
    with pytest.raises(AttributeError):
        envaudit.nothing_here  # type: ignore[attr-defined]  # noqa: B018


def test_require_raises_on_drift_and_returns_on_a_clean_lock(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.chdir(tmp_path)
    training = _write(tmp_path / "training.lock", {"numpy": "1.26.4", "torch": "2.4.0"})
    drifted = _write(tmp_path / "drifted.lock", {"numpy": "1.26.4"})
    same = _write(tmp_path / "same.lock", {"numpy": "1.26.4", "torch": "2.4.0"})
    with pytest.raises(envaudit.DriftError) as caught:
        envaudit.require(training, against=drifted)
    message = str(caught.value)
    assert message.startswith(f"environment drift against {training}: 1 finding(s) at or above"
                              " 'error'")
    assert "ERROR   PKG-001 torch: " in message
    assert caught.value.report.failing()[0].rule == "PKG-001"
    assert envaudit.require(training, against=same).ok
    assert envaudit.audit(training, against=drifted, fail_on="never").ok
    with pytest.raises(UsageError, match="fail_on='fatal' is not one of"):
        envaudit.audit(training, against=same, fail_on="fatal")


def test_snapshot_writes_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX", "ENVAUDIT_PYTHON"):
        monkeypatch.delenv(var, raising=False)
    taken = envaudit.snapshot(tmp_path / "a.lock", python=sys.executable)
    assert lockfile.load(tmp_path / "a.lock").fingerprint.packages == taken.packages


NAMES = ["numpy", "torch", "pillow", "mytool", "requests"]
VERSIONS = ["1.0.0", "1.1.0", "2.0.0", "2.0.0+cpu"]
POLICIES = [
    None,
    "",
    '[severity]\n"PKG-002" = "error"\n"PKG-004" = "warning"\n',
    '[[ignore]]\nrule = "PKG-001"\nreason = "serving never imports it"\n',
    '[allowed]\nnumpy = ">=1.0,<2"\n',
    'critical = ["mytool"]\n',
]
packages = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VERSIONS), max_size=5)


@settings(max_examples=40, deadline=None)
@given(locked=packages, current=packages, fail_on=st.sampled_from(list(FailOn)),
       policy=st.sampled_from(POLICIES))
def test_require_decides_as_the_cli_exit_code(locked: dict[str, str], current: dict[str, str],
                                              fail_on: FailOn, policy: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        lock, other = _write(here / "t.lock", locked), _write(here / "c.lock", current)
        config: list[str] = []
        if policy is not None:
            (here / "envaudit.toml").write_text(policy)
            config = ["--config", str(here / "envaudit.toml")]
        cli = main(["diff", str(lock), "--against", str(other), "--fail-on", fail_on.value,
                    "--format", "json", "-o", str(here / "report.json"), *config])
        try:
            envaudit.require(lock, against=other, fail_on=fail_on.value,
                             policy=here / "envaudit.toml" if policy is not None else None)
            raised = False
        except envaudit.DriftError:
            raised = True
    assert cli in (0, 1)
    assert raised == (cli == 1)


def test_require_with_a_discovered_policy_matches_the_cli(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envaudit.toml").write_text('[[ignore]]\nrule = "PKG-001"\nreason = "r"\n')
    lock = _write(tmp_path / "t.lock", {"torch": "2.4.0"})
    other = _write(tmp_path / "c.lock", {})
    report = str(tmp_path / "report.txt")
    assert main(["diff", str(lock), "--against", str(other), "-o", report]) == 0
    assert envaudit.require(lock, against=other).ok
