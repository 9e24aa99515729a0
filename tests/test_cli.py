"""The CLI through typer's CliRunner: exit codes, streams, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit import __version__, lockfile
from envaudit.cli import app
from tests.factories import cli_runner, fp

runner = cli_runner()


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_lock(path: Path, **kwargs: object) -> Path:
    path.write_text(lockfile.dumps(fp(**kwargs)), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"envaudit {__version__}"


def test_snapshot_then_diff_same_host_is_clean(in_tmp: Path) -> None:
    result = runner.invoke(app, ["snapshot"])
    assert result.exit_code == 0, result.output
    assert (in_tmp / "envaudit.lock").is_file()
    assert "wrote envaudit.lock" in result.stderr
    result = runner.invoke(app, ["diff", "--fail-on", "warning", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["error"] == report["summary"]["warning"] == 0
    assert report["exit_code"] == 0


def test_snapshot_to_stdout(in_tmp: Path) -> None:
    result = runner.invoke(app, ["snapshot", "-o", "-"])
    assert result.exit_code == 0
    assert lockfile.loads(result.stdout).notes == ()
    assert not (in_tmp / "envaudit.lock").exists()


def test_diff_against_lock_with_json_contract(in_tmp: Path) -> None:
    write_lock(in_tmp / "train.lock", packages={"numpy": "1.26.4", "torch": "2.4.0+cu124"})
    write_lock(in_tmp / "deploy.lock", packages={"numpy": "2.1.0", "torch": "2.4.0+cpu"})
    result = runner.invoke(app, ["diff", "train.lock", "--against", "deploy.lock",
                                 "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) >= {"findings", "summary", "exit_code"}
    keys = {"rule", "severity", "title", "message", "subject", "locked", "current", "fix",
            "references"}
    for finding in report["findings"]:
        assert keys <= set(finding)
        assert finding["references"]
    torch = [f for f in report["findings"] if f["subject"] == "torch"]
    assert [f["rule"] for f in torch] == ["PKG-006"]
    assert torch[0]["severity"] == "error"
    assert report["exit_code"] == 1


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1),
                                                ("never", 0)])
def test_fail_on_levels(in_tmp: Path, fail_on: str, code: int) -> None:
    write_lock(in_tmp / "a.lock", packages={"numpy": "1.26.4"})
    write_lock(in_tmp / "b.lock", packages={"numpy": "1.27.0"})
    result = runner.invoke(app, ["diff", "a.lock", "--against", "b.lock", "--fail-on", fail_on])
    assert result.exit_code == code, result.output


def test_info_only_fails_only_on_info(in_tmp: Path) -> None:
    write_lock(in_tmp / "a.lock", packages={"pip": "23.0"})
    write_lock(in_tmp / "b.lock", packages={"pip": "24.0"})
    args = ["diff", "a.lock", "--against", "b.lock", "--fail-on"]
    assert runner.invoke(app, [*args, "warning"]).exit_code == 0
    assert runner.invoke(app, [*args, "info"]).exit_code == 1


def test_markdown_and_text_formats(in_tmp: Path) -> None:
    write_lock(in_tmp / "a.lock", packages={"numpy": "1.26.4"})
    write_lock(in_tmp / "b.lock", packages={"numpy": "1.27.0"})
    md = runner.invoke(app, ["diff", "a.lock", "--against", "b.lock", "-f", "markdown"])
    assert "| 🟠 warning | `PKG-002` | numpy | 1.26.4 → 1.27.0 |" in md.stdout
    text = runner.invoke(app, ["diff", "a.lock", "--against", "b.lock"])
    assert "WARNING  PKG-002  numpy upgraded 1.26.4 → 1.27.0" in text.stdout
    assert "\x1b[" not in text.stdout  # piped: no colour codes


def test_report_to_file_is_written_atomically(in_tmp: Path) -> None:
    write_lock(in_tmp / "a.lock")
    result = runner.invoke(app, ["diff", "a.lock", "--against", "a.lock", "-f", "json",
                                 "-o", "report.json"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads((in_tmp / "report.json").read_text())["findings"] == []


def test_hand_edited_lock_gives_lock_001(in_tmp: Path) -> None:
    path = write_lock(in_tmp / "a.lock", packages={"numpy": "1.26.4"})
    path.write_text(path.read_text().replace("1.26.4", "1.26.5"))
    result = runner.invoke(app, ["diff", "a.lock", "--against", "a.lock", "-f", "json",
                                 "--fail-on", "warning"])
    assert result.exit_code == 1
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules == ["LOCK-001"]


BAD = [
    pytest.param(None, "no such lockfile", id="missing"),
    pytest.param(b"", "empty file", id="empty"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file", id="binary-junk"),
    pytest.param(b'[envaudit]\nschema = "1.0"\n[python', "not valid TOML", id="truncated"),
    pytest.param(b'[envaudit]\nschema = "9.0"\n', "unsupported lockfile schema", id="schema-9"),
    pytest.param(b'[envaudit]\nschema = "1.0"\n[[packages]]\nname = 1\nversion = "1"\n',
                 "packages[0].name", id="wrong-type"),
]


@pytest.mark.parametrize(("content", "message"), BAD)
@pytest.mark.parametrize("command", ["diff", "show"])
def test_bad_lock_exits_3_with_one_line(in_tmp: Path, content: bytes | None, message: str,
                                        command: str) -> None:
    if content is not None:
        (in_tmp / "envaudit.lock").write_bytes(content)
    result = runner.invoke(app, [command])
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output
    if content is not None:  # never overwritten or deleted
        assert (in_tmp / "envaudit.lock").read_bytes() == content


def test_bad_against_lock_exits_3(in_tmp: Path) -> None:
    write_lock(in_tmp / "a.lock")
    result = runner.invoke(app, ["diff", "a.lock", "--against", "nope.lock"])
    assert result.exit_code == 3
    assert "nope.lock" in result.stderr


def test_unwritable_output_exits_3_and_keeps_files(in_tmp: Path) -> None:
    (in_tmp / "blocker").write_text("keep")
    result = runner.invoke(app, ["snapshot", "-o", "blocker/envaudit.lock"])
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert (in_tmp / "blocker").read_text() == "keep"


@pytest.mark.parametrize("args", [
    ["diff", "--format", "xml"], ["diff", "--fail-on", "sometimes"], ["frobnicate"],
    ["snapshot", "--timeout", "-1"],
])
def test_usage_errors_exit_2(in_tmp: Path, args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_show_summarises(in_tmp: Path) -> None:
    write_lock(in_tmp / "envaudit.lock", packages={"numpy": "1.26.4"},
               nvidia=("580.159.04", "13.0"), gpus=[("NVIDIA H200", "9.0")])
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0
    assert "1 distributions" in result.stdout
    assert "[0] NVIDIA H200, compute capability 9.0" in result.stdout
    assert "580.159.04 (supports CUDA 13.0)" in result.stdout


def test_two_snapshots_of_one_host_differ_only_in_created(in_tmp: Path) -> None:
    assert runner.invoke(app, ["snapshot", "-o", "a.lock"]).exit_code == 0
    assert runner.invoke(app, ["snapshot", "-o", "b.lock"]).exit_code == 0

    def body(name: str) -> list[str]:
        lines = (in_tmp / name).read_text().splitlines()
        return [line for line in lines if not line.startswith("created = ")]

    assert body("a.lock") == body("b.lock")
