"""Lockfile: round trips, determinism, the content hash, schema versions, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import lockfile, output
from envaudit._compat import tomllib
from envaudit.errors import LockfileError, OutputError
from envaudit.model import NoDriver, Unavailable
from tests.factories import fp

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _doc(text: str) -> dict[str, object]:
    return tomllib.loads(text)


def test_round_trip_is_identity() -> None:
    original = fp(packages={"torch": "2.4.0+cu124", "numpy": "1.26.4"},
                  env={"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "4"},
                  nvidia=("580.159.04", "13.0"), gpus=[("NVIDIA H200", "9.0")])
    text = lockfile.dumps(original)
    loaded = lockfile.loads(text)
    assert loaded.notes == ()
    assert lockfile.dumps(loaded.fingerprint) == text


def test_empty_env_value_stays_empty_string() -> None:
    text = lockfile.dumps(fp(env={"CUDA_VISIBLE_DEVICES": ""}))
    assert _doc(text)["env"] == {"CUDA_VISIBLE_DEVICES": ""}
    loaded = lockfile.loads(text).fingerprint
    assert loaded.env == {"CUDA_VISIBLE_DEVICES": ""}


def test_unavailable_section_is_written_with_reason_and_read_back() -> None:
    text = lockfile.dumps(fp(nvidia=Unavailable("no NVIDIA driver")))
    assert _doc(text)["unavailable"]["nvidia"] == "no NVIDIA driver"  # type: ignore[index]
    assert lockfile.loads(text).fingerprint.nvidia == NoDriver("no NVIDIA driver")
    reloaded = lockfile.loads(lockfile.dumps(fp(nvidia=Unavailable("NVML timed out"))))
    assert type(reloaded.fingerprint.nvidia) is Unavailable


def test_fixed_contract_keys() -> None:
    doc = _doc(lockfile.dumps(fp(packages={"numpy": "2.1.0"}, env={"TF_X": "1"})))
    header = doc["envaudit"]
    assert set(header) == {"schema", "created", "tool", "content-hash"}  # type: ignore[arg-type]
    assert doc["python"]["version"] == "3.11.7"  # type: ignore[index]
    assert doc["packages"] == [{"name": "numpy", "version": "2.1.0"}]
    assert doc["env"] == {"TF_X": "1"}


def test_deterministic_apart_from_timestamp() -> None:
    a = lockfile.dumps(fp(packages={"b": "1", "a": "2"}))
    b = lockfile.dumps(fp(packages={"a": "2", "b": "1"}))
    assert a == b
    assert _doc(a)["envaudit"]["content-hash"].startswith("sha256:")  # type: ignore[index]


def test_content_hash_is_reproducible_from_the_documented_recipe() -> None:
    doc = _doc(lockfile.dumps(fp()))
    stated = doc["envaudit"].pop("content-hash")  # type: ignore[union-attr]
    doc["envaudit"].pop("created")  # type: ignore[union-attr]
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    assert stated == "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_hand_edit_is_a_note_not_an_error() -> None:
    text = lockfile.dumps(fp(packages={"numpy": "2.1.0"})).replace('"2.1.0"', '"2.0.0"')
    loaded = lockfile.loads(text)
    assert [n.code for n in loaded.notes] == ["content-hash"]
    assert loaded.fingerprint.package("numpy").version == "2.0.0"  # type: ignore[union-attr]


def test_newer_minor_schema_warns_and_ignores_unknown_keys() -> None:
    doc = _doc(lockfile.dumps(fp()))
    doc["envaudit"]["schema"] = "1.7"  # type: ignore[index]
    doc["future-section"] = {"x": 1}
    loaded = lockfile.loads(tomli_w.dumps(doc))
    assert "schema-minor" in [n.code for n in loaded.notes]


@pytest.mark.parametrize("schema", ["2.0", "0.9"])
def test_unknown_major_schema_is_an_error(schema: str) -> None:
    doc = _doc(lockfile.dumps(fp()))
    doc["envaudit"]["schema"] = schema  # type: ignore[index]
    with pytest.raises(LockfileError, match="unsupported lockfile schema"):
        lockfile.loads(tomli_w.dumps(doc))


BAD_DOCS = [
    pytest.param("", "no \\[envaudit\\] table", id="empty-document"),
    pytest.param("[envaudit]\nschema = 1\n", "envaudit.schema", id="schema-not-a-string"),
    pytest.param('[envaudit]\nschema = "1.0"\n[python]\nversion = 3\n', "python.version",
                 id="python-version-integer"),
    pytest.param('[envaudit]\nschema = "1.0"\n[[packages]]\nname = "x"\n',
                 "packages\\[0\\].version': required", id="package-without-version"),
    pytest.param('packages = "numpy"\n[envaudit]\nschema = "1.0"\n', "packages",
                 id="packages-not-an-array"),
    pytest.param('[envaudit]\nschema = "1.0"\n[env]\nX = 1\n', "env.X", id="env-value-integer"),
    pytest.param('[envaudit]\nschema = "1.0"\n[[gpus]]\nindex = "0"\nname = "A"\n'
                 'compute-capability = "8.0"\n', "gpus\\[0\\].index", id="gpu-index-string"),
    pytest.param('[envaudit]\nschema = "1.0"\n[cpu]\nmodel = "x"\nvendor = "y"\ncount = true\n',
                 "cpu.count", id="bool-is-not-int"),
    pytest.param('[envaudit]\nschema = "1.0"\n[unavailable]\nnvidia = 3\n', "unavailable.nvidia",
                 id="unavailable-reason-integer"),
]


@pytest.mark.parametrize(("text", "pattern"), BAD_DOCS)
def test_invalid_documents_name_the_key_path(text: str, pattern: str) -> None:
    with pytest.raises(LockfileError, match=pattern) as info:
        lockfile.loads(text, "x.lock")
    assert "\n" not in str(info.value)


def test_all_problems_are_counted() -> None:
    text = '[envaudit]\nschema = "1.0"\n[python]\nversion = 3\nimplementation = 4\n'
    with pytest.raises(LockfileError, match="more problems"):
        lockfile.loads(text)


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b"\x00\xff\xfe\x00junk", "not a text file", id="binary"),
        pytest.param(b'[envaudit]\nschema = "1.0"\n[python\nversion=', "not valid TOML",
                     id="truncated"),
    ],
)
def test_load_bad_files(tmp_path: Path, content: bytes, pattern: str) -> None:
    path = tmp_path / "envaudit.lock"
    path.write_bytes(content)
    with pytest.raises(LockfileError, match=pattern):
        lockfile.load(path)


def test_load_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LockfileError, match="no such lockfile"):
        lockfile.load(tmp_path / "nope.lock")
    with pytest.raises(LockfileError, match="is a directory"):
        lockfile.load(tmp_path)


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "envaudit.lock"
    target.write_text("old")
    output.write_atomic(target, "new content\n")
    assert target.read_text() == "new content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["envaudit.lock"]


def test_write_atomic_into_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        output.write_atomic(tmp_path / "missing" / "x.lock", "x")
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    with pytest.raises(OutputError):
        output.write_atomic(blocker / "x.lock", "x")
    assert blocker.read_text() == "keep"


def test_every_fixture_lock_round_trips() -> None:
    locks = sorted(FIXTURES.rglob("*.lock"))
    for path in locks:
        text = path.read_text(encoding="utf-8")
        loaded = lockfile.load(path)
        assert loaded.notes == (), path
        assert lockfile.dumps(loaded.fingerprint) == text, path


_names = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?", fullmatch=True)
_versions = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}(\+cu1[0-9]{2}|\+cpu)?", fullmatch=True)
_env_values = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    packages=st.dictionaries(_names, _versions, max_size=12),
    env=st.dictionaries(st.from_regex(r"CUDA_[A-Z_]{1,10}", fullmatch=True), _env_values,
                        max_size=5),
)
def test_round_trip_property(packages: dict[str, str], env: dict[str, str]) -> None:
    text = lockfile.dumps(fp(packages=packages, env=env))
    loaded = lockfile.loads(text)
    assert loaded.notes == ()
    assert lockfile.dumps(loaded.fingerprint) == text


def _documented_keys() -> list[tuple[str, str]]:
    """(table, key) for every key a lock can hold, derived from model.SECTIONS; a
    table's own entry is (key, "")."""
    import dataclasses

    from envaudit import model

    keys = [("envaudit", ""), ("unavailable", "")]
    keys += [("envaudit", f.name.replace("_", "-")) for f in dataclasses.fields(model.Meta)]
    for section in model.SECTIONS:
        keys.append((section.key, ""))
        if dataclasses.is_dataclass(section.element):
            keys += [(section.key, f.name.replace("_", "-"))
                     for f in dataclasses.fields(section.element)]
    return keys


def _documented(text: str, table: str, key: str) -> bool:
    if not key:
        return f"[{table}" in text
    return f"`{key}`" in text or f"{key}`" in text


def test_docs_lockfile_documents_every_key() -> None:
    text = (Path(__file__).parent.parent / "docs" / "lockfile.md").read_text(encoding="utf-8")
    missing = [f"{table}.{key}" for table, key in _documented_keys()
               if not _documented(text, table, key)]
    assert not missing, missing
