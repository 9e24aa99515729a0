"""verify(): serving code checks the values it really uses against the training contract.

    from envaudit.pipeline import verify, verifying
    verify("detector", input_size=640, iou_threshold=0.45)    # PipelineMismatch names the field

    @verifying("detector", input_size=640)                     # or: with verifying(...):
    def start_server(): ...

The contract comes from the lock (`envaudit.lock`, or $ENVAUDIT_LOCK, or `source=`),
or from any file a pipeline reader understands. A mismatch raises, or with
`on_mismatch="log"` (or $ENVAUDIT_PIPELINE_ON_MISMATCH=log) is logged as an error on
the "envaudit.pipeline" logger.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from envaudit.pipeline.compare import same, show
from envaudit.pipeline.interface import CONTRACT_FIELDS, Pipeline, PipelineError
from envaudit.pipeline.schema import coerce, did_you_mean

LOG = logging.getLogger("envaudit.pipeline")
_POLICIES = ("raise", "log")


@dataclass(frozen=True)
class Mismatch:
    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return (f"{self.field} is {show(self.field, self.actual)}, training used"
                f" {show(self.field, self.expected)}")


class PipelineMismatch(PipelineError):
    """Serving uses a value that differs from the training contract."""

    def __init__(self, name: str, mismatches: tuple[Mismatch, ...]) -> None:
        self.name = name
        self.mismatches = mismatches
        super().__init__(f"pipeline {name}: " + "; ".join(str(m) for m in mismatches))


@dataclass(frozen=True)
class Verified:
    """What verify() checked: the mismatches, and the fields training did not state."""

    name: str
    mismatches: tuple[Mismatch, ...]
    unchecked: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _contract(name: str, source: Union[str, Path, None]) -> Pipeline:
    path = Path(source or os.environ.get("ENVAUDIT_LOCK") or "envaudit.lock")
    if path.suffix == ".lock":
        from envaudit import lockfile
        from envaudit.model import Unavailable

        found = lockfile.load(path).fingerprint.pipelines
        pipelines = {} if isinstance(found, Unavailable) else found
    else:
        from envaudit.pipeline.readers import read

        pipelines = dict(read(path).pipelines)
    if name not in pipelines:
        have = ", ".join(sorted(pipelines)) or "none"
        raise PipelineError(f"{path}: no pipeline {name!r} (it records: {have})"
                            + did_you_mean(name, list(pipelines)))
    return pipelines[name]


def check(contract: Pipeline, name: str, actual: dict[str, Any]) -> Verified:
    """Compare serving's `actual` values with `contract`; unknown keywords are errors."""
    mismatches, unchecked = [], []
    for attr, raw in actual.items():
        if attr not in CONTRACT_FIELDS:
            raise PipelineError(f"verify({name!r}): unknown field {attr!r}"
                                + did_you_mean(attr, list(CONTRACT_FIELDS)))
        try:
            value = coerce(attr, raw)
        except ValueError as e:
            raise PipelineError(f"verify({name!r}): {attr}: {e}") from None
        expected = getattr(contract, attr)
        if expected is None or value is None:
            unchecked.append(attr)
        elif not same(attr, expected, value):
            mismatches.append(Mismatch(attr, expected, value))
    return Verified(name, tuple(mismatches), tuple(unchecked))


def verify(name: str, *, source: Union[str, Path, None] = None,
           on_mismatch: Optional[str] = None, **actual: Any) -> Verified:
    """Check the values serving uses against pipeline `name` of the training contract."""
    policy = on_mismatch or os.environ.get("ENVAUDIT_PIPELINE_ON_MISMATCH") or "raise"
    if policy not in _POLICIES:
        raise PipelineError(f"on_mismatch must be one of {', '.join(_POLICIES)}, not {policy!r}")
    result = check(_contract(name, source), name, actual)
    if result.unchecked:
        LOG.warning("pipeline %s: training did not state %s: not checked", name,
                    ", ".join(result.unchecked))
    if result.mismatches:
        error = PipelineMismatch(name, result.mismatches)
        if policy == "raise":
            raise error
        LOG.error("%s", error)
    return result


class verifying(contextlib.ContextDecorator):
    """verify() on entering a `with` block, or before each call of a decorated function."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.name = name
        self.kwargs = kwargs

    def __enter__(self) -> verifying:
        verify(self.name, **self.kwargs)
        return self

    def __exit__(self, *exc: object) -> None:
        return None
