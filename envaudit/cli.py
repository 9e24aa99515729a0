"""The thin command line: parse options, call the library, write output, return the exit code."""

from __future__ import annotations

import contextlib
import enum
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import typer
from typer.exceptions import TyperException

from envaudit import __version__
from envaudit.choices import FailOn, FormatChoice

DEFAULT_LOCK = "envaudit.lock"  # envaudit.lockfile.DEFAULT_PATH, without importing it

app = typer.Typer(
    name="envaudit",
    help="Catch environment drift that changes or breaks ML inference.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _err(message: str) -> None:
    typer.echo(message, err=True)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """The one place where errors become a one-line message and an exit code."""
    from envaudit.commands import exit_for

    try:
        yield
    except (typer.Exit, TyperException):
        raise  # typer's own exits and usage errors
    except (Exception, KeyboardInterrupt) as e:  # the funnel: never a traceback
        raise typer.Exit(exit_for(e)) from None


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


def _use_color(output: Optional[str]) -> bool:
    if output not in (None, "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _write(text: str, output: Optional[str], *, append: bool = False) -> None:
    from envaudit.commands import write_output

    write_output(text, output, append=append)


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
    from envaudit.commands import run_snapshot

    with _errors():
        run_snapshot(output=output, deep=deep, timeout=timeout, raw_ids=raw_ids)


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
    from envaudit.api import check
    from envaudit.config import expired_ignores, load_policy
    from envaudit.formats import get_format

    with _errors():
        policy = load_policy(config)
        for note in expired_ignores(policy):
            _err(f"envaudit: note: {note}")
        report = check(lock, against=against, deep=deep, timeout=timeout, policy=policy)
        for note in report.notes:
            _err(f"envaudit: note: {note}")
        width = shutil.get_terminal_size((100, 24)).columns
        text = get_format(fmt, color=_use_color(output), width=width).render(report, fail_on)
        _write(text, output, append=append)
    raise typer.Exit(int(report.exit_code(fail_on)))


@app.command()
def show(
    lock: Path = typer.Argument(Path(DEFAULT_LOCK), help="The lock to summarise."),
) -> None:
    """Summarise a lockfile."""
    from envaudit import lockfile
    from envaudit.show import render_lock

    with _errors():
        loaded = lockfile.load(lock)
        _write(render_lock(loaded, str(lock)), None)


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
    from envaudit import docgen
    from envaudit.config import did_you_mean
    from envaudit.rules.catalog import load_catalog

    with _errors():
        catalog = load_catalog()
        if group is not None and group not in catalog.groups:
            raise typer.BadParameter(
                f"unknown group {group!r}{did_you_mean(group, catalog.groups)}; groups:"
                f" {', '.join(sorted(catalog.groups))}", param_hint="'--group'")
        chosen = docgen.select(catalog.rules, group, severity.value if severity else None)
        render = docgen.rule_list_json if fmt is ListFormat.JSON else docgen.rule_list_text
        _write(render(chosen), None)


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id, e.g. ENV-001.")) -> None:
    """Print everything about one rule: why it matters, how to fix it, references."""
    from envaudit import docgen

    with _errors():
        _write(docgen.explain(docgen.find_rule(rule_id)), None)


def main() -> None:
    """Console-script entry point (see envaudit.commands.main for the fast path)."""
    from envaudit.commands import main as entry

    entry()
