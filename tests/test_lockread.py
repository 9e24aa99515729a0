"""The fast lock reader reads envaudit's own layout exactly as tomllib does, or not at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from envaudit import lockfile, lockread
from envaudit._compat import tomllib
from envaudit.model import Package
from tests.factories import fp

LOCKS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "locks").glob("*.lock"))


def test_reads_the_fixture_locks_as_tomllib_does() -> None:
    read = [lockread.read(path.read_text(encoding="utf-8")) for path in LOCKS]
    assert any(doc is not None for doc in read)  # short package lists are inline arrays
    for doc, path in zip(read, LOCKS):
        assert doc is None or doc == tomllib.loads(path.read_text(encoding="utf-8"))


def _text() -> str:
    """A lock whose packages are long enough to be written as [[packages]] tables."""
    versions = {"a": "1", "b": "2", "a-name-long-enough-that-no-table-fits-on-one-line": "1"}
    packages = tuple(Package(name=n, version=v, installer="pip", requested=False)
                     for n, v in versions.items())
    return lockfile.dumps(dataclasses.replace(fp(), packages=packages))


def test_reads_shadowed_and_escaped_packages_by_falling_back() -> None:
    text = _text()
    edited = text.replace('version = "2"', 'version = "2\\u0041"')
    assert lockread.read(edited) is None  # an escape: not our layout
    loaded = lockfile.loads(edited)
    assert loaded.fingerprint.package("b").version == "2A"  # type: ignore[union-attr]
    assert [n.code for n in loaded.notes] == ["content-hash"]


@pytest.mark.parametrize("edit", [
    ('name = "b"', 'name = "b"\nname = "c"'),  # duplicate key: invalid TOML
    ('name = "b"', 'name = "b" # comment'),
    ('name = "b"', 'name  =  "b"'),
    ('name = "b"', "name = 'b'"),
    ('name = "b"', 'name = "b"\nextra = [1, 2]'),
])
def test_lines_of_another_layout_are_left_to_tomllib(edit: tuple[str, str]) -> None:
    text = _text().replace(*edit)
    assert lockread.read(text) is None


def test_a_doc_whose_hash_does_not_match_is_read_again_by_tomllib() -> None:
    text = _text()
    edited = text.replace('version = "2"', 'version = "3"')
    assert lockread.read(edited) is not None
    loaded = lockfile.loads(edited)
    assert loaded.fingerprint.package("b").version == "3"  # type: ignore[union-attr]
    assert [n.code for n in loaded.notes] == ["content-hash"]


def test_fast_and_slow_reads_give_equal_fingerprints() -> None:
    text = _text()
    assert lockread.read(text) is not None
    assert lockfile.from_dict(tomllib.loads(text)) == lockfile.loads(text)
