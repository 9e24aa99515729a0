"""TensorFlow SavedModel directories: completeness of the variables and the recorded versions.

Layout (https://www.tensorflow.org/guide/saved_model#the_savedmodel_format_on_disk):
``saved_model.pb`` (the graphs), ``variables/variables.index`` and the data shards
``variables/variables.data-XXXXX-of-NNNNN`` (a training checkpoint), optional ``assets/`` and,
since TensorFlow 2.12, ``fingerprint.pb``. A missing shard loads as an error or, worse, not at
all; the shard count is read from the shard file names themselves.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterable
from pathlib import Path

from envaudit import safeio
from envaudit.artifacts import _protobuf as pb

_SHARD = re.compile(r"^variables\.data-(\d{5})-of-(\d{5})$")


def is_savedmodel(directory: Path) -> bool:
    return (directory / "saved_model.pb").is_file() or (directory / "saved_model.pbtxt").is_file()


def completeness(names: Iterable[str]) -> list[str]:
    """Problems with a SavedModel given its files (POSIX paths relative to the directory)."""
    present = set(names)
    if "saved_model.pb" not in present and "saved_model.pbtxt" not in present:
        return ["no saved_model.pb: this is not a complete SavedModel"]
    problems = []
    if "variables/variables.index" not in present:
        problems.append("variables/variables.index is missing: the variables were not exported")
    shards = [_SHARD.match(n[len("variables/"):]) for n in present if n.startswith("variables/")]
    counts = {int(m.group(2)) for m in shards if m}
    if not counts:
        problems.append("no variables/variables.data-*-of-* shard: the weights are missing")
    for total in sorted(counts):
        missing = [f"variables/variables.data-{i:05d}-of-{total:05d}" for i in range(total)]
        absent = [m for m in missing if m not in present]
        if absent:
            problems.append(
                f"{len(absent)} of {total} variables shards missing: {', '.join(absent)}"
            )
    if len(counts) > 1:
        problems.append(f"variables shards from {len(counts)} different exports are mixed")
    return problems


def facts(directory: Path) -> dict[str, str]:
    """The SavedModel's schema and TensorFlow version, and its fingerprint when present."""
    out: dict[str, str] = {}
    out.update(_saved_model_pb(directory / "saved_model.pb"))
    out.update(_fingerprint(directory / "fingerprint.pb"))
    return out


def _mapped(path: Path) -> tuple[pb.Buffer, int] | None:
    try:
        with safeio.open_regular(path) as handle:
            size = handle.seek(0, 2)
            if not size:
                return None
            return mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ), size
    except OSError:
        return None


def _saved_model_pb(path: Path) -> dict[str, str]:
    """SavedModel: saved_model_schema_version (1), meta_graphs (2) -> MetaGraphDef.meta_info_def
    (1) -> tags (4), tensorflow_version (5) (tensorflow/core/protobuf/saved_model.proto and
    meta_graph.proto)."""
    mapped = _mapped(path)
    if mapped is None:
        return {}
    buf, size = mapped
    out: dict[str, str] = {}
    try:
        for f in pb.fields(buf, 0, size):
            if f.number == 1:
                out["saved_model_schema_version"] = str(pb.integer(f))
            elif f.number == 2 and "tensorflow_version" not in out:
                out.update(_meta_graph(buf, f))
    except pb.Malformed as e:
        out["problem"] = f"saved_model.pb is not a valid SavedModel protobuf: {e}"
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()
    return out


def _meta_graph(buf: pb.Buffer, f: pb.Field) -> dict[str, str]:
    out: dict[str, str] = {}
    for g in pb.fields(buf, f.value, f.end):
        if g.number != 1:
            continue
        tags = []
        for h in pb.fields(buf, g.value, g.end):
            if h.number == 4:
                tags.append(pb.text(buf, h))
            elif h.number == 5:
                out["tensorflow_version"] = pb.text(buf, h)
        out["tags"] = ",".join(tags)
    return out


def _fingerprint(path: Path) -> dict[str, str]:
    """FingerprintDef (tensorflow/core/protobuf/fingerprint.proto): five uint64 hashes."""
    names = {1: "saved_model_checksum", 2: "graph_def_program_hash", 3: "signature_def_hash",
             4: "saved_object_graph_hash", 5: "checkpoint_hash"}
    try:
        data = safeio.read_bytes(path, "small")  # a FingerprintDef is five integers
    except safeio.UnsafeFile:
        return {}
    out: dict[str, str] = {}
    try:
        for f in pb.fields(data, 0, len(data)):
            if f.number in names and f.wire == pb.VARINT:
                out[f"fingerprint.{names[f.number]}"] = str(f.value)
    except pb.Malformed as e:
        out["problem"] = f"fingerprint.pb is not a valid FingerprintDef: {e}"
    return out
