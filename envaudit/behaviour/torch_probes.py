"""PyTorch probes (run in the child): tensor resize, fp32 matmul/conv2d error vs float64 per device.

The TF32 settings are the process's own (defaults, or what environment variables such as
TORCH_ALLOW_TF32_CUBLAS_OVERRIDE or NVIDIA_TF32_OVERRIDE make them): probes never set them.
"""

from __future__ import annotations

from typing import Any

import torch

from envaudit.behaviour._common import HEIGHT, WIDTH, Result, image_bytes, result


def devices() -> tuple[list[str], dict[str, str]]:
    """The CPU and each visible CUDA device; "cuda" with its reason when there is none."""
    if not torch.cuda.is_available():
        return ["cpu"], {"cuda": "no CUDA device visible (torch.cuda.is_available() is False)"}
    return ["cpu", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))], {}


def _generator() -> torch.Generator:
    return torch.Generator().manual_seed(20261127)


def _settings(device: str) -> dict[str, str]:
    info = {"cpu-capability": str(torch.backends.cpu.get_cpu_capability()),
            "threads": str(torch.get_num_threads()),
            "float32-matmul-precision": torch.get_float32_matmul_precision()}
    if device.startswith("cuda"):
        info.update({"allow-tf32-matmul": str(torch.backends.cuda.matmul.allow_tf32),
                     "allow-tf32-cudnn": str(torch.backends.cudnn.allow_tf32),
                     "gpu": torch.cuda.get_device_name(device)})
    return info


def _tensor_result(out: Any, reference: Any, device: str) -> Result:
    cpu = out.detach().to("cpu").contiguous()
    err = float((cpu.double() - reference).abs().max())
    return result(cpu.numpy().tobytes(), metrics={"max-abs-err": err}, info=_settings(device))


def image_tensor() -> Any:
    """The probe image as a float tensor of shape (1, 3, H, W) in [0, 255]."""
    raw = torch.frombuffer(bytearray(image_bytes()), dtype=torch.uint8)
    return raw.reshape(HEIGHT, WIDTH, 3).permute(2, 0, 1).unsqueeze(0).float()


def interpolate(*, device: str, antialias: str) -> Result:
    out = torch.nn.functional.interpolate(image_tensor(), size=(17, 23), mode="bilinear",
                                          align_corners=False, antialias=antialias == "on")
    return result(out.contiguous().numpy().tobytes(), metrics={"sum": float(out.sum())})


def matmul(*, device: str) -> Result:
    a = torch.randn(1024, 1024, generator=_generator())
    b = torch.randn(1024, 1024, generator=_generator().manual_seed(7))
    reference = a.double() @ b.double()
    return _tensor_result(a.to(device) @ b.to(device), reference, device)


def conv2d(*, device: str) -> Result:
    x = torch.randn(1, 16, 64, 64, generator=_generator())
    w = torch.randn(32, 16, 3, 3, generator=_generator().manual_seed(7))
    reference = torch.nn.functional.conv2d(x.double(), w.double(), padding=1)
    out = torch.nn.functional.conv2d(x.to(device), w.to(device), padding=1)
    return _tensor_result(out, reference, device)
