"""The artifacts role: its error and the facts recorded about each model file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from envaudit.errors import EnvauditError


class ArtifactError(EnvauditError):
    """A model artifact is missing, unreadable or malformed (exit code 3 via the CLI funnel)."""


@dataclass(frozen=True)
class ArtifactFile:
    """One file of an artifact: where it is (relative to the artifact), its size and hash."""

    path: str  # POSIX path relative to the artifact's base (its directory, or a file's parent)
    size: int
    sha256: str
    # "onnx", "onnx-external-data", "torchscript", "torch-save", "tensorrt", "tflite", "" (other)
    format: str = ""
    # What the format says about itself, read without the framework (all values are strings).
    facts: Mapping[str, str] = field(default_factory=dict)
    # What is wrong with the file itself (not a zip, not a valid ONNX model...).
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Artifact:
    """One --artifact PATH: a model file or a directory (a SavedModel, an export folder)."""

    path: str  # as given on the command line, POSIX separators
    kind: str  # "file" or "directory"
    format: str = ""  # "savedmodel" for a SavedModel directory, else the file's format
    files: tuple[ArtifactFile, ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)
    # What is incomplete about the artifact as a whole (a missing variables shard...).
    problems: tuple[str, ...] = ()

    def file(self, path: str) -> ArtifactFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None
