"""--format prometheus: node_exporter textfile metrics, checked with prometheus_client's parser."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from envaudit.api import diff
from envaudit.cli import app
from envaudit.fleet.identity import identify
from envaudit.formats import FormatChoice, get_format
from envaudit.formats.prometheus import METRICS, escape_label, textfile_name
from envaudit.lockfile import LoadedLock
from envaudit.report import FailOn
from tests.factories import cli_runner, fp
from tests.fleet_reports import CPU, H200

HOSTILE = 'a\\b "quoted"\nnext'


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge" and family.documentation
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def render(model: str = "resnet50") -> str:
    report = diff(LoadedLock(fp(packages={"torch": "2.4.0+cu124"})),
                  fp(packages={"torch": "2.4.0+cpu"}))
    host = identify(hostname="n1", model=model, now=1764331200.5, lock_content_hash="sha256:ab")
    return get_format(FormatChoice.PROMETHEUS).render(replace(report, host=host), FailOn.ERROR)


def test_metrics_parse_with_the_official_parser() -> None:
    got = samples(render())
    assert set(got) == set(METRICS)
    assert got["envaudit_last_run_timestamp_seconds"] == [({"model": "resnet50"}, 1764331200.5)]
    assert got["envaudit_lock_info"] == [({"model": "resnet50", "content_hash": "sha256:ab"}, 1)]
    drift = {labels["severity"]: value for labels, value in got["envaudit_drift"]}
    assert drift == {"error": 1, "warning": 1, "info": 1}
    ((labels, value),) = got["envaudit_findings"]  # a CUDA build → a CPU build: one error
    assert labels["subject"] == "torch" and labels["severity"] == "error" and value == 1
    assert labels["rule"].startswith(("FW-", "PKG-"))


def test_label_values_are_escaped_per_the_exposition_format() -> None:
    assert escape_label(HOSTILE) == 'a\\\\b \\"quoted\\"\\nnext'
    got = samples(render(model=HOSTILE))
    assert got["envaudit_lock_info"][0][0]["model"] == HOSTILE


def test_real_pair_over_the_cli_into_a_textfile_dir(tmp_path: Path) -> None:
    result = cli_runner().invoke(app, [
        "diff", str(H200), "--against", str(CPU), "-f", "prometheus",
        "--textfile-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert os.listdir(tmp_path) == ["envaudit.prom"]  # the temporary file was renamed away
    got = samples((tmp_path / "envaudit.prom").read_text())
    errors = [labels for labels, _ in got["envaudit_findings"] if labels["severity"] == "error"]
    assert len(errors) == 13 and got["envaudit_drift"][0] == ({"model": "", "severity": "error"}, 1)


def test_each_model_gets_its_own_file() -> None:
    assert textfile_name("") == "envaudit.prom"
    assert textfile_name("yolo v8/coco") == "envaudit_yolo_v8_coco.prom"


@pytest.mark.parametrize("args", [["-f", "json"], ["-f", "prometheus", "-o", "x.prom"]])
def test_textfile_dir_needs_prometheus_and_no_output(tmp_path: Path, args: list[str]) -> None:
    result = cli_runner().invoke(app, ["diff", str(H200), "--against", str(CPU), *args,
                                       "--textfile-dir", str(tmp_path)])
    assert result.exit_code == 2 and "needs --format prometheus" in result.output


def test_textfile_dir_must_exist(tmp_path: Path) -> None:
    result = cli_runner().invoke(app, ["diff", str(H200), "--against", str(CPU), "-f",
                                       "prometheus", "--textfile-dir", str(tmp_path / "no")])
    assert result.exit_code == 3 and "is not a directory" in result.stderr
