"""Every envaudit command shown in README.md and docs/*.md runs as documented."""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.cli import app
from tests.factories import cli_runner, fp

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
_COMMAND = re.compile(r"^\s*(?:\$ |- run: |- )(?:\.envaudit/bin/)?envaudit (?P<args>.+)$")
_SHELL = (">>", " > ", " | ", "&&")


def documented_commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for lang, body in _BLOCK.findall(doc.read_text(encoding="utf-8")):
            if lang not in ("console", "yaml", "sh", "bash", ""):
                continue
            for line in body.splitlines():
                m = _COMMAND.match(line)
                if m:
                    found.append((doc.name, m.group("args")))
    return found


def expected_code(args: str) -> tuple[str, set[int]]:
    args, _, comment = args.partition("#")
    m = re.search(r"exits (\d)", comment)
    return args.strip(), ({int(m.group(1))} if m else {0, 1})


# The small real environments of docs/environments.md: trained.lock is a training venv with
# onnx 1.16.0 and mytool; serving-venv has onnx 1.17.0, mytool and scratch; wheels/ has all.
TRAINING = {"onnx": "1.16.0", "mytool": "1.0.0"}
SERVING = {"onnx": "1.17.0", "mytool": "1.0.0", "scratch": "0.1"}


@pytest.fixture(scope="module")
def small_envs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from envaudit.main import main
    from tests.venvs import build_wheel, make_venv

    root = tmp_path_factory.mktemp("docs-envs")
    (root / "wheels").mkdir()
    for name, version in {**TRAINING, **SERVING}.items():
        build_wheel(root / "wheels", name, version)
    build_wheel(root / "wheels", "onnx", "1.16.0")
    python = make_venv(root, "training-venv", TRAINING, root / "wheels")
    assert main(["snapshot", "--python", str(python), "-o", str(root / "trained.lock")]) == 0
    return root, (root / "trained.lock").read_text()


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            small_envs: tuple[Path, str]) -> Path:
    from tests.venvs import make_venv

    monkeypatch.chdir(tmp_path)
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX", "ENVAUDIT_PYTHON"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "wheels").symlink_to(small_envs[0] / "wheels")
    (tmp_path / "trained.lock").write_text(small_envs[1])
    make_venv(tmp_path, "serving-venv", SERVING, tmp_path / "wheels")
    training = lockfile.dumps(fp(packages={"numpy": "1.26.4", "torch": "2.4.0+cu124"}))
    serving = lockfile.dumps(fp(packages={"numpy": "2.1.0", "torch": "2.4.0+cu124"}))
    (tmp_path / "training.lock").write_text(training)
    (tmp_path / "serving.lock").write_text(serving)
    (tmp_path / "model").mkdir()
    result = cli_runner().invoke(app, ["snapshot"])
    assert result.exit_code == 0
    (tmp_path / "model" / "envaudit.lock").write_text((tmp_path / "envaudit.lock").read_text())
    _pipeline_files(tmp_path)
    _artifact_fixtures(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    (tmp_path / "envaudit.toml").write_text(policy_example(), encoding="utf-8")
    _fleet_files(tmp_path)
    _full_device(tmp_path / "disk-full")
    return tmp_path


def _full_device(path: Path) -> None:
    """docs/security.md's `-o disk-full`: a private /dev/full (char 1,7), so that no test ever
    writes to the real one (a regression could replace it with a file)."""
    import contextlib
    import stat

    with contextlib.suppress(OSError, AttributeError):  # not root: the command is skipped
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))


def policy_example() -> str:
    """The example policy of docs/policy.md, exactly as documented."""
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    (body,) = [b for lang, b in _BLOCK.findall(text) if lang == "toml"]
    return body


def _pipeline_files(root: Path) -> None:
    """docs/pipeline.md: the contract files, and the locks its snapshots would write."""
    from dataclasses import replace

    from envaudit.pipeline.attach import load
    from tests.pipeline_files import write_docs_files

    write_docs_files(root)
    host = lockfile.load(root / "envaudit.lock").fingerprint
    for name, spec in (("pipeline.lock", "envaudit.pipeline.toml"),
                       ("yolo.lock", "detector=runs/detect/train/args.yaml")):
        contracts = load([str(root / spec) if "=" not in spec else spec.replace(
            "=", f"={root}/", 1)])
        (root / name).write_text(lockfile.dumps(replace(host, pipelines=contracts)))


def _artifact_fixtures(root: Path) -> None:
    """docs/model-artifacts.md: a complete SavedModel export, its lock (this host plus the
    export), the deployment's copy with one variables shard missing, and its lock."""
    from envaudit.artifacts.api import record
    from tests.artifact_files import savedmodel

    export = savedmodel(root / "export" / "saved_model", shards=2)
    shutil.copytree(export, root / "deploy" / "saved_model")
    (root / "deploy" / "saved_model" / "variables" / "variables.data-00001-of-00002").unlink()
    host = lockfile.load(root / "envaudit.lock").fingerprint
    (root / "model.lock").write_text(lockfile.dumps(record(host, ["export/saved_model"])))
    (root / "deploy.lock").write_text(lockfile.dumps(record(host, ["deploy/saved_model"])))


_FLEET_REPORTS: dict[str, str] = {}


def _fleet_files(tmp_path: Path) -> None:
    """docs/fleet.md: host reports in reports/ and a node_exporter textfile/ directory."""
    (tmp_path / "textfile").mkdir()
    (tmp_path / "reports").mkdir()
    for name, current in (("node-1", "serving.lock"), ("node-2", "training.lock")):
        path = tmp_path / "reports" / f"{name}.json"
        if name not in _FLEET_REPORTS:  # built once: the locks are the same in every sandbox
            result = cli_runner().invoke(app, [
                "diff", "training.lock", "--against", current, "--format", "json",
                "--hostname", name, "-o", str(path)])
            assert result.exit_code in (0, 1), result.output
            _FLEET_REPORTS[name] = path.read_text(encoding="utf-8")
        path.write_text(_FLEET_REPORTS[name], encoding="utf-8")


def test_docs_show_commands() -> None:
    assert len(documented_commands()) >= 10


@pytest.mark.parametrize(("doc", "args"), documented_commands(),
                         ids=[f"{d}:{a}" for d, a in documented_commands()])
def test_documented_command(sandbox: Path, doc: str, args: str) -> None:
    line, codes = expected_code(args)
    if "disk-full" in line and not (sandbox / "disk-full").exists():
        pytest.skip("mknod of a private /dev/full needs root")
    if any(op in line for op in _SHELL):  # shell syntax: run it in a real shell
        bindir = str(Path(sys.executable).parent)
        env = {**os.environ, "PATH": os.pathsep.join([bindir, os.environ["PATH"]])}
        done = subprocess.run(["bash", "-c", f"envaudit {line}"], cwd=sandbox, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in codes, f"{doc}: envaudit {line}\n{done.stdout}{done.stderr}"
        return
    argv = [os.path.expandvars(a) for a in shlex.split(line)]
    result = cli_runner().invoke(app, argv)
    assert result.exit_code in codes, f"{doc}: envaudit {line}\n{result.output}"


def test_documented_python_api(sandbox: Path) -> None:
    text = (ROOT / "docs" / "ci-and-hooks.md").read_text(encoding="utf-8")
    (code,) = [body for lang, body in _BLOCK.findall(text) if lang == "python"]
    namespace = {"log": logging.getLogger("test")}
    try:
        exec(compile(code, "ci-and-hooks.md", "exec"), namespace)
    except SystemExit as e:
        assert "environment drift" in str(e)
    assert "report" in namespace
