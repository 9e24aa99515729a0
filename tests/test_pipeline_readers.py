"""Each pipeline reader on files built in code in the real layout, and the sniffing CLI."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from envaudit import lockfile
from envaudit.api import check
from envaudit.pipeline.attach import load
from envaudit.pipeline.interface import Pipeline, PipelineError
from envaudit.pipeline.labels import labels_hash, labels_key
from envaudit.pipeline.readers import PipelineFormat, read, sniff
from envaudit.pipeline.readers._yaml import loads as yaml_loads
from tests.factories import fp
from tests.pipeline_files import (
    COCO3,
    DEEPSTREAM_CONFIG,
    HF_CONFIG,
    HF_PREPROCESSOR,
    OPENVINO_IR,
    TRITON_CONFIG,
    ultralytics_args,
    ultralytics_metadata,
    write_engine,
    write_yaml,
)

COCO3_HASH = labels_hash(list(COCO3.values()))
COCO3_KEY = labels_key(list(COCO3.values()))
PROFILED = ("layout", "color_order", "mean_values", "scale_values", "resize_type", "pad_value")


def _one(path: Path, fmt: PipelineFormat = PipelineFormat.AUTO) -> Pipeline:
    (only,) = read(path, fmt).pipelines.values()
    return only


# ---------------------------------------------------------------- YAML subset


@pytest.mark.parametrize("data", [
    ultralytics_args(), ultralytics_metadata(),
    {"s": "yes", "q": "it's", "e": "", "n": None, "f": 1e-5, "neg": -3, "u": "π ≈ 3.14",
     "colon": "a: b", "hash": "x # y", "num": "0.5", "flow": [1, 2.5, "a"]},
], ids=["args", "metadata", "scalars"])
def test_yaml_subset_reads_what_pyyaml_reads(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert yaml_loads(text, "t") == yaml.safe_load(text) == data
    flow = "imgsz: [640, 480]  # h, w\nnames: {0: person, 1: 'bi cycle'}\n"
    assert yaml_loads(flow, "t") == yaml.safe_load(flow)


@pytest.mark.parametrize(("text", "message"), [
    ("a: &x 1\n", "outside the YAML subset"),
    ("a:\n  b:\n    c: 1\n", "deeper than one level"),
    ("a: [1, [2]]\n", "nested flow"),
    ("  b: 1\n", "without a key"),
    ("just text\n", "expected 'key: value'"),
])
def test_yaml_subset_refuses_what_it_does_not_read(text: str, message: str) -> None:
    with pytest.raises(PipelineError, match=f"line \\d+: .*{message}"):
        yaml_loads(text, "args.yaml")


# ---------------------------------------------------------------- Ultralytics


def test_ultralytics_args_yaml(tmp_path: Path) -> None:
    p = _one(write_yaml(tmp_path / "args.yaml", ultralytics_args()))
    assert (p.input_size, p.iou_threshold, p.max_detections, p.class_agnostic) == (
        (640, 640), 0.7, 300, False)
    assert p.confidence_threshold is None  # conf: null stays unknown
    assert (p.resize_type, p.pad_value, p.color_order, p.scale_values, p.layout) == (
        "fit_to_window_letterbox", 114.0, "RGB", (255.0,), "NCHW")
    assert set(p.assumed) == set(PROFILED)


def test_ultralytics_classify_is_not_letterboxed(tmp_path: Path) -> None:
    p = _one(write_yaml(tmp_path / "args.yaml", {**ultralytics_args(), "task": "classify"}))
    assert p.resize_type is None and p.pad_value is None and p.color_order == "RGB"


def _expected_export(p: Pipeline) -> None:
    assert (p.input_size, p.labels_hash, p.num_classes) == ((640, 640), COCO3_HASH, 3)
    assert p.resize_type == "fit_to_window_letterbox"


def test_ultralytics_metadata_yaml_and_engine(tmp_path: Path) -> None:
    _expected_export(_one(write_yaml(tmp_path / "metadata.yaml", ultralytics_metadata())))
    _expected_export(_one(write_engine(tmp_path / "best.engine", ultralytics_metadata())))
    (tmp_path / "bad.engine").write_bytes(b"\xff\xff\xff\x7fplan")
    with pytest.raises(PipelineError, match="no Ultralytics metadata"):
        read(tmp_path / "bad.engine")


def test_ultralytics_torchscript_extra_config(tmp_path: Path) -> None:
    # torch.jit.save(m, path, _extra_files={"config.txt": ...}) writes this zip layout
    # (checked against torch 2.13; importing torch here would cost seconds per run).
    path = tmp_path / "best.torchscript"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("best/data.pkl", b"\x80\x02}q\x00.")
        zf.writestr("best/extra/config.txt", json.dumps(ultralytics_metadata()))
        zf.writestr("best/version", "3\n")
    _expected_export(_one(path))
    with zipfile.ZipFile(tmp_path / "plain.torchscript", "w") as zf:
        zf.writestr("plain/data.pkl", b"")
    with pytest.raises(PipelineError, match=r"no extra/config\.txt"):
        read(tmp_path / "plain.torchscript")


def _onnx_model(path: Path, *, nms: str = "") -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 640, 640])
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 7, 8400])
    nodes = [helper.make_node("Identity", ["images"], ["output0"])]
    inits = []
    if nms == "trt":
        nodes.append(helper.make_node(
            "EfficientNMS_TRT", ["output0", "output0"], ["num", "boxes"], domain="trt.plugins",
            iou_threshold=0.45, score_threshold=0.25, max_output_boxes=100, class_agnostic=0))
    elif nms == "onnx":
        inits = [helper.make_tensor("iou", TensorProto.FLOAT, [], [0.5]),
                 helper.make_tensor("score", TensorProto.FLOAT, [], [0.3]),
                 helper.make_tensor("maxb", TensorProto.INT64, [], [100])]
        nodes.append(helper.make_node("NonMaxSuppression",
                                      ["output0", "output0", "maxb", "iou", "score"], ["sel"]))
    graph = helper.make_graph(nodes, "g", [x], [y], initializer=inits)
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("trt.plugins", 1)])
    helper.set_model_props(model, {k: str(v) for k, v in ultralytics_metadata().items()})
    onnx.save(model, str(path))
    return path


def test_onnx_ultralytics_metadata_props_and_input(tmp_path: Path) -> None:
    p = _one(_onnx_model(tmp_path / "best.onnx"))
    _expected_export(p)
    assert (p.dtype, p.layout) == ("float32", "NCHW")
    assert "layout" in p.assumed  # inferred from the shape


@pytest.mark.parametrize(("nms", "expected"), [
    ("trt", {"iou_threshold": 0.45, "confidence_threshold": 0.25, "max_detections": 100,
             "class_agnostic": False}),
    ("onnx", {"iou_threshold": 0.5, "confidence_threshold": 0.3}),
])
def test_onnx_nms_thresholds(tmp_path: Path, nms: str, expected: dict[str, Any]) -> None:
    p = _one(_onnx_model(tmp_path / "m.onnx", nms=nms))
    assert {k: getattr(p, k) for k in expected} == pytest.approx(expected)


def test_onnx_garbage_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07\x12\xff\xff\xff\xff\x0f")
    with pytest.raises(PipelineError):
        read(tmp_path / "m.onnx")


# ---------------------------------------------------------------- Hugging Face


def test_huggingface_preprocessor_and_id2label(tmp_path: Path) -> None:
    (tmp_path / "preprocessor_config.json").write_text(json.dumps(HF_PREPROCESSOR))
    (tmp_path / "config.json").write_text(json.dumps(HF_CONFIG))
    p = _one(tmp_path)  # a model directory
    assert (p.input_size, p.resize_type, p.interpolation) == ((224, 224), "standard", "bilinear")
    assert p.mean_values == pytest.approx((123.675, 116.28, 103.53))
    assert p.scale_values == pytest.approx((58.395, 57.12, 57.375))
    assert (p.labels_hash, p.num_classes) == (labels_hash(["cat", "dog"]), 2)


def test_huggingface_missing_flags_stay_unknown(tmp_path: Path) -> None:
    path = tmp_path / "preprocessor_config.json"
    path.write_text(json.dumps({"image_mean": [0.5], "image_std": [0.5], "size": 224}))
    assert _one(path).known() == {}


# ---------------------------------------------------------------- OpenVINO


def test_openvino_ir_model_info(tmp_path: Path) -> None:
    (tmp_path / "best.xml").write_text(OPENVINO_IR)
    p = _one(tmp_path / "best.xml")
    assert p.known() == {
        "input_size": (640, 640), "dtype": "float32", "color_order": "RGB",
        "resize_type": "fit_to_window_letterbox", "pad_value": 114.0, "scale_values": (255.0,),
        "iou_threshold": 0.7, "labels_key": COCO3_KEY, "num_classes": 3}  # no labels-hash


def test_openvino_refuses_entities(tmp_path: Path) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE net [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><net>&b;</net>')
    (tmp_path / "bomb.xml").write_text(bomb)
    with pytest.raises(PipelineError, match="DOCTYPE or ENTITY declaration: refused"):
        read(tmp_path / "bomb.xml")


# ---------------------------------------------------------------- DeepStream and Triton


def test_deepstream_nvinfer_config(tmp_path: Path) -> None:
    (tmp_path / "config_infer_primary_yoloV8.txt").write_text(DEEPSTREAM_CONFIG)
    (tmp_path / "labels.txt").write_text("person\nbicycle\ncar\n")
    p = _one(tmp_path / "config_infer_primary_yoloV8.txt")
    assert p.scale_values == pytest.approx((255.0,))
    assert (p.input_size, p.layout, p.color_order, p.resize_type) == (
        (640, 640), "NCHW", "RGB", "standard")
    assert (p.iou_threshold, p.confidence_threshold, p.max_detections) == (0.45, 0.25, 300)
    assert (p.labels_hash, p.num_classes) == (COCO3_HASH, 3)
    assert set(p.assumed) == {"layout"}  # network-input-order left to nvinfer's default


def test_deepstream_letterbox_and_bgr(tmp_path: Path) -> None:
    text = DEEPSTREAM_CONFIG.replace("maintain-aspect-ratio=0", "maintain-aspect-ratio=1\n"
                                     "symmetric-padding=1").replace("model-color-format=0",
                                                                    "model-color-format=1")
    (tmp_path / "c.txt").write_text(text)
    p = _one(tmp_path / "c.txt")
    assert (p.resize_type, p.color_order) == ("fit_to_window_letterbox", "BGR")


def test_triton_config_pbtxt(tmp_path: Path) -> None:
    (tmp_path / "yolov8n").mkdir()
    (tmp_path / "yolov8n" / "config.pbtxt").write_text(TRITON_CONFIG)
    p = _one(tmp_path / "yolov8n")
    assert p.known() == {"input_size": (640, 640), "layout": "NCHW", "dtype": "float32"}
    (tmp_path / "bad.pbtxt").write_text('input [ { name: "x" ')
    with pytest.raises(PipelineError, match="unexpected end of file"):
        read(tmp_path / "bad.pbtxt")


# ---------------------------------------------------------------- sniffing and cross-kind diff


@pytest.mark.parametrize(("name", "fmt"), [
    ("envaudit.pipeline.toml", PipelineFormat.CONTRACT), ("args.yaml", PipelineFormat.ULTRALYTICS),
    ("best.onnx", PipelineFormat.ONNX), ("model.xml", PipelineFormat.OPENVINO),
    ("config.pbtxt", PipelineFormat.TRITON), ("best.engine", PipelineFormat.ULTRALYTICS),
    ("preprocessor_config.json", PipelineFormat.HUGGINGFACE),
    ("config_infer_primary.txt", PipelineFormat.DEEPSTREAM),
])
def test_sniff_by_name(tmp_path: Path, name: str, fmt: PipelineFormat) -> None:
    (tmp_path / name).write_text("[property]\n")
    assert sniff(tmp_path / name) == (fmt, tmp_path / name)


def test_sniff_failure_names_the_option(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(PipelineError, match="pass --pipeline-format"):
        load([str(tmp_path / "notes.txt")])
    (tmp_path / "cfg").write_text(DEEPSTREAM_CONFIG)
    assert load([str(tmp_path / "cfg")], "deepstream")["default"].iou_threshold == 0.45


def test_training_args_yaml_against_deepstream_gives_the_two_findings(tmp_path: Path) -> None:
    training = load([str(write_yaml(tmp_path / "args.yaml", ultralytics_args()))])
    lock = tmp_path / "training.lock"
    lock.write_text(lockfile.dumps(replace(fp(), pipelines=training)))
    (tmp_path / "config_infer_primary_yoloV8.txt").write_text(DEEPSTREAM_CONFIG)
    report = check(lock, against=lock,
                   pipelines=[str(tmp_path / "config_infer_primary_yoloV8.txt")])
    assert [(f.rule, f.subject, f.locked, f.current) for f in report.findings] == [
        ("PIPE-003", "pipeline default: resize-type", "fit_to_window_letterbox (assumed)",
         "standard"),
        ("PIPE-009", "pipeline default: iou-threshold", "0.7", "0.45"),
    ]
    assert any("stated on one side only" in n and "confidence-threshold" in n
               for n in report.notes)


def test_triton_cross_checks_the_onnx_model_it_serves(tmp_path: Path) -> None:
    repo = tmp_path / "yolov8n"
    (repo / "1").mkdir(parents=True)
    _onnx_model(repo / "1" / "model.onnx")
    (repo / "config.pbtxt").write_text(TRITON_CONFIG)
    notes: list[str] = []
    load([str(repo / "config.pbtxt")], notes=notes)
    assert notes == []
    (repo / "config.pbtxt").write_text(TRITON_CONFIG.replace("3, 640, 640", "3, 320, 320")
                                       .replace("TYPE_FP32\n    format", "TYPE_FP16\n    format"))
    load([str(repo / "config.pbtxt")], notes=notes)
    assert [n.split(": ", 1)[1] for n in notes] == [
        f"dims [3, 320, 320] but {repo / '1' / 'model.onnx'} has input shape [1, 3, 640, 640]",
        f"data_type float16 but {repo / '1' / 'model.onnx'} has float32"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("preprocessor_config.json", "[" * 100_000, "not valid JSON"),
    ("c.txt", "[property]\nnet-scale-factor=0\n", "net-scale-factor must be positive"),
    ("c.txt", "[property]\nnet-scale-factor=abc\n", "could not convert"),
    ("args.yaml", "imgsz: -5\n", "imgsz: expected a positive integer"),
    ("m.xml", "<net><rt_info><model_info><iou_threshold value='nan'/></model_info>"
              "</rt_info></net>", "expected a number"),
    ("m.xml", "<other/>", "not an OpenVINO IR"),
    ("args.yaml", "x: 1\n" * 1_000_000, "larger than 4 MiB"),
])
def test_hostile_or_broken_files_give_one_line_errors(tmp_path: Path, name: str, content: str,
                                                      message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(PipelineError, match=message):
        read(tmp_path / name)


def test_openvino_labels_written_with_underscores_match_the_onnx_export(tmp_path: Path) -> None:
    # Ultralytics writes model_info labels as one space-separated list, each name with its
    # spaces as underscores (engine/exporter.py: v.replace(" ", "_")), while its ONNX
    # metadata and metadata.yaml keep "traffic light": one model, one label map.
    names = {0: "person", 1: "traffic light", 2: "car"}
    onnx_path = _onnx_model(tmp_path / "best.onnx")
    import onnx

    model = onnx.load(str(onnx_path))
    onnx.helper.set_model_props(model, {k: str(v) for k, v in
                                        {**ultralytics_metadata(), "names": names}.items()})
    onnx.save(model, str(onnx_path))
    training = load([str(onnx_path)])
    lock = tmp_path / "training.lock"
    lock.write_text(lockfile.dumps(replace(fp(), pipelines=training)))
    (tmp_path / "best.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                           "person traffic_light car"))
    report = check(lock, against=lock, pipelines=[str(tmp_path / "best.xml")])
    assert [f.rule for f in report.findings if f.rule.startswith("PIPE")] == []
    assert _one(tmp_path / "best.xml").num_classes == 3
    (tmp_path / "other.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                            "person car traffic_light"))
    report = check(lock, against=lock, pipelines=[str(tmp_path / "other.xml")])
    assert [f.rule for f in report.findings] == ["PIPE-014"]  # the order still counts



# ---------------------------------------------------------------- labels-hash and labels-key

COCO_SPACED = {0: "person", 1: "traffic light", 2: "car"}


def _raw_hash(labels: list[str]) -> str:
    """The labels-hash formula of docs/lockfile.md, written out: the labels as written."""
    import hashlib

    text = json.dumps(labels, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _spaced_onnx(path: Path, names: dict[int, str]) -> Path:
    """A real ONNX export whose Ultralytics metadata names `names`."""
    import onnx

    model = onnx.load(str(_onnx_model(path)))
    onnx.helper.set_model_props(model, {k: str(v) for k, v in
                                        {**ultralytics_metadata(), "names": names}.items()})
    onnx.save(model, str(path))
    return path


def _lock(tmp_path: Path, name: str, pipelines: dict[str, Pipeline]) -> Path:
    lock = tmp_path / name
    lock.write_text(lockfile.dumps(replace(fp(), pipelines=pipelines)))
    return lock


def _old_lock(tmp_path: Path, labels: dict[int, str]) -> Path:
    """A lock as written before labels-key: labels-hash of the labels as written, no key."""
    (p,) = load([str(_spaced_onnx(tmp_path / "old.onnx", labels))]).values()
    old = replace(p, labels_hash=_raw_hash(list(labels.values())), labels_key=None)
    lock = _lock(tmp_path, "old.lock", {"default": old})
    assert "labels-hash" in lock.read_text() and "labels-key" not in lock.read_text()
    return lock


def _pipe(report: Any) -> list[str]:
    return [f.rule for f in report.findings if f.rule.startswith("PIPE")]


def test_labels_hash_is_the_documented_formula_of_the_labels_as_written() -> None:
    labels = list(COCO_SPACED.values())
    assert labels_hash(labels) == _raw_hash(labels)  # locks and hand-written hashes hold
    assert labels_key(labels) == "sha256u:" + _raw_hash(
        ["person", "traffic_light", "car"])[len("sha256:"):]


def test_a_lock_with_the_original_labels_hash_matches_the_same_labels_read_now(
        tmp_path: Path) -> None:
    lock = _old_lock(tmp_path, COCO_SPACED)
    onnx_path = _spaced_onnx(tmp_path / "best.onnx", COCO_SPACED)
    assert _pipe(check(lock, against=lock, pipelines=[str(onnx_path)])) == []
    (tmp_path / "labels.toml").write_text(  # a hand-written contract, the documented hash
        f'[default]\nlabels-hash = "{_raw_hash(list(COCO_SPACED.values()))}"\n')
    assert _pipe(check(lock, against=lock, pipelines=[str(tmp_path / "labels.toml")])) == []


def test_swapped_labels_fire_by_raw_hash_and_by_key(tmp_path: Path) -> None:
    swapped = {0: "person", 1: "car", 2: "traffic light"}
    other = _spaced_onnx(tmp_path / "swapped.onnx", swapped)
    old = _old_lock(tmp_path, COCO_SPACED)  # labels-hash only: compared by hash
    report = check(old, against=old, pipelines=[str(other)])
    assert [(f.rule, f.subject) for f in report.findings] == [
        ("PIPE-014", "pipeline default: labels-hash")]
    new = _lock(tmp_path, "new.lock", load([str(_spaced_onnx(tmp_path / "a.onnx", COCO_SPACED))]))
    report = check(new, against=new, pipelines=[str(other)])
    assert [(f.rule, f.subject) for f in report.findings] == [
        ("PIPE-014", "pipeline default: labels-key")]


def test_openvino_and_onnx_compare_by_key_both_ways(tmp_path: Path) -> None:
    onnx_path = _spaced_onnx(tmp_path / "best.onnx", COCO_SPACED)
    (tmp_path / "best.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                           "person traffic_light car"))
    ir = _one(tmp_path / "best.xml")
    assert (ir.labels_hash, ir.labels_key) == (None, labels_key(list(COCO_SPACED.values())))
    ov_lock = _lock(tmp_path, "ov.lock", load([str(tmp_path / "best.xml")]))
    report = check(ov_lock, against=ov_lock, pipelines=[str(onnx_path)])
    assert _pipe(report) == []
    assert not any("labels" in n for n in report.notes)  # the label map was compared
    (tmp_path / "swapped.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                              "person car traffic_light"))
    onnx_lock = _lock(tmp_path, "onnx.lock", load([str(onnx_path)]))
    report = check(onnx_lock, against=onnx_lock, pipelines=[str(tmp_path / "swapped.xml")])
    assert _pipe(report) == ["PIPE-014"]


def test_openvino_against_a_lock_with_only_labels_hash_is_not_compared(tmp_path: Path) -> None:
    lock = _old_lock(tmp_path, COCO_SPACED)
    (tmp_path / "best.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                           "person car traffic_light"))
    report = check(lock, against=lock, pipelines=[str(tmp_path / "best.xml")])
    assert _pipe(report) == []  # cannot tell: said so, not an error
    assert any("not compared, stated on one side only" in n and "labels-hash" in n
               and "labels-key" in n for n in report.notes)
    (tmp_path / "four.xml").write_text(OPENVINO_IR.replace("person bicycle car",
                                                           "person car traffic_light bus"))
    report = check(lock, against=lock, pipelines=[str(tmp_path / "four.xml")])
    assert [(f.rule, f.subject) for f in report.findings] == [
        ("PIPE-014", "pipeline default: num-classes")]  # the count is still compared


def test_huggingface_integer_crop_size_is_the_square_crop(tmp_path: Path) -> None:
    # transformers' get_size_dict(crop_size, param_name="crop_size") turns an integer (the
    # format of older preprocessor_config.json files, CLIP's among them) into
    # {"height": n, "width": n}; the model input is the crop, never the resize size.
    path = tmp_path / "preprocessor_config.json"
    legacy = {**HF_PREPROCESSOR, "size": {"height": 256, "width": 256}, "crop_size": 224,
              "do_center_crop": True}
    path.write_text(json.dumps(legacy))
    assert (_one(path).input_size, _one(path).resize_type) == ((224, 224), "crop")
    path.write_text(json.dumps({**legacy, "size": 224}))  # CLIP's layout
    assert (_one(path).input_size, _one(path).resize_type) == ((224, 224), "crop")
    path.write_text(json.dumps({**legacy, "crop_size": {"shortest_edge": 224}}))
    assert _one(path).input_size is None  # a crop it cannot read: unknown, not the resize size
