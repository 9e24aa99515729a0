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

from envaudit import __version__
from envaudit.choices import ExitCode, FailOn, FleetFormatChoice, FormatChoice
from envaudit.errors import EnvauditError

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
    """The one place where errors become a one-line message and exit code 3."""
    try:
        yield
    except EnvauditError as e:
        _err(f"envaudit: error: {e}")
        raise typer.Exit(int(ExitCode.CANNOT_AUDIT)) from None
    except KeyboardInterrupt:
        _err("envaudit: interrupted")
        raise typer.Exit(130) from None


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


def _write(text: str, output: Optional[str]) -> None:
    from envaudit.commands import write_output

    write_output(text, output)


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


def _check_fleet_options(fmt: FormatChoice, output: Optional[str], path: Optional[Path],
                         model: Optional[str], hostname: Optional[str], raw_ids: bool) -> None:
    """--textfile-dir misused is a usage error; host options another format ignores, a note."""
    given = {"--model": model, "--hostname": hostname, "--raw-ids": raw_ids}
    from envaudit.fleet.hostreport import TEXTFILE_USAGE, ignored_host_options, textfile_misused

    if textfile_misused(fmt, output, path):
        raise typer.BadParameter(TEXTFILE_USAGE, param_hint="'--textfile-dir'")
    for option in ignored_host_options(fmt, given):
        _err(f"envaudit: note: {option} is only written by --format json and prometheus")


_MODEL_HELP = "Name of the model or pipeline this host serves (in the report)."
_HOSTNAME_HELP = ("Host name for the report (default: this host's; with --against: the lock's"
                  " path), e.g. the Kubernetes node name.")
_RAW_IDS_HELP = "Record the raw host id instead of a salted hash."
_TEXTFILE_HELP = ("With --format prometheus: write envaudit.prom atomically into this"
                  " node_exporter textfile-collector directory.")


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
    deep: bool = typer.Option(False, "--deep", help="Probe the live host with --deep."),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Seconds per probe."),
    config: Optional[Path] = typer.Option(
        None, "--config", help="Policy file: envaudit.toml or a pyproject.toml with"
        " [tool.envaudit] (default: found in the current directory).",
    ),
    # Fleet options (docs/fleet.md): host identity in the report, Prometheus textfiles.
    model: Optional[str] = typer.Option(None, "--model", help=_MODEL_HELP),
    hostname: Optional[str] = typer.Option(None, "--hostname", help=_HOSTNAME_HELP),
    raw_ids: bool = typer.Option(False, "--raw-ids", help=_RAW_IDS_HELP),
    textfile_dir: Optional[Path] = typer.Option(None, "--textfile-dir", help=_TEXTFILE_HELP),
) -> None:
    """Compare this host (or --against a lock) with LOCK and report what affects inference."""
    from envaudit.api import check
    from envaudit.config import expired_ignores, load_policy
    from envaudit.fleet import hostreport
    from envaudit.formats import get_format

    _check_fleet_options(fmt, output, textfile_dir, model, hostname, raw_ids)
    with _errors():
        policy = load_policy(config)
        for note in expired_ignores(policy):
            _err(f"envaudit: note: {note}")
        report = check(lock, against=against, deep=deep, timeout=timeout, policy=policy)
        for note in report.notes:
            _err(f"envaudit: note: {note}")
        report = hostreport.with_host(report, against, hostname, model, raw_ids)
        width = shutil.get_terminal_size((100, 24)).columns
        text = get_format(fmt, color=_use_color(output), width=width).render(report, fail_on)
        hostreport.textfile_or_output(text, fmt, output, textfile_dir, model)
    raise typer.Exit(int(report.exit_code(fail_on)))


@app.command()
def report(
    paths: list[Path] = typer.Argument(
        ..., help="Host reports (envaudit diff --format json) or directories of *.json."
    ),
    fmt: FleetFormatChoice = typer.Option(
        FleetFormatChoice.TEXT, "--format", "-f", help="Report format."
    ),
    fail_on: FailOn = typer.Option(
        FailOn.ERROR, "--fail-on", help="Lowest severity on any host that makes the exit code 1."
    ),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the report to this file instead of stdout."
    ),
) -> None:
    """Merge many host reports into one host × root-cause matrix (docs/fleet.md)."""
    from envaudit.fleet.merge import run_report

    with _errors():
        code = run_report(paths, fmt=fmt, fail_on=fail_on, output=output,
                          warn=lambda line: _err(f"envaudit: warning: {line}"))
    raise typer.Exit(int(code))


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
