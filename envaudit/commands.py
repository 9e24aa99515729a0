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
             pipeline_format: str = "auto", artifact: Sequence[str] = (),
             python: Optional[str] = None) -> int:
    """Take a snapshot of this host and of --python or an active venv (else this interpreter),
    with the --pipeline contracts, the --probe outputs, the model files `artifact`; write it."""
    from envaudit import lockfile

    contracts = None
    if pipeline:  # read first: a bad file fails before the probes run
        from envaudit.pipeline.attach import load

        notes: list[str] = []
        contracts = load(pipeline, pipeline_format, notes)
        for note in notes:
            err(f"envaudit: note: {note}")
    progress = (lambda line: err(f"envaudit: {line}")) if deep else None
    fp = _take(python, deep=deep, timeout=timeout, raw_ids=raw_ids, progress=progress,
               probe=probe)
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


def _take(python: Optional[str], *, deep: bool, timeout: float, raw_ids: bool,
          progress: Optional[Callable[[str], None]], probe: bool) -> Fingerprint:
    """The snapshot of `envaudit snapshot`; the plain one imports neither the API nor the
    behaviour package (and rich): start-up time is a feature of a pre-deploy hook."""
    say = lambda line: err(f"envaudit: {line}")  # noqa: E731
    if probe:
        from envaudit.api import live

        return live(python, deep=deep, timeout=timeout, raw_ids=raw_ids, progress=progress,
                    say=say, probe=True)[0]
    from envaudit.collect import default_probes
    from envaudit.collect import snapshot as take
    from envaudit.probes.interpreter import audited

    target = audited(python, timeout=max(timeout, 10.0), say=say)
    return take(target.host, probes=default_probes(deep=deep, timeout=timeout, raw_ids=raw_ids),
                progress=progress)


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
    textfile_dir: Optional[Path] = None, python: Optional[str] = None,
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
    _live_only(against, deep, timeout, artifact, probe, python)
    _check_fleet_options(fmt, output, textfile_dir,
                         {"--model": model, "--hostname": hostname, "--raw-ids": raw_ids})
    policy = load_policy(config)
    report = check(lock, against=against, deep=deep, timeout=timeout, policy=policy,
                   probe=probe, pipelines=pipeline, pipeline_format=pipeline_format,
                   artifacts=artifact,
                   artifact_progress=lambda line: err(f"envaudit: {line}"),
                   python=python, say=lambda line: err(f"envaudit: {line}"))
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
               artifact: Sequence[str], probe: Optional[bool] = None,
               python: Optional[str] = None) -> None:
    """Options that read the live host are usage errors with --against."""
    if against is None:
        return
    if deep or timeout is not None or probe or python:
        option = ("--deep" if deep else "--timeout" if timeout is not None
                  else "--probe" if probe else "--python")
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
    from envaudit.formats import get_format

    width = terminal_width()
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


def terminal_width(fallback: int = 100) -> int:
    """shutil.get_terminal_size's columns ($COLUMNS, then the terminal on stdout), without
    importing shutil (and with it bz2 and lzma) on the way to a report."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or fallback


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


def export(*, lock: Path, fmt: str, output: Optional[str], wheels: Optional[Path]) -> int:
    """Write the lock's Python side as a requirements file or a PEP 751 pylock.toml."""
    from envaudit import lockfile
    from envaudit.remediation.interface import ExportFormat

    loaded = lockfile.load(lock)
    if ExportFormat(fmt) is ExportFormat.REQUIREMENTS:
        if wheels is not None:
            raise UsageError("--wheels applies to --format pylock only")
        from envaudit.remediation.requirements import render_requirements

        write_output(render_requirements(loaded.fingerprint, str(lock)), output)
        return int(ExitCode.OK)
    return _export_pylock(loaded.fingerprint, lock, output, wheels)


def _export_pylock(fp: object, lock: Path, output: Optional[str], wheels: Optional[Path]) -> int:
    from envaudit import lockfile
    from envaudit.model import Fingerprint
    from envaudit.remediation.pylock import pylock_dict, render_pylock

    assert isinstance(fp, Fingerprint)
    if wheels is not None and not wheels.is_dir():
        raise UsageError(f"--wheels {wheels}: not a directory")
    base = Path(output).parent if output not in (None, "-") else None
    doc = pylock_dict(fp, lockfile.dumps(fp), wheels=wheels, base=base)
    write_output(render_pylock(doc), output)
    unresolved = doc["tool"]["envaudit"]["unresolved"]
    if unresolved:
        err(f"envaudit: warning: {len(unresolved)} package(s) have no known archive (an installed"
            " environment knows no hashes or URLs) and are listed under"
            " [tool.envaudit].unresolved; pass --wheels DIR (from `pip download -r"
            " requirements.txt -d DIR --no-deps`) to include them")
    return int(ExitCode.OK)


def fix(*, lock: Path, python: Optional[str], apply: bool, index_url: Optional[str],
        extra_index_urls: tuple[str, ...], find_links: tuple[str, ...], no_index: bool) -> int:
    """Print pip-tools' plan to bring the Python side back to `lock`; with `apply`, run it."""
    from envaudit.config import load_policy
    from envaudit.remediation.fix import apply as carry_out
    from envaudit.remediation.fix import plan_fix, render_plan

    run_ = plan_fix(str(lock), python=python, policy=load_policy(None),
                    say=lambda line: err(f"envaudit: {line}"))
    write_output(render_plan(run_.plan, str(lock)), None)
    if apply and run_.plan.changes:
        flags = (["--no-index"] if no_index else []) + (
            ["--index-url", index_url] if index_url else [])
        for url in (*run_.indexes, *extra_index_urls):
            flags += ["--extra-index-url", url]
        for link in find_links:
            flags += ["--find-links", link]
        carry_out(run_.install, run_.plan.uninstall, run_.plan.python, flags)
        err("envaudit: applied the package plan; `envaudit diff` checks the result")
    elif run_.plan.changes:
        err("envaudit: nothing was changed; run again with --apply to carry out the package plan")
    pending = run_.plan.changes and not apply
    return int(ExitCode.DRIFT if pending or run_.plan.manual else ExitCode.OK)
