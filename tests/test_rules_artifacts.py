"""Scenarios of the model-artifact rules (ART-*): locked artifacts against the deployment's copy."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import pytest

from envaudit.artifacts.interface import Artifact, ArtifactFile
from envaudit.model import CudaLibrary, Fingerprint
from envaudit.rules.ort_support import support_verdict
from tests.factories import Scenario, check_scenario, fp

ALL = ("ART-001", "ART-002", "ART-003", "ART-004", "ART-005", "ART-006")
SHA_A, SHA_B = "a" * 64, "b" * 64


def _file(path: str, size: int = 100, sha: str = SHA_A, fmt: str = "",
          facts: Optional[dict[str, str]] = None, problems: tuple[str, ...] = ()) -> ArtifactFile:
    return ArtifactFile(path, size, sha, fmt, facts or {}, problems)


def _with(host: Fingerprint, *artifacts: Artifact) -> Fingerprint:
    return dataclasses.replace(host, artifacts=artifacts)


SM_FILES = (_file("saved_model.pb"), _file("variables/variables.index"),
            _file("variables/variables.data-00000-of-00002"),
            _file("variables/variables.data-00001-of-00002"))
SAVEDMODEL = Artifact("export/sm", "directory", "savedmodel", SM_FILES)
SM_SHARD_GONE = dataclasses.replace(
    SAVEDMODEL, files=SM_FILES[:3],
    problems=("1 of 2 variables shards missing: variables/variables.data-00001-of-00002",))
SM_NOT_THERE = Artifact("export/sm", "directory", problems=("not found at export/sm",))


def _onnx(opset: str = "17", ir: str = "8") -> Artifact:
    facts = {"ir_version": ir, "opset.ai.onnx": opset, "producer": "pytorch 2.13.0"}
    return Artifact("det.onnx", "file", "onnx", (_file("det.onnx", fmt="onnx", facts=facts),))


def _pt(size: int = 100, sha: str = SHA_A, problems: tuple[str, ...] = ()) -> Artifact:
    f = _file("model.pt", size, sha, "torchscript", {"archive_version": "3"}, problems)
    return Artifact("model.pt", "file", "torchscript", (f,))


def _engine(version: str = "10.3.0", cc: str = "8.6", gpu: str = "NVIDIA A10") -> Artifact:
    facts = {"tensorrt_version": version, "build_gpu": gpu, "build_compute_capability": cc}
    return Artifact("yolo.engine", "file", "tensorrt",
                    (_file("yolo.engine", fmt="tensorrt", facts=facts),))


def _s(sid: str, old: Fingerprint, new: Fingerprint, fires: Optional[dict[str, str]] = None,
       silent: tuple[str, ...] = ()) -> Scenario:
    return Scenario(sid, old, new, fires or {}, frozenset(silent))


BASE = fp()
ORT = {"numpy": "2.1.0", "onnxruntime": "1.32.0"}
A10 = {"gpus": [("NVIDIA A10", "8.6")], "packages": {"tensorrt": "10.3.0"}}

SCENARIOS = [
    _s("artifacts-unchanged", _with(BASE, SAVEDMODEL, _pt()), _with(BASE, SAVEDMODEL, _pt()),
       None, ALL),
    _s("savedmodel-shard-missing", _with(BASE, SAVEDMODEL), _with(BASE, SM_SHARD_GONE),
       {"ART-001": "error", "ART-003": "error"}, ("ART-002",)),
    _s("savedmodel-not-copied", _with(BASE, SAVEDMODEL), _with(BASE, SM_NOT_THERE),
       {"ART-001": "error"}, ("ART-003",)),
    _s("artifact-absent-from-deployment-lock", _with(BASE, SAVEDMODEL, _pt()),
       _with(BASE, _onnx()), {"ART-001": "error"}, ("ART-002", "ART-003")),
    _s("torchscript-truncated", _with(BASE, _pt()),
       _with(BASE, _pt(40, SHA_B, ("not a readable zip archive (File is not a zip file)",))),
       {"ART-002": "error", "ART-003": "error"}, ("ART-001",)),
    _s("torchscript-edited", _with(BASE, _pt()), _with(BASE, _pt(100, SHA_B)),
       {"ART-002": "error"}, ("ART-001", "ART-003")),
    _s("onnx-opset-29-on-ort-1.32", _with(fp(packages=ORT), _onnx("29")),
       _with(fp(packages=ORT), _onnx("29")), None, ALL),  # training had the same runtime
    _s("onnx-opset-29-deployed-on-ort-1.32", _with(BASE, _onnx("29")),
       _with(fp(packages=ORT), _onnx("29")), {"ART-004": "error"}),
    _s("onnx-opset-29-against-a-lock-without-artifacts", _with(BASE, _onnx("29")),
       fp(packages=ORT), {"ART-004": "error"}),
    _s("onnx-ir-15-deployed-on-ort-1.32", _with(BASE, _onnx(ir="15")),
       _with(fp(packages=ORT), _onnx(ir="15")), {"ART-004": "error"}),
    _s("onnx-opset-28-deployed-on-ort-1.32", _with(BASE, _onnx("28", "14")),
       _with(fp(packages=ORT), _onnx("28", "14")), None, ("ART-004",)),
    _s("onnx-opset-22-on-ort-1.18", _with(BASE, _onnx("22")),
       _with(fp(packages={"onnxruntime-gpu": "1.18.1"}), _onnx("22")), {"ART-004": "error"}),
    # AMD's ROCm build (rocm.docs.amd.com, "Install ONNX Runtime on ROCm"): onnxruntime-migraphx.
    _s("onnx-opset-29-on-ort-migraphx-rocm", _with(BASE, _onnx("29")),
       _with(fp(packages={"onnxruntime-migraphx": "1.23.2+rocm7.14.0"}), _onnx("29")),
       {"ART-004": "error"}),
    _s("onnx-opset-22-on-ort-1.25-no-row", _with(BASE, _onnx("22")),
       _with(fp(packages={"onnxruntime": "1.25.0"}), _onnx("22")), {"ART-004": "warning"}),
    _s("engine-same-gpu-and-tensorrt", _with(fp(**A10), _engine()), _with(fp(**A10), _engine()),
       None, ("ART-005", "ART-006")),
    _s("engine-on-other-architecture", _with(fp(**A10), _engine()),
       _with(fp(gpus=[("NVIDIA L4", "8.9")], packages={"tensorrt": "10.3.0"}), _engine()),
       {"ART-005": "error"}, ("ART-006",)),
    _s("engine-on-other-model-same-sm", _with(fp(**A10), _engine()),
       _with(fp(gpus=[("NVIDIA A40", "8.6")], packages={"tensorrt": "10.3.0"}), _engine()),
       {"ART-005": "warning"}),
    _s("engine-on-other-tensorrt", _with(fp(**A10), _engine()),
       _with(fp(gpus=[("NVIDIA A10", "8.6")], packages={"tensorrt-cu12": "10.8.0.43"}),
             _engine()), {"ART-006": "error"}, ("ART-005",)),
    _s("engine-on-system-libnvinfer", _with(fp(**A10), _engine()),
       _with(fp(gpus=[("NVIDIA A10", "8.6")], packages={},
                cuda_libraries=[CudaLibrary("nvinfer", "10.9.0", "/usr/lib", "system")]),
             _engine()), {"ART-006": "error"}, ("ART-005",)),
    _s("engine-on-same-system-libnvinfer", _with(fp(**A10), _engine()),
       _with(fp(gpus=[("NVIDIA A10", "8.6")], packages={},
                cuda_libraries=[CudaLibrary("nvinfer", "10.3.0.26", "/usr/lib", "system")]),
             _engine()), None, ("ART-006",)),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


@pytest.mark.parametrize(("release", "key", "value", "verdict"), [
    ((1, 32), "opset.ai.onnx", 28, "ok"),
    ((1, 32), "opset.ai.onnx", 29, "unsupported"),
    ((1, 32), "ir_version", 15, "unsupported"),
    ((1, 17), "opset.ai.onnx", 21, "unsupported"),
    ((1, 25), "opset.ai.onnx", 21, "ok"),
    ((1, 25), "opset.ai.onnx", 25, "unknown"),
    ((1, 25), "opset.ai.onnx", 29, "unsupported"),
    ((1, 40), "opset.ai.onnx", 30, "unknown"),
    ((0, 0), "opset.ai.onnx", 30, "ok"),
])
def test_onnxruntime_support_table(release: tuple[int, int], key: str, value: int,
                                   verdict: str) -> None:
    assert support_verdict(release, key, value)[0] == verdict


def test_messages_name_the_file_and_both_sides() -> None:
    from tests.factories import run

    findings = run(_with(BASE, _onnx("29")), _with(fp(packages=ORT), _onnx("29")))
    (finding,) = [f for f in findings if f.rule == "ART-004"]
    assert finding.message == ("det.onnx needs ai.onnx opset 29; onnxruntime 1.32.0 loads"
                               " at most 28")
    shard: Any = run(_with(BASE, SAVEDMODEL), _with(BASE, SM_SHARD_GONE))
    assert shard[0].subject == "artifact export/sm/variables/variables.data-00001-of-00002"
