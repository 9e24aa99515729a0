"""Core probes against fake trees: packages, env (no secrets), CPU, platform, python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from envaudit.collect import run_probe, snapshot
from envaudit.model import Unavailable
from envaudit.probes.cpu import CpuProbe, parse_cpuinfo, relevant_flags
from envaudit.probes.distributions import canonical_name
from envaudit.probes.env import capture, is_captured
from envaudit.probes.interface import Host, Probe
from envaudit.probes.packages import collect_packages
from envaudit.probes.platform import PlatformProbe, parse_os_release
from envaudit.probes.python import PythonProbe


def make_dist(site: Path, name: str, version: str, *, installer: str = "pip",
              requested: bool = False, direct_url: dict[str, object] | None = None) -> Path:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nLong description\n"
        "Name: not-a-header\n"
    )
    (info / "INSTALLER").write_text(installer + "\n")
    if requested:
        (info / "REQUESTED").write_text("")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    return info


def test_packages_read_from_metadata_headers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_dist(site, "Torch_Vision", "0.19.0+cu124", requested=True)
    make_dist(site, "numpy", "2.1.0", installer="uv",
              direct_url={"url": "https://user:secret@example.org/numpy.whl"})
    make_dist(site, "mylib", "0.1", direct_url={"url": "file:///src/mylib",
                                                 "dir_info": {"editable": True}})
    pkgs = {p.name: p for p in collect_packages((str(site),))}
    assert pkgs["torch-vision"].version == "0.19.0+cu124"
    assert pkgs["torch-vision"].requested is True
    assert pkgs["numpy"].installer == "uv"
    assert pkgs["numpy"].direct_url == "https://***@example.org/numpy.whl"
    assert pkgs["mylib"].editable is True


def test_first_on_sys_path_wins_and_the_rest_is_shadowed(tmp_path: Path) -> None:
    make_dist(tmp_path / "a", "numpy", "2.1.0")
    make_dist(tmp_path / "b", "numpy", "1.26.4")
    (pkg,) = collect_packages((str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "zz")))
    assert (pkg.version, pkg.shadowed) == ("2.1.0", ("1.26.4",))


def test_broken_dist_info_is_recorded_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "broken-1.0.dist-info").mkdir()
    (tmp_path / "noversion-1.0.dist-info").mkdir()
    (tmp_path / "noversion-1.0.dist-info" / "METADATA").write_text("Name: noversion\n\n")
    egg = tmp_path / "old.egg-info"
    egg.write_text("Metadata-Version: 1.0\nName: Old\nVersion: 0.9\n")
    found = [(p.name, p.version, p.problem) for p in collect_packages((str(tmp_path),))]
    assert found == [
        ("broken", "1.0", "broken-1.0.dist-info: METADATA no such file"),
        ("noversion", "1.0", "noversion-1.0.dist-info: METADATA has no Version"),
        ("old", "0.9", ""),
    ]


@pytest.mark.parametrize(("raw", "canonical"), [("Foo_Bar", "foo-bar"), ("a.b--c", "a-b-c")])
def test_canonical_name(raw: str, canonical: str) -> None:
    assert canonical_name(raw) == canonical


def test_env_allowlist_and_secrets() -> None:
    environ = {
        "CUDA_VISIBLE_DEVICES": "0", "OMP_NUM_THREADS": "4", "LD_LIBRARY_PATH": "/x",
        "HOME": "/root", "CUDA_API_TOKEN": "t0ps3cret", "NVIDIA_API_KEY": "k",
        "TF_VAR_db_password": "p", "TF_CLI_ARGS": "x", "TF_ENABLE_ONEDNN_OPTS": "0",
        "TORCH_HOME": "https://bob:hunter2@mirror.example/x", "HF_TOKEN": "hf_x",
    }
    got = capture(environ)
    assert got == {
        "CUDA_VISIBLE_DEVICES": "0", "LD_LIBRARY_PATH": "/x", "OMP_NUM_THREADS": "4",
        "TF_ENABLE_ONEDNN_OPTS": "0", "TORCH_HOME": "https://***@mirror.example/x",
    }
    text = repr(got)
    for secret in ("t0ps3cret", "hunter2", "hf_x", "TOKEN", "KEY"):
        assert secret not in text
    assert not is_captured("PYTORCH_AUTH_HEADER")


CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
flags\t\t: fpu sse sse2 pni ssse3 sse4_1 sse4_2 popcnt avx avx2 avx512f avx512bw sha_ni

processor\t: 1
vendor_id\t: AuthenticAMD
"""


def test_cpuinfo_parsing(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "cpuinfo").write_text(CPUINFO)
    cpu = CpuProbe().collect(Host(root=tmp_path, cpu_count=2))
    assert cpu.vendor == "AuthenticAMD"
    assert cpu.model == "AMD EPYC 9R14"
    assert cpu.count == 2
    assert cpu.flags == ("avx", "avx2", "avx512bw", "avx512f", "popcnt", "sse", "sse2", "sse3",
                         "sse4_1", "sse4_2", "ssse3")
    assert parse_cpuinfo("") == {}
    assert relevant_flags("asimd sve fp") == ("asimd", "sve")


def test_missing_cpuinfo_is_unavailable_with_reason(tmp_path: Path) -> None:
    result = run_probe(CpuProbe(), Host(root=tmp_path))
    assert isinstance(result, Unavailable)
    assert "cpuinfo" in result.reason


def test_os_release_and_platform(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text(
        'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n# comment\n')
    assert parse_os_release("A=1\nB='x'")["B"] == "x"
    host = Host(root=tmp_path, libc=("glibc", "2.39"),
                uname=("Linux", "h", "6.8.0", "#1", "x86_64"))
    info = PlatformProbe().collect(host)
    assert (info.os_id, info.os_version, info.libc_version, info.machine) == (
        "ubuntu", "24.04", "2.39", "x86_64")


def test_python_probe_live() -> None:
    info = PythonProbe().collect(Host())
    assert info.version.count(".") == 2
    assert info.tag.startswith(("cp", "pp"))


def test_python_tag_is_the_interpreters_own_tag_not_packagings_first() -> None:
    """packaging 21.x put manylinux_2_36 first, 26.x the generic tag: the tag must not follow."""
    import sysconfig
    import types
    from unittest import mock

    fake = types.ModuleType("packaging.tags")
    fake.sys_tags = lambda: iter(["cp311-cp311-manylinux_2_36_x86_64"])  # type: ignore[attr-defined]
    with mock.patch.dict(sys.modules, {"packaging.tags": fake}):
        tag = PythonProbe().collect(Host()).tag
    v = sys.version_info
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    if sys.implementation.name == "cpython" and not sysconfig.get_config_var("Py_GIL_DISABLED"):
        assert tag == f"cp{v[0]}{v[1]}-cp{v[0]}{v[1]}-{plat}"
    assert "manylinux" not in tag
    from packaging.tags import sys_tags

    assert tag in {str(t) for t in sys_tags()}  # a tag the interpreter really accepts


class _Boom(Probe):
    section = "cpu"

    def collect(self, host: Host) -> object:
        raise RuntimeError("kaput")


def test_a_crashing_probe_costs_only_its_section(tmp_path: Path) -> None:
    result = snapshot(Host(root=tmp_path, sys_path=()), probes=[_Boom()], created="x")
    assert isinstance(result.cpu, Unavailable)
    assert "kaput" in result.cpu.reason
    assert isinstance(result.python, Unavailable)  # no probe ran for it


def test_platform_probe_without_os_uname(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.uname(): the platform comes from platform.uname(), not a crash."""
    import platform

    monkeypatch.delattr("os.uname", raising=False)
    monkeypatch.setattr(platform, "uname", lambda: platform.uname_result(
        "Windows", "h", "10", "10.0.19045", "AMD64"))
    info = PlatformProbe().collect(Host(root=tmp_path, libc=("", "")))
    assert (info.system, info.release, info.machine) == ("Windows", "10", "AMD64")
