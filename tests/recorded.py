"""Probe results recorded on the two real hosts (fixtures/behaviour/recorded), as [behaviour]
sections added to the captured hosts' locks. `python fixtures/behaviour/regenerate.py` writes
fixtures/behaviour/*.lock from them; tests check the committed locks are what this makes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from envaudit import lockfile
from envaudit.behaviour.interface import LibraryRun, ProbeResult
from envaudit.model import Fact, Fingerprint, Unavailable

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "fixtures" / "behaviour" / "recorded"
H200, CPU = "h200-torch2.11-cu130", "cpu-torch2.13-venv"
NOT_RECORDED = Unavailable("not recorded by the capture on this host")


def _pillow(host: str) -> LibraryRun:
    version, *lines = (RECORDED / host / "pillow-resize-digests.txt").read_text().splitlines()
    results = tuple(ProbeResult(key=f"capture.pillow.resize.{name.lower()}@cpu", device="cpu",
                                digest=f"sha256:{digest}")
                    for name, digest in (line.split() for line in lines))
    return LibraryRun("pillow", "pillow", version, 0.0, results)


def _opencv(host: str) -> LibraryRun:
    doc = json.loads((RECORDED / host / "opencv.json").read_text())
    results = tuple(ProbeResult(key=f"capture.cv2.{k.removesuffix('_sha256')}@cpu", device="cpu",
                                digest=f"sha256:{v}")
                    for k, v in sorted(doc.items()) if k.endswith("_sha256"))
    return LibraryRun("opencv", "opencv-python-headless", "5.0.0.93", 0.0, results)


def _err(key: str, device: str, value: float, **info: str) -> ProbeResult:
    return ProbeResult(key=key, device=device, metrics={"max-abs-err": value}, info=info)


def _torch(tf32_matmul: bool) -> LibraryRun:
    """The H200's torch figures: matmul and conv2d fp32 error vs float64, with TF32 as given
    (the capture measured both settings in one run, see fixtures/behaviour/README.md)."""
    doc = json.loads((RECORDED / H200 / "torch-runtime.json").read_text())
    probes = doc["numeric_probes"]
    gpu = {"gpu": doc["device"]["name"], "allow-tf32-cudnn": str(doc["allow_tf32_cudnn"])}
    results = (
        _err("torch.matmul.fp32@cuda:0", "cuda:0",
             probes[f"matmul_tf32_{tf32_matmul}_maxabs_vs_fp64"],
             **gpu, **{"allow-tf32-matmul": str(tf32_matmul)}),
        _err("torch.conv2d.fp32@cuda:0", "cuda:0", probes["conv_tf32_True_maxabs_vs_fp64"], **gpu),
        _err("torch.conv2d.fp32@cpu", "cpu", probes["conv_cpu_fp32_maxabs_vs_fp64"]),
    )
    return LibraryRun("torch", "torch", doc["version"], 0.0, results)


def _torchvision() -> LibraryRun:
    doc = json.loads((RECORDED / H200 / "torch-runtime.json").read_text())
    results = tuple(
        ProbeResult(key=f"capture.torchvision.nms.iou{key.rsplit('iou', 1)[1]}@{device}",
                    device=device, kept=tuple(doc[key]))
        for key, device in (("nms_cpu_iou0.5", "cpu"), ("nms_cpu_iou0.7", "cpu"),
                            ("nms_cuda_iou0.5", "cuda:0")))
    sums = tuple(ProbeResult(key=f"capture.torchvision.resize.antialias-{on}@cpu", device="cpu",
                             metrics={"sum": doc[f"tv_resize_antialias_{flag}_sum"]})
                 for on, flag in (("on", True), ("off", False)))
    return LibraryRun("torchvision", "torchvision", doc["torchvision"].split("+")[0], 0.0,
                      results + sums)


def behaviour(host: str, *, tf32_matmul: bool = False) -> dict[str, Fact[LibraryRun]]:
    if host == H200:
        return {"opencv": _opencv(host), "pillow": _pillow(host),
                "torch": _torch(tf32_matmul), "torchvision": _torchvision()}
    return {"opencv": _opencv(host), "pillow": _pillow(host),
            "torch": NOT_RECORDED, "torchvision": NOT_RECORDED}


# Lock file name -> (captured host lock, host, TF32 for torch matmul).
LOCKS = {
    "h200.lock": ("h200.lock", H200, False),
    "h200-tf32-on.lock": ("h200.lock", H200, True),
    "cpu-host.lock": ("cpu-host.lock", CPU, False),
}


def fingerprint(name: str) -> Fingerprint:
    base, host, tf32 = LOCKS[name]
    locked = lockfile.load(ROOT / "fixtures" / "locks" / base).fingerprint
    runs = {lib: replace(run, results=tuple(sorted(run.results, key=lambda r: r.key)))
            if isinstance(run, LibraryRun) else run
            for lib, run in behaviour(host, tf32_matmul=tf32).items()}
    return replace(locked, behaviour=runs)


def render(name: str) -> str:
    return lockfile.dumps(fingerprint(name))
