"""WHEEL tags: read from the real venv in the packages pass, and checked against this host."""

from __future__ import annotations

import sys
from pathlib import Path

from envaudit.probes.distributions import wheel_tags
from envaudit.probes.interface import Host
from envaudit.probes.packages import collect_packages
from envaudit.probes.platform import PlatformProbe
from envaudit.rules.checks.wheels import wheel_problem
from tests.factories import fp


def test_wheel_file_tags_in_order_without_duplicates() -> None:
    text = ("Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: false\n"
            "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n"
            "Tag: cp311-cp311-manylinux_2_17_x86_64\n")
    assert wheel_tags(text) == ("cp311-cp311-manylinux_2_17_x86_64",
                                "cp311-cp311-manylinux2014_x86_64")
    assert wheel_tags("Wheel-Version: 1.0\n") == ()


def test_real_venv_records_numpys_wheel_tags_and_they_fit_this_host() -> None:
    packages = {p.name: p for p in collect_packages(tuple(sys.path))}
    numpy = packages["numpy"]
    assert numpy.wheel_tags and all(t.count("-") == 2 for t in numpy.wheel_tags)
    host = Host()
    live = fp()
    plat = PlatformProbe().collect(host)
    from dataclasses import replace

    here = replace(live, platform=plat, packages=tuple(packages.values()))
    assert [p.name for p in packages.values() if wheel_problem(p, here, "platform")] == []


def test_musl_is_recognised_by_its_loader(tmp_path: Path) -> None:
    from envaudit.probes.platform import _musl_loader

    assert not _musl_loader(Host(root=tmp_path))
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "ld-musl-x86_64.so.1").write_bytes(b"")
    assert _musl_loader(Host(root=tmp_path))
