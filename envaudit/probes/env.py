"""EnvProbe: inference-relevant environment variables, never a secret."""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.probes.interface import Host, Probe
from envaudit.scrub import SECRET_NAME, scrub

__all__ = ["EnvProbe", "capture", "is_captured", "scrub"]

# Names that change device selection, numerics, library resolution or model loading
# (the ENV rules in rules/data/env.toml cite the documentation of each).
PREFIXES: tuple[str, ...] = (
    "CUDA_", "NVIDIA_", "TF_", "TORCH_", "PYTORCH_", "CUBLAS_", "CUDNN_", "OMP_", "MKL_",
    "ONEDNN_", "DNNL_", "KERAS_", "NCCL_", "XLA_", "JAX_", "ORT_", "OPENCV_", "OPENBLAS_",
    "KMP_", "TRT_", "TENSORRT_", "HIP_", "ROCM_", "HSA_", "CUBLASLT_",
)
NAMES: frozenset[str] = frozenset({
    "LD_LIBRARY_PATH", "LD_PRELOAD", "ATEN_CPU_CAPABILITY",
    "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "CUDA_HOME", "CUDA_PATH", "TORCHINDUCTOR_CACHE_DIR",
    "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "PYTHONHASHSEED",
    # NumPy's runtime dispatch switches (rules/data/env_settings.csv).
    "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES",
})
# A name that looks secret is never written, not even its value's length (envaudit.scrub).
SECRET = SECRET_NAME


# Terraform also uses TF_ (TF_VAR_* often carries credentials): never TensorFlow's.
TERRAFORM = ("TF_VAR_", "TF_CLI_", "TF_TOKEN_", "TF_LOG", "TF_INPUT", "TF_WORKSPACE",
             "TF_DATA_DIR", "TF_PLUGIN_", "TF_REGISTRY_", "TF_IN_AUTOMATION")


def is_captured(name: str) -> bool:
    if SECRET.search(name) or name.startswith(TERRAFORM):
        return False
    return name in NAMES or name.startswith(PREFIXES)


def capture(environ: Mapping[str, str]) -> dict[str, str]:
    return {k: scrub(v) for k, v in sorted(environ.items()) if is_captured(k)}


class EnvProbe(Probe):
    section = "env"

    def collect(self, host: Host) -> dict[str, str]:
        return capture(host.environ)
