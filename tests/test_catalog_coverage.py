"""Every catalog rule has a scenario that fires it and one where it stays silent."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from envaudit.rules.catalog import load_catalog
from tests.factories import Scenario, flat, run

TESTS = Path(__file__).parent
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[a-z]{2,}(/[^\s]*)?$")


def all_scenarios() -> list[Scenario]:
    found: list[Scenario] = []
    for path in sorted(TESTS.glob("test_rules_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        found += getattr(module, "SCENARIOS", [])
    return found


def test_every_rule_fires_somewhere_and_is_silent_somewhere() -> None:
    scenarios = all_scenarios()
    fires = {rule for s in scenarios for rule in s.fires}
    silent = {rule for s in scenarios for rule in s.silent}
    ids = {r.id for r in load_catalog().rules}
    assert not sorted(ids - fires), "rules no scenario fires"
    assert not sorted(ids - silent), "rules no scenario proves silent"
    assert not sorted((fires | silent) - ids), "scenarios name rules that do not exist"


def test_scenario_ids_are_unique_and_readable() -> None:
    for path in sorted(TESTS.glob("test_rules_*.py")):
        names = [s.id for s in importlib.import_module(f"tests.{path.stem}").SCENARIOS]
        assert len(names) == len(set(names)), path.name
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9.+_-]*", n) for n in names), names


def test_catalog_size_and_references() -> None:
    catalog = load_catalog()
    assert len(catalog.rules) >= 60
    for rule in catalog.rules:
        assert rule.references, rule.id
        assert all(_URL.match(u) for u in rule.references), rule.id
        assert rule.why and rule.fix and rule.title, rule.id


def test_identical_real_sized_hosts_are_silent() -> None:
    for s in all_scenarios():
        assert flat(run(s.locked, s.locked)) == [], s.id
        assert flat(run(s.current, s.current)) == [], s.id


def test_a_fingerprint_compared_with_itself_has_no_change() -> None:
    """What lets the engine's baseline (locked against itself) skip compare()."""
    from envaudit.compare import compare

    for s in all_scenarios():
        assert compare(s.locked, s.locked) == [], s.id
        assert compare(s.current, s.current) == [], s.id


def test_parsed_catalog_cache_is_keyed_by_content(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.rules import catalog

    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", str(tmp_path))
    fresh = catalog.data_files()
    (cache,) = tmp_path.glob("catalog-*.json")
    assert catalog.data_files() == fresh  # read back from the cache
    cache.write_text("{broken")
    assert catalog.data_files() == fresh  # a broken cache is parsed again
    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", "")
    assert catalog.data_files() == fresh


def test_the_cache_digest_covers_every_data_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from envaudit.rules import catalog

    data = tmp_path / "data"
    shutil.copytree(catalog.DATA, data)
    cache = tmp_path / "cache"
    monkeypatch.setattr(catalog, "DATA", data)
    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", str(cache))
    assert {p.suffix for p in data.iterdir()} == {".toml", ".csv"}
    fresh = catalog.data_files()
    assert sorted(fresh) == sorted(p.name for p in data.glob("*.toml"))
    for edited in ("packages.toml", "cuda_driver_table.csv"):
        before = set(cache.glob("catalog-*.json"))
        with (data / edited).open("a", encoding="utf-8") as fh:
            fh.write("\n")
        assert catalog.data_files() == fresh
        assert len(set(cache.glob("catalog-*.json")) - before) == 1, edited


@pytest.mark.parametrize("where", ["read-only", "below-a-file"])
def test_a_cache_folder_that_cannot_be_written_is_harmless_and_silent(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    from envaudit.rules import catalog

    if where == "read-only":
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)  # no effect for root, whom the other case covers
    else:
        (tmp_path / "file").write_text("")
        folder = tmp_path / "file" / "cache"
    try:
        monkeypatch.setenv("ENVAUDIT_CACHE_DIR", "")
        expected = catalog.data_files()
        monkeypatch.setenv("ENVAUDIT_CACHE_DIR", str(folder))
        assert catalog.data_files() == expected
        assert capfd.readouterr() == ("", "")
    finally:
        if where == "read-only":
            folder.chmod(0o700)
