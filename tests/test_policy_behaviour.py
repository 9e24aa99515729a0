"""Policy that tells you what it did: discovery, the policy in force, ignores that match nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.api import check
from envaudit.cli import app
from envaudit.config import find_config, load_policy
from envaudit.findings import Ignore, Policy
from envaudit.rules.engine import same_subject
from tests.factories import cli_runner
from tests.test_docs_commands import policy_example

LOCKS = Path(__file__).parent.parent / "fixtures" / "locks"
PAIR = [str(LOCKS / "h200.lock"), "--against", str(LOCKS / "cpu-host.lock")]
runner = cli_runner()


def test_discovery_walks_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "envaudit.toml").write_text('critical = ["outside"]\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.envaudit]\ncritical = ["mine"]\n')
    deep = repo / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_config(deep) == repo / "pyproject.toml"
    assert load_policy(cwd=deep).critical == frozenset({"mine"})
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(deep) is None  # the repository root bounds the search


def test_the_docs_example_policy_matches_on_the_real_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envaudit.toml").write_text(policy_example(), encoding="utf-8")
    result = runner.invoke(app, ["diff", *PAIR, "--format", "json", "--config", "envaudit.toml"])
    assert "matched no finding" not in result.stderr
    assert "envaudit: policy: envaudit.toml (2 ignore(s)" in result.stderr
    report = json.loads(result.stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert "ENV-008" not in rules and "CPU-003" not in rules
    assert report["policy"].startswith("envaudit.toml (2 ignore(s)")


def test_an_ignore_that_matches_nothing_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envaudit.toml").write_text(
        '[[ignore]]\nrule = "ENV-008"\nsubject = "OMP_NUM_THREADS"\nreason = "typo"\n')
    result = runner.invoke(app, ["diff", *PAIR])
    assert ("envaudit: warning: policy ignore of ENV-008 subject 'OMP_NUM_THREADS' matched no"
            " finding") in result.stderr


def test_subjects_match_case_insensitively_and_canonicalised() -> None:
    assert same_subject("Pillow", "pillow")
    assert same_subject("My_Lib.Ext", "my-lib-ext")
    assert not same_subject("numpy", "numpy2")
    policy = Policy(ignore=(Ignore(rule="PKG-002", reason="r", subject="NumPy"),))
    report = check(LOCKS / "h200.lock", against=LOCKS / "cpu-host.lock", policy=policy)
    assert not any(f.rule == "PKG-002" and f.subject == "numpy" for f in report.findings)


def test_the_api_finds_the_same_policy_as_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envaudit.toml").write_text('[severity]\n"PKG-002" = "error"\n')
    report = check(LOCKS / "h200.lock", against=LOCKS / "cpu-host.lock")
    assert "envaudit.toml (0 ignore(s), 1 severity override(s)" in report.policy
    assert any(f.rule == "PKG-002" and f.severity.value == "error" for f in report.findings)
    cli = json.loads(runner.invoke(app, ["diff", *PAIR, "-f", "json"]).stdout)
    assert cli["summary"] == report.summary()
