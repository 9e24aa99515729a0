"""The label map by hash: a contract records which labels, not the list itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from envaudit.pipeline.interface import PipelineError


def labels_hash(labels: Sequence[str]) -> str:
    """"sha256:" + hex digest of the labels, in class-index order, as compact JSON.

    Each label with its spaces written as underscores, then json.dumps(labels,
    ensure_ascii=False, separators=(",", ":")) encoded as UTF-8 (docs/lockfile.md), so other
    tools can compute the same hash. The underscores: OpenVINO's model_info holds the labels
    as one space-separated list (https://dlstreamer.github.io/dev_guide/model_info_xml.html),
    so exporters write "traffic light" there as "traffic_light" (Ultralytics'
    engine/exporter.py: `v.replace(" ", "_")`) while the same model's ONNX metadata,
    metadata.yaml or a DeepStream label file keep the space: one label map, one hash.
    """
    canonical = [str(x).replace(" ", "_") for x in labels]
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def from_index_map(names: Mapping[Any, Any], source: str) -> list[str]:
    """A {0: "person", 1: "bicycle"} map (ints or digit strings as keys) as an ordered list."""
    try:
        items = sorted((int(k), str(v)) for k, v in names.items())
    except (TypeError, ValueError) as e:
        raise PipelineError(f"{source}: label map keys must be class indices") from e
    if [i for i, _ in items] != list(range(len(items))):
        raise PipelineError(f"{source}: label map indices are not 0..{len(items) - 1}")
    return [name for _, name in items]
