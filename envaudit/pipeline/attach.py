"""Read the --pipeline files of a snapshot or a diff, and the notes a diff prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Optional

from envaudit.errors import UsageError
from envaudit.model import Fact, Fingerprint, Unavailable
from envaudit.pipeline.compare import notes as field_notes
from envaudit.pipeline.interface import Pipeline, PipelineError
from envaudit.pipeline.readers import DEFAULT_NAME, PipelineFormat, read


def parse_spec(spec: str) -> tuple[Optional[str], Path]:
    """"NAME=FILE" -> (NAME, FILE); "FILE" -> (None, FILE)."""
    name, eq, rest = spec.partition("=")
    if eq and name and rest and not Path(spec).exists():
        return name, Path(rest)
    return None, Path(spec)


def load(specs: Sequence[str], fmt: str = "auto",
         notes: Optional[list[str]] = None) -> dict[str, Pipeline]:
    """The pipelines of every --pipeline [NAME=]FILE, by name; duplicate names are errors.

    What a reader wants the user to know is appended to `notes`.
    """
    chosen = _format(fmt)
    out: dict[str, Pipeline] = {}
    for spec in specs:
        name, path = parse_spec(spec)
        result = read(path, chosen)
        if notes is not None:
            notes.extend(result.notes)
        for got_name, p in _select(name, result.pipelines, path).items():
            if got_name in out:
                raise PipelineError(f"{path}: pipeline {got_name!r} given twice; name them"
                                    " with --pipeline NAME=FILE")
            out[got_name] = p
    return out


def _format(fmt: str) -> PipelineFormat:
    try:
        return PipelineFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in PipelineFormat)
        raise UsageError(f"unknown --pipeline-format {fmt!r} (one of {choices})") from None


def _select(name: Optional[str], found: Mapping[str, Pipeline], path: Path
            ) -> dict[str, Pipeline]:
    """NAME picks one pipeline of a contract file, or names a single-pipeline file's one."""
    if name is None:
        return dict(found)
    if name in found:
        return {name: found[name]}
    if len(found) == 1:
        return {name: next(iter(found.values()))}
    raise PipelineError(f"{path}: no pipeline {name!r} (it has {', '.join(sorted(found))})")


def for_diff(specs: Sequence[str], fmt: str, locked: Fact[Mapping[str, Pipeline]],
             notes: Optional[list[str]] = None) -> dict[str, Pipeline]:
    """The deployment's pipelines; an unnamed one pairs with the lock's only pipeline."""
    current = load(specs, fmt, notes)
    if DEFAULT_NAME not in current or isinstance(locked, Unavailable) or DEFAULT_NAME in locked:
        return current
    if len(locked) != 1:
        raise PipelineError(f"the lock has pipelines {', '.join(sorted(locked))}: say which"
                            " one this file is with --pipeline NAME=FILE")
    only = next(iter(locked))
    if only in current:
        raise PipelineError(f"pipeline {only!r} given twice; name the files with"
                            " --pipeline NAME=FILE")
    current[only] = current.pop(DEFAULT_NAME)
    return current


def with_pipelines(fp: Fingerprint, pipelines: Mapping[str, Pipeline]) -> Fingerprint:
    return replace(fp, pipelines=dict(pipelines))


def diff_notes(locked: Fingerprint, current: Fingerprint) -> list[str]:
    """What a diff of pipelines did not check, for stderr (loud, never silent)."""
    a, b = locked.pipelines, current.pipelines
    if isinstance(a, Unavailable):
        return [] if isinstance(b, Unavailable) else [
            "pipelines: the lock records none (snapshot --pipeline): nothing to check against"]
    if isinstance(b, Unavailable):
        return [f"pipelines: the lock records {', '.join(sorted(a))}; pass --pipeline FILE"
                " to check the deployment's copy"]
    out = [f"pipeline {n}: in the lock, not in the deployment's files: not checked"
           for n in sorted(set(a) - set(b))]
    out += [f"pipeline {n}: not in the lock: nothing to check it against"
            for n in sorted(set(b) - set(a))]
    for name in sorted(set(a) & set(b)):
        note = field_notes(name, a[name], b[name])
        if note:
            out.append(note)
    return out
