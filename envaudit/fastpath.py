"""Parse a plain `envaudit snapshot ...` command line without importing typer.

`envaudit snapshot` runs in every training job and deploy hook, so its start-up time
is a feature: building typer's command tree costs more than the snapshot itself. This
parser accepts exactly the options of the typer `snapshot` command (a test keeps the
two in step); anything else, --help and every error included, returns None and goes
through typer as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

DEFAULTS: dict[str, Any] = {
    "output": "envaudit.lock", "deep": False, "timeout": 5.0, "raw_ids": False, "probe": False,
    "pipeline": None, "pipeline_format": "auto", "artifact": (),
}
VALUE_OPTIONS = {"-o": "output", "--output": "output", "--timeout": "timeout",
                 "--pipeline": "pipeline", "--pipeline-format": "pipeline_format",
                 "--artifact": "artifact"}
# A snapshot that reads pipeline or model files is not the hot path: typer parses it.
_TYPER_ONLY = ("--pipeline", "--pipeline-format", "--artifact")
FLAG_OPTIONS = {"--deep": "deep", "--raw-ids": "raw_ids", "--probe": "probe"}
MIN_TIMEOUT = 0.1


def parse(argv: Sequence[str]) -> Optional[dict[str, Any]]:
    """Keyword arguments for commands.snapshot(), or None to let typer handle the line."""
    if not argv or argv[0] != "snapshot":
        return None
    if any(a.partition("=")[0] in _TYPER_ONLY for a in argv[1:]):
        return None
    opts = dict(DEFAULTS)
    rest = list(argv[1:])
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in FLAG_OPTIONS and not eq:
            opts[FLAG_OPTIONS[name]] = True
        elif name in VALUE_OPTIONS and name.startswith("--") and eq:
            opts[VALUE_OPTIONS[name]] = value
        elif arg in VALUE_OPTIONS and rest and (arg == "-o" or not rest[0].startswith("-")):
            opts[VALUE_OPTIONS[arg]] = rest.pop(0)
        else:
            return None
    try:
        opts["timeout"] = float(opts["timeout"])
    except ValueError:
        return None
    if not opts["timeout"] >= MIN_TIMEOUT or not opts["output"]:
        return None
    return opts
