"""Record model artifacts: every file's size and sha256, and what each format says about itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Optional

from envaudit import safeio
from envaudit.artifacts import savedmodel, tensorrt, tflite, torchzip
from envaudit.artifacts.hashing import Progress, sha256_file
from envaudit.artifacts.interface import Artifact, ArtifactError, ArtifactFile
from envaudit.artifacts.onnx import read_onnx

TORCH_SUFFIXES = frozenset({".pt", ".pth", ".ptl", ".torchscript", ".jit"})
TENSORRT_SUFFIXES = frozenset({".engine", ".plan", ".trt"})


def collect(
    paths: Sequence[str],
    *,
    build_host: Optional[Mapping[str, str]] = None,
    progress: Optional[Progress] = None,
) -> tuple[Artifact, ...]:
    """The artifacts at `paths` (snapshot side). A path that does not exist is an error.

    `build_host` holds the facts of the snapshot host recorded with TensorRT engines, whose
    plan does not name the GPU it was built for (build_gpu, build_compute_capability...).
    """
    out = []
    for given in dict.fromkeys(paths):  # the same path twice is recorded once
        path = Path(given)
        if not path.exists():
            raise ArtifactError(f"{given}: no such file or directory (--artifact)")
        out.append(read_artifact(path, record_as=_posix(given), build_host=build_host,
                                 progress=progress))
    return tuple(sorted(out, key=lambda a: a.path))


def read_artifact(
    path: Path,
    *,
    record_as: str,
    build_host: Optional[Mapping[str, str]] = None,
    progress: Optional[Progress] = None,
) -> Artifact:
    """One artifact as it is on disk now; a missing path gives an artifact with a problem."""
    host = dict(build_host or {})
    if path.is_dir():
        return _directory(path, record_as, host, progress)
    if not path.is_file():
        return Artifact(record_as, "file", problems=(_not_a_file(path),))
    files = _files(path.parent, [path.name], host, progress)
    extra = [f for f in _sidecars(path, files[0]) if f not in {x.path for x in files}]
    files += _files(path.parent, extra, host, progress, sidecar=True)
    return Artifact(record_as, "file", files[0].format, tuple(files), {},
                    tuple(_missing_sidecars(path.parent, files[0])))


def _not_a_file(path: Path) -> str:
    """Why `path` is not read: absent, or a FIFO/device/socket (never opened: it could block)."""
    try:
        kind = safeio.file_type(path.stat().st_mode)
    except OSError:
        return f"not found at {path}"
    return f"{path} {kind}: not read" if kind else f"not found at {path}"


def _posix(given: str) -> str:
    text = given.replace("\\", "/")
    return str(PurePosixPath(text)) if text else text


def _directory(path: Path, record_as: str, host: dict[str, str],
               progress: Optional[Progress]) -> Artifact:
    names = sorted(_walk(path))
    files = _files(path, names, host, progress)
    specials = _specials(path)
    if not savedmodel.is_savedmodel(path):
        problems = [p for f in files for p in _missing_sidecars(path, f)]
        problems += _nested_savedmodels(names) + specials
        return Artifact(record_as, "directory", "", tuple(files), {}, tuple(problems))
    facts = savedmodel.facts(path)
    problems = savedmodel.completeness(names) + specials
    if "problem" in facts:
        problems.append(facts.pop("problem"))
    return Artifact(record_as, "directory", "savedmodel", tuple(files), facts, tuple(problems))


def _nested_savedmodels(names: Sequence[str]) -> list[str]:
    """Completeness of SavedModels below the root (TF Serving's MODEL/VERSION/ layout)."""
    roots = sorted({n.rsplit("/", 1)[0] for n in names
                    if n.endswith(("/saved_model.pb", "/saved_model.pbtxt"))})
    problems = []
    for root in roots:
        inside = [n[len(root) + 1:] for n in names if n.startswith(root + "/")]
        problems += [f"{root}: {p}" for p in savedmodel.completeness(inside)]
    return problems


def _walk(root: Path) -> Iterator[str]:
    """Regular files under root as POSIX paths relative to it (symlinked files included);
    FIFOs, devices and sockets are left out (_specials names them)."""
    for item in root.rglob("*"):
        if item.is_file():
            yield item.relative_to(root).as_posix()


def _specials(root: Path) -> list[str]:
    """A problem for each FIFO, device or socket under root: left out, never opened."""
    out = []
    for item in root.rglob("*"):
        if not item.is_file() and not item.is_dir() and item.exists():
            kind = safeio.file_type(item.stat().st_mode) or "is not a regular file"
            out.append(f"{item.relative_to(root).as_posix()} {kind}: not read")
    return out


def _files(base: Path, names: Sequence[str], host: dict[str, str],
           progress: Optional[Progress], *, sidecar: bool = False) -> list[ArtifactFile]:
    out = []
    for name in names:
        path = base / name
        try:
            size, digest = sha256_file(path, progress=progress)
        except OSError as e:
            raise ArtifactError(f"{path}: cannot read: {e.strerror or e}") from e
        fmt, facts, problems = ("onnx-external-data", {}, []) if sidecar else _format(path, host)
        out.append(ArtifactFile(name, size, digest, fmt, facts, tuple(problems)))
    return out


def _format(path: Path, host: dict[str, str]) -> tuple[str, dict[str, str], list[str]]:
    """(format, facts, problems) of one file, recognised by its suffix and first bytes."""
    suffix = path.suffix.lower()
    head = safeio.read_head(path, 8)
    if suffix == ".onnx":
        return ("onnx", *_onnx(path))
    if suffix in TORCH_SUFFIXES and head.startswith(torchzip.ZIP_MAGIC):
        return torchzip.read(path)
    if suffix in TORCH_SUFFIXES:
        return "torch", {}, ["not a zip archive: a legacy torch.save pickle or a truncated copy"]
    if suffix in TENSORRT_SUFFIXES:
        facts, problems = tensorrt.read(path)
        return "tensorrt", {**facts, **host}, problems
    if suffix == ".tflite" or tflite.is_tflite(head):
        return ("tflite", *tflite.read(path))
    return "", {}, []


def _onnx(path: Path) -> tuple[dict[str, str], list[str]]:
    try:
        model = read_onnx(path)
    except ArtifactError as e:
        return {}, [str(e).replace(f"{path}: ", "", 1)]
    facts = {
        "ir_version": str(model.ir_version),
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        **{f"opset.{d or 'ai.onnx'}": str(v) for d, v in sorted(model.opsets.items())},
    }
    if model.external_data:
        facts["external_data"] = ",".join(model.external_data)
    return facts, []


def _sidecars(model: Path, entry: ArtifactFile) -> list[str]:
    """External data files named by an ONNX model, relative to the model's directory."""
    locations = entry.facts.get("external_data", "")
    return [
        loc for loc in locations.split(",")
        if _inside(loc) and (model.parent / loc).is_file()
    ]


def _inside(location: str) -> bool:
    """ONNX external data must lie in or below the model's directory (onnx ExternalData.md)."""
    pure = PurePosixPath(location.replace("\\", "/"))
    return bool(location) and not pure.is_absolute() and ".." not in pure.parts


def _missing_sidecars(base: Path, entry: ArtifactFile) -> list[str]:
    locations = entry.facts.get("external_data", "")
    folder = PurePosixPath(entry.path).parent
    problems = []
    for loc in filter(None, locations.split(",")):
        if not _inside(loc):
            problems.append(f"{entry.path}: external data location {loc} is outside its folder")
        elif not (base / folder / loc).is_file():
            problems.append(f"{entry.path}: external data file {loc} is missing")
    return problems
