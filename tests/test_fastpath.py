"""The typer-free fast path of `envaudit snapshot` accepts exactly typer's options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from envaudit import fastpath, lockfile
from envaudit.cli import app


def _snapshot_command() -> object:
    group = typer.main.get_command(app)
    return group.commands["snapshot"]  # type: ignore[attr-defined]


def test_fast_path_knows_every_typer_option_and_default() -> None:
    params = {p.name: p for p in _snapshot_command().params}  # type: ignore[attr-defined]
    assert set(params) == set(fastpath.DEFAULTS)
    for name, param in params.items():
        assert param.default == fastpath.DEFAULTS[name], name
        for opt in param.opts:
            known = fastpath.FLAG_OPTIONS if param.is_flag else fastpath.VALUE_OPTIONS
            assert known.get(opt) == name, opt
    assert params["timeout"].type.min == fastpath.MIN_TIMEOUT


@pytest.mark.parametrize(("argv", "expected"), [
    (["snapshot"], {}),
    (["snapshot", "-o", "-"], {"output": "-"}),
    (["snapshot", "--output=a.lock", "--deep"], {"output": "a.lock", "deep": True}),
    (["snapshot", "--timeout", "2.5", "--raw-ids"], {"timeout": 2.5, "raw_ids": True}),
    (["snapshot", "--timeout=1"], {"timeout": 1.0}),
])
def test_parse(argv: list[str], expected: dict[str, object]) -> None:
    assert fastpath.parse(argv) == {**fastpath.DEFAULTS, **expected}


@pytest.mark.parametrize("argv", [
    [], ["diff"], ["snapshot", "--help"], ["snapshot", "-h"], ["snapshot", "--timeout", "0"],
    ["snapshot", "--timeout", "soon"], ["snapshot", "-o"], ["snapshot", "--bogus"],
    ["snapshot", "--deep=yes"], ["snapshot", "extra"], ["--version"],
    ["snapshot", "--pipeline", "args.yaml"], ["snapshot", "--pipeline=d=args.yaml", "--deep"],
    ["snapshot", "-o", "a.lock", "--pipeline-format", "onnx", "--pipeline", "m.onnx"],
    ["snapshot", "--artifact", "m.onnx", "--artifact=export"], ["snapshot", "--artifact=m.onnx"],
])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fastpath.parse(argv) is None


def test_fast_path_in_a_real_process(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o", "-"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert lockfile.loads(out.stdout).notes == ()
    bad = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o",
                          str(tmp_path / "missing" / "x.lock")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 3
    assert bad.stderr.startswith("envaudit: error: cannot write")
    assert bad.stderr.count("\n") == 1
