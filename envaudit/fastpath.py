"""Parse the common `envaudit snapshot` and `envaudit diff` command lines without typer.

Both run in training jobs and deploy hooks, so their start-up time is a feature:
building typer's command tree costs more than a snapshot. This parser accepts exactly
the options of the typer commands (a test keeps the two in step); anything else,
--help, combined short options and every error included, returns None and goes through
typer as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, Optional

from envaudit.choices import FailOn, FormatChoice

MIN_TIMEOUT = 0.1


class Spec:
    """One command's options: defaults by keyword, option spellings, value conversions.

    A plain class, not a dataclass: creating a dataclass costs about a millisecond of
    the start-up this module exists to save.
    """

    def __init__(
        self, *, defaults: Mapping[str, Any], values: Mapping[str, str],
        flags: Mapping[str, str], convert: Optional[Mapping[str, Callable[[str], Any]]] = None,
        argument: Optional[str] = None,
    ) -> None:
        self.defaults = defaults
        self.values = values  # option spelling -> keyword, for options that take a value
        self.flags = flags  # option spelling -> keyword, for on/off options
        self.convert = convert or {}
        self.argument = argument  # the keyword of the one positional argument


SNAPSHOT = Spec(
    defaults={"output": "envaudit.lock", "deep": False, "timeout": 5.0, "raw_ids": False},
    values={"-o": "output", "--output": "output", "--timeout": "timeout"},
    flags={"--deep": "deep", "--raw-ids": "raw_ids"},
    convert={"timeout": float},
)
DIFF = Spec(
    defaults={"lock": Path("envaudit.lock"), "against": None, "fmt": FormatChoice.TEXT,
              "fail_on": FailOn.ERROR, "output": None, "deep": False, "timeout": 5.0,
              "config": None},
    values={"--against": "against", "-f": "fmt", "--format": "fmt", "--fail-on": "fail_on",
            "-o": "output", "--output": "output", "--timeout": "timeout", "--config": "config"},
    flags={"--deep": "deep"},
    convert={"lock": Path, "against": Path, "config": Path, "fmt": FormatChoice,
             "fail_on": FailOn, "timeout": float},
    argument="lock",
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
    return (argv[0], opts) if opts is not None else None


def _options(spec: Spec, rest: list[str]) -> Optional[dict[str, Any]]:
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
            return None
    return opts


def _converted(spec: Spec, raw: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    opts = dict(spec.defaults)
    for key, value in raw.items():
        try:
            opts[key] = spec.convert[key](value) if key in spec.convert else value
        except ValueError:
            return None
    if not opts["timeout"] >= MIN_TIMEOUT or opts.get("output") == "":
        return None
    return opts
