"""Every command's body, without typer: the CLI and main() parse, call one, exit with it.

Each body returns its exit code and raises EnvauditError for what it cannot do; run()
is the one place that turns an error into a message on stderr and an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from envaudit.choices import ExitCode, FailOn, FormatChoice
from envaudit.errors import EnvauditError, UsageError
from envaudit.output import err, write_output

if TYPE_CHECKING:
    from envaudit.model import Fingerprint
    from envaudit.report import Report


def run(body: Callable[[], int]) -> int:
    """The one error funnel: the body's exit code, or the code for what it raised.

    UsageError (an -o directory or FIFO included) 2, any other EnvauditError 3, an
    unexpected exception 4 (a bug), Ctrl-C 130; always one line on stderr."""
    try:
        return body()
    except UsageError as e:
        err(f"envaudit: error: {e}")
        return int(ExitCode.USAGE)
    except EnvauditError as e:
        err(f"envaudit: error: {e}")
        return int(ExitCode.CANNOT_AUDIT)
    except KeyboardInterrupt:
        err("envaudit: interrupted")
        return int(ExitCode.INTERRUPTED)
    except Exception as e:  # a bug: one line and its own code, never a traceback or 1
        err(f"envaudit: internal error: {type(e).__name__}: {e} (please report this bug)")
        return int(ExitCode.INTERNAL)


def snapshot(*, output: str, deep: bool, timeout: float, raw_ids: bool) -> int:
    """Take a snapshot of this host and write the lock."""
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
    return int(ExitCode.OK)


def unreadable(fp: Fingerprint) -> list[str]:
    """One line per distribution that could not be read (recorded in the lock with its reason)."""
    packages = fp.packages if isinstance(fp.packages, tuple) else ()
    return [f"could not read distribution {p.name} {p.version}: {p.problem}"
            for p in packages if p.problem]


def use_color(output: Optional[str]) -> bool:
    """Color only for a terminal on stdout, and never with NO_COLOR."""
    if output not in (None, "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def diff(
    *, lock: Path, against: Optional[Path], fmt: FormatChoice, fail_on: FailOn,
    output: Optional[str], deep: bool, timeout: float, config: Optional[Path],
    append: bool = False,
) -> int:
    """Compare this host (or the lock `against`) with `lock`; write the report."""
    from envaudit.api import check
    from envaudit.config import expired_ignores, load_policy

    if append and output in (None, "-"):
        err("envaudit: note: --append applies only with -o FILE; the report goes to stdout")
    policy = load_policy(config)
    for note in expired_ignores(policy):
        err(f"envaudit: note: {note}")
    report = check(lock, against=against, deep=deep, timeout=timeout, policy=policy)
    for note in report.notes:
        err(f"envaudit: note: {note}")
    write_output(_render(report, fmt, fail_on, output), output, append=append)
    return int(report.exit_code(fail_on))


def _render(report: Report, fmt: FormatChoice, fail_on: FailOn, output: Optional[str]) -> str:
    import shutil

    from envaudit.formats import get_format

    width = shutil.get_terminal_size((100, 24)).columns
    return get_format(fmt, color=use_color(output), width=width).render(report, fail_on)


def show(*, lock: Path) -> int:
    """Summarise a lockfile on stdout."""
    from envaudit import lockfile
    from envaudit.show import render_lock

    write_output(render_lock(lockfile.load(lock), str(lock)), None)
    return int(ExitCode.OK)


def rules(*, group: Optional[str], severity: Optional[str], json: bool) -> int:
    """List the rule catalog (one group, one default severity) as text or JSON."""
    from envaudit import docgen
    from envaudit.config import did_you_mean
    from envaudit.rules.catalog import load_catalog

    catalog = load_catalog()
    if group is not None and group not in catalog.groups:
        raise UsageError(f"unknown group {group!r}{did_you_mean(group, catalog.groups)};"
                         f" groups: {', '.join(sorted(catalog.groups))}")
    chosen = docgen.select(catalog.rules, group, severity)
    write_output((docgen.rule_list_json if json else docgen.rule_list_text)(chosen), None)
    return int(ExitCode.OK)


def explain(*, rule_id: str) -> int:
    """Everything about one rule: why it matters, how to fix it, references."""
    from envaudit import docgen

    write_output(docgen.explain(docgen.find_rule(rule_id)), None)
    return int(ExitCode.OK)

