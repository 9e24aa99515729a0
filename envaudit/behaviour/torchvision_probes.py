"""torchvision probes (run in the child): tensor resize with and without antialias, nms."""

from __future__ import annotations

import torch
import torchvision
from torchvision.transforms import functional as TF

from envaudit.behaviour._common import Result, detections, result
from envaudit.behaviour.torch_probes import devices, image_tensor

__all__ = ["batched_nms", "devices", "nms", "resize"]


def resize(*, device: str, antialias: str) -> Result:
    out = TF.resize(image_tensor(), [37, 41], antialias=antialias == "on")
    return result(out.contiguous().numpy().tobytes(), metrics={"sum": float(out.sum())},
                  info={"torchvision": torchvision.__version__})


def _detections(device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    boxes, scores, classes = detections()
    return (torch.tensor(boxes, dtype=torch.float32, device=device),
            torch.tensor(scores, dtype=torch.float32, device=device),
            torch.tensor(classes, dtype=torch.int64, device=device))


def _kept(indices: torch.Tensor) -> Result:
    kept = [int(i) for i in indices.to("cpu")]
    return result(repr(kept).encode(), kept=kept, metrics={"kept": float(len(kept))})


def nms(*, device: str, iou: str, score: str) -> Result:
    boxes, scores, _ = _detections(device)
    keep = torch.nonzero(scores >= float(score)).flatten()
    return _kept(keep[torchvision.ops.nms(boxes[keep], scores[keep], float(iou))])


def batched_nms(*, device: str, iou: str) -> Result:
    boxes, scores, classes = _detections(device)
    return _kept(torchvision.ops.batched_nms(boxes, scores, classes, float(iou)))
