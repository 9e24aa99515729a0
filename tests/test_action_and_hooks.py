"""The GitHub Action and the pre-commit hooks, run the way the runner and pre-commit run them."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parent.parent
LOCKS = ROOT / "fixtures" / "locks"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
_EXPR = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def _expand(text: str, inputs: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("inputs."):
            return inputs[name[len("inputs."):]]
        if name == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"unknown expression {name}")
    return _EXPR.sub(value, text)


def run_action(workdir: Path, runner_temp: Path, given: dict[str, str],
               skip_install: bool = False) -> tuple[int, dict[str, str]]:
    """Run the composite action's steps as the runner does: bash -eo pipefail, env files."""
    spec = action()
    inputs = {k: str(v.get("default", "")) for k, v in spec["inputs"].items()}
    inputs.update(given)
    files = {name: workdir / f"{name}.txt" for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT",
                                                        "GITHUB_PATH")}
    for path in files.values():
        path.touch()
    path_dirs: list[str] = []
    code = 0
    for step in spec["runs"]["steps"]:
        if skip_install and step["name"].startswith("Install"):
            path_dirs = [str(Path(sys.executable).parent)]
            continue
        env = {**os.environ, "RUNNER_TEMP": str(runner_temp),
               **{k: str(v) for k, v in files.items()},
               **{k: _expand(str(v), inputs) for k, v in step.get("env", {}).items()}}
        env["PATH"] = os.pathsep.join([*path_dirs, env["PATH"]])
        script = workdir / "step.sh"
        script.write_text(_expand(step["run"], inputs), encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
        (workdir / f"{step['name']}.log").write_text(done.stdout + done.stderr)
        path_dirs = [*files["GITHUB_PATH"].read_text().split(), *path_dirs]
        code = done.returncode
        if code:
            break
    outputs = dict(line.split("=", 1) for line in files["GITHUB_OUTPUT"].read_text().split())
    return code, outputs


def test_every_input_the_steps_use_is_declared() -> None:
    spec = action()
    used = {m for step in spec["runs"]["steps"]
            for m in re.findall(r"inputs\.([\w-]+)", json.dumps(step))}
    assert used <= set(spec["inputs"])
    assert spec["runs"]["using"] == "composite"


@pytest.mark.slow
def test_the_action_installs_itself_gates_and_reports(tmp_path: Path) -> None:
    """One real install of this checkout (as `pip install <action path>`), then two gates."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("h200.lock", "cpu-host.lock"):
        (work / name).write_bytes((LOCKS / name).read_bytes())
    code, outputs = run_action(work, tmp_path, {"lock": "h200.lock", "against": "cpu-host.lock"})
    log = "\n".join(p.read_text() for p in work.glob("*.log"))
    assert code == 1, log
    assert outputs["exit-code"] == "1"
    summary = (work / "GITHUB_STEP_SUMMARY.txt").read_text()
    assert summary.startswith("## envaudit:") and "`FW-011`" in summary
    assert "::error file=h200.lock,title=FW-011" in log
    sarif = json.loads((work / "envaudit.sarif").read_text())
    if SARIF_SCHEMA.is_file():
        jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    (work / "GITHUB_STEP_SUMMARY.txt").write_text("## earlier step\n")
    clean, outputs = run_action(work, tmp_path, {"lock": "h200.lock", "against": "h200.lock"},
                                skip_install=True)
    assert clean == 0 and outputs["exit-code"] == "0"
    appended = (work / "GITHUB_STEP_SUMMARY.txt").read_text()
    assert appended.startswith("## earlier step\n") and "No drift" in appended


def test_the_action_fails_on_a_missing_lock_with_exit_3(tmp_path: Path) -> None:
    code, outputs = run_action(tmp_path, tmp_path, {"lock": "missing.lock",
                                                    "against": "missing.lock"},
                               skip_install=True)
    assert code == 3 and outputs["exit-code"] == "3"


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in data}


def run_hook(hook: dict[str, Any], cwd: Path, files: list[str], args: list[str]) -> int:
    """As pre-commit does: entry + args (+ the staged files matching `files`)."""
    matching = [f for f in files if re.search(hook.get("files", ""), f)]
    argv = shlex.split(hook["entry"]) + args + (matching if hook["pass_filenames"] else [])
    assert argv[0] == "envaudit"
    done = subprocess.run([sys.executable, "-m", "envaudit", *argv[1:]], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return done.returncode


def test_verify_hook_checks_committed_locks_and_nothing_else(tmp_path: Path) -> None:
    hook = hooks()["envaudit-verify"]
    (tmp_path / "models").mkdir()
    for name in ("envaudit.lock", "models/training.envaudit.lock"):
        (tmp_path / name).write_bytes((LOCKS / "h200.lock").read_bytes())
    (tmp_path / "poetry.lock").write_text("not ours\n")
    staged = ["envaudit.lock", "models/training.envaudit.lock", "poetry.lock", "README.md"]
    assert run_hook(hook, tmp_path, staged, []) == 0
    edited = (LOCKS / "h200.lock").read_text().replace('"numpy"', '"numpx"')
    (tmp_path / "envaudit.lock").write_text(edited)
    assert run_hook(hook, tmp_path, staged, []) == 1


def test_diff_hook_compares_two_committed_locks_and_never_the_hooks_venv(tmp_path: Path) -> None:
    hook = hooks()["envaudit-diff"]
    assert not hook["pass_filenames"]
    for name in ("h200.lock", "cpu-host.lock"):
        (tmp_path / name).write_bytes((LOCKS / name).read_bytes())
    assert run_hook(hook, tmp_path, [], ["cpu-host.lock", "h200.lock"]) == 1
    assert run_hook(hook, tmp_path, [], ["h200.lock", "h200.lock"]) == 0
    assert run_hook(hook, tmp_path, [], []) == 2  # not configured: a usage error, no live audit
