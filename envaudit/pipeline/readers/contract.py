"""The contract file: envaudit.pipeline.toml, or [tool.envaudit.pipeline] in pyproject.toml.

    [detector]                 # one table per named pipeline
    input-size = [640, 640]    # (height, width), or one integer for a square
    iou-threshold = 0.7
    labels-file = "labels.txt" # or labels = ["person", ...]; recorded by hash
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from envaudit import safetoml
from envaudit.pipeline.interface import Pipeline, PipelineError, PipelineSet
from envaudit.pipeline.labels import label_fields
from envaudit.pipeline.readers import read_text
from envaudit.pipeline.schema import Problems, parse_pipeline

_LABEL_KEYS = ("labels", "labels-file")


def read(path: Path) -> PipelineSet:
    try:
        doc = safetoml.loads(read_text(path))
    except safetoml.TomlInputError as e:  # not TOML, or outside the bounds (docs/security.md)
        raise PipelineError(f"{path}: {e}") from e
    table, prefix = _table(doc, path)
    problems = Problems(str(path), [])
    pipelines: dict[str, Pipeline] = {}
    for name, raw in table.items():
        where = f"{prefix}{name}"
        p = parse_pipeline(raw, where, problems, extra=_LABEL_KEYS)
        if isinstance(raw, dict):
            p = _labels(p, raw, path.parent, where, problems)
        pipelines[name] = replace(p, source=str(path))
    problems.raise_any()
    if not pipelines:
        raise PipelineError(f"{path}: no pipelines (add a table such as [detector])")
    return PipelineSet(pipelines, str(path))


def _table(doc: dict[str, Any], path: Path) -> tuple[dict[str, Any], str]:
    """The pipelines table: [tool.envaudit.pipeline] in pyproject.toml, else the top level."""
    tool = doc.get("tool", {})
    envaudit = tool.get("envaudit", {}) if isinstance(tool, dict) else {}
    if path.name == "pyproject.toml" or (isinstance(envaudit, dict) and "pipeline" in envaudit):
        table = envaudit.get("pipeline") if isinstance(envaudit, dict) else None
        if not isinstance(table, dict):
            raise PipelineError(f"{path}: no [tool.envaudit.pipeline] table")
        return table, "tool.envaudit.pipeline."
    return doc, ""


def _labels(p: Pipeline, raw: dict[str, Any], base: Path, where: str,
            problems: Problems) -> Pipeline:
    """labels = [...] or labels-file = "path" (one label a line) -> labels-hash, labels-key,
    num-classes."""
    given = [k for k in raw if k.replace("_", "-") in _LABEL_KEYS]
    if not given:
        return p
    if len(given) > 1 or p.labels_hash is not None or p.labels_key is not None:
        problems.add(f"{where}.{given[0]}",
                     "give one of labels, labels-file, or labels-hash / labels-key")
        return p
    value = raw[given[0]]
    if given[0].replace("_", "-") == "labels-file":
        if not isinstance(value, str):
            problems.add(f"{where}.{given[0]}", "expected a file name")
            return p
        value = [line.strip() for line in read_text(base / value).splitlines() if line.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(f"{where}.{given[0]}", "expected an array of label strings")
        return p
    return replace(p, **label_fields(value))
