"""`envaudit report`: host reports merged into a host × root-cause matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.choices import FailOn, FleetFormatChoice
from envaudit.cli import app
from envaudit.fleet.interface import Fleet
from envaudit.fleet.merge import FleetError, merge
from envaudit.formats import get_fleet_format
from tests.factories import cli_runner
from tests.fleet_reports import three_reports


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fleet") / "reports"
    three_reports(directory)
    return directory


@pytest.fixture(scope="module")
def fleet(reports: Path) -> Fleet:
    warnings: list[str] = []
    merged = merge([reports], warnings.append)
    assert warnings == []
    return merged


def render(fleet: Fleet, choice: FleetFormatChoice) -> str:
    return get_fleet_format(choice).render(fleet, FailOn.ERROR)


def test_three_hosts_merge_into_root_causes(fleet: Fleet) -> None:
    assert [h.hostname for h in fleet.hosts] == ["node-a", "node-b", "node-c"]
    assert fleet.worst_counts() == {"error": 2, "warning": 0, "info": 0, "clean": 1}
    first = fleet.causes[0]
    assert first.severity.value == "error"
    assert all(len(hosts) == 2 for hosts in fleet.cause_hosts)  # node-a and node-c alike
    torch = [i for i, c in enumerate(fleet.causes) if c.rule == "FW-011"]
    assert [fleet.hosts[h].hostname for h in fleet.cause_hosts[torch[0]]] == ["node-a", "node-c"]
    assert fleet.exit_code(FailOn.ERROR) == 1 and fleet.exit_code(FailOn.NEVER) == 0


def test_text_names_the_root_cause_and_its_hosts(fleet: Fleet) -> None:
    text = render(fleet, FleetFormatChoice.TEXT)
    assert "3 hosts, 258 root causes; 2 drifting at --fail-on error; exit code 1" in text
    assert "FW-011    2 hosts: torch 2.11.0+cu130 was a CUDA 13.0 build" in text
    assert "hosts: node-a, node-c" in text
    assert "PKG-003   109 causes on 2 hosts" in text
    assert "node-b                   clean" in text


def test_markdown_has_the_causes_and_hosts_tables(fleet: Fleet) -> None:
    md = render(fleet, FleetFormatChoice.MARKDOWN)
    assert "| error | GPU-011 | 2 hosts: training had 1 GPU(s)" in md
    assert "| node-a | error | 13 | 9 | 236 | resnet50 |" in md
    assert "| node-b | clean | 0 | 0 | 0 | resnet50 |" in md


def test_json_is_the_matrix_read_both_ways(fleet: Fleet, reports: Path, tmp_path: Path) -> None:
    doc = json.loads(render(fleet, FleetFormatChoice.JSON))
    assert doc["summary"] == {"error": 2, "warning": 0, "info": 0, "clean": 1}
    assert doc["exit_code"] == 1 and doc["drifting"] == ["node-a", "node-c"]
    assert [h["hostname"] for h in doc["hosts"]] == ["node-a", "node-b", "node-c"]
    assert len(doc["causes"]) == 258 and doc["hosts"][1]["causes"] == []
    torch = next(c for c in doc["causes"] if c["rule"] == "FW-011")
    assert torch["hosts"] == [0, 2] and torch["locked"].startswith("2.11.0+cu130")
    index = doc["causes"].index(torch)
    assert index in doc["hosts"][0]["causes"] and index in doc["hosts"][2]["causes"]
    assert doc["hosts"][0]["worst"] == "error" and doc["hosts"][0]["model"] == "resnet50"
    out = tmp_path / "fleet.json"
    result = cli_runner().invoke(app, ["report", str(reports), "-f", "json", "-o", str(out)])
    assert result.exit_code == 1 and json.loads(out.read_text()) == doc


def test_html_is_one_self_contained_page(fleet: Fleet) -> None:
    page = render(fleet, FleetFormatChoice.HTML)
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    for remote in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert remote not in page.split('id="fleet-data"')[0], remote
    assert "default-src 'none'" in page and '<svg id="chart"' in page
    assert page.count('<tr data-host="') == 3 and page.count('<tr data-cause="') == 258


def test_html_data_cannot_close_its_script(tmp_path: Path) -> None:
    doc = {"host": {"hostname": "</script><script>alert(1)</script>"}, "findings": []}
    (tmp_path / "evil.json").write_text(json.dumps(doc))
    page = render(merge([tmp_path], print), FleetFormatChoice.HTML)
    assert "<script>alert(1)" not in page and "&lt;/script&gt;" in page


def test_cli_report_over_files_and_directories(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "fleet.html"
    files = [str(p) for p in sorted(reports.glob("*.json"))]
    result = cli_runner().invoke(app, ["report", *files, "-f", "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    same = cli_runner().invoke(app, ["report", str(reports), "--fail-on", "never"])
    assert same.exit_code == 0 and "3 hosts" in same.stdout


def test_a_malformed_report_is_skipped_loudly(reports: Path, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"findings": [{"severity": "fatal"}]}')
    clean = reports / "node-b.json"
    result = cli_runner().invoke(app, ["report", str(clean), str(tmp_path)])
    assert result.exit_code == 3  # the clean host is fine, but two hosts could not be audited
    assert f"envaudit: warning: skipped {tmp_path / 'broken.json'}: not JSON" in result.stderr
    assert "other.json: not an envaudit diff report: findings[0].severity" in result.stderr
    assert "2 reports skipped (unreadable)" in result.stdout
    drifting = cli_runner().invoke(app, ["report", str(reports), str(tmp_path)])
    assert drifting.exit_code == 1  # drift found on readable hosts wins


def test_no_readable_report_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="no host reports given"):
        merge([tmp_path], print)
    result = cli_runner().invoke(app, ["report", str(tmp_path / "missing.json")])
    assert result.exit_code == 3
    assert "missing.json: cannot read" in result.stderr
    assert "envaudit: error: no host report could be read" in result.stderr


def test_a_host_reported_twice_keeps_the_newer(reports: Path, tmp_path: Path) -> None:
    doc = json.loads((reports / "node-a.json").read_text())
    doc["host"]["time"], doc["findings"] = "2999-01-01T00:00:00Z", []
    (tmp_path / "node-a-later.json").write_text(json.dumps(doc))
    warnings: list[str] = []
    fleet = merge([reports, tmp_path], warnings.append)
    assert len(fleet.hosts) == 3 and fleet.worst_counts()["clean"] == 2
    assert "node-a is reported twice" in warnings[0]
    assert "node-a-later.json, the newer" in warnings[0]


def test_reports_against_different_locks_are_noted(reports: Path, tmp_path: Path) -> None:
    doc = json.loads((reports / "node-b.json").read_text())
    doc["host"].update(hostname="node-x", id="x", lock_content_hash="sha256:other")
    (tmp_path / "x.json").write_text(json.dumps(doc))
    fleet = merge([reports, tmp_path], print)
    assert any("2 different locks" in n and "sha256:other (1 host)" in n for n in fleet.notes)


def test_control_characters_from_a_report_never_reach_the_terminal(tmp_path: Path) -> None:
    finding = {"severity": "error", "rule": "X-1", "subject": "s\x1b[2J", "locked": "a",
               "current": "b\x07", "title": "t", "message": "m\x1b]0;owned\x07"}
    doc = {"host": {"hostname": "evil\x1b[31m"}, "findings": [finding]}
    (tmp_path / "evil.json").write_text(json.dumps(doc))
    fleet = merge([tmp_path], print)
    for choice in (FleetFormatChoice.TEXT, FleetFormatChoice.MARKDOWN):
        out = render(fleet, choice)
        assert "\x1b" not in out and "\x07" not in out and "evil\\x1b[31m" in out
    table = render(fleet, FleetFormatChoice.HTML).split("<table", 1)[1]
    assert "\x1b" not in table and "evil\\x1b[31m" in table
