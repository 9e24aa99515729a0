"""Which interpreter is audited, and the stdlib-only probe that runs under it."""

from __future__ import annotations

import ast
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from envaudit import fastpath
from envaudit.errors import InterpreterError
from envaudit.main import main
from envaudit.probes import _interp
from envaudit.probes.interface import Host
from envaudit.probes.interpreter import PROBE, audited, choose, read_facts, resolve, validate
from envaudit.probes.python import PythonProbe


def test_the_probe_imports_only_the_standard_library() -> None:
    tree = ast.parse(PROBE.read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}, names


def test_in_process_and_probe_agree_on_this_interpreter() -> None:
    facts = read_facts(sys.executable)
    here = PythonProbe().collect(Host())
    assert (facts["version"], facts["tag"], facts["prefix"]) == (here.version, here.tag,
                                                                here.prefix)
    assert facts == {**_interp.facts(), "sys_path": facts["sys_path"]}
    assert [p for p in facts["sys_path"] if p in sys.path] == [
        p for p in facts["sys_path"]]  # -I drops entries (cwd, PYTHONPATH), never adds one


@pytest.mark.parametrize(("python", "environ", "expected"), [
    ("/x/bin/python", {"ENVAUDIT_PYTHON": "/y/bin/python"}, ("/x/bin/python", "--python")),
    (None, {"ENVAUDIT_PYTHON": "/y/bin/python", "VIRTUAL_ENV": "/v"},
     ("/y/bin/python", "ENVAUDIT_PYTHON")),
    (None, {"VIRTUAL_ENV": "/v", "CONDA_PREFIX": "/c"}, ("/v/bin/python", "VIRTUAL_ENV")),
    (None, {"CONDA_PREFIX": "/c"}, ("/c/bin/python", "CONDA_PREFIX")),
    (None, {"VIRTUAL_ENV": sys.prefix, "CONDA_PREFIX": "/c"}, None),
    (None, {}, None),
], ids=["option-wins", "env-var", "venv-before-conda", "conda", "own-venv", "nothing"])
def test_choose(python: str | None, environ: dict[str, str], expected: Any) -> None:
    got = choose(python, environ)
    assert (None if got is None else (got.python, got.chosen_by)) == expected


def test_resolve(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    exe = tmp_path / "bin" / "python"
    exe.write_text("#!/bin/sh\n")
    with pytest.raises(InterpreterError, match="not executable"):
        resolve(str(exe))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    assert resolve(str(tmp_path)) == str(exe)
    with pytest.raises(InterpreterError, match="no such interpreter"):
        resolve(str(tmp_path / "nope"))


def _fake(tmp_path: Path, body: str) -> str:
    """An executable standing in for an interpreter: $3 is the result file."""
    exe = tmp_path / "python"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


def _facts(**change: Any) -> dict[str, Any]:
    return {**_interp.facts(), **change}


def test_an_old_python_is_refused_in_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    result = json.dumps(_facts(version="3.8.18"))
    python = _fake(tmp_path, f"cat > \"$3\" <<'EOF'\n{result}\nEOF")
    assert main(["snapshot", "--python", python, "-o", str(tmp_path / "x.lock")]) == 3
    err = capsys.readouterr().err
    assert err == f"envaudit: error: {python} is Python 3.8.18; envaudit audits CPython 3.9" \
                  " or newer\n"
    assert not (tmp_path / "x.lock").exists()


def test_an_interpreter_that_cannot_run_the_probe(tmp_path: Path) -> None:
    python = _fake(tmp_path, "echo 'SyntaxError: invalid syntax' >&2; echo noise; exit 1")
    with pytest.raises(InterpreterError, match=r"could not run envaudit's interpreter probe "
                       r"\(exit 1: SyntaxError: invalid syntax\); envaudit audits CPython 3.9"):
        read_facts(python)


def test_stdout_is_not_the_channel(tmp_path: Path) -> None:
    python = _fake(tmp_path, "echo '{\"schema\": 1}'")
    with pytest.raises(InterpreterError, match="could not run"):
        read_facts(python)


@pytest.mark.parametrize(("data", "message"), [
    ([], "is not a JSON object"),
    ({"error": "Python 2.7.18 is older than 3.9"}, "Python 2.7.18 is older than 3.9"),
    (_facts(schema=2), "has schema 2"),
    (_facts(version=3), "no valid 'version'"),
    (_facts(version="three"), "invalid version"),
    (_facts(virtualenv="yes"), "no valid 'virtualenv'"),
    (_facts(sys_path="/usr/lib"), "no valid 'sys_path'"),
    (_facts(sys_path=["x"] * 5000), "no valid 'sys_path'"),
], ids=["not-object", "error", "schema", "version-type", "version-text", "virtualenv",
        "path-type", "path-size"])
def test_validate_names_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(InterpreterError, match=message):
        validate(data, "py")


def test_env_var_selects_the_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ENVAUDIT_PYTHON", str(tmp_path / "missing"))
    assert main(["snapshot", "-o", "-"]) == 3
    assert "missing: no such interpreter" in capsys.readouterr().err


def test_fastpath_takes_python() -> None:
    parsed = fastpath.parse(["snapshot", "--python", "/opt/v/bin/python", "-o", "x.lock"])
    assert parsed is not None and parsed["python"] == "/opt/v/bin/python"
    expected = {**fastpath.SNAPSHOT.defaults, "python": "/p"}
    assert fastpath.parse(["snapshot", "--python=/p"]) == expected


def test_the_running_interpreter_by_path_is_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    target = audited(sys.executable, environ={})
    assert target.own and target.host.interpreter is not None
    assert os.path.samefile(target.host.python.prefix if target.host.python else "", sys.prefix)


def test_deep_children_run_under_the_audited_interpreter(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from envaudit.probes import gpu_runtime

    class _Installed(gpu_runtime.FrameworksCache):
        def get(self, host: Host) -> dict[str, Any]:
            return {"torch": object()}

    seen: list[str] = []

    def child(framework: str, *, timeout: float, python: str = "") -> dict[str, str]:
        seen.append(python)
        return {"version": "2.4.0"}

    monkeypatch.setattr(gpu_runtime, "run_child", child)
    probe = gpu_runtime.RuntimeProbe(timeout=1.0, frameworks=_Installed())
    assert probe.collect(Host(interpreter="/srv/venv/bin/python")) == {
        "torch": {"version": "2.4.0"}}
    probe.collect(Host())
    assert seen == ["/srv/venv/bin/python", sys.executable]


def test_probe_needs_envaudit_inside_the_audited_interpreter(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import venv

    venv.EnvBuilder(with_pip=False).create(tmp_path / "v")
    code = main(["snapshot", "--probe", "--python", str(tmp_path / "v"), "-o", "-"])
    assert code == 2
    assert "--probe runs envaudit's behavioural probes inside the audited interpreter" in (
        capsys.readouterr().err)


@pytest.mark.parametrize(("sysconfig_platform", "pointer", "tag"), [
    ("linux-x86_64", 8, "linux_x86_64"),
    ("linux-aarch64", 8, "linux_aarch64"),
    # A 32-bit interpreter on a 64-bit kernel: sysconfig.get_platform() reads os.uname(), the
    # kernel's machine; packaging (tags._linux_platforms) names what the interpreter loads.
    ("linux-x86_64", 4, "linux_i686"),
    ("linux-aarch64", 4, "linux_armv8l"),
    ("linux-armv7l", 4, "linux_armv7l"),
    ("macosx-14.0-arm64", 8, "macosx_14_0_arm64"),
    ("win-amd64", 8, "win_amd64"),
    ("win32", 4, "win32"),
])
def test_platform_tag_is_what_the_interpreter_loads(sysconfig_platform: str, pointer: int,
                                                    tag: str) -> None:
    assert _interp.interpreter_platform(sysconfig_platform, pointer) == tag


def test_platform_tag_is_one_packaging_accepts_here() -> None:
    from packaging.tags import platform_tags

    assert _interp.platform_tag() in list(platform_tags())
