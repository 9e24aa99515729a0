"""Every command's body, without typer: the CLI and main() parse, call one, exit with it.

Each body returns its exit code and raises EnvauditError for what it cannot do; run()
is the one place that turns an error into a message on stderr and an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from envaudit.choices import ColorChoice, ExitCode, FailOn, FleetFormatChoice, FormatChoice
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


def snapshot(*, output: str, deep: bool, timeout: float, raw_ids: bool,
             probe: bool = False, pipeline: Optional[Sequence[str]] = None,
             pipeline_format: str = "auto", artifact: Sequence[str] = ()) -> int:
    """Take a snapshot of this host (and the --pipeline contracts, the --probe outputs, the
    model files `artifact`) and write the lock."""
    from envaudit import lockfile
    from envaudit.snapshot import default_probes
    from envaudit.snapshot import snapshot as take

    contracts = None
    if pipeline:  # read first: a bad file fails before the probes run
        from envaudit.pipeline.attach import load

        notes: list[str] = []
        contracts = load(pipeline, pipeline_format, notes)
        for note in notes:
            err(f"envaudit: note: {note}")
    progress = (lambda line: err(f"envaudit: {line}")) if deep else None
    probes = default_probes(deep=deep, timeout=timeout, raw_ids=raw_ids)
    if probe:  # only then: the behaviour package (and rich) stay unimported otherwise
        from envaudit.behaviour.api import probed_snapshot

        fp = probed_snapshot(probes, progress=progress)
    else:
        fp = take(probes=probes, progress=progress)
    if contracts is not None:
        from envaudit.pipeline.attach import with_pipelines

        fp = with_pipelines(fp, contracts)
    if artifact:
        fp = _with_artifacts(fp, artifact)
    write_output(lockfile.dumps(fp), output)
    for problem in unreadable(fp):
        err(f"envaudit: warning: {problem} (recorded in the lock)")
    if deep:  # a failed child is never a silent success (the lock also keeps the reason)
        from envaudit.probes.gpu_runtime import failures

        for line in failures(fp.runtime):
            err(f"envaudit: warning: {line}")
    if output != "-":
        count = len(fp.packages) if isinstance(fp.packages, tuple) else 0
        err(f"envaudit: wrote {output} ({count} packages)")
    return int(ExitCode.OK)


def unreadable(fp: Fingerprint) -> list[str]:
    """One line per distribution that could not be read (recorded in the lock with its reason)."""
    packages = fp.packages if isinstance(fp.packages, tuple) else ()
    return [f"could not read distribution {p.name} {p.version}: {p.problem}"
            for p in packages if p.problem]


def _with_artifacts(fp: Fingerprint, paths: Sequence[str]) -> Fingerprint:
    """Record the model files of snapshot --artifact; say what is wrong with them on stderr."""
    from envaudit.artifacts.api import problems, record

    fp = record(fp, paths, progress=lambda line: err(f"envaudit: {line}"))
    for line in problems(fp.artifacts if isinstance(fp.artifacts, tuple) else ()):
        err(f"envaudit: warning: {line}")
    return fp


def use_color(output: Optional[str], choice: ColorChoice = ColorChoice.AUTO) -> bool:
    """--color always/never win; auto: FORCE_COLOR, else a terminal without NO_COLOR or TERM=dumb.

    Conventions: https://no-color.org and https://force-color.org. Colour never changes the
    layout of a report, only whether its severity words carry ANSI codes.
    """
    if choice is not ColorChoice.AUTO:
        return choice is ColorChoice.ALWAYS
    if os.environ.get("FORCE_COLOR"):
        return True
    if output not in (None, "-") or os.environ.get("NO_COLOR"):
        return False
    return os.environ.get("TERM") != "dumb" and sys.stdout.isatty()


def diff(
    *, lock: Path, against: Optional[Path], fmt: FormatChoice, fail_on: FailOn,
    output: Optional[str], deep: bool, timeout: Optional[float], config: Optional[Path],
    verbosity: int = 0, color: ColorChoice = ColorChoice.AUTO, probe: Optional[bool] = None,
    pipeline: Sequence[str] = (), pipeline_format: str = "auto", artifact: Sequence[str] = (),
    model: Optional[str] = None, hostname: Optional[str] = None, raw_ids: bool = False,
    textfile_dir: Optional[Path] = None,
    append: bool = False,
) -> int:
    """Compare this host (or the lock `against`) with `lock`; write the report.

    `model`, `hostname` and `raw_ids` say who the report is about (JSON and Prometheus);
    `textfile_dir` writes the Prometheus metrics into a node_exporter directory.
    """
    from envaudit.api import check
    from envaudit.config import expired_ignores, load_policy
    from envaudit.fleet import hostreport

    if append and output in (None, "-"):
        err("envaudit: note: --append applies only with -o FILE; the report goes to stdout")
    _live_only(against, deep, timeout, artifact, probe)
    _check_fleet_options(fmt, output, textfile_dir,
                         {"--model": model, "--hostname": hostname, "--raw-ids": raw_ids})
    policy = load_policy(config)
    report = check(lock, against=against, deep=deep, timeout=timeout, policy=policy,
                   probe=probe, pipelines=pipeline, pipeline_format=pipeline_format,
                   artifacts=artifact,
                   artifact_progress=lambda line: err(f"envaudit: {line}"))
    if policy.source:  # with no policy file the catalog's defaults apply: nothing to name
        err(f"envaudit: policy: {policy.describe()}")
    for note in expired_ignores(policy):
        err(f"envaudit: note: {note}")
    for note in report.notes:
        err(f"envaudit: {note}" if note.startswith("warning: ") else f"envaudit: note: {note}")
    model = model or ",".join(report.pipelines)  # a host serves the pipelines it checks
    report = hostreport.with_host(report, against, hostname, model, raw_ids)
    text = _render(report, fmt, fail_on, use_color(output, color), verbosity)
    hostreport.textfile_or_output(text, fmt, output, textfile_dir, model, append=append)
    return int(report.exit_code(fail_on))


def _live_only(against: Optional[Path], deep: bool, timeout: Optional[float],
               artifact: Sequence[str], probe: Optional[bool] = None) -> None:
    """Options that read the live host are usage errors with --against."""
    if against is None:
        return
    if deep or timeout is not None or probe:
        option = "--deep" if deep else "--timeout" if timeout is not None else "--probe"
        raise UsageError(f"{option} probes the live host and does not apply with --against")
    if artifact:
        raise UsageError("--artifact reads this host's files and does not apply with --against"
                         " (the other lock's [[artifacts]] are compared)")


def _check_fleet_options(
    fmt: FormatChoice, output: Optional[str], textfile_dir: Optional[Path],
    given: dict[str, object],
) -> None:
    """--textfile-dir misused is a usage error; host options another format ignores, a note."""
    from envaudit.fleet.hostreport import TEXTFILE_USAGE, ignored_host_options, textfile_misused

    if textfile_misused(fmt, output, textfile_dir):
        raise UsageError(f"--textfile-dir {TEXTFILE_USAGE}")
    for option in ignored_host_options(fmt, given):
        err(f"envaudit: note: {option} is only written by --format json and prometheus")


def _render(
    report: Report, fmt: FormatChoice, fail_on: FailOn, color: bool, verbosity: int
) -> str:
    import shutil

    from envaudit.formats import get_format

    width = shutil.get_terminal_size((100, 24)).columns
    return get_format(fmt, color=color, width=width, verbosity=verbosity).render(report, fail_on)


def report(
    *, paths: Sequence[Path], fmt: FleetFormatChoice, fail_on: FailOn, output: Optional[str],
) -> int:
    """Merge many host reports (files or directories of *.json) into one matrix; write it."""
    from envaudit.fleet.merge import merge
    from envaudit.formats import get_fleet_format

    fleet = merge(paths, lambda line: err(f"envaudit: warning: {line}"))
    write_output(get_fleet_format(fmt).render(fleet, fail_on), output)
    return int(fleet.exit_code(fail_on))


def show(*, lock: Path) -> int:
    """Summarise a lockfile on stdout."""
    from envaudit import lockfile
    from envaudit.show import render_lock

    write_output(render_lock(lockfile.load(lock), str(lock)), None)
    return int(ExitCode.OK)


def verify(*, locks: list[Path]) -> int:
    """Check that each lock parses, matches the schema and is sealed (its content-hash holds).

    0: every lock is sealed; 1: a lock's content changed since it was written (or it has no
    content-hash); 3 (raised): a lock is missing, unreadable or invalid.
    """
    from envaudit import lockfile

    code = ExitCode.OK
    for path in locks:
        loaded = lockfile.load(path)
        broken = [n.message for n in loaded.notes if n.code == "content-hash"]
        for message in broken:
            err(f"envaudit: error: {message}")
        if broken:
            code = ExitCode.DRIFT
        else:
            write_output(f"{path}: sealed (schema {loaded.fingerprint.meta.schema})\n", None)
    return int(code)


def rules(*, group: Optional[str], severity: Optional[str], json: bool) -> int:
    """List the rule catalog (one group, one default severity) as text or JSON."""
    from envaudit import docgen
    from envaudit.rules.catalog import load_catalog

    catalog = load_catalog()
    chosen = docgen.select(catalog.rules, _group(group, catalog.groups), severity)
    write_output((docgen.rule_list_json if json else docgen.rule_list_text)(chosen), None)
    return int(ExitCode.OK)


def _group(given: Optional[str], groups: tuple[str, ...]) -> Optional[str]:
    """A group by its name or an unambiguous start of it (`gpu` for `gpu-arch`)."""
    from envaudit.config import did_you_mean

    if given is None or given in groups:
        return given
    starts = [g for g in groups if g.startswith(given.lower())]
    if len(starts) == 1:
        return starts[0]
    hint = f" (did you mean one of {', '.join(starts)}?)" if starts else did_you_mean(given, groups)
    raise UsageError(f"unknown group {given!r}{hint}; groups: {', '.join(sorted(groups))}")


def explain(*, rule_id: str) -> int:
    """Everything about one rule: why it matters, how to fix it, references."""
    from envaudit import docgen

    write_output(docgen.explain(docgen.find_rule(rule_id)), None)
    return int(ExitCode.OK)

