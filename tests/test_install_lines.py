"""Install lines in README and docs/ run as written, against this checkout (a local build)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.test_action_and_hooks import run_hook

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


def install_lines() -> list[str]:
    """Every shell line that installs envaudit (the test command itself is .ci/run's job)."""
    found: list[str] = []
    for doc in DOCS:
        for _lang, body in _BLOCK.findall(doc.read_text(encoding="utf-8")):
            for line in body.splitlines():
                line = re.sub(r"^\s*(?:- |\$ )", "", line).strip()
                if "pip install" in line and "pytest" not in line and line not in found:
                    found.append(line)
    return found


def test_no_doc_installs_the_unrelated_envaudit_from_the_index() -> None:
    for line in install_lines():
        assert not re.search(r"pip install\s+envaudit\b(?!-ml)", line), line
    assert install_lines(), "the docs show how to install"


def _checkout(tmp_path: Path) -> Path:
    """A copy of this checkout as a user would have it (no virtual environments or caches)."""
    target = tmp_path / "envaudit"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".venv*", ".git", "__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache",
        ".pytest_cache", ".hypothesis", "build", "dist"))
    return target


@pytest.mark.slow
@pytest.mark.parametrize("line", install_lines())
def test_install_line_runs_as_written(tmp_path: Path, line: str) -> None:
    checkout = _checkout(tmp_path)
    # README's lines run in the checkout; the how-tos' in a project that holds it as ./envaudit.
    cwd = checkout if re.search(r"install \.(\s|$)", line) else tmp_path
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (0, 1), f"{line}\n{done.stdout}\n{done.stderr}"
    venv = next(p for p in (cwd / ".venv", cwd / ".envaudit") if p.is_dir())
    version = subprocess.run([str(venv / "bin" / "envaudit"), "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.startswith("envaudit ")


def test_the_documented_local_pre_commit_hooks_work(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "ci-and-hooks.md").read_text(encoding="utf-8")
    (config,) = [yaml.safe_load(b) for lang, b in _BLOCK.findall(text)
                 if lang == "yaml" and b.startswith("repos:")]
    hooks = {h["id"]: {"pass_filenames": True, **h} for h in config["repos"][0]["hooks"]}
    locks = ROOT / "fixtures" / "locks"
    (tmp_path / "training.lock").write_bytes((locks / "h200.lock").read_bytes())
    (tmp_path / "serving.lock").write_bytes((locks / "cpu-host.lock").read_bytes())
    (tmp_path / "envaudit.lock").write_bytes((locks / "h200.lock").read_bytes())
    staged = ["envaudit.lock", "poetry.lock"]
    assert run_hook(hooks["envaudit-verify"], tmp_path, staged, []) == 0
    diff = hooks["envaudit-diff"]
    assert run_hook(diff, tmp_path, staged, diff["args"]) == 1
