"""CLI conventions: -h, -V, -q/-v, --color, usage errors are 2, options that do not apply."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envaudit import __version__
from envaudit.choices import ColorChoice
from envaudit.cli import app
from envaudit.commands import use_color
from tests.factories import cli_runner

ROOT = Path(__file__).parent.parent
LOCKS = ROOT / "fixtures" / "locks"
PAIR = [str(LOCKS / "h200.lock"), "--against", str(LOCKS / "cpu-host.lock")]
runner = cli_runner()


def test_short_help_and_version() -> None:
    assert "Usage: envaudit" in runner.invoke(app, ["-h"]).stdout
    assert "--fail-on" in runner.invoke(app, ["diff", "-h"]).stdout
    version = runner.invoke(app, ["-V"])
    assert version.exit_code == 0 and version.stdout.strip() == f"envaudit {__version__}"


@pytest.mark.parametrize("args", [
    ["explain", "NOPE-001"],
    ["rules", "--group", "nope"],
    ["rules", "--group", "cu"],  # ambiguous: cuda-driver or cudnn
    ["diff", *PAIR, "--deep"],
    ["diff", *PAIR, "--timeout", "3"],
    ["diff", "--format", "yaml"],
    ["no-such-command"],
], ids=["unknown-rule", "unknown-group", "ambiguous-group", "deep-with-against",
        "timeout-with-against", "bad-format", "bad-command"])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output


def test_usage_errors_are_one_line_with_a_hint() -> None:
    result = runner.invoke(app, ["rules", "-g", "cu"])
    assert result.stderr.strip().count("\n") == 0
    assert "did you mean one of cuda-driver, cudnn?" in result.stderr
    explain = runner.invoke(app, ["explain", "PYX-001"])
    assert "did you mean" in explain.stderr and explain.exit_code == 2


def test_a_group_by_its_obvious_short_form() -> None:
    result = runner.invoke(app, ["rules", "-g", "gpu"])
    assert result.exit_code == 0
    assert all(" gpu-arch " in line for line in result.stdout.splitlines()[1:])


def test_quiet_and_verbose() -> None:
    default = runner.invoke(app, ["diff", *PAIR]).stdout
    quiet = runner.invoke(app, ["diff", *PAIR, "-q"]).stdout
    verbose = runner.invoke(app, ["diff", *PAIR, "-v"]).stdout
    assert "WARNING" in default and "WARNING" not in quiet and "ERROR" in quiet
    assert "INFO" not in default and "INFO" in verbose
    assert len(quiet) < len(default) < len(verbose)


@pytest.mark.parametrize(("env", "choice", "tty", "expected"), [
    ({}, ColorChoice.AUTO, True, True),
    ({}, ColorChoice.AUTO, False, False),
    ({"NO_COLOR": "1"}, ColorChoice.AUTO, True, False),
    ({"TERM": "dumb"}, ColorChoice.AUTO, True, False),
    ({"FORCE_COLOR": "1"}, ColorChoice.AUTO, False, True),
    ({"NO_COLOR": "1"}, ColorChoice.ALWAYS, False, True),
    ({"FORCE_COLOR": "1"}, ColorChoice.NEVER, True, False),
], ids=["tty", "pipe", "no-color", "term-dumb", "force-color", "always", "never"])
def test_colour_follows_the_conventions(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], choice: ColorChoice, tty: bool,
    expected: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    assert use_color(None, choice) is expected


def test_colour_never_changes_the_layout() -> None:
    plain = runner.invoke(app, ["diff", *PAIR, "--color", "never"]).stdout
    coloured = runner.invoke(app, ["diff", *PAIR, "--color", "always"]).stdout
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def _tmux_screen(width: int, height: int) -> list[str]:
    """Run the real command in a real terminal of this size and read the first screen."""
    session = f"envaudit-{os.getpid()}-{width}"
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    command = " ".join([sys.executable, "-m", "envaudit", "diff", *PAIR, "; sleep 30"])
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y",
                    str(height), command], check=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True, check=True).stdout
            if "How to fix" in screen or "exit code" in screen.split("\n\n")[-1]:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-S", "0", "-E",
                                 str(height - 1), "-t", session],
                                capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    return screen.splitlines()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
@pytest.mark.parametrize("width", [100, 80])
def test_real_terminal_shows_every_error_on_the_first_screen(width: int) -> None:
    screen = _tmux_screen(width, 50)
    errors = [line for line in screen if line.startswith("ERROR")]
    assert {line.split()[1] for line in errors} >= {"FW-011", "GPU-011", "PKG-001"}
    assert all(len(line) <= width for line in screen)
    pipe = subprocess.run([sys.executable, "-m", "envaudit", "diff", *PAIR, "--color", "never"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": str(width)})
    assert [line.rstrip() for line in screen if line.strip()][:10] == \
        [line.rstrip() for line in pipe.stdout.splitlines() if line.strip()][:10]
