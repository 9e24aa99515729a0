"""The TOML lockfile: schema, canonical hash, validation with key paths, atomic write."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from envaudit import model
from envaudit.errors import LockfileError
from envaudit.model import Fingerprint, Meta, Unavailable

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 0
SCHEMA = f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}"
DEFAULT_PATH = "envaudit.lock"

# Section attribute -> (TOML key, element type, kind). "table" is one table,
# "array" an array of tables, "map" a table of tables or of strings.
_SECTIONS: dict[str, tuple[str, Any, str]] = {
    "python": ("python", model.PythonInfo, "table"),
    "platform": ("platform", model.PlatformInfo, "table"),
    "cpu": ("cpu", model.CpuInfo, "table"),
    "packages": ("packages", model.Package, "array"),
    "env": ("env", str, "map"),
    "nvidia": ("nvidia", model.NvidiaInfo, "table"),
    "gpus": ("gpus", model.Gpu, "array"),
    "frameworks": ("frameworks", model.Framework, "map"),
    "cuda_libraries": ("cuda-libraries", model.CudaLibrary, "array"),
    "cuda_toolkit": ("cuda-toolkit", model.CudaToolkit, "table"),
    "runtime": ("runtime", Mapping[str, str], "map"),
}


@dataclass(frozen=True)
class LockNote:
    """Something a reader should know about a lock that loaded fine."""

    code: str  # "content-hash" or "schema-minor"
    message: str


@dataclass(frozen=True)
class LoadedLock:
    fingerprint: Fingerprint
    notes: tuple[LockNote, ...] = ()


# ---------------------------------------------------------------- encoding


def _key(name: str) -> str:
    return name.replace("_", "-")


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None or item == _default_of(f):
                continue  # defaults are omitted: the lock stays small and diffable
            out[_key(f.name)] = _encode(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def to_dict(fp: Fingerprint) -> dict[str, Any]:
    """The lock document for `fp` (content-hash filled in), in its canonical key order."""
    doc: dict[str, Any] = {
        "envaudit": {"schema": fp.meta.schema, "created": fp.meta.created, "tool": fp.meta.tool}
    }
    unavailable: dict[str, str] = {}
    for attr, (key, _tp, kind) in _SECTIONS.items():
        value = getattr(fp, attr)
        if isinstance(value, Unavailable):
            unavailable[key] = value.reason
        elif kind == "array":
            doc[key] = [_encode(v) for v in sorted(value, key=_array_sort_key)]
        else:
            doc[key] = _encode(value)
    if unavailable:
        doc["unavailable"] = dict(sorted(unavailable.items()))
    doc["envaudit"]["content-hash"] = content_hash(doc)
    return doc


def _array_sort_key(item: Any) -> tuple[Any, ...]:
    if isinstance(item, model.Gpu):
        return (item.index,)
    if isinstance(item, model.CudaLibrary):
        return (item.name, item.path)
    return (getattr(item, "name", ""),)


def content_hash(doc: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of `doc` without envaudit.created and envaudit.content-hash.

    Canonical JSON: keys sorted, separators "," and ":", non-ASCII kept, UTF-8
    (see docs/lockfile.md, so that other tools can write a valid lock).
    """
    stripped = dict(doc)
    header = dict(stripped.get("envaudit", {}))
    header.pop("created", None)
    header.pop("content-hash", None)
    stripped["envaudit"] = header
    canonical = json.dumps(
        stripped, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dumps(fp: Fingerprint) -> str:
    import tomli_w  # only the writers need it

    return tomli_w.dumps(to_dict(fp))


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (envaudit.safewrite.write_atomic)."""
    from envaudit.safewrite import write_atomic as write

    write(path, text)


# ---------------------------------------------------------------- decoding


class _Problems:
    """Collects every schema problem, so one run reports them all (like packaging.pylock)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"at '{path}': {message}")


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _decode(value: Any, tp: Any, path: str, problems: _Problems) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:  # Optional[X]
        inner = [a for a in args if a is not type(None)]
        return _decode(value, inner[0], path, problems)
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(value, tp, path, problems)
    if origin is tuple:
        if not isinstance(value, list):
            problems.add(path, f"expected an array, got {_kind(value)}")
            return ()
        return tuple(_decode(v, args[0], f"{path}[{i}]", problems) for i, v in enumerate(value))
    if origin in (Mapping, dict, typing.Mapping):
        if not isinstance(value, dict):
            problems.add(path, f"expected a table, got {_kind(value)}")
            return {}
        return {k: _decode(v, args[1], f"{path}.{k}", problems) for k, v in value.items()}
    ok = (
        isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool))
        if tp is float
        else isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    )
    if not ok:
        problems.add(path, f"expected {_TYPE_NAMES.get(tp, tp)}, got {_kind(value)}")
        return tp()
    return float(value) if tp is float else value


def _decode_dataclass(value: Any, tp: Any, path: str, problems: _Problems) -> Any:
    if not isinstance(value, dict):
        problems.add(path, f"expected a table, got {_kind(value)}")
        value = {}
    hints = typing.get_type_hints(tp)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(tp):
        key = _key(f.name)
        if key in value:
            kwargs[f.name] = _decode(value[key], hints[f.name], f"{path}.{key}", problems)
        elif _default_of(f) is dataclasses.MISSING:
            problems.add(f"{path}.{key}", "required key is missing")
            kwargs[f.name] = _placeholder(hints[f.name])
    return tp(**kwargs)


def _placeholder(tp: Any) -> Any:
    return 0 if tp is int else 0.0 if tp is float else False if tp is bool else ""


def _decode_section(doc: dict[str, Any], attr: str, problems: _Problems) -> Any:
    key, tp, kind = _SECTIONS[attr]
    if key not in doc:
        return Unavailable("not recorded in the lockfile")
    raw = doc[key]
    if kind == "table":
        return _decode(raw, tp, key, problems)
    if kind == "array":
        if not isinstance(raw, list):
            problems.add(key, f"expected an array of tables, got {_kind(raw)}")
            return ()
        return tuple(_decode(v, tp, f"{key}[{i}]", problems) for i, v in enumerate(raw))
    if not isinstance(raw, dict):
        problems.add(key, f"expected a table, got {_kind(raw)}")
        return {}
    return {k: _decode(v, tp, f"{key}.{k}", problems) for k, v in raw.items()}


_SCHEMA_RE = re.compile(r"(\d{1,4})\.(\d{1,4})")  # fullmatch: "1.0\n" is not a schema


def from_dict(doc: dict[str, Any], source: str = "lockfile") -> LoadedLock:
    """Validate a parsed lock document; raise LockfileError naming every bad key path."""
    problems = _Problems()
    header, schema, notes = _schema(doc, source)
    meta = Meta(
        schema=schema,
        created=_header_str(header, "created", problems),
        tool=_header_str(header, "tool", problems),
        content_hash=_header_str(header, "content-hash", problems),
    )
    sections: dict[str, Any] = {a: _decode_section(doc, a, problems) for a in _SECTIONS}
    sections.update(_unavailable(doc, problems))
    _duplicates(sections, problems)
    if problems.items:
        more = len(problems.items) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise LockfileError(f"{source}: invalid lockfile: {problems.items[0]}{tail}")
    if meta.content_hash != content_hash(doc):
        what = "has no content-hash" if not meta.content_hash else "content-hash does not match"
        notes.append(LockNote("content-hash", f"{source} {what}: it was edited by hand or by"
                              " another tool after envaudit wrote it"))
    return LoadedLock(Fingerprint(meta=meta, **sections), tuple(notes))


def _schema(doc: Mapping[str, Any], source: str) -> tuple[Mapping[str, Any], str, list[LockNote]]:
    """The [envaudit] table and its schema; an unknown major is fatal, a newer minor a note."""
    header = doc.get("envaudit")
    if not isinstance(header, dict):
        raise LockfileError(f"{source}: not an envaudit lockfile (no [envaudit] table)")
    schema = header.get("schema")
    m = _SCHEMA_RE.fullmatch(schema) if isinstance(schema, str) else None
    if m is None or not isinstance(schema, str):
        raise LockfileError(f"{source}: at 'envaudit.schema': expected a version like \"1.0\"")
    if int(m.group(1)) != SCHEMA_MAJOR:
        raise LockfileError(
            f"{source}: unsupported lockfile schema {schema} (this envaudit reads {SCHEMA_MAJOR}.x)"
        )
    notes = []
    if int(m.group(2)) > SCHEMA_MINOR:
        notes.append(LockNote("schema-minor", f"{source} uses schema {schema}, newer than {SCHEMA}:"
                              " keys this version does not know are ignored"))
    return header, schema, notes


def _unavailable(doc: Mapping[str, Any], problems: _Problems) -> dict[str, Unavailable]:
    """Sections listed under [unavailable], each with its reason."""
    table = doc.get("unavailable", {})
    if not isinstance(table, dict):
        problems.add("unavailable", f"expected a table, got {_kind(table)}")
        return {}
    out: dict[str, Unavailable] = {}
    for attr, (key, _tp, _) in _SECTIONS.items():
        reason = table.get(key)
        if reason is None:
            continue
        if not isinstance(reason, str):
            problems.add(f"unavailable.{key}", f"expected a string, got {_kind(reason)}")
        elif key in doc:
            problems.add(f"unavailable.{key}", f"section [{key}] is both present and unavailable")
        else:
            out[attr] = Unavailable(reason)
    return out


def _duplicates(sections: Mapping[str, Any], problems: _Problems) -> None:
    """Two [[packages]] of one name, or two [[gpus]] of one index, make a lock ambiguous."""
    for attr, key in (("packages", "name"), ("gpus", "index")):
        items = sections.get(attr)
        if not isinstance(items, tuple):
            continue
        seen: dict[Any, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                problems.add(f"{attr}[{i}].{key}", f"duplicate {key} {value!r}"
                             f" (also {attr}[{seen[value]}])")
            seen.setdefault(value, i)


def _header_str(header: Mapping[str, Any], key: str, problems: _Problems) -> str:
    value = header.get(key, "")
    if not isinstance(value, str):
        problems.add(f"envaudit.{key}", f"expected a string, got {_kind(value)}")
        return ""
    return value


def loads(text: str, source: str = "lockfile") -> LoadedLock:
    """Parse (within safetoml's bounds) and validate a lock document."""
    from envaudit import safetoml  # only readers need the parser

    try:
        doc = safetoml.loads(text)
    except safetoml.TomlInputError as e:
        raise LockfileError(f"{source}: {e}") from e
    return from_dict(doc, source)


def load(path: Path) -> LoadedLock:
    """Read and validate the lock at `path`; every failure is a one-line LockfileError."""
    from envaudit import safeio

    try:
        data = safeio.read_bytes(path, "lock")
        if not data.strip():
            raise safeio.UnsafeFile(path, "empty file, not a lockfile")
        text = safeio.decode(data, path)
    except safeio.UnsafeFile as e:
        if e.reason == "no such file":
            raise LockfileError(f"{path}: no such lockfile (run 'envaudit snapshot' first)"
                                ) from e
        raise LockfileError(f"{path}: {e.reason}") from e
    return loads(text, str(path))
