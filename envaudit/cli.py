"""The typer command line: parse options, call one body in envaudit.commands, exit with its code.

The console script is envaudit.main:main, which runs common lines without typer.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from envaudit import __version__, commands
from envaudit.choices import ColorChoice, FailOn, FleetFormatChoice, FormatChoice
from envaudit.findings import Severity

DEFAULT_LOCK = "envaudit.lock"  # envaudit.lockfile.DEFAULT_PATH, without importing it

app = typer.Typer(
    name="envaudit",
    help="Catch environment drift that changes or breaks ML inference.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# --python of snapshot, diff and fix (docs/environments.md); one definition for all three.
_PYTHON = typer.Option(
    None, "--python", envvar="ENVAUDIT_PYTHON", help="Audit this interpreter (a path, a"
    " command, or an environment directory) instead of the active venv or envaudit's own.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"envaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True,
        help="Print the version and exit."
    ),
) -> None:
    """envaudit: snapshot the training environment, diff the deployment host against it."""


def _exit(code: int) -> None:
    raise typer.Exit(code)


# --pipeline / --pipeline-format (snapshot and diff); the bodies are in envaudit.pipeline.
_PIPELINE_HELP = ("[NAME=]FILE: a pipeline contract or a config it is read from (args.yaml,"
                  " .onnx, preprocessor_config.json, OpenVINO .xml, DeepStream config,"
                  " config.pbtxt...). Repeatable.")
_FORMAT_HELP = ("How to read --pipeline files: auto (by name), contract, ultralytics, onnx,"
                " huggingface, openvino, deepstream, triton.")


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
    probe: bool = typer.Option(
        False, "--probe", help="Also run the behavioural output probes, one child per library."
    ),
    pipeline: Optional[list[str]] = typer.Option(None, "--pipeline", help=_PIPELINE_HELP),
    pipeline_format: str = typer.Option("auto", "--pipeline-format", help=_FORMAT_HELP),
    artifact: list[str] = typer.Option(
        (), "--artifact", help="A model file or directory to record: size, sha256 and the"
        " format's own facts (repeatable).",
    ),
    python: Optional[str] = _PYTHON,
) -> None:
    """Write a lockfile of everything on this host that affects inference."""
    _exit(commands.run(lambda: commands.snapshot(
        output=output, deep=deep, timeout=timeout, raw_ids=raw_ids, probe=probe,
        pipeline=pipeline, pipeline_format=pipeline_format, artifact=tuple(artifact),
        python=python)))


# Fleet options of `diff` (docs/fleet.md): host identity in the report, Prometheus textfiles.
_MODEL_HELP = ("Name of the model or pipeline this host serves (in the report; default: the"
               " --pipeline names).")
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
    append: bool = typer.Option(
        False, "--append", help="Add the report to the end of the -o file instead of replacing"
        " it (for $GITHUB_STEP_SUMMARY).",
    ),
    deep: bool = typer.Option(False, "--deep", help="Probe the live host with --deep."),
    timeout: Optional[float] = typer.Option(
        None, "--timeout", min=0.1, help="Seconds per probe of the live host (default 5)."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="Also list info findings, with reasons and sources."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and the summary."),
    color: ColorChoice = typer.Option(
        ColorChoice.AUTO, "--color", help="Colour the severity words (auto: a terminal, unless"
        " NO_COLOR or TERM=dumb; FORCE_COLOR forces it)."
    ),
    config: Optional[Path] = typer.Option(
        None, "--config", help="Policy file: envaudit.toml or a pyproject.toml with"
        " [tool.envaudit] (default: found in the current directory).",
    ),
    probe: Optional[bool] = typer.Option(
        None, "--probe/--no-probe", help="Run the lock's output probes live"
        " (default: when the lock has them)."),
    pipeline: Optional[list[str]] = typer.Option(None, "--pipeline", help=_PIPELINE_HELP),
    pipeline_format: str = typer.Option("auto", "--pipeline-format", help=_FORMAT_HELP),
    artifact: list[str] = typer.Option(
        (), "--artifact", help="Where a locked artifact is on this host, if not at its locked"
        " path (matched by name; repeatable).",
    ),
    # Fleet options (docs/fleet.md): host identity in the report, Prometheus textfiles.
    model: Optional[str] = typer.Option(None, "--model", help=_MODEL_HELP),
    hostname: Optional[str] = typer.Option(None, "--hostname", help=_HOSTNAME_HELP),
    raw_ids: bool = typer.Option(False, "--raw-ids", help=_RAW_IDS_HELP),
    textfile_dir: Optional[Path] = typer.Option(None, "--textfile-dir", help=_TEXTFILE_HELP),
    python: Optional[str] = _PYTHON,
) -> None:
    """Compare this host (or --against a lock) with LOCK and report what affects inference."""
    _exit(commands.run(lambda: commands.diff(
        lock=lock, against=against, fmt=fmt, fail_on=fail_on, output=output, deep=deep,
        timeout=timeout, config=config, verbosity=-1 if quiet else min(verbose, 1),
        color=color, probe=probe, pipeline=pipeline or (), pipeline_format=pipeline_format,
        artifact=tuple(artifact), model=model, hostname=hostname, raw_ids=raw_ids,
        textfile_dir=textfile_dir, python=python, append=append)))


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
    _exit(commands.run(lambda: commands.report(
        paths=paths, fmt=fmt, fail_on=fail_on, output=output)))


@app.command()
def show(
    lock: Path = typer.Argument(Path(DEFAULT_LOCK), help="The lock to summarise."),
) -> None:
    """Summarise a lockfile."""
    _exit(commands.run(lambda: commands.show(lock=lock)))


@app.command()
def verify(
    locks: list[Path] = typer.Argument(..., help="Lock files to check."),
) -> None:
    """Check that lock files parse and are sealed (exit 1 if one was edited since written)."""
    _exit(commands.run(lambda: commands.verify(locks=locks)))


class ListFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def rules(
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Only this rule group."),
    severity: Optional[Severity] = typer.Option(
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


class ExportChoice(str, enum.Enum):
    REQUIREMENTS = "requirements"
    PYLOCK = "pylock"


@app.command()
def export(
    lock: Path = typer.Argument(Path(DEFAULT_LOCK), help="The lock to export."),
    fmt: ExportChoice = typer.Option(
        ExportChoice.REQUIREMENTS, "--format", "-f", help="requirements (pip) or pylock (PEP 751)."
    ),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write to this file instead of stdout."
    ),
    wheels: Optional[Path] = typer.Option(
        None, "--wheels", help="pylock: take archive names and hashes from this directory."
    ),
) -> None:
    """Write the lock's Python packages as exact pins: requirements.txt or pylock.toml."""
    _exit(commands.run(lambda: commands.export(
        lock=lock, fmt=fmt.value, output=output, wheels=wheels)))


@app.command()
def fix(
    lock: Path = typer.Argument(Path(DEFAULT_LOCK), help="The reference lock (the training side)."),
    python: Optional[str] = _PYTHON,
    apply: bool = typer.Option(
        False, "--apply", help="Carry out the package plan (default: print it, change nothing)."
    ),
    index_url: Optional[str] = typer.Option(None, "--index-url", help="pip --index-url."),
    extra_index_url: list[str] = typer.Option(
        [], "--extra-index-url", help="pip --extra-index-url (repeatable)."
    ),
    find_links: list[str] = typer.Option(
        [], "--find-links", help="pip --find-links (repeatable)."
    ),
    no_index: bool = typer.Option(False, "--no-index", help="pip --no-index."),
) -> None:
    """Plan (pip-tools sync) how to bring the Python packages back to LOCK; --apply runs it."""
    _exit(commands.run(lambda: commands.fix(
        lock=lock, python=python, apply=apply, index_url=index_url,
        extra_index_urls=tuple(extra_index_url), find_links=tuple(find_links),
        no_index=no_index)))
