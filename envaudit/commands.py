"""Command bodies that need no typer, so the fast path of `envaudit snapshot` can run them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from envaudit.model import Fingerprint


def err(message: str) -> None:
    """A line on stderr: progress and notes, never the report (scrubbed, one line)."""
    from envaudit.scrub import one_line

    sys.stderr.write(one_line(message, limit=2000) + "\n")
    sys.stderr.flush()


def exit_for(e: BaseException) -> int:
    """The error funnel: one line on stderr for `e`, and its documented exit code.

    An -o target that cannot be written to (a directory, a FIFO) -> 2 (usage), any other
    EnvauditError -> 3 (could not audit), Ctrl-C -> 130, anything else -> 4 (a bug)."""
    from envaudit.choices import ExitCode
    from envaudit.errors import EnvauditError, OutputTargetError

    if isinstance(e, KeyboardInterrupt):
        err("envaudit: interrupted")
        return int(ExitCode.INTERRUPTED)
    if isinstance(e, OutputTargetError):
        err(f"envaudit: error: {e}")
        return int(ExitCode.USAGE)
    if isinstance(e, EnvauditError):
        err(f"envaudit: error: {e}")
        return int(ExitCode.CANNOT_AUDIT)
    err(f"envaudit: internal error: {type(e).__name__}: {e} (please report this bug)")
    return int(ExitCode.INTERNAL)


def write_output(text: str, output: Optional[str], *, append: bool = False) -> None:
    """The report or lock on stdout ('-' or None), else to the -o target (envaudit.safewrite)."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from envaudit.safewrite import write_text

        write_text(output, text, append=append)


def run_snapshot(*, output: str, deep: bool, timeout: float, raw_ids: bool) -> None:
    """Take a snapshot of this host and write the lock. Raises EnvauditError."""
    from envaudit import lockfile
    from envaudit.snapshot import default_probes
    from envaudit.snapshot import snapshot as take

    progress = (lambda line: err(f"envaudit: {line}")) if deep else None
    fp = take(probes=default_probes(deep=deep, timeout=timeout, raw_ids=raw_ids),
              progress=progress)
    write_output(lockfile.dumps(fp), output)
    for problem in unreadable(fp):
        err(f"envaudit: warning: {problem} (recorded in the lock)")
    if output != "-":
        count = len(fp.packages) if isinstance(fp.packages, tuple) else 0
        err(f"envaudit: wrote {output} ({count} packages)")


def unreadable(fp: Fingerprint) -> list[str]:
    """One line per distribution that could not be read (recorded in the lock with its reason)."""
    packages = fp.packages if isinstance(fp.packages, tuple) else ()
    return [f"could not read distribution {p.name} {p.version}: {p.problem}"
            for p in packages if p.problem]


def main() -> None:
    """Console-script entry point: the fast path for a plain snapshot, typer for the rest."""
    from envaudit import fastpath

    fast = fastpath.parse(sys.argv[1:])
    try:
        if fast is None:
            from envaudit.cli import app

            app(prog_name="envaudit")
        else:
            run_snapshot(**fast)
    except (Exception, KeyboardInterrupt) as e:  # the last funnel
        sys.exit(exit_for(e))
