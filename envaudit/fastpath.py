"""Parse the common `envaudit snapshot` and `envaudit diff` command lines without typer.

Both run in training jobs and deploy hooks, so their start-up time is a feature:
building typer's command tree costs more than a snapshot. This parser knows every
option of the typer commands (a test keeps the two in step) but reads only the plain
ones itself; a line with any other option (the pipeline, artifact, fleet and output
options, -q/-v/--color, the CI formats), --help, combined short options and every error
included, returns None and goes through typer as usual.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, Optional

from envaudit.choices import ColorChoice, FailOn, FormatChoice

MIN_TIMEOUT = 0.1


class Spec:
    """One command's options: typer's defaults by keyword, the spellings read here, value
    conversions, and the spellings left to typer.

    A plain class, not a dataclass: creating a dataclass costs about a millisecond of
    the start-up this module exists to save.
    """

    def __init__(
        self, *, defaults: Mapping[str, Any], values: Mapping[str, str],
        flags: Mapping[str, str], convert: Optional[Mapping[str, Callable[[str], Any]]] = None,
        argument: Optional[str] = None, typer_only: Collection[str] = (),
        choices: Optional[Mapping[str, Collection[str]]] = None,
        body: Optional[Callable[[dict[str, Any]], dict[str, Any]]] = None,
    ) -> None:
        self.defaults = defaults  # every typer parameter -> its default
        self.values = values  # option spelling -> keyword, for options that take a value
        self.flags = flags  # option spelling -> keyword, for on/off options
        self.convert = convert or {}
        self.argument = argument  # the keyword of the one positional argument
        self.typer_only = frozenset(typer_only)  # spellings whose lines go to typer
        self.choices = choices or {}  # keyword -> the values read here (others: typer)
        self.body = body  # typer's keywords -> the body's (envaudit.commands)


def _diff_body(opts: dict[str, Any]) -> dict[str, Any]:
    """The keywords of commands.diff, as envaudit.cli's diff passes them."""
    verbose, quiet = opts.pop("verbose"), opts.pop("quiet")
    opts["verbosity"] = -1 if quiet else min(verbose, 1)
    opts["pipeline"] = opts["pipeline"] or ()
    opts["artifact"] = tuple(opts["artifact"])
    return opts


SNAPSHOT = Spec(
    defaults={"output": "envaudit.lock", "deep": False, "timeout": 5.0, "raw_ids": False,
              "probe": False, "pipeline": None, "pipeline_format": "auto", "artifact": (),
              "python": None},
    values={"-o": "output", "--output": "output", "--timeout": "timeout", "--python": "python"},
    flags={"--deep": "deep", "--raw-ids": "raw_ids", "--probe": "probe"},
    convert={"timeout": float},
    # A snapshot that reads pipeline or model files is not the hot path.
    typer_only=("--pipeline", "--pipeline-format", "--artifact"),
)
DIFF = Spec(
    defaults={"lock": Path("envaudit.lock"), "against": None, "fmt": FormatChoice.TEXT,
              "fail_on": FailOn.ERROR, "output": None, "deep": False, "timeout": None,
              "verbose": 0, "quiet": False, "color": ColorChoice.AUTO, "config": None,
              "probe": None, "pipeline": None, "pipeline_format": "auto", "artifact": (),
              "model": None, "hostname": None, "raw_ids": False, "textfile_dir": None,
              "python": None, "append": False},
    values={"--against": "against", "-f": "fmt", "--format": "fmt", "--fail-on": "fail_on",
            "-o": "output", "--output": "output", "--timeout": "timeout", "--config": "config",
            "--python": "python"},
    flags={"--deep": "deep", "--append": "append"},
    convert={"lock": Path, "against": Path, "config": Path, "fmt": FormatChoice,
             "fail_on": FailOn, "timeout": float},
    argument="lock",
    typer_only=("-v", "--verbose", "-q", "--quiet", "--color", "--probe", "--no-probe",
                "--pipeline", "--pipeline-format", "--artifact", "--model", "--hostname",
                "--raw-ids", "--textfile-dir"),
    # The CI and fleet formats (sarif, junit, github, prometheus) go through typer.
    choices={"fmt": ("text", "json", "markdown")},
    body=_diff_body,
)
COMMANDS: Mapping[str, Spec] = {"snapshot": SNAPSHOT, "diff": DIFF}


def parse(argv: Sequence[str]) -> Optional[dict[str, Any]]:
    """Keyword arguments for commands.snapshot(), or None to let typer handle the line."""
    found = parse_command(argv)
    return found[1] if found is not None and found[0] == "snapshot" else None


def parse_command(argv: Sequence[str]) -> Optional[tuple[str, dict[str, Any]]]:
    """(command, keyword arguments of its body in envaudit.commands), or None for typer."""
    spec = COMMANDS.get(argv[0]) if argv else None
    if spec is None:
        return None
    raw = _options(spec, list(argv[1:]))
    opts = _converted(spec, raw) if raw is not None else None
    if opts is None:
        return None
    return argv[0], spec.body(opts) if spec.body is not None else opts


def _options(spec: Spec, rest: list[str]) -> Optional[dict[str, Any]]:
    """The options read here by keyword, still strings; None for anything else."""
    opts: dict[str, Any] = {}
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in spec.flags and not eq:
            opts[spec.flags[name]] = True
        elif name in spec.values and name.startswith("--") and eq:
            opts[spec.values[name]] = value
        elif arg in spec.values and rest and (arg == "-o" or not rest[0].startswith("-")):
            opts[spec.values[arg]] = rest.pop(0)
        elif spec.argument and spec.argument not in opts and arg and not arg.startswith("-"):
            opts[spec.argument] = arg
        else:
            return None  # typer's options (spec.typer_only) included
    return opts


def _converted(spec: Spec, raw: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    opts = dict(spec.defaults)
    for key, value in raw.items():
        if key in spec.choices and value not in spec.choices[key]:
            return None
        try:
            opts[key] = spec.convert[key](value) if key in spec.convert else value
        except ValueError:
            return None
    timeout = opts["timeout"]
    if (timeout is not None and not timeout >= MIN_TIMEOUT) or opts.get("output") == "":
        return None
    return opts
