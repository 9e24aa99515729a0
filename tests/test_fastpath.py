"""The typer-free fast path of `envaudit snapshot` and `diff` accepts exactly typer's options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from envaudit import fastpath, lockfile
from envaudit.choices import FailOn, FormatChoice
from envaudit.cli import app

S = fastpath.SNAPSHOT.defaults
D = fastpath.DIFF.defaults


def _command(name: str) -> object:
    group = typer.main.get_command(app)
    return group.commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(fastpath.COMMANDS))
def test_fast_path_knows_every_typer_option_and_default(name: str) -> None:
    spec = fastpath.COMMANDS[name]
    params = {p.name: p for p in _command(name).params}  # type: ignore[attr-defined]
    assert set(params) == set(spec.defaults)
    for key, param in params.items():
        assert param.default == spec.defaults[key], key
        if param.param_type_name == "argument":
            assert spec.argument == key
            continue
        for opt in param.opts:
            known = spec.flags if param.is_flag else spec.values
            assert known.get(opt) == key, opt
        choices = getattr(param.type, "choices", None)
        if choices:  # the same values, converted to the same enum
            assert [spec.convert[key](c).value for c in choices] == list(choices)
    assert params["timeout"].type.min == fastpath.MIN_TIMEOUT


@pytest.mark.parametrize(("argv", "expected"), [
    (["snapshot"], {}),
    (["snapshot", "-o", "-"], {"output": "-"}),
    (["snapshot", "--output=a.lock", "--deep"], {"output": "a.lock", "deep": True}),
    (["snapshot", "--timeout", "2.5", "--raw-ids"], {"timeout": 2.5, "raw_ids": True}),
    (["snapshot", "--timeout=1"], {"timeout": 1.0}),
])
def test_parse_snapshot(argv: list[str], expected: dict[str, object]) -> None:
    assert fastpath.parse_command(argv) == ("snapshot", {**S, **expected})


@pytest.mark.parametrize(("argv", "expected"), [
    (["diff"], {}),
    (["diff", "train.lock"], {"lock": Path("train.lock")}),
    (["diff", "--against", "b.lock", "a.lock", "-f", "json"],
     {"lock": Path("a.lock"), "against": Path("b.lock"), "fmt": FormatChoice.JSON}),
    (["diff", "--fail-on=never", "--format=markdown", "-o", "-", "--deep", "--timeout", "2"],
     {"fail_on": FailOn.NEVER, "fmt": FormatChoice.MARKDOWN, "output": "-", "deep": True,
      "timeout": 2.0}),
    (["diff", "--config", "envaudit.toml"], {"config": Path("envaudit.toml")}),
])
def test_parse_diff(argv: list[str], expected: dict[str, object]) -> None:
    assert fastpath.parse_command(argv) == ("diff", {**D, **expected})


@pytest.mark.parametrize("argv", [
    [], ["show"], ["rules"], ["snapshot", "--help"], ["snapshot", "-h"],
    ["snapshot", "--timeout", "0"], ["snapshot", "--timeout", "soon"], ["snapshot", "-o"],
    ["snapshot", "--bogus"], ["snapshot", "--deep=yes"], ["snapshot", "extra"], ["--version"],
    ["diff", "--help"], ["diff", "a.lock", "b.lock"], ["diff", "-f", "yaml"],
    ["diff", "--fail-on", "fatal"], ["diff", "-fjson"], ["diff", "--against"],
    ["diff", "--format", "--deep"], ["diff", "-o", ""], ["diff", "--"], ["diff", "-"],
])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fastpath.parse_command(argv) is None


def test_fast_path_in_a_real_process(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o", "-"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert lockfile.loads(out.stdout).notes == ()
    (tmp_path / "envaudit.lock").write_text(out.stdout)
    same = subprocess.run([sys.executable, "-m", "envaudit", "diff", "-f", "json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert same.returncode == 0, same.stderr
    assert '"findings": []' in same.stdout
    bad = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o",
                          str(tmp_path / "missing" / "x.lock")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 3
    assert bad.stderr.startswith("envaudit: error: cannot write")
    assert bad.stderr.count("\n") == 1
