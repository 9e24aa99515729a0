"""The typer command line: parse options, call one body in envaudit.commands, exit with its code.

The console script is envaudit.main:main, which runs common lines without typer.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from envaudit import __version__, commands
from envaudit.choices import FailOn, FormatChoice

DEFAULT_LOCK = "envaudit.lock"  # envaudit.lockfile.DEFAULT_PATH, without importing it

app = typer.Typer(
    name="envaudit",
    help="Catch environment drift that changes or breaks ML inference.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"envaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """envaudit: snapshot the training environment, diff the deployment host against it."""


def _exit(code: int) -> None:
    raise typer.Exit(code)


@app.command()
def snapshot(
    output: str = typer.Option(
        DEFAULT_LOCK, "--output", "-o", help="Where to write the lock ('-' for stdout)."
    ),
    deep: bool = typer.Option(
        False, "--deep", help="Also import each framework in a child process (slower)."
    ),
    timeout: float = typer.Option(
        5.0, "--timeout", min=0.1, help="Seconds allowed for each hardware or framework probe."
    ),
    raw_ids: bool = typer.Option(
        False, "--raw-ids", help="Record raw GPU UUIDs and serials instead of salted hashes."
    ),
) -> None:
    """Write a lockfile of everything on this host that affects inference."""
    _exit(commands.run(lambda: commands.snapshot(
        output=output, deep=deep, timeout=timeout, raw_ids=raw_ids)))


@app.command()
def diff(
    lock: Path = typer.Argument(
        Path(DEFAULT_LOCK), help="The reference lock (the training side)."
    ),
    against: Optional[Path] = typer.Option(
        None, "--against", help="Compare this lock instead of the live host."
    ),
    fmt: FormatChoice = typer.Option(FormatChoice.TEXT, "--format", "-f", help="Report format."),
    fail_on: FailOn = typer.Option(
        FailOn.ERROR, "--fail-on", help="Lowest severity that makes the exit code 1."
    ),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the report to this file instead of stdout."
    ),
    append: bool = typer.Option(
        False, "--append", help="Add the report to the end of the -o file instead of replacing"
        " it (for $GITHUB_STEP_SUMMARY).",
    ),
    deep: bool = typer.Option(False, "--deep", help="Probe the live host with --deep."),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Seconds per probe."),
    config: Optional[Path] = typer.Option(
        None, "--config", help="Policy file: envaudit.toml or a pyproject.toml with"
        " [tool.envaudit] (default: found in the current directory).",
    ),
) -> None:
    """Compare this host (or --against a lock) with LOCK and report what affects inference."""
    _exit(commands.run(lambda: commands.diff(
        lock=lock, against=against, fmt=fmt, fail_on=fail_on, output=output, deep=deep,
        timeout=timeout, config=config, append=append)))


@app.command()
def show(
    lock: Path = typer.Argument(Path(DEFAULT_LOCK), help="The lock to summarise."),
) -> None:
    """Summarise a lockfile."""
    _exit(commands.run(lambda: commands.show(lock=lock)))


class RuleSeverity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ListFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def rules(
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Only this rule group."),
    severity: Optional[RuleSeverity] = typer.Option(
        None, "--severity", "-s", help="Only rules with this default severity."
    ),
    fmt: ListFormat = typer.Option(ListFormat.TEXT, "--format", "-f", help="Output format."),
) -> None:
    """List the rule catalog: id, default severity, group and title."""
    _exit(commands.run(lambda: commands.rules(
        group=group, severity=severity.value if severity else None,
        json=fmt is ListFormat.JSON)))


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id, e.g. ENV-001.")) -> None:
    """Print everything about one rule: why it matters, how to fix it, references."""
    _exit(commands.run(lambda: commands.explain(rule_id=rule_id)))
