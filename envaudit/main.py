"""The console-script entry point: common command lines without typer, typer for the rest.

`envaudit snapshot` runs in every training job and deploy hook, so start-up time is a
feature: building typer's command tree costs more than the snapshot itself. main()
parses the common lines itself (envaudit.fastpath) and hands anything else, --help and
every usage error included, to the typer CLI (envaudit.cli).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Optional

from envaudit import commands


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command line (default: sys.argv[1:]) and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    return commands.run(lambda: _dispatch(args))


def _dispatch(args: list[str]) -> int:
    from envaudit import fastpath

    fast = fastpath.parse_command(args)
    if fast is not None:
        name, kwargs = fast
        return commands.diff(**kwargs) if name == "diff" else commands.snapshot(**kwargs)
    from envaudit.cli import app

    try:
        app(args=args, prog_name="envaudit")
    except SystemExit as e:  # typer ends every command this way
        return e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    return 0
