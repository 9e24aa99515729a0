"""Model artifacts end to end: files built in their real layouts, recorded, copied, checked."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envaudit import lockfile
from envaudit.artifacts import hashing
from envaudit.artifacts.api import problems, record, verify
from envaudit.artifacts.collect import collect
from envaudit.artifacts.interface import Artifact, ArtifactError
from envaudit.model import Fingerprint, Unavailable
from tests import artifact_files as build
from tests.factories import flat, fp, run


def _arts(f: Fingerprint) -> tuple[Artifact, ...]:
    assert not isinstance(f.artifacts, Unavailable)
    return f.artifacts


def _deploy(locked: Fingerprint, where: Path, host: Fingerprint | None = None,
            ) -> list[tuple[str, str]]:
    """The findings when the locked artifact is checked at `where` on `host`."""
    current = verify(locked, host or locked, [str(where)])
    return [pair for pair in flat(run(locked, current)) if pair[0].startswith("ART-")]


def test_onnx_opset_newer_than_the_installed_onnxruntime(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    version = importlib.metadata.version("onnxruntime")
    too_new = build.onnx_model(tmp_path / "new.onnx", opset=29)
    with pytest.raises(Exception, match="opset"):  # the real runtime refuses it
        ort.InferenceSession(str(too_new), providers=["CPUExecutionProvider"])
    host = fp(packages={"onnxruntime": version})
    locked = record(fp(packages={"onnx": "1.23.2"}), [str(too_new)])
    assert _deploy(locked, too_new, host) == [("ART-004", "error")]
    fine = build.onnx_model(tmp_path / "ok.onnx", opset=17)
    ort.InferenceSession(str(fine), providers=["CPUExecutionProvider"])
    assert _deploy(record(fp(), [str(fine)]), fine, host) == []


def test_savedmodel_missing_a_variables_shard(tmp_path: Path) -> None:
    export = build.savedmodel(tmp_path / "export" / "sm", shards=2)
    locked = record(fp(), [str(export)])
    (art,) = _arts(locked)
    assert (art.format, art.problems) == ("savedmodel", ())
    assert art.facts["tensorflow_version"] == "2.16.1"
    assert art.facts["fingerprint.checkpoint_hash"] == "1005"
    deploy = tmp_path / "deploy" / "sm"
    shutil.copytree(export, deploy)
    assert _deploy(locked, deploy) == []
    (deploy / "variables" / "variables.data-00001-of-00002").unlink()
    assert _deploy(locked, deploy) == [("ART-001", "error"), ("ART-003", "error")]


def test_incomplete_savedmodel_is_reported_at_snapshot(tmp_path: Path) -> None:
    export = build.savedmodel(tmp_path / "sm", shards=3)
    (export / "variables" / "variables.data-00002-of-00003").unlink()
    (export / "variables" / "variables.index").unlink()
    lines = problems(_arts(record(fp(), [str(export)])))
    assert any("variables.index is missing" in line for line in lines)
    assert any("1 of 3 variables shards missing" in line for line in lines)


def test_savedmodel_in_tf_serving_layout(tmp_path: Path) -> None:
    build.savedmodel(tmp_path / "models" / "det" / "1")
    build.savedmodel(tmp_path / "models" / "det" / "2", shards=3)
    (tmp_path / "models" / "det" / "2" / "variables" / "variables.data-00000-of-00003").unlink()
    locked = record(fp(), [str(tmp_path / "models"), str(tmp_path / "models")])
    (art,) = _arts(locked)
    assert art.problems == ("det/2: 1 of 3 variables shards missing:"
                            " variables/variables.data-00000-of-00003",)


def test_truncated_torchscript_zip(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    model = build.torchscript(tmp_path / "model.pt")
    locked = record(fp(), [str(model)])
    (art,) = _arts(locked)
    assert art.format == "torchscript" and art.files[0].problems == ()
    assert art.files[0].facts["archive_version"].isdigit()
    copy = tmp_path / "deploy" / "model.pt"
    copy.parent.mkdir()
    shutil.copy(model, copy)
    assert _deploy(locked, copy) == []
    data = copy.read_bytes()
    copy.write_bytes(data[: len(data) // 2])
    assert _deploy(locked, copy) == [("ART-002", "error"), ("ART-003", "error")]


def test_edited_file(tmp_path: Path) -> None:
    model = build.onnx_model(tmp_path / "m.onnx")
    locked = record(fp(), [str(model)])
    data = bytearray(model.read_bytes())
    data[data.index(b"envaudit-tests")] = ord("E")  # same size, other bytes
    model.write_bytes(bytes(data))
    findings = run(locked, verify(locked, locked))
    assert [(f.rule, f.severity.value) for f in findings] == [("ART-002", "error")]
    assert "changed: sha256" in findings[0].message


def test_missing_artifact_on_the_deployment_side(tmp_path: Path) -> None:
    model = build.onnx_model(tmp_path / "m.onnx")
    locked = record(fp(), [str(model)])
    assert _deploy(locked, tmp_path / "elsewhere.onnx") == [("ART-001", "error")]


def test_onnx_external_data_is_recorded_and_required(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    model = build.onnx_model(tmp_path / "m.onnx")
    proto = onnx.load(str(model))
    onnx.save(proto, str(model), save_as_external_data=True, location="m.onnx.data",
              size_threshold=0)
    locked = record(fp(), [str(model)])
    (art,) = _arts(locked)
    assert [f.path for f in art.files] == ["m.onnx", "m.onnx.data"]
    (tmp_path / "m.onnx.data").unlink()
    assert _deploy(locked, model) == [("ART-001", "error"), ("ART-003", "error")]


def test_tflite_and_tensorrt_headers(tmp_path: Path) -> None:
    build.tflite(tmp_path / "m.tflite", version=3)
    build.tensorrt_plan(tmp_path / "yolo.engine", version=(10, 3, 0), ultralytics=True)
    host = fp(gpus=[("NVIDIA A10", "8.6")], packages={"tensorrt": "10.3.0"})
    (art,) = collect([str(tmp_path)], build_host={"build_gpu": "NVIDIA A10"})
    facts = {f.path: f.facts for f in art.files}
    assert facts["m.tflite"] == {"schema_version": "3"}
    engine = facts["yolo.engine"]
    assert engine["tensorrt_version"] == "10.3.0"
    assert engine["tensorrt_version_source"].startswith("heuristic")
    assert engine["ultralytics.imgsz"] == "[640, 640]"
    locked = record(host, [str(tmp_path)])
    assert _deploy(locked, tmp_path, host) == []
    other = fp(gpus=[("NVIDIA L4", "8.9")], packages={"tensorrt": "10.8.0"})
    assert _deploy(locked, tmp_path, other) == [("ART-005", "error"), ("ART-006", "error")]


def test_lock_round_trip_and_older_locks(tmp_path: Path) -> None:
    export = build.savedmodel(tmp_path / "sm")
    build.tflite(tmp_path / "sm" / "assets.tflite")
    locked = record(fp(), [str(export)])
    text = lockfile.dumps(locked)
    assert lockfile.SCHEMA == "1.1" and "[[artifacts.files]]" in text
    loaded = lockfile.loads(text)
    assert loaded.notes == ()
    assert loaded.fingerprint.artifacts == locked.artifacts
    from envaudit.show import render_lock

    shown = render_lock(loaded, "model.lock")
    assert f"  {export.as_posix()} (savedmodel, 6 files, " in shown
    old = lockfile.loads(lockfile.dumps(fp()))  # fp() is a schema 1.0 lock
    assert 'schema = "1.0"' in lockfile.dumps(fp()) and old.notes == ()
    assert isinstance(old.fingerprint.artifacts, Unavailable)
    # An on-request section: never a gap under [unavailable], nor "unknown" in show.
    assert "artifacts" not in lockfile.to_dict(fp()).get("unavailable", {})
    assert "artifacts" not in render_lock(old, "old.lock")


def test_artifacts_and_pipelines_in_one_lock(tmp_path: Path) -> None:
    from envaudit.pipeline.interface import Pipeline

    locked = dataclasses.replace(record(fp(), [str(build.onnx_model(tmp_path / "m.onnx"))]),
                                 pipelines={"det": Pipeline(input_size=(640, 640), layout="NCHW")})
    text = lockfile.dumps(locked)
    assert "[[artifacts]]" in text and "[pipelines.det]" in text
    loaded = lockfile.loads(text)
    assert loaded.notes == () and lockfile.dumps(loaded.fingerprint) == text


def test_generic_compare_leaves_artifacts_to_the_art_rules(tmp_path: Path) -> None:
    from envaudit.compare import compare

    locked = record(fp(), [str(build.onnx_model(tmp_path / "m.onnx"))])
    assert [c.path for c in compare(locked, fp()) if c.path.startswith("artifacts")] == []


def test_snapshot_with_artifact_goes_through_typer_from_main(tmp_path: Path) -> None:
    from envaudit import fastpath
    from envaudit.main import main

    model = build.onnx_model(tmp_path / "m.onnx")
    args = ["snapshot", "-o", str(tmp_path / "a.lock"), "--artifact", str(model)]
    assert fastpath.parse(args) is None
    assert main(args) == 0
    (art,) = _arts(lockfile.load(tmp_path / "a.lock").fingerprint)
    assert art.path == model.as_posix() and art.files[0].format == "onnx"


def test_artifact_with_against_is_a_usage_error(tmp_path: Path) -> None:
    from envaudit.main import main

    lock = tmp_path / "a.lock"
    lock.write_text(lockfile.dumps(fp()))
    args = ["diff", str(lock), "--against", str(lock), "--artifact", "m.onnx"]
    assert main(args) == 2


@pytest.mark.parametrize(("edit", "path"), [
    (("size = ", "size = -"), "artifacts[0].files[0].size"),
    (('kind = "directory"', "kind = 3"), "artifacts[0].kind"),
    (("[artifacts.facts]", "[artifacts.fax]"), None),
])
def test_invalid_artifacts_section_names_the_key(tmp_path: Path, edit: tuple[str, str],
                                                 path: Any) -> None:
    text = lockfile.dumps(record(fp(), [str(build.savedmodel(tmp_path / "sm"))]))
    edited = text.replace(*edit, 1)
    if path is None:
        lockfile.loads(edited)  # unknown keys of a newer minor are ignored
        return
    with pytest.raises(lockfile.LockfileError, match=re.escape(f"'{path}'")):
        lockfile.loads(edited)


def test_snapshot_of_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no such file"):
        record(fp(), [str(tmp_path / "absent")])


def test_locked_artifacts_unverified_by_a_deployment_lock_are_a_note(tmp_path: Path) -> None:
    from envaudit.api import diff

    locked = record(fp(), [str(build.onnx_model(tmp_path / "m.onnx"))])
    report = diff(lockfile.loads(lockfile.dumps(locked)), fp())
    assert any("did not verify" in note for note in report.notes)


def test_hash_is_sha256_and_progress_after_a_second(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"x" * (3 * hashing.CHUNK + 5))
    lines: list[str] = []
    monkeypatch.setattr(hashing, "QUIET_SECONDS", 0.0)
    size, digest = hashing.sha256_file(path, progress=lines.append)
    assert (size, digest) == (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
    assert lines and lines[0].startswith("hashing blob: ")
    monkeypatch.setattr(hashing, "QUIET_SECONDS", 60.0)
    quiet: list[str] = []
    hashing.sha256_file(path, progress=quiet.append)
    assert quiet == []


def test_cli_snapshot_and_diff_with_artifacts(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.cli import app
    from tests.factories import cli_runner

    monkeypatch.chdir(tmp_path)
    build.savedmodel(tmp_path / "export")
    ok = cli_runner().invoke(app, ["snapshot", "--artifact", "export", "-o", "model.lock"])
    assert ok.exit_code == 0, ok.output
    shutil.copytree(tmp_path / "export", tmp_path / "deploy")
    (tmp_path / "deploy" / "variables" / "variables.data-00000-of-00002").unlink()
    bad = cli_runner().invoke(app, ["diff", "model.lock", "--artifact", "deploy"])
    assert bad.exit_code == 1, bad.output
    assert "ART-003" in bad.output and "1 of 2 variables shards missing" in bad.output
    gone = cli_runner().invoke(app, ["diff", "model.lock", "--artifact", "nowhere/export"])
    assert gone.exit_code == 1 and "ART-001" in gone.output
    two = ["diff", "model.lock", "--artifact", "deploy", "--artifact", "b/export"]
    again = cli_runner().invoke(app, two)
    assert again.exit_code == 3 and "no locked artifact named 'deploy'" in again.output


def test_plain_snapshot_imports_no_artifact_reader() -> None:
    code = ("import sys; from envaudit.commands import snapshot;"
            " snapshot(output='-', deep=False, timeout=5.0, raw_ids=False);"
            " print(sorted(m for m in sys.modules if m.startswith('envaudit.artifacts')"
            " or m == 'zipfile'), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_unchanged_copy_is_silent_for_every_format(tmp_path: Path) -> None:
    build.savedmodel(tmp_path / "all" / "sm")
    build.onnx_model(tmp_path / "all" / "m.onnx")
    build.tflite(tmp_path / "all" / "m.tflite")
    locked = record(fp(), [str(tmp_path / "all")])
    assert problems(_arts(locked)) == []
    current = dataclasses.replace(verify(locked, locked), meta=locked.meta)
    assert [f.rule for f in run(locked, current)] == []
