"""CI formats: SARIF validates against the official schema, JUnit parses, GitHub commands."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from envaudit.api import diff
from envaudit.formats import FormatChoice, get_format
from envaudit.lockfile import LoadedLock, load
from envaudit.report import FailOn, Report
from envaudit.rules.catalog import load_catalog

ROOT = Path(__file__).parent.parent
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
LOCKS = ROOT / "fixtures" / "locks"


@pytest.fixture(scope="module")
def real_pair() -> Report:
    return diff(load(LOCKS / "h200.lock"), load(LOCKS / "cpu-host.lock").fingerprint,
                locked_source="fixtures/locks/h200.lock",
                current_source="fixtures/locks/cpu-host.lock")


def render(report: Report, choice: FormatChoice, fail_on: FailOn = FailOn.ERROR) -> str:
    return get_format(choice).render(report, fail_on)


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="the SARIF schema lies in ../shared")
def test_sarif_validates_against_the_official_schema(real_pair: Report) -> None:
    doc = json.loads(render(real_pair, FormatChoice.SARIF))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["helpUri"].startswith("https://") for r in rules)
    assert {r["ruleId"] for r in run["results"]} == {r["id"] for r in rules}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               == "fixtures/locks/h200.lock" for r in run["results"])
    levels = {r["level"] for r in run["results"]}
    assert "error" in levels and levels <= {"error", "warning", "note"}


def test_sarif_of_a_clean_diff_has_no_results() -> None:
    lock = load(LOCKS / "cpu-host.lock")
    doc = json.loads(render(diff(lock, lock.fingerprint), FormatChoice.SARIF))
    assert doc["runs"][0]["results"] == []


def test_junit_has_one_case_per_rule_and_fails_at_the_threshold(real_pair: Report) -> None:
    root = ET.fromstring(render(real_pair, FormatChoice.JUNIT, FailOn.ERROR))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(load_catalog().rules) == int(suite.get("tests", ""))
    failed = {c.get("classname") for c in cases if c.find("failure") is not None}
    errors = {f.rule for f in real_pair.findings if f.severity.value == "error"}
    errors |= {r.rule for f in real_pair.findings for r in f.related
               if r.severity.value == "error"}
    assert failed == {f"envaudit.{rule}" for rule in errors}
    assert int(suite.get("failures", "")) == len(errors)
    never = ET.fromstring(render(real_pair, FormatChoice.JUNIT, FailOn.NEVER))
    assert never.find("testsuite/testcase/failure") is None


def test_github_annotations_escape_and_name_the_lock(real_pair: Report) -> None:
    lines = render(real_pair, FormatChoice.GITHUB).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(real_pair.findings)
    assert all("\n" not in c and "\r" not in c for c in commands)
    first = commands[0]
    assert first.startswith("::error file=fixtures/locks/h200.lock,title=")
    assert lines[-1].startswith("envaudit: ") and "exit code 1" in lines[-1]


def test_github_escapes_workflow_command_syntax() -> None:
    from envaudit.formats.github import _data, _prop

    assert _data("50% done\nnext") == "50%25 done%0Anext"
    assert _prop("a:b,c") == "a%3Ab%2Cc"


def test_every_format_is_a_pure_function_of_the_report() -> None:
    lock = LoadedLock(load(LOCKS / "h200.lock").fingerprint)
    report = diff(lock, load(LOCKS / "cpu-host.lock").fingerprint)
    for choice in FormatChoice:
        assert render(report, choice) == render(report, choice)


def test_json_report_validates_against_its_published_schema(real_pair: Report) -> None:
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for fail_on in FailOn:
        doc = json.loads(render(real_pair, FormatChoice.JSON, fail_on))
        jsonschema.Draft202012Validator(schema).validate(doc)
    torch = next(f for f in json.loads(render(real_pair, FormatChoice.JSON))["findings"]
                 if f["subject"] == "torch")
    assert torch["values"]["locked"]["local"] == "cu130"
    assert torch["values"]["locked"]["release"] == [2, 11, 0]


def test_structured_values() -> None:
    from envaudit.formats.json import structured

    assert structured(None) is None
    assert structured("535") == 535
    assert structured("2.4.0+cu124") == {"version": "2.4.0+cu124", "release": [2, 4, 0],
                                         "local": "cu124", "note": None}
    assert structured("2.11.0+cu130 (CUDA 13.0)")["note"] == "CUDA 13.0"
    assert structured("NVIDIA H200") == {"text": "NVIDIA H200"}
