"""Checks of the model-artifact rules (ART-*): the deployment's copy of each locked model file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Optional

from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.checks.frameworks import names
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.ort_support import support_verdict
from envaudit.rules.versions import installed

if TYPE_CHECKING:  # the diff path loads every check: keep the artifacts role out of it
    from envaudit.artifacts.interface import Artifact, ArtifactFile

def _matched(ctx: Context) -> Iterator[tuple[Artifact, Optional[Artifact]]]:
    """(locked, deployment copy or None) for every locked artifact, when both sides recorded
    artifacts. Matched by path, else by name (a deployment lock taken elsewhere), else a
    single artifact on each side."""
    if isinstance(ctx.locked.artifacts, Unavailable) or isinstance(ctx.current.artifacts,
                                                                    Unavailable):
        return
    by_path = {a.path: a for a in ctx.current.artifacts}
    names = [PurePosixPath(a.path).name for a in ctx.current.artifacts]
    by_name = {n: a for n, a in zip(names, ctx.current.artifacts) if names.count(n) == 1}
    single = len(ctx.locked.artifacts) == 1 and len(ctx.current.artifacts) == 1
    for art in ctx.locked.artifacts:
        found = by_path.get(art.path) or by_name.get(PurePosixPath(art.path).name)
        yield art, found or (ctx.current.artifacts[0] if single else None)


def _pairs(ctx: Context) -> Iterator[tuple[Artifact, Artifact]]:
    for art, found in _matched(ctx):
        if found is not None:
            yield art, found


def _subject(art: Artifact, f: Optional[ArtifactFile] = None) -> str:
    if f is None or (art.kind == "file" and f.path == art.files[0].path):
        return f"artifact {art.path}"
    return f"artifact {art.path}/{f.path}" if art.kind == "directory" else f"artifact {f.path}"


@check("artifact-missing")
def artifact_missing(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A locked artifact, or one of its files, is not on the deployment side."""
    for old, found in _matched(ctx):
        if found is None:
            yield Match(_subject(old), f"{len(old.files)} files", "not recorded",
                        f"{old.path} is not among the deployment side's artifacts")
            continue
        new = found
        if not new.files:
            yield Match(_subject(old), f"{len(old.files)} files", "missing",
                        f"{old.path} is missing on the deployment side ({'; '.join(new.problems)})")
            continue
        for f in old.files:
            if new.file(f.path) is None:
                yield Match(_subject(old, f), f"{f.size} bytes", "missing",
                            f"{f.path} of {old.path} is missing on the deployment side")


@check("artifact-changed")
def artifact_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A file's content differs from the lock: truncated (shorter), or edited/replaced."""
    for old, new in _pairs(ctx):
        for f in old.files:
            got = new.file(f.path)
            if got is None or got.sha256 == f.sha256:
                continue
            what = (f"truncated: {got.size} of {f.size} bytes" if got.size < f.size
                    else f"changed: sha256 {got.sha256[:12]}… instead of {f.sha256[:12]}…")
            yield Match(_subject(old, f), f"sha256:{f.sha256[:12]} ({f.size} bytes)",
                        f"sha256:{got.sha256[:12]} ({got.size} bytes)", f"{f.path} {what}")


@check("artifact-problems")
def artifact_problems(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The deployment copy is incomplete or unreadable in its own format's terms."""
    for old, new in _pairs(ctx):
        if not new.files:
            continue  # artifact-missing says it
        for problem in new.problems:
            yield Match(_subject(old), "complete", "incomplete", problem)
        for f in new.files:
            for problem in f.problems:
                yield Match(_subject(new, f), "readable", "broken", problem)


# ---------------------------------------------------------------- ONNX Runtime support


def _onnx_files(fp: Fingerprint) -> Iterator[tuple[Artifact, ArtifactFile]]:
    if isinstance(fp.artifacts, Unavailable):
        return
    for art in fp.artifacts:
        for f in art.files:
            if f.format == "onnx" and f.facts:
                yield art, f


@check("onnx-runtime-support")
def onnx_runtime_support(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """An ONNX model stamped with an opset or IR version the deployed ONNX Runtime cannot load."""
    ort = installed(ctx.current, names(params["package"]))
    if ort is None:
        return
    release = (ort.public.major, ort.public.minor)
    # The deployment's copy when it was read, else the locked model (the one meant to ship).
    side = ctx.locked if isinstance(ctx.current.artifacts, Unavailable) else ctx.current
    for art, f in _onnx_files(side):
        for key in ("opset.ai.onnx", "opset.ai.onnx.ml", "ir_version"):
            if key in f.facts and f.facts[key].isdigit():
                yield from _ort_match(art, f, key, int(f.facts[key]), (ort.name, ort.version),
                                      release)


def _ort_match(art: Artifact, f: ArtifactFile, key: str, value: int,
               ort: tuple[str, str], release: tuple[int, int]) -> Iterator[Match]:
    verdict, limit = support_verdict(release, key, value)
    if verdict == "ok":
        return
    label = {"opset.ai.onnx": "ai.onnx opset", "opset.ai.onnx.ml": "ai.onnx.ml opset",
             "ir_version": "IR version"}[key]
    sentence = (f"{f.path} needs {label} {value}; {ort[0]} {ort[1]} loads {limit}"
                + ("" if verdict == "unsupported" else " (cannot confirm it loads)"))
    severity = None if verdict == "unsupported" else Severity.WARNING
    yield Match(_subject(art, f), f"{label} {value}", f"{ort[0]} {ort[1]}", sentence, severity)


# ---------------------------------------------------------------- TensorRT engines


def _engines(fp: Fingerprint) -> Iterator[tuple[Artifact, ArtifactFile]]:
    if isinstance(fp.artifacts, Unavailable):
        return
    for art in fp.artifacts:
        for f in art.files:
            if f.format == "tensorrt":
                yield art, f


def _gpus(fp: Fingerprint) -> Optional[tuple[str, str]]:
    """(names, compute capabilities) of the visible GPUs, comma-joined; None if not collected."""
    if isinstance(fp.gpus, Unavailable):
        return None
    visible = [g for g in fp.gpus if g.visible]
    return (",".join(sorted({g.name for g in visible})),
            ",".join(sorted({g.compute_capability for g in visible})))


@check("tensorrt-engine-gpu")
def tensorrt_engine_gpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A TensorRT engine runs on a GPU other than the one it was built on."""
    here = _gpus(ctx.current)
    if here is None:
        return
    for art, f in _engines(ctx.locked):
        built = (f.facts.get("build_gpu", ""), f.facts.get("build_compute_capability", ""))
        if not built[1] or built == here:
            continue
        same_arch = built[1] == here[1]
        detail = (f"{f.path} was built on {built[0]} (sm {built[1]}) and runs on {here[0]}"
                  f" (sm {here[1] or 'none'})"
                  + (": same compute capability, another GPU model" if same_arch else ""))
        yield Match(_subject(art, f), f"{built[0]} ({built[1]})", f"{here[0]} ({here[1]})",
                    detail, Severity.WARNING if same_arch else None)


@check("tensorrt-engine-version")
def tensorrt_engine_version(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A TensorRT engine meets a TensorRT runtime other than the one that built it."""
    runtime = _tensorrt_runtime(ctx.current, names(params["package"]))
    if runtime is None:
        return
    for art, f in _engines(ctx.locked):
        built, how = _engine_version(f)
        if built and not _same_release(built, runtime[1]):
            yield Match(_subject(art, f), built, runtime[1],
                        f"{f.path} was built with TensorRT {built} ({how}); the deployment"
                        f" has {runtime[0]} {runtime[1]}")


def _tensorrt_runtime(fp: Fingerprint, dists: list[str]) -> Optional[tuple[str, str]]:
    """(what, version) of the deployment's TensorRT: its wheel, else libnvinfer on disk."""
    trt = installed(fp, dists)
    if trt is not None:
        return trt.name, trt.version
    if isinstance(fp.cuda_libraries, Unavailable):
        return None
    libs = sorted({lib.version for lib in fp.cuda_libraries if lib.name == "nvinfer"})
    return ("libnvinfer", libs[0]) if len(libs) == 1 else None


def _engine_version(f: ArtifactFile) -> tuple[str, str]:
    if f.facts.get("tensorrt_version"):
        return f.facts["tensorrt_version"], "read from the plan header, heuristic"
    if f.facts.get("build_tensorrt"):
        return f.facts["build_tensorrt"], "installed when the lock was taken"
    return "", ""


def _same_release(a: str, b: str) -> bool:
    return a.split(".")[:3] == b.split(".")[:3]
