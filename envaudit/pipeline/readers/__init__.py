"""Readers: fill a contract from the files people already have, standard library only.

Each reader module has `read(path) -> PipelineSet`. The format is chosen by
`--pipeline-format`, else sniffed from the file name and, for .txt files, content.
"""

from __future__ import annotations

import enum
import importlib
from pathlib import Path

from envaudit.pipeline.interface import PipelineError, PipelineSet

# Text config files are small; anything larger is not what we think it is.
MAX_TEXT_BYTES = 4 * 1024 * 1024


class PipelineFormat(str, enum.Enum):
    AUTO = "auto"
    CONTRACT = "contract"  # envaudit.pipeline.toml, or pyproject.toml [tool.envaudit.pipeline]
    ULTRALYTICS = "ultralytics"  # args.yaml, metadata.yaml, .torchscript, .engine
    ONNX = "onnx"  # input shape and dtype, Ultralytics metadata_props, NMS attributes
    HUGGINGFACE = "huggingface"  # preprocessor_config.json (+ config.json id2label)
    OPENVINO = "openvino"  # IR .xml rt_info/model_info
    DEEPSTREAM = "deepstream"  # nvinfer config file ([property], [class-attrs-all])
    TRITON = "triton"  # config.pbtxt


DEFAULT_NAME = "default"


def read_text(path: Path) -> str:
    """A UTF-8 config file of at most MAX_TEXT_BYTES; PipelineError otherwise.

    Read through envaudit.safeio: a regular file only (a FIFO or a device is refused without
    being opened for a blocking read), never more than the cap."""
    from envaudit import safeio

    try:
        data = safeio.read_bytes(path, safeio.Limit(MAX_TEXT_BYTES))
    except safeio.UnsafeFile as e:
        raise PipelineError(f"{path}: {e.reason}") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PipelineError(f"{path}: not a text file (invalid UTF-8 at byte {e.start})") from e


def _sniff_file(path: Path) -> PipelineFormat | None:
    name, suffix = path.name.lower(), path.suffix.lower()
    by_suffix = {
        ".toml": PipelineFormat.CONTRACT, ".yaml": PipelineFormat.ULTRALYTICS,
        ".yml": PipelineFormat.ULTRALYTICS, ".torchscript": PipelineFormat.ULTRALYTICS,
        ".engine": PipelineFormat.ULTRALYTICS, ".onnx": PipelineFormat.ONNX,
        ".xml": PipelineFormat.OPENVINO, ".pbtxt": PipelineFormat.TRITON,
    }
    if name in ("preprocessor_config.json", "config.json"):
        return PipelineFormat.HUGGINGFACE
    if suffix in by_suffix:
        return by_suffix[suffix]
    if suffix in (".txt", ".ini", ".cfg") and "[property]" in read_text(path):
        return PipelineFormat.DEEPSTREAM
    return None


def _sniff_dir(path: Path) -> tuple[PipelineFormat, Path] | None:
    for name, fmt in (("envaudit.pipeline.toml", PipelineFormat.CONTRACT),
                      ("preprocessor_config.json", PipelineFormat.HUGGINGFACE),
                      ("config.pbtxt", PipelineFormat.TRITON),
                      ("args.yaml", PipelineFormat.ULTRALYTICS),
                      ("metadata.yaml", PipelineFormat.ULTRALYTICS)):
        if (path / name).is_file():
            return fmt, path / name
    pyproject = path / "pyproject.toml"
    if pyproject.is_file() and "[tool.envaudit.pipeline" in read_text(pyproject):
        return PipelineFormat.CONTRACT, pyproject
    return None


def sniff(path: Path) -> tuple[PipelineFormat, Path]:
    """The format of `path` (a file, or a directory holding a known file) and the file."""
    if path.is_dir():
        found = _sniff_dir(path)
        if found is None:
            raise PipelineError(f"{path}: no pipeline file in this directory (looked for"
                                " envaudit.pipeline.toml, preprocessor_config.json,"
                                " config.pbtxt, args.yaml, metadata.yaml, and"
                                " [tool.envaudit.pipeline] in pyproject.toml)")
        return found
    if not path.exists():
        raise PipelineError(f"{path}: no such file")
    fmt = _sniff_file(path)
    if fmt is None:
        choices = ", ".join(f.value for f in PipelineFormat if f is not PipelineFormat.AUTO)
        raise PipelineError(f"{path}: cannot tell the format from the name; pass"
                            f" --pipeline-format ({choices})")
    return fmt, path


def read(path: Path, fmt: PipelineFormat = PipelineFormat.AUTO) -> PipelineSet:
    """The pipelines in `path`, read with the reader of `fmt` (sniffed when AUTO)."""
    if fmt is PipelineFormat.AUTO:
        fmt, path = sniff(path)
    elif path.is_dir():
        found = _sniff_dir(path)
        path = found[1] if found and found[0] is fmt else path
    module = importlib.import_module(f"envaudit.pipeline.readers.{fmt.value}")
    result: PipelineSet = module.read(path)
    if not result.pipelines:
        raise PipelineError(f"{path}: no pipeline found")
    return result
