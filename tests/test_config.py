"""The policy loader: where it looks, what it accepts, and each error it reports."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from envaudit.config import expired_ignores, load_policy, parse_policy
from envaudit.errors import ConfigError
from envaudit.findings import Ignore, Policy, Severity
from envaudit.rules.engine import evaluate
from tests.factories import flat, fp

DOCS = Path(__file__).resolve().parent.parent / "docs" / "policy.md"
TODAY = datetime.date(2026, 11, 1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(table: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as e:
        parse_policy(table, source="envaudit.toml")
    return str(e.value)


def test_no_config_is_the_empty_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_policy() == Policy()


def test_pyproject_tool_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", """
[tool.envaudit]
critical = ["My_Preproc.Lib"]
severity = { "PKG-002" = "error" }
allowed = { NumPy = ">=1.26,<2" }
[[tool.envaudit.ignore]]
rule = "ENV-008"
reason = "threads pinned in code"
expires = 2027-01-31
subject = "OMP_NUM_THREADS"
""")
    policy = load_policy()
    assert policy.critical == frozenset({"my-preproc-lib"})
    assert policy.severity == {"PKG-002": Severity.ERROR}
    assert policy.allowed == {"numpy": ">=1.26,<2"}
    assert policy.ignore == (Ignore(rule="ENV-008", reason="threads pinned in code",
                                    expires=datetime.date(2027, 1, 31),
                                    subject="OMP_NUM_THREADS"),)


def test_envaudit_toml_wins_over_pyproject(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", '[tool.envaudit]\ncritical = ["a"]\n')
    write(tmp_path / "envaudit.toml", 'critical = ["b"]\n')
    assert load_policy().critical == frozenset({"b"})


def test_explicit_config_either_form(tmp_path: Path) -> None:
    top = write(tmp_path / "team.toml", 'severity = { "ENV-000" = "warning" }\n')
    tool = write(tmp_path / "other.toml", '[tool.envaudit]\nseverity = { "ENV-000" = "error" }\n')
    assert load_policy(top).severity == {"ENV-000": Severity.WARNING}
    assert load_policy(tool).severity == {"ENV-000": Severity.ERROR}


def test_explicit_pyproject_without_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[tool.envaudit\] table"):
        load_policy(path)


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_policy(tmp_path / "nope.toml")
    bad = write(tmp_path / "envaudit.toml", "ignore = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(bad)


def test_unknown_key_names_file_and_path(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.envaudit]\nignor = []\n')
    with pytest.raises(ConfigError) as e:
        load_policy(path)
    assert str(path) in str(e.value)
    assert "tool.envaudit.ignor: unknown key (did you mean 'ignore'?)" in str(e.value)


@pytest.mark.parametrize(("table", "expected"), [
    ({"ignore": [{"rul": "ENV-008", "reason": "x"}]},
     "ignore[0].rul: unknown key (did you mean 'rule'?)"),
    ({"ignore": [{"rule": "ENV-08", "reason": "x"}]},
     "ignore[0].rule: unknown rule id 'ENV-08' (did you mean 'ENV-008'?)"),
    ({"ignore": [{"rule": "ENV-008"}]}, "ignore[0].reason: a non-empty reason is required"),
    ({"ignore": [{"rule": "ENV-008", "reason": " "}]}, "a non-empty reason is required"),
    ({"ignore": [{"reason": "x"}]}, "ignore[0]: missing 'rule'"),
    ({"ignore": [{"rule": "ENV-008", "reason": "x", "expires": "31/01/2027"}]},
     "ignore[0].expires: '31/01/2027' is not a date"),
    ({"ignore": [{"rule": "ENV-008", "reason": "x", "subject": 3}]},
     "ignore[0].subject: must be a string"),
    ({"ignore": {"rule": "ENV-008"}}, "ignore: must be an array of tables"),
    ({"ignore": ["ENV-008"]}, "ignore[0]: must be a table"),
    ({"severity": {"PKG-02": "error"}}, "unknown rule id 'PKG-02' (did you mean 'PKG-002'?)"),
    ({"severity": {"PKG-002": "eror"}},
     "severity.PKG-002: invalid severity 'eror', expected one of error, warning, info"
     " (did you mean 'error'?)"),
    ({"severity": ["PKG-002"]}, "severity: must be a table"),
    ({"critical": "torch"}, "critical: must be an array of package names"),
    ({"allowed": {"numpy": ">=1.26,<<2"}}, "allowed.numpy: '>=1.26,<<2' is not a PEP 440"),
    ({"allowed": ["numpy"]}, "allowed: must be a table"),
    ({"severtiy": {}}, "severtiy: unknown key (did you mean 'severity'?)"),
], ids=["ignore-key", "ignore-rule", "no-reason", "blank-reason", "no-rule", "bad-date",
        "bad-subject", "ignore-not-array", "ignore-not-table", "severity-rule",
        "severity-value", "severity-not-table", "critical-not-list", "bad-specifier",
        "allowed-not-table", "top-key"])
def test_error_paths(table: dict[str, object], expected: str) -> None:
    message = errors_of(table)
    assert message.startswith("envaudit.toml: ")
    assert expected in message


def test_all_problems_reported_together() -> None:
    message = errors_of({"severity": {"PKG-002": "loud"}, "critical": 1, "extra": 2})
    assert message.count(";") == 2


def test_string_and_toml_dates() -> None:
    policy = parse_policy({"ignore": [
        {"rule": "ENV-008", "reason": "a", "expires": "2027-01-31"},
        {"rule": "ENV-008", "reason": "b", "expires": datetime.date(2027, 1, 31)},
        {"rule": "ENV-008", "reason": "c",
         "expires": datetime.datetime(2027, 1, 31, 12, 0)},
    ]})
    assert {ig.expires for ig in policy.ignore} == {datetime.date(2027, 1, 31)}


def test_expired_ignore_produces_a_note() -> None:
    policy = parse_policy({"ignore": [
        {"rule": "ENV-008", "reason": "old waiver", "expires": "2026-10-31",
         "subject": "OMP_NUM_THREADS"},
        {"rule": "CPU-003", "reason": "still valid", "expires": "2026-11-01"},
        {"rule": "PKG-002", "reason": "forever"},
    ]})
    notes = expired_ignores(policy, TODAY)
    assert notes == ["ignore of ENV-008 for OMP_NUM_THREADS expired on 2026-10-31 and no"
                     " longer applies (old waiver)"]


THREADS = (fp(env={"OMP_NUM_THREADS": "4"}), fp(env={"OMP_NUM_THREADS": "16"}))


def test_ignore_applied_until_it_expires() -> None:
    policy = parse_policy({"ignore": [{"rule": "ENV-008", "reason": "r",
                                       "expires": "2026-11-01",
                                       "subject": "OMP_NUM_THREADS"}]})
    active = flat(evaluate(*THREADS, policy=policy, today=TODAY))
    assert ("ENV-008", "warning") not in active
    assert ("ENV-000", "info") in active
    later = flat(evaluate(*THREADS, policy=policy, today=TODAY + datetime.timedelta(days=1)))
    assert ("ENV-008", "warning") in later


def test_ignore_for_another_subject_does_not_apply() -> None:
    policy = parse_policy({"ignore": [{"rule": "ENV-008", "reason": "r",
                                       "subject": "MKL_NUM_THREADS"}]})
    assert ("ENV-008", "warning") in flat(evaluate(*THREADS, policy=policy, today=TODAY))


def test_severity_override_applied() -> None:
    policy = parse_policy({"severity": {"ENV-008": "error"}})
    assert ("ENV-008", "error") in flat(evaluate(*THREADS, policy=policy, today=TODAY))


def test_critical_packages_from_policy() -> None:
    locked = fp(packages={"my-preproc-lib": "1.2.0"})
    current = fp(packages={"my-preproc-lib": "1.3.0"})
    assert ("PKG-005", "info") in flat(evaluate(locked, current, today=TODAY))
    policy = parse_policy({"critical": ["My_Preproc.Lib"]})
    assert ("PKG-002", "warning") in flat(evaluate(locked, current, policy=policy, today=TODAY))


@pytest.mark.parametrize(("version", "fires"), [
    ("1.26.4", False), ("2.0.0", True), ("2.0.0rc1", True), ("1.25.2", True),
], ids=["inside", "above", "prerelease-above", "below"])
def test_pol_001_allowed_range(version: str, fires: bool) -> None:
    policy = parse_policy({"allowed": {"numpy": ">=1.26,<2"}})
    got = flat(evaluate(fp(packages={"numpy": "1.26.4"}), fp(packages={"numpy": version}),
                        policy=policy, today=TODAY))
    assert (("POL-001", "error") in got) is fires


def test_pol_001_silent_without_policy_or_package() -> None:
    assert "POL-001" not in dict(flat(evaluate(fp(), fp(packages={"numpy": "2.1.0"}),
                                               today=TODAY)))
    policy = parse_policy({"allowed": {"torch": "<2"}})
    assert "POL-001" not in dict(flat(evaluate(fp(), fp(), policy=policy, today=TODAY)))


def test_docs_example_parses(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    policy = load_policy(write(tmp_path / "envaudit.toml", blocks[0]))
    assert policy.allowed["numpy"] == ">=1.26,<2"
    assert {ig.rule for ig in policy.ignore} == {"ENV-008", "CPU-003"}
    assert policy.severity["PKG-002"] is Severity.ERROR
    assert "my-preproc-lib" in policy.critical
