"""The pipeline contract: schema errors, the [pipelines] lock section, diff --pipeline, verify()."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.api import check
from envaudit.cli import app
from envaudit.pipeline import verify, verifying
from envaudit.pipeline.attach import load
from envaudit.pipeline.interface import Pipeline, PipelineError
from envaudit.pipeline.serving import PipelineMismatch
from tests.factories import cli_runner, fp
from tests.pipeline_files import SERVING_CONTRACT, TRAINING_CONTRACT


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "envaudit.pipeline.toml").write_text(TRAINING_CONTRACT)
    (tmp_path / "serving.pipeline.toml").write_text(SERVING_CONTRACT)
    contracts = load([str(tmp_path / "envaudit.pipeline.toml")])
    (tmp_path / "training.lock").write_text(lockfile.dumps(replace(fp(), pipelines=contracts)))
    return tmp_path


def _errors(tmp: Path, serving: str) -> list[tuple[str, str, str | None, str | None]]:
    lock = tmp / "training.lock"
    report = check(lock, against=lock, pipelines=[str(tmp / serving)])
    return [(f.rule, f.subject, f.locked, f.current) for f in report.findings]


def test_three_classic_mistakes_give_exactly_three_errors(files: Path) -> None:
    assert _errors(files, "serving.pipeline.toml") == [
        ("PIPE-001", "pipeline classifier: input-size", "224x224", "256x256"),
        ("PIPE-007", "pipeline detector: scale-values", "scale-values [255]",
         "scale-values [1]"),
        ("PIPE-009", "pipeline detector: iou-threshold", "0.7", "0.5"),
    ]
    lock = files / "training.lock"
    report = check(lock, against=lock, pipelines=[str(files / "serving.pipeline.toml")])
    assert {f.severity.value for f in report.findings} == {"error"}
    assert "lower IoU threshold" in report.findings[2].message


def test_the_same_contract_gives_no_finding(files: Path) -> None:
    assert _errors(files, "envaudit.pipeline.toml") == []


def test_lock_round_trip_and_schema(files: Path) -> None:
    text = (files / "training.lock").read_text()
    assert lockfile.SCHEMA == "1.1" and "[pipelines.detector]" in text
    loaded = lockfile.loads(text)
    assert lockfile.dumps(loaded.fingerprint) == text
    detector = loaded.fingerprint.pipelines["detector"]  # type: ignore[index]
    assert detector.input_size == (640, 640) and detector.num_classes == 3
    assert detector.labels_hash.startswith("sha256:")  # type: ignore[union-attr]
    assert detector.labels_key.startswith("sha256u:")  # type: ignore[union-attr]
    assert "labels-key = " in text
    assert loaded.notes == ()


def test_a_1_0_lock_without_pipelines_still_loads() -> None:
    doc = lockfile.to_dict(fp())
    doc["envaudit"]["schema"] = "1.0"
    doc["envaudit"]["content-hash"] = lockfile.content_hash(doc)
    import tomli_w

    loaded = lockfile.loads(tomli_w.dumps(doc))
    assert loaded.notes == ()
    assert "not recorded" in loaded.fingerprint.pipelines.reason  # type: ignore[union-attr]


def test_bad_lock_pipeline_names_the_key_path() -> None:
    doc = lockfile.to_dict(replace(fp(), pipelines={"det": Pipeline(iou_threshold=0.5)}))
    doc["pipelines"]["det"]["iou-treshold"] = 0.4
    import tomli_w

    with pytest.raises(lockfile.LockfileError, match=r"pipelines\.det\.iou-treshold.*did you"
                       r" mean 'iou-threshold'"):
        lockfile.loads(tomli_w.dumps(doc))


@pytest.mark.parametrize(("body", "message"), [
    ("[det]\niou_treshold = 0.5\n", r"at 'det.iou_treshold': unknown key \(did you mean"
                                    r" 'iou-threshold'\?\)"),
    ("[det]\nlayout = 'NCWH'\n", r"'det.layout': 'NCWH' is not one of NCHW, NHWC"),
    ("[det]\niou-threshold = 7\n", r"from 0 to 1"),
    ("[det]\ninput-size = [640]\n", r"positive integer or \[height, width\]"),
    ("x = 1\n", r"at 'x': expected a table"),
    ("", r"no pipelines"),
    ("[det\n", r"not valid TOML"),
    ("[det]\nlabels-key = 'sha256:" + "a" * 64 + "'\n", r"'det.labels-key': expected"
                                                       r" \"sha256u:\" and 64 hex digits"),
    ("[det]\nlabels-key = 'sha256u:" + "g" * 64 + "'\n", r"\"sha256u:\" and 64 hex"),
    ("[det]\nlabels-key = 7\n", r"\"sha256u:\" and 64 hex"),
    ("[det]\nlabels-hash = 'sha256u:" + "a" * 63 + "'\n", r"\"sha256:\" and 64 hex"),
    ("[det]\nlabels-key = 'sha256u:" + "a" * 64 + "'\nlabels = ['a']\n",
     r"give one of labels, labels-file, or labels-hash / labels-key"),
])
def test_contract_errors_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "envaudit.pipeline.toml"
    path.write_text(body)
    with pytest.raises(PipelineError, match=message):
        load([str(path)])


def test_pyproject_table_and_unknown_stays_unknown(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.envaudit]\ncritical = ['numpy']\n"
                    "[tool.envaudit.pipeline.det]\ninterpolation = 'INTER_LINEAR'\n")
    (det,) = load([str(path)]).values()
    assert load([str(tmp_path)]) == {"det": det}  # a directory: found in pyproject.toml
    assert det.interpolation == "bilinear"
    assert det.known() == {"interpolation": "bilinear"}  # nothing else assumed


def test_named_spec_picks_one_pipeline(files: Path) -> None:
    got = load([f"detector={files / 'envaudit.pipeline.toml'}"])
    assert list(got) == ["detector"]
    with pytest.raises(PipelineError, match="no pipeline 'tracker'"):
        load([f"tracker={files / 'envaudit.pipeline.toml'}"])


def test_cli_snapshot_and_diff_with_pipeline(files: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.chdir(files)
    runner = cli_runner()
    result = runner.invoke(app, ["snapshot", "--pipeline", "envaudit.pipeline.toml",
                                 "-o", "mine.lock"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["diff", "mine.lock", "--against", "mine.lock",
                                 "--pipeline", "serving.pipeline.toml"])
    assert result.exit_code == 1
    assert result.stdout.count("ERROR") == 3
    assert "pipelines    classifier, detector" in runner.invoke(app, ["show", "mine.lock"]).stdout
    result = runner.invoke(app, ["diff", "mine.lock"])  # this host: pipelines not given
    assert result.exit_code == 0
    assert "records classifier, detector; pass --pipeline FILE" in result.stderr
    result = runner.invoke(app, ["diff", "mine.lock", "--pipeline", "nope.toml"])
    assert result.exit_code == 3 and "nope.toml: no such file" in result.stderr


def test_main_hands_snapshot_pipeline_to_typer(files: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The typer-free fast path leaves --pipeline lines to typer, which runs them whole."""
    from envaudit import fastpath
    from envaudit.main import main

    monkeypatch.chdir(files)
    argv = ["snapshot", "--pipeline", "envaudit.pipeline.toml", "-o", "main.lock"]
    assert fastpath.parse(argv) is None
    assert main(argv) == 0, capsys.readouterr().err
    pipelines = lockfile.load(files / "main.lock").fingerprint.pipelines
    assert sorted(pipelines) == ["classifier", "detector"]  # type: ignore[arg-type]
    assert main([*argv[:2], "nope.toml"]) == 3
    assert "nope.toml: no such file" in capsys.readouterr().err
    assert main([*argv, "--pipeline-format", "yolo"]) == 2  # an invalid choice: usage
    assert "unknown --pipeline-format 'yolo'" in capsys.readouterr().err


def test_pipelines_are_an_optional_unlisted_uncompared_section(files: Path) -> None:
    """Absent, not [unavailable]; PIPE-* compare the contracts, not the generic compare."""
    from envaudit.compare import compare, facts

    without = lockfile.to_dict(fp())
    assert "pipelines" not in without and "pipelines" not in without.get("unavailable", {})
    with_ = lockfile.load(files / "training.lock").fingerprint
    values, missing = facts(with_)
    assert not [k for k in [*values, *missing] if k.startswith("pipelines")]
    assert not [c for c in compare(fp(), with_) if c.path.startswith("pipelines")]
    doc = lockfile.to_dict(fp())
    doc.setdefault("unavailable", {})["pipelines"] = "written by another tool"
    doc["envaudit"]["content-hash"] = lockfile.content_hash(doc)
    loaded = lockfile.from_dict(doc).fingerprint.pipelines
    assert loaded == fp().pipelines  # the default: not recorded


def test_verify_passes_with_training_values_and_names_a_wrong_one(files: Path) -> None:
    lock = files / "training.lock"
    ok = verify("detector", source=lock, input_size=640, iou_threshold=0.7,
                color_order="rgb", scale_values=[255, 255, 255], interpolation="bilinear")
    assert ok.ok and ok.unchecked == ("interpolation",)
    with pytest.raises(PipelineMismatch, match=r"pipeline detector: iou_threshold is 0.45,"
                       r" training used 0.7"):
        verify("detector", source=lock, input_size=640, iou_threshold=0.45)


def test_verify_policy_log_and_context_forms(files: Path, caplog: pytest.LogCaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    lock = files / "training.lock"
    with caplog.at_level(logging.ERROR, logger="envaudit.pipeline"):
        result = verify("classifier", source=lock, on_mismatch="log", input_size=256)
    assert not result.ok and "input_size is 256x256, training used 224x224" in caplog.text
    monkeypatch.setenv("ENVAUDIT_LOCK", str(lock))

    @verifying("classifier", input_size=224)
    def start() -> str:
        return "serving"

    assert start() == "serving"
    with pytest.raises(PipelineMismatch, match="layout is NHWC"), \
            verifying("classifier", layout="nhwc"):
        pass


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"iou_treshold": 0.5}, r"unknown field 'iou_treshold' \(did you mean 'iou_threshold'"),
    ({"layout": "CHW"}, r"layout: 'CHW' is not one of"),
    ({"on_mismatch": "ignore"}, r"on_mismatch must be one of raise, log"),
])
def test_verify_rejects_bad_calls(files: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        verify("detector", source=files / "training.lock", **kwargs)  # type: ignore[arg-type]


def test_verify_unknown_pipeline_and_contract_file_source(files: Path) -> None:
    with pytest.raises(PipelineError, match=r"no pipeline 'detecter'.*did you mean 'detector'"):
        verify("detecter", source=files / "training.lock")
    assert verify("detector", source=files / "envaudit.pipeline.toml", pad_value=114).ok


def test_docs_pipeline_python_block_runs(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    monkeypatch.chdir(files)
    (files / "pipeline.lock").write_text((files / "training.lock").read_text())
    doc = (Path(__file__).parent.parent / "docs" / "pipeline.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", doc, re.S)
    exec(compile(code, "pipeline.md", "exec"), {})
