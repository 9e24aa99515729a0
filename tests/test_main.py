"""envaudit.main:main, the console script: fast paths, typer for the rest, one error funnel."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import commands, lockfile
from envaudit.main import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "locks"


def test_fast_snapshot_returns_0_and_writes_a_lock(tmp_path: Path) -> None:
    out = tmp_path / "a.lock"
    assert main(["snapshot", "-o", str(out)]) == 0
    assert lockfile.load(out).notes == ()


def test_typer_commands_return_their_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["show", str(FIXTURES / "h200.lock")]) == 0
    assert main(["diff", str(FIXTURES / "h200.lock"), "--against",
                 str(FIXTURES / "cpu-host.lock")]) == 1
    assert "exit code 1 (--fail-on error)" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "code"), [
    (["diff", "no-such.lock"], 3),
    (["show", "no-such.lock"], 3),
    (["rules", "--group", "nope"], 2),
    (["explain", "NOPE-999"], 2),
    (["bogus"], 2),
])
def test_errors_become_exit_codes_with_one_line(
    argv: list[str], code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    if code == 3:
        err = capsys.readouterr().err
        assert err.startswith("envaudit: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["snapshot", "-o", "-"], ["show", "x.lock"]])
def test_ctrl_c_is_130(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(**_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "snapshot", interrupted)
    monkeypatch.setattr(commands, "show", interrupted)
    assert main(argv) == 130
    assert capsys.readouterr().err == "envaudit: interrupted\n"


@pytest.mark.parametrize("columns", ["", "80", "0", "wide"])
def test_terminal_width_is_shutils(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setenv("COLUMNS", columns)
    assert commands.terminal_width() == shutil.get_terminal_size((100, 24)).columns
