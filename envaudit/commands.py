"""Command bodies that need no typer, so the fast path of `envaudit snapshot` can run them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional


def err(message: str) -> None:
    """A line on stderr: progress and notes, never the report."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def write_output(text: str, output: Optional[str]) -> None:
    """The report or lock on stdout ('-' or None), else atomically to the file."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from envaudit.lockfile import write_atomic

        write_atomic(Path(output), text)


def run_snapshot(*, output: str, deep: bool, timeout: float, raw_ids: bool,
                 probe: bool = False) -> None:
    """Take a snapshot of this host and write the lock. Raises EnvauditError."""
    from envaudit import lockfile
    from envaudit.snapshot import default_probes
    from envaudit.snapshot import snapshot as take

    progress = (lambda line: err(f"envaudit: {line}")) if deep else None
    probes = default_probes(deep=deep, timeout=timeout, raw_ids=raw_ids)
    if probe:  # only then: the behaviour package (and rich) stay unimported otherwise
        from envaudit.behaviour.api import probed_snapshot

        fp = probed_snapshot(probes, progress=progress)
    else:
        fp = take(probes=probes, progress=progress)
    write_output(lockfile.dumps(fp), output)
    if output != "-":
        count = len(fp.packages) if isinstance(fp.packages, tuple) else 0
        err(f"envaudit: wrote {output} ({count} packages)")


def main() -> None:
    """Console-script entry point: the fast path for a plain snapshot, typer for the rest."""
    from envaudit import fastpath

    fast = fastpath.parse(sys.argv[1:])
    if fast is None:
        from envaudit.cli import app

        app(prog_name="envaudit")
        return
    from envaudit.choices import ExitCode
    from envaudit.errors import EnvauditError

    try:
        run_snapshot(**fast)
    except EnvauditError as e:
        err(f"envaudit: error: {e}")
        sys.exit(int(ExitCode.CANNOT_AUDIT))
