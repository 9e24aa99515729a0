"""The `rules` and `explain` commands and `diff --config`, through typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from envaudit import lockfile
from envaudit.cli import app
from envaudit.model import Fingerprint
from envaudit.rules.catalog import load_catalog
from tests.factories import cli_runner, fp

RULE_IDS = [r.id for r in load_catalog().rules]
_HTTPS = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"']*)?$")


def _both(result: Any) -> str:
    """stdout then stderr (click < 8.2 keeps them apart in .output, click >= 8.2 mixes them)."""
    return str(result.stdout) + str(result.stderr)


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def test_rules_lists_every_rule(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule_id in RULE_IDS:
        assert re.search(rf"^{rule_id}\s", result.stdout, re.M), rule_id


def test_rules_filters_by_group_and_severity(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--group", "env", "--severity", "error",
                                 "--format", "json"])
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    expected = [r.id for r in load_catalog().rules
                if r.group == "env" and r.severity.value == "error"]
    assert [i["id"] for i in items] == expected
    assert all({"id", "severity", "group", "title", "impact"} <= set(i) for i in items)


def test_rules_json_matches_catalog(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "-f", "json"])
    assert result.exit_code == 0
    assert [i["id"] for i in json.loads(result.stdout)] == RULE_IDS


def test_rules_json_carries_the_whole_rule(runner: CliRunner) -> None:
    """why, fix, references, evidence and impact: the catalog as data for other tools."""
    result = runner.invoke(app, ["rules", "-f", "json"])
    items = {i["id"]: i for i in json.loads(result.stdout)}
    for rule in load_catalog().rules:
        item = items[rule.id]
        assert (item["why"], item["fix"], item["impact"]) == (
            rule.why, rule.fix, rule.impact.value), rule.id
        assert item["references"] == list(rule.references), rule.id
        assert item["evidence"] == list(rule.evidence), rule.id
        assert item["check"] == rule.check and item["params"] == dict(rule.params), rule.id


def test_rules_unknown_group_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--group", "numerix"])
    assert result.exit_code == 2
    # typer may draw the message in a box and wrap it: compare the words only.
    words = " ".join(_both(result).replace("│", " ").split())
    assert "did you mean 'numerics'?" in words


def test_rules_bad_severity_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(app, ["rules", "--severity", "fatal"]).exit_code == 2


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_explain_every_rule(runner: CliRunner, rule_id: str) -> None:
    rule = load_catalog().get(rule_id)
    assert rule is not None
    result = runner.invoke(app, ["explain", rule_id])
    assert result.exit_code == 0, _both(result)
    out = result.stdout
    assert out.startswith(f"{rule_id}: {rule.title}\n")
    for part in (f"severity:  {rule.severity.value}", f"impact:    {rule.impact.value}",
                 f"group:     {rule.group}", "why:", "fix:", "references:", *rule.references):
        assert part in out


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_references_are_https_urls(rule_id: str) -> None:
    rule = load_catalog().get(rule_id)
    assert rule is not None and rule.references
    for url in rule.references:
        assert _HTTPS.match(url), url


def test_explain_accepts_short_and_lowercase_ids(runner: CliRunner) -> None:
    result = runner.invoke(app, ["explain", "env-1"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ENV-001:")


def test_explain_unknown_rule(runner: CliRunner) -> None:
    result = runner.invoke(app, ["explain", "ENV-999"])
    assert result.exit_code == 2
    lines = _both(result).strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("envaudit: error: unknown rule 'ENV-999' (did you mean")


def _locks(tmp_path: Path, locked: Fingerprint, current: Fingerprint) -> tuple[str, str]:
    a, b = tmp_path / "train.lock", tmp_path / "serve.lock"
    a.write_text(lockfile.dumps(locked), encoding="utf-8")
    b.write_text(lockfile.dumps(current), encoding="utf-8")
    return str(a), str(b)


THREADS = (fp(env={"OMP_NUM_THREADS": "4"}), fp(env={"OMP_NUM_THREADS": "16"}))


def _diff(runner: CliRunner, tmp_path: Path, *extra: str) -> tuple[int, str]:
    a, b = _locks(tmp_path, *THREADS)
    result = runner.invoke(app, ["diff", a, "--against", b, "--format", "json", *extra])
    return result.exit_code, _both(result)


def test_diff_without_config_uses_catalog_defaults(runner: CliRunner, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _diff(runner, tmp_path, "--fail-on", "warning")
    assert code == 1
    assert "ENV-008" in out


def test_diff_config_severity_override(runner: CliRunner, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team.toml").write_text('severity = { "ENV-008" = "error" }\n', encoding="utf-8")
    assert _diff(runner, tmp_path)[0] == 0
    assert _diff(runner, tmp_path, "--config", "team.toml")[0] == 1


def test_diff_finds_pyproject_in_cwd(runner: CliRunner, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.envaudit]\nignore = [{ rule = "ENV-008", reason = "pinned in code" }]\n',
        encoding="utf-8")
    code, out = _diff(runner, tmp_path, "--fail-on", "warning")
    assert code == 0
    assert "ENV-008" not in out


def test_diff_expired_ignore_note(runner: CliRunner, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envaudit.toml").write_text(
        '[[ignore]]\nrule = "ENV-008"\nreason = "old"\nexpires = 2020-01-01\n', encoding="utf-8")
    code, out = _diff(runner, tmp_path, "--fail-on", "warning")
    assert code == 1
    assert "envaudit: note: ignore of ENV-008 expired on 2020-01-01" in out


def test_diff_invalid_config_exits_3(runner: CliRunner, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('severity = { "ENV-08" = "error" }\n', encoding="utf-8")
    code, out = _diff(runner, tmp_path, "--config", "bad.toml")
    assert code == 3
    assert out.strip().splitlines() == [
        "envaudit: error: bad.toml: severity.ENV-08: unknown rule id 'ENV-08'"
        " (did you mean 'ENV-008'?)"]


def test_diff_missing_config_exits_3(runner: CliRunner, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _diff(runner, tmp_path, "--config", "missing.toml")[0] == 3
