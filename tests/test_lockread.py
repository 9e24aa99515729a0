"""The fast lock reader reads envaudit's own layout exactly as tomllib does, or not at all."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest

from envaudit import lockfile, lockread
from envaudit._compat import tomllib
from envaudit.model import Package, Unavailable
from tests.factories import fp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LOCKS = sorted(FIXTURES.glob("*/*.lock"))


def _same_both_ways(text: str) -> bool:
    """Both readers give the same document and the same loaded lock; True if the fast
    reader read it (False: it left the text to tomllib)."""
    doc = lockread.read(text)
    assert doc is None or doc == tomllib.loads(text)
    fast, slow = lockfile.loads(text), lockfile.from_dict(tomllib.loads(text))
    assert fast.fingerprint == slow.fingerprint
    assert fast.notes == slow.notes
    return doc is not None


def test_reads_every_fixture_lock_as_tomllib_does() -> None:
    assert {p.parent.name for p in LOCKS} == {"locks", "behaviour"}
    read = [_same_both_ways(path.read_text(encoding="utf-8")) for path in LOCKS]
    assert any(read)  # short package lists are inline arrays, left to tomllib


def test_reads_a_lock_with_every_optional_section_and_package_key() -> None:
    from envaudit.pipeline.attach import load
    from tests.pipeline_files import TRAINING_CONTRACT
    from tests.test_rules_artifacts import SAVEDMODEL, _onnx

    base = lockfile.load(FIXTURES / "behaviour" / "cpu-host.lock").fingerprint
    assert isinstance(base.packages, tuple) and not isinstance(base.behaviour, Unavailable)
    extra = {"wheel_tags": ("cp311-cp311-manylinux_2_28_x86_64", "py3-none-any"),
             "shared_imports": ("nvidia/cudnn", ""), "shadowed": ("1.0",)}
    packages = (dataclasses.replace(base.packages[0], **extra),
                dataclasses.replace(base.packages[1], wheel_tags=("py3-none-any",)),
                *base.packages[2:])
    with tempfile.TemporaryDirectory() as tmp:
        contract = Path(tmp, "envaudit.pipeline.toml")
        contract.write_text(TRAINING_CONTRACT)
        pipelines = load([str(contract)])
    full = dataclasses.replace(base, packages=packages, pipelines=pipelines,
                               artifacts=(SAVEDMODEL, _onnx()))
    text = lockfile.dumps(full)
    assert "[pipelines" in text and "[[artifacts]]" in text and "[behaviour" in text
    assert 'wheel-tags = [\n    "cp311' in text and "shared-imports" in text
    assert _same_both_ways(text)
    loaded = lockfile.loads(text)
    assert loaded.fingerprint.packages == packages
    assert loaded.fingerprint.pipelines == pipelines
    assert loaded.notes == ()


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
    ('name = "b"', 'name = "b"\nextra = [\n    1,\n]'),
    ('name = "b"', 'name = "b"\nextra = [\n    "x"\n]'),
    ('name = "b"', 'name = "b"\nextra = [\n  "x",\n]'),
    ('name = "b"', 'name = "b"\nextra = [\n    "x",'),
    ('name = "b"', 'name = "b"\nextra = ["x"]'),
    ('name = "b"', 'name = "b"\n    "x",'),
    ('name = "b"', 'name = "b"\n]'),
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


def test_arrays_of_strings_decode_as_the_checked_path_does() -> None:
    from envaudit import codec

    raw = {"name": "a", "version": "1", "wheel-tags": ["py3-none-any"], "shadowed": []}
    problems = codec.Problems()
    fast = codec.decoder(Package)(raw, "p", problems)
    assert fast == codec.decoder(Package)._checked(raw, "p", problems)  # type: ignore[attr-defined]
    assert fast.wheel_tags == ("py3-none-any",) and problems.items == []
    codec.decode({**raw, "wheel-tags": ["x", 1]}, Package, "p", problems)
    assert problems.items == ["at 'p.wheel-tags[1]': expected a string, got an integer"]
