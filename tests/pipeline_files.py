"""Pipeline config files built in code, in the layout the real tools write them.

Used by the reader tests and by the docs sandbox (tests/test_docs_commands.py).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

COCO3 = {0: "person", 1: "bicycle", 2: "car"}

# The three classic mistakes against this contract: 224 -> 256, /255 missing, IoU 0.7 -> 0.5.
TRAINING_CONTRACT = """\
# The classifier and the detector behind it, as trained.
[classifier]
input-size = 224
layout = "NCHW"
color-order = "RGB"
resize-type = "standard"
resize-library = "pillow"
interpolation = "bilinear"
mean-values = 0
scale-values = 255

[detector]
input-size = [640, 640]
layout = "NCHW"
color-order = "RGB"
resize-type = "fit_to_window_letterbox"
pad-value = 114
mean-values = 0
scale-values = 255
iou-threshold = 0.7
confidence-threshold = 0.25
max-detections = 300
labels = ["person", "bicycle", "car"]
"""
SERVING_CONTRACT = (TRAINING_CONTRACT
                    .replace("input-size = 224", "input-size = 256")
                    .replace("iou-threshold = 0.7", "iou-threshold = 0.5")
                    .replace("mean-values = 0\nscale-values = 255\niou",
                             "mean-values = 0\nscale-values = 1\niou"))


def ultralytics_args() -> dict[str, Any]:
    """The keys of a training run's args.yaml (ultralytics 8.3, abridged, in its order)."""
    return {
        "task": "detect", "mode": "train", "model": "yolov8n.pt", "data": "coco8.yaml",
        "epochs": 3, "time": None, "patience": 100, "batch": 16, "imgsz": 640, "save": True,
        "device": None, "workers": 8, "project": None, "name": "train", "exist_ok": False,
        "pretrained": True, "optimizer": "auto", "seed": 0, "deterministic": True,
        "single_cls": False, "rect": False, "cos_lr": False, "close_mosaic": 10,
        "amp": True, "fraction": 1.0, "val": True, "split": "val", "save_json": False,
        "conf": None, "iou": 0.7, "max_det": 300, "half": False, "dnn": False, "plots": True,
        "source": None, "vid_stride": 1, "agnostic_nms": False, "classes": None,
        "retina_masks": False, "embed": None, "format": "torchscript", "keras": False,
        "optimize": False, "int8": False, "dynamic": False, "simplify": True, "opset": None,
        "workspace": None, "nms": False, "lr0": 0.01, "lrf": 0.01, "momentum": 0.937,
        "hsv_h": 0.015, "mosaic": 1.0, "mixup": 0.0, "copy_paste_mode": "flip",
        "auto_augment": "randaugment", "erasing": 0.4, "cfg": None, "tracker": "botsort.yaml",
        "save_dir": "runs/detect/train",
    }


def ultralytics_metadata() -> dict[str, Any]:
    """What Ultralytics' exporter attaches to every export (engine/exporter.py)."""
    return {
        "description": "Ultralytics YOLOv8n model trained on coco8.yaml",
        "author": "Ultralytics", "date": "2026-11-28T12:00:00.000000",
        "version": "8.3.40", "license": "AGPL-3.0 License (https://ultralytics.com/license)",
        "docs": "https://docs.ultralytics.com", "stride": 32, "task": "detect", "batch": 1,
        "imgsz": [640, 640], "names": dict(COCO3),
        "args": {"batch": 1, "half": False, "int8": False, "dynamic": False, "nms": False},
    }


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    import yaml  # test dependency: the writer Ultralytics itself uses

    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_engine(path: Path, meta: dict[str, Any]) -> Path:
    """Ultralytics' .engine: int32 little-endian length, the JSON metadata, then the plan."""
    blob = json.dumps(meta).encode()
    path.write_bytes(struct.pack("<i", len(blob)) + blob + b"\x00ftrt-plan-bytes")
    return path


# DeepStream-Yolo's config_infer_primary_yoloV8.txt layout; no letterbox, NMS IoU 0.45.
DEEPSTREAM_CONFIG = """\
[property]
gpu-id=0
net-scale-factor=0.0039215697906911373
model-color-format=0
onnx-file=yolov8n.onnx
model-engine-file=model_b1_gpu0_fp32.engine
#int8-calib-file=calib.table
labelfile-path=labels.txt
batch-size=1
network-mode=0
num-detected-classes=3
interval=0
gie-unique-id=1
process-mode=1
network-type=0
cluster-mode=2
maintain-aspect-ratio=0
infer-dims=3;640;640
parse-bbox-func-name=NvDsInferParseYolo
custom-lib-path=nvdsinfer_custom_impl_Yolo/libnvdsinfer_custom_impl_Yolo.so
engine-create-func-name=NvDsInferYoloCudaEngineGet

[class-attrs-all]
nms-iou-threshold=0.45
pre-cluster-threshold=0.25
topk=300
"""

TRITON_CONFIG = """\
name: "yolov8n"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [
  {
    name: "images"
    data_type: TYPE_FP32
    format: FORMAT_NCHW
    dims: [ 3, 640, 640 ]
  }
]
output [
  {
    name: "output0"
    data_type: TYPE_FP32
    dims: [ 7, 8400 ]  # 4 box coordinates + 3 classes
  }
]
instance_group [ { kind: KIND_GPU, count: 1 } ]
dynamic_batching { max_queue_delay_microseconds: 100 }
"""

# An OpenVINO IR as `yolo export format=openvino` writes it (layers abridged).
OPENVINO_IR = """\
<?xml version="1.0"?>
<net name="Model0" version="11">
\t<layers>
\t\t<layer id="0" name="images" type="Parameter" version="opset1">
\t\t\t<data shape="1,3,640,640" element_type="f32" />
\t\t\t<output>
\t\t\t\t<port id="0" precision="FP32" names="images">
\t\t\t\t\t<dim>1</dim><dim>3</dim><dim>640</dim><dim>640</dim>
\t\t\t\t</port>
\t\t\t</output>
\t\t</layer>
\t</layers>
\t<edges />
\t<rt_info>
\t\t<model_info>
\t\t\t<iou_threshold value="0.7" />
\t\t\t<labels value="person bicycle car" />
\t\t\t<model_type value="YOLO" />
\t\t\t<pad_value value="114" />
\t\t\t<resize_type value="fit_to_window_letterbox" />
\t\t\t<reverse_input_channels value="YES" />
\t\t\t<scale_values value="255" />
\t\t</model_info>
\t</rt_info>
</net>
"""

HF_PREPROCESSOR = {
    "do_normalize": True, "do_rescale": True, "do_resize": True,
    "image_mean": [0.485, 0.456, 0.406], "image_processor_type": "ViTImageProcessor",
    "image_std": [0.229, 0.224, 0.225], "resample": 2,
    "rescale_factor": 0.00392156862745098, "size": {"height": 224, "width": 224},
}
HF_CONFIG = {"architectures": ["ViTForImageClassification"],
             "id2label": {"0": "cat", "1": "dog"}, "label2id": {"cat": 0, "dog": 1},
             "model_type": "vit"}


def write_docs_files(root: Path) -> None:
    """The files the pipeline how-to (docs/pipeline.md) uses."""
    (root / "envaudit.pipeline.toml").write_text(TRAINING_CONTRACT)
    (root / "serving.pipeline.toml").write_text(SERVING_CONTRACT)
    runs = root / "runs" / "detect" / "train"
    runs.mkdir(parents=True)
    write_yaml(runs / "args.yaml", ultralytics_args())
    (root / "config_infer_primary_yoloV8.txt").write_text(DEEPSTREAM_CONFIG)
    (root / "labels.txt").write_text("person\nbicycle\ncar\n")
