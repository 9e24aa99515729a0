"""Host identity in `envaudit diff --format json`: name, salted id, time, lock hash, model."""

from __future__ import annotations

import json
from pathlib import Path

from envaudit.cli import app
from envaudit.fleet.identity import identify, read_machine_id
from envaudit.probes.gpu_nvml import hash_id
from tests.factories import cli_runner
from tests.fleet_reports import CPU, H200

MID = "0123456789abcdef0123456789abcdef"


def test_live_host_id_is_the_salted_machine_id() -> None:
    host = identify(hostname=None, machine_id=MID, now=0.0)
    assert host.host_id == hash_id(MID) and MID not in host.host_id
    assert host.id_source == "machine-id" and host.hostname
    assert host.time == "1970-01-01T00:00:00Z"


def test_raw_ids_keep_the_machine_id() -> None:
    assert identify(machine_id=MID, raw_ids=True).host_id == MID


def test_without_a_machine_id_the_hostname_is_hashed() -> None:
    host = identify(hostname="gpu-7", model="resnet50")
    assert (host.host_id, host.id_source, host.model) == (hash_id("gpu-7"), "hostname", "resnet50")


def test_machine_id_files_fall_back_and_skip_empty_ones(tmp_path: Path) -> None:
    empty, real = tmp_path / "a", tmp_path / "b"
    empty.write_text("\n")
    real.write_text(MID + "\n")
    assert read_machine_id((tmp_path / "missing", empty, real)) == MID
    assert read_machine_id((empty,)) is None


def test_json_report_keeps_its_keys_and_adds_host(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli_runner().invoke(app, ["diff", str(H200), "--against", str(CPU), "-f", "json",
                                       "--model", "resnet50", "-o", str(out)])
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text())
    assert {"findings", "summary", "exit_code", "locked", "current", "notes"} < set(doc)
    host = doc["host"]
    lock_hash = next(line for line in H200.read_text().splitlines()
                     if line.startswith("content-hash")).split('"')[1]
    assert host["lock_content_hash"] == lock_hash
    assert host["hostname"] == str(CPU) and host["id_source"] == "lock-path"
    assert host["model"] == "resnet50" and host["time"].endswith("Z")
    assert host["id"] == hash_id(str(CPU))


def test_live_diff_reports_this_host(tmp_path: Path) -> None:
    import socket

    out = tmp_path / "r.json"
    cli_runner().invoke(app, ["diff", str(H200), "-f", "json", "-o", str(out)])
    host = json.loads(out.read_text())["host"]
    assert host["hostname"] == socket.gethostname() and host["model"] is None
    assert host["id"].startswith("sha256:")


def test_host_options_another_format_ignores_are_noted() -> None:
    result = cli_runner().invoke(app, ["diff", str(H200), "--against", str(H200),
                                       "--model", "resnet50", "--hostname", "n1"])
    assert result.exit_code == 0
    assert "envaudit: note: --model is only written by --format json and prometheus" in (
        result.stderr)
    assert "--hostname is only written" in result.stderr and "--raw-ids" not in result.stderr


def test_json_report_with_a_host_validates_against_the_published_schema(tmp_path: Path) -> None:
    import json

    import jsonschema

    root = Path(__file__).parent.parent
    schema = json.loads((root / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    locks = root / "fixtures" / "locks"
    out = tmp_path / "node.json"
    result = cli_runner().invoke(app, [
        "diff", str(locks / "h200.lock"), "--against", str(locks / "cpu-host.lock"),
        "--format", "json", "--hostname", "node-1", "--model", "resnet", "-o", str(out)])
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["host"]["hostname"] == "node-1" and doc["host"]["model"] == "resnet"
    assert doc["host"]["lock_content_hash"]


def test_model_defaults_to_the_pipeline_names(tmp_path: Path) -> None:
    from dataclasses import replace

    from envaudit import lockfile
    from envaudit.pipeline.attach import load
    from tests.factories import fp
    from tests.pipeline_files import SERVING_CONTRACT, TRAINING_CONTRACT

    (tmp_path / "training.pipeline.toml").write_text(TRAINING_CONTRACT)
    (tmp_path / "serving.pipeline.toml").write_text(SERVING_CONTRACT)
    contracts = load([str(tmp_path / "training.pipeline.toml")])
    lock = tmp_path / "training.lock"
    lock.write_text(lockfile.dumps(replace(fp(), pipelines=contracts)))
    base = ["diff", str(lock), "--against", str(lock), "--format", "json"]
    serving = ["--pipeline", str(tmp_path / "serving.pipeline.toml")]
    for extra, model in (([], None), (serving, "classifier,detector"),
                         ([*serving, "--model", "yolo"], "yolo")):
        out = tmp_path / "report.json"
        result = cli_runner().invoke(app, [*base, *extra, "-o", str(out)])
        assert result.exit_code in (0, 1), result.output
        assert json.loads(out.read_text())["host"]["model"] == model
