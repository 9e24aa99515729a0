"""envaudit's own dependencies are not drift: set aside, then said once (PKG-090)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.footprint import own_dependencies, set_aside
from envaudit.lockfile import LoadedLock
from envaudit.probes.distributions import iter_distributions
from tests.factories import Scenario, check_scenario, fp

SCENARIOS: list[Scenario] = [
    Scenario(id="envaudit-deps-set-aside",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={"numpy": "1.26.4"}),
             footprint=frozenset({"typer", "rich"}), fires={"PKG-090": "info"},
             silent=frozenset({"PKG-004"})),
    Scenario(id="no-envaudit-deps",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={"numpy": "1.26.4"}),
             silent=frozenset({"PKG-090"})),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


def test_set_aside_keeps_what_training_also_had() -> None:
    locked = fp(packages={"numpy": "1.26.4", "rich": "13.0.0"})
    current = fp(packages={"numpy": "1.26.4", "rich": "14.0.0", "typer": "0.20.0"})
    kept, aside = set_aside(locked, current, {"rich", "typer", "click"})
    assert aside == {"typer"}
    assert isinstance(kept.packages, tuple)
    assert {p.name: p.version for p in kept.packages} == {"numpy": "1.26.4", "rich": "14.0.0"}


def _dist(site: Path, name: str, version: str, *requires: str) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n\nA description.\n")


def test_own_dependencies_follow_requires_dist_transitively(tmp_path: Path) -> None:
    _dist(tmp_path, "envaudit-ml", "0.1.0", "typer>=0.20", "pip-tools>=7; extra == 'fix'",
          "pytest>=8; extra == 'test'", "tomli; python_version < '3.0'")
    _dist(tmp_path, "typer", "0.20.0", "click>=8", "rich; extra == 'all'")
    _dist(tmp_path, "click", "8.1.0")
    _dist(tmp_path, "pip-tools", "7.6.2", "build")
    _dist(tmp_path, "build", "1.2.0")
    _dist(tmp_path, "pytest", "8.0.0")
    _dist(tmp_path, "numpy", "1.26.4")
    found = own_dependencies(iter_distributions((str(tmp_path),)))
    assert found == {"envaudit-ml", "typer", "click", "pip-tools", "build"}
    assert own_dependencies(iter_distributions((str(tmp_path / "none"),))) == frozenset()


def test_api_diff_reports_the_footprint_once_and_no_package_change() -> None:
    from envaudit.api import diff

    locked = fp(packages={"numpy": "1.26.4"})
    current = fp(packages={"numpy": "1.26.4", "typer": "0.20.0", "click": "8.1.0"})
    report = diff(LoadedLock(locked, ()), current, footprint=frozenset({"typer", "click"}))
    assert [(f.rule, f.subject, f.current) for f in report.findings] == [
        ("PKG-090", "envaudit", "click, typer")]
