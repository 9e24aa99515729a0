"""The TOML lockfile: header, schema version, canonical hash, [unavailable], TOML text.

The sections themselves, and how each is written and read, belong to envaudit.model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit.codec import Problems, kind_of
from envaudit.digest import sha256
from envaudit.errors import LockfileError
from envaudit.model import SECTIONS, Fingerprint, Meta, Section, Unavailable, unavailable

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 1  # 1.1: the optional [pipelines] and [behaviour] sections
SCHEMA = f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}"
DEFAULT_PATH = "envaudit.lock"

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


def to_dict(fp: Fingerprint) -> dict[str, Any]:
    """The lock document for `fp` (content-hash filled in), in its canonical key order."""
    doc: dict[str, Any] = {
        "envaudit": {"schema": fp.meta.schema, "created": fp.meta.created, "tool": fp.meta.tool}
    }
    missing: dict[str, str] = {}
    for section in SECTIONS:
        value = getattr(fp, section.attr)
        if isinstance(value, Unavailable):
            if section.listed:
                missing[section.key] = value.reason
        else:
            doc[section.key] = section.encode(value)
    if missing:
        doc["unavailable"] = dict(sorted(missing.items()))
    doc["envaudit"]["content-hash"] = content_hash(doc)
    return doc


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
    return "sha256:" + sha256(canonical.encode("utf-8")).hexdigest()


def dumps(fp: Fingerprint) -> str:
    import tomli_w  # only the writers need it

    return tomli_w.dumps(to_dict(fp))


def _decode_section(doc: Mapping[str, Any], section: Section, problems: Problems,
                    newer: bool) -> Any:
    if section.key not in doc:
        return Unavailable("not recorded in the lockfile")
    return section.decode(doc[section.key], problems, newer=newer)


_SCHEMA_RE = re.compile(r"(\d{1,4})\.(\d{1,4})")  # fullmatch: "1.0\n" is not a schema


def from_dict(doc: dict[str, Any], source: str = "lockfile", *,
              digest: str | None = None) -> LoadedLock:
    """Validate a parsed lock document; raise LockfileError naming every bad key path.

    `digest` is content_hash(doc) when the caller has already computed it."""
    problems = Problems()
    header, schema, notes = _schema(doc, source)
    meta = Meta(
        schema=schema,
        created=_header_str(header, "created", problems),
        tool=_header_str(header, "tool", problems),
        content_hash=_header_str(header, "content-hash", problems),
    )
    newer = any(n.code == "schema-minor" for n in notes)
    sections = {s.attr: _decode_section(doc, s, problems, newer) for s in SECTIONS
                if s.listed or s.key in doc}  # an absent unlisted section keeps its default
    sections.update(_unavailable(doc, problems))
    _duplicates(sections, problems)
    if problems.items:
        more = len(problems.items) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise LockfileError(f"{source}: invalid lockfile: {problems.items[0]}{tail}")
    if meta.content_hash != (digest or content_hash(doc)):
        what = "has no content-hash" if not meta.content_hash else "content-hash does not match"
        notes.append(LockNote("content-hash", f"{source} {what}: it was edited by hand or by"
                              " another tool after envaudit wrote it"))
    return LoadedLock(Fingerprint(meta=meta, **sections), tuple(notes))


def _duplicates(sections: Mapping[str, Any], problems: Problems) -> None:
    """Two [[packages]] of one name, or two [[gpus]] of one index, make a lock ambiguous."""
    for attr, field in (("packages", "name"), ("gpus", "index")):
        items = sections.get(attr)
        if not isinstance(items, tuple):
            continue
        seen: dict[Any, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, field)
            if value in seen:
                problems.add(f"{attr}[{i}].{field}", f"duplicate {field} {value!r}"
                             f" (also {attr}[{seen[value]}])")
            seen.setdefault(value, i)


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


def _unavailable(doc: Mapping[str, Any], problems: Problems) -> dict[str, Unavailable]:
    """Sections listed under [unavailable], each with its reason."""
    table = doc.get("unavailable", {})
    if not isinstance(table, dict):
        problems.add("unavailable", f"expected a table, got {kind_of(table)}")
        return {}
    out: dict[str, Unavailable] = {}
    for section in SECTIONS:
        key = section.key
        reason = table.get(key)
        if reason is None or not section.listed:
            continue
        if not isinstance(reason, str):
            problems.add(f"unavailable.{key}", f"expected a string, got {kind_of(reason)}")
        elif key in doc:
            problems.add(f"unavailable.{key}", f"section [{key}] is both present and unavailable")
        else:
            out[section.attr] = unavailable(reason)
    return out


def _header_str(header: Mapping[str, Any], key: str, problems: Problems) -> str:
    value = header.get(key, "")
    if not isinstance(value, str):
        problems.add(f"envaudit.{key}", f"expected a string, got {kind_of(value)}")
        return ""
    return value


def loads(text: str, source: str = "lockfile") -> LoadedLock:
    """Parse (within safetoml's bounds) and validate a lock's text: the fast reader when the
    lock's content-hash confirms it read envaudit's own layout and its values are within the
    same bounds (envaudit.lockread), else the bounded TOML parser."""
    from envaudit import lockread, safetoml  # only readers need the parser

    fast = lockread.read(text)  # None for anything outside its layout or the bounds
    if fast is not None:
        digest = content_hash(fast)
        header = fast.get("envaudit")
        if isinstance(header, dict) and header.get("content-hash") == digest:
            return from_dict(fast, source, digest=digest)
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
