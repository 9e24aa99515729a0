"""The label map by hash: a contract records which labels, not the list itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from envaudit.pipeline.interface import PipelineError


def labels_hash(labels: Sequence[str]) -> str:
    """"sha256:" + hex digest of the labels as written, in class-index order, as compact JSON.

    json.dumps(labels, ensure_ascii=False, separators=(",", ":")) encoded as UTF-8
    (docs/lockfile.md), so other tools can compute the same hash.
    """
    return "sha256:" + _digest([str(x) for x in labels])


def labels_key(labels: Sequence[str]) -> str:
    """"sha256u:" + hex digest of the labels with each label's spaces written as underscores.

    The same compact JSON as labels_hash (docs/lockfile.md). OpenVINO's model_info holds the
    labels as one space-separated list (https://dlstreamer.github.io/dev_guide/model_info_xml.html),
    so exporters write "traffic light" there as "traffic_light" (Ultralytics'
    engine/exporter.py: `v.replace(" ", "_")`) while the same model's ONNX metadata,
    metadata.yaml or a DeepStream label file keep the space: one label map, one key.
    """
    return "sha256u:" + _digest([str(x).replace(" ", "_") for x in labels])


def label_fields(labels: Sequence[str]) -> dict[str, Any]:
    """labels-hash, labels-key and num-classes of labels read as written."""
    return {"labels_hash": labels_hash(labels), "labels_key": labels_key(labels),
            "num_classes": len(labels)}


def _digest(labels: list[str]) -> str:
    text = json.dumps(labels, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def from_index_map(names: Mapping[Any, Any], source: str) -> list[str]:
    """A {0: "person", 1: "bicycle"} map (ints or digit strings as keys) as an ordered list."""
    try:
        items = sorted((int(k), str(v)) for k, v in names.items())
    except (TypeError, ValueError) as e:
        raise PipelineError(f"{source}: label map keys must be class indices") from e
    if [i for i, _ in items] != list(range(len(items))):
        raise PipelineError(f"{source}: label map indices are not 0..{len(items) - 1}")
    return [name for _, name in items]
