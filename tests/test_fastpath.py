"""The typer-free fast path of `envaudit snapshot` and `diff` is in step with typer: it knows
every typer option, reads the plain ones exactly as typer does, and leaves the rest to typer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from envaudit import commands, fastpath, lockfile
from envaudit.choices import FailOn, FormatChoice
from envaudit.cli import app

S = fastpath.SNAPSHOT.defaults
D = fastpath.DIFF.defaults
# commands.diff's keywords for a line with no option (what envaudit.cli's diff passes).
D_BODY = {**{k: v for k, v in D.items() if k not in ("verbose", "quiet")}, "verbosity": 0,
          "pipeline": ()}


def _command(name: str) -> Any:
    group = typer.main.get_command(app)
    return group.commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(fastpath.COMMANDS))
def test_fast_path_knows_every_typer_option_and_default(name: str) -> None:
    spec = fastpath.COMMANDS[name]
    params = {p.name: p for p in _command(name).params}
    assert set(params) == set(spec.defaults)
    read_here = set(spec.values) | set(spec.flags)
    assert not read_here & spec.typer_only
    for key, param in params.items():
        assert param.default == spec.defaults[key], key
        if param.param_type_name == "argument":
            assert spec.argument == key
            continue
        for opt in [*param.opts, *param.secondary_opts]:
            if opt in spec.typer_only:
                continue
            known = spec.flags if param.is_flag else spec.values
            assert known.get(opt) == key, f"{opt}: read here or listed as typer-only"
        choices = getattr(param.type, "choices", None)
        if choices and key in spec.values.values():  # the same values, the same enum
            assert [spec.convert[key](c).value for c in choices] == list(choices)
            assert set(spec.choices.get(key, choices)) <= set(choices)
    assert params["timeout"].type.min == fastpath.MIN_TIMEOUT


@pytest.mark.parametrize("name", sorted(fastpath.COMMANDS))
def test_every_typer_only_option_goes_to_typer(name: str) -> None:
    spec = fastpath.COMMANDS[name]
    for opt in spec.typer_only:
        assert fastpath.parse_command([name, opt]) is None, opt
        assert fastpath.parse_command([name, opt, "x"]) is None, opt
        assert fastpath.parse_command([name, f"{opt}=x"]) is None, opt
    fmt = _command(name).params
    for param in fmt:
        for choice in getattr(param.type, "choices", None) or ():
            if param.name in spec.choices and choice not in spec.choices[param.name]:
                assert fastpath.parse_command([name, param.opts[0], choice]) is None, choice


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
    assert fastpath.parse_command(argv) == ("diff", {**D_BODY, **expected})


@pytest.mark.parametrize("argv", [
    [], ["show"], ["rules"], ["snapshot", "--help"], ["snapshot", "-h"],
    ["snapshot", "--timeout", "0"], ["snapshot", "--timeout", "soon"], ["snapshot", "-o"],
    ["snapshot", "--bogus"], ["snapshot", "--deep=yes"], ["snapshot", "extra"], ["--version"],
    ["snapshot", "--pipeline", "args.yaml"], ["snapshot", "--pipeline=d=args.yaml", "--deep"],
    ["snapshot", "-o", "a.lock", "--pipeline-format", "onnx", "--pipeline", "m.onnx"],
    ["snapshot", "--artifact", "m.onnx", "--artifact=export"], ["snapshot", "--artifact=m.onnx"],
    ["diff", "--help"], ["diff", "a.lock", "b.lock"], ["diff", "-f", "yaml"],
    ["diff", "--fail-on", "fatal"], ["diff", "-fjson"], ["diff", "--against"],
    ["diff", "--format", "--deep"], ["diff", "-o", ""], ["diff", "--"], ["diff", "-"],
    ["diff", "-f", "sarif"], ["diff", "--format=junit"], ["diff", "-f", "github"],
    ["diff", "-f", "prometheus", "--textfile-dir", "d"], ["diff", "-q"], ["diff", "-vv"],
    ["diff", "--color", "never"], ["diff", "--no-probe"], ["diff", "a.lock", "--probe"],
    ["diff", "--pipeline", "args.yaml"], ["diff", "--artifact=m.onnx"],
    ["diff", "-f", "json", "--model", "m"], ["diff", "--hostname=n", "-f", "json"],
    ["diff", "--raw-ids", "-f", "json"], ["diff", "--timeout", "0.01"],
])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fastpath.parse_command(argv) is None


@pytest.mark.parametrize("argv", [
    ["snapshot"], ["snapshot", "-o", "-", "--probe", "--raw-ids", "--timeout=2"],
    ["diff"], ["diff", "a.lock", "--against", "b.lock", "-f", "markdown", "--fail-on", "warning"],
    ["diff", "-o", "r.json", "--format=json", "--deep", "--timeout", "3", "--config=p.toml"],
])
def test_the_fast_path_calls_the_body_as_typer_does(
        argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(commands, argv[0], record)
    with pytest.raises(SystemExit):
        app(args=argv, prog_name="envaudit")
    found = fastpath.parse_command(argv)
    assert found is not None
    assert calls == [found[1]]


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
