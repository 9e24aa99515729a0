"""Artifacts in a snapshot (record) and on the deployment side of a diff (verify)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Optional

from envaudit.artifacts.collect import collect, read_artifact
from envaudit.artifacts.hashing import Progress
from envaudit.artifacts.interface import Artifact, ArtifactError
from envaudit.model import Fingerprint, Unavailable

_TENSORRT = ("tensorrt", "tensorrt-cu13", "tensorrt-cu12", "tensorrt-cu11", "tensorrt-libs")


def build_host(fp: Fingerprint) -> dict[str, str]:
    """What a TensorRT plan does not record about where it was built: this host's GPUs."""
    out: dict[str, str] = {}
    if isinstance(fp.gpus, Unavailable):
        out["build_gpu"] = f"unknown ({fp.gpus.reason})"
    else:
        visible = [g for g in fp.gpus if g.visible]
        out["build_gpu"] = ",".join(sorted({g.name for g in visible})) or "none"
        out["build_compute_capability"] = ",".join(sorted({g.compute_capability
                                                           for g in visible}))
    out["build_tensorrt"] = _tensorrt(fp)
    return {k: v for k, v in out.items() if v}


def _tensorrt(fp: Fingerprint) -> str:
    """The snapshot host's TensorRT: its wheel, else the one libnvinfer found on disk."""
    for name in _TENSORRT:
        pkg = fp.package(name)
        if pkg is not None:
            return pkg.version
    if isinstance(fp.cuda_libraries, Unavailable):
        return ""
    libs = sorted({lib.version for lib in fp.cuda_libraries if lib.name == "nvinfer"})
    return libs[0] if len(libs) == 1 else ""


def record(fp: Fingerprint, paths: Sequence[str], *,
           progress: Optional[Progress] = None) -> Fingerprint:
    """The fingerprint with the artifacts at `paths` (snapshot --artifact)."""
    found = collect(paths, build_host=build_host(fp), progress=progress)
    return dataclasses.replace(fp, artifacts=found)


def problems(artifacts: Sequence[Artifact]) -> list[str]:
    """Every problem of the artifacts, one line each (snapshot prints them as warnings)."""
    lines = [f"{a.path}: {p}" for a in artifacts for p in a.problems]
    lines += [f"{a.path}: {p}" for a in artifacts for f in a.files for p in f.problems]
    return lines


def verify(locked: Fingerprint, current: Fingerprint, overrides: Sequence[str] = (), *,
           progress: Optional[Progress] = None) -> Fingerprint:
    """`current` with the deployment copies of the locked artifacts read from disk."""
    if isinstance(locked.artifacts, Unavailable):
        if overrides:
            raise ArtifactError("--artifact: the lock records no artifacts (snapshot --artifact"
                                " records them on the training side)")
        return current
    where = locations(locked.artifacts, overrides)
    found = tuple(read_artifact(where[a.path], record_as=a.path, progress=progress)
                  for a in locked.artifacts)
    return dataclasses.replace(current, artifacts=found)


def locations(locked: Sequence[Artifact], overrides: Sequence[str]) -> dict[str, Path]:
    """Where each locked artifact is on this host: its locked path, or the --artifact given
    for it (matched by name; a single locked artifact takes a single --artifact)."""
    where = {a.path: Path(a.path) for a in locked}
    if len(locked) == 1 and len(overrides) == 1:
        return {locked[0].path: Path(overrides[0])}
    by_name = {PurePosixPath(a.path).name: a.path for a in locked}
    for given in overrides:
        name = Path(given).name
        if name not in by_name:
            known = ", ".join(sorted(where))
            raise ArtifactError(f"--artifact {given}: no locked artifact named {name!r}"
                                f" (the lock has {known})")
        where[by_name[name]] = Path(given)
    return where
