"""Child of `snapshot --deep`: imports ONE framework and reports what only it can say, as JSON.

Run as `python -I _deep_child.py NAME RESULT-FILE`: the JSON goes into RESULT-FILE, a file
of a private directory the parent created (never stdout, which any imported package can
print to; without RESULT-FILE it is printed, for a person trying the child). Isolated
mode keeps this file's folder (envaudit/probes, which holds a `platform.py`), the working
directory and the user's site off sys.path, so no module there can shadow one the framework
imports. The PYTHONPATH entries a plain `python` would have seen are put back by hand (-I
ignores them). It imports only the standard library and the framework, never envaudit, so
it works in any interpreter.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Callable

_MAPPED = re.compile(r"/(lib(?:cudnn|cublas|cublasLt|cudart|nvinfer|opencv_\w+|gomp|iomp5|omp|"
                     r"mkl_\w+|openblas\w*|nccl|cuda)[^/]*\.so[^/\s]*)$")


def mapped_libraries() -> str:
    """Shared libraries this process has mapped (/proc/self/maps): the copies actually loaded."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            paths = {line.split()[-1] for line in fh if "/" in line}
    except OSError:
        return ""
    return ",".join(sorted(p for p in paths if _MAPPED.search(p)))


def _torch() -> dict[str, Any]:
    import torch

    config = torch.__config__.show()
    cap = re.search(r"CPU capability usage: (\S+)", config)
    out: dict[str, Any] = {
        "version": torch.__version__,
        "cuda-available": torch.cuda.is_available(),
        "cudnn": torch.backends.cudnn.version(),
        "arch-list": ",".join(torch.cuda.get_arch_list()),
        "allow-tf32-matmul": torch.backends.cuda.matmul.allow_tf32,
        "allow-tf32-cudnn": torch.backends.cudnn.allow_tf32,
        "cudnn-benchmark": torch.backends.cudnn.benchmark,
        "cudnn-deterministic": torch.backends.cudnn.deterministic,
        "float32-matmul-precision": torch.get_float32_matmul_precision(),
        "cpu-capability": cap.group(1) if cap else "",
        "num-threads": torch.get_num_threads(),
    }
    return out


def _tensorflow() -> dict[str, Any]:
    import tensorflow as tf

    info = dict(tf.sysconfig.get_build_info())
    out = {f"build.{k}": v for k, v in info.items()}
    out["version"] = tf.__version__
    out["gpus"] = len(tf.config.list_physical_devices("GPU"))
    return out


def _opencv() -> dict[str, Any]:
    import cv2

    build = cv2.getBuildInformation()
    out: dict[str, Any] = {"version": cv2.__version__, "threads": cv2.getNumThreads()}
    for key, pattern in (("baseline", r"Baseline:\s*(.*)"),
                         ("dispatched", r"Dispatched code generation:\s*(.*)"),
                         ("parallel-framework", r"Parallel framework:\s*(.*)")):
        m = re.search(pattern, build)
        out[key] = m.group(1).strip() if m else ""
    return out


def _onnxruntime() -> dict[str, Any]:
    import onnxruntime as ort

    return {"version": ort.__version__, "providers": ",".join(ort.get_available_providers()),
            "device": ort.get_device()}


READERS: dict[str, Callable[[], dict[str, Any]]] = {
    "torch": _torch, "tensorflow": _tensorflow, "opencv": _opencv, "onnxruntime": _onnxruntime,
}


def _emit(result: dict[str, Any], channel: str | None) -> None:
    """The result on the parent's private channel (a file it created), else on stdout."""
    text = json.dumps(result)
    if channel is None:
        print(text)
        return
    with open(channel, "w", encoding="utf-8") as fh:
        fh.write(text)


def restore_pythonpath(environ: dict[str, str], path: list[str]) -> None:
    """Put PYTHONPATH's entries where a non-isolated interpreter has them: before the stdlib."""
    entries = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    path[0:0] = [p for p in entries if p not in path]


def main(argv: list[str]) -> int:
    channel = argv[2] if len(argv) == 3 else None
    if len(argv) not in (2, 3) or argv[1] not in READERS:
        _emit({"error": f"usage: _deep_child.py {{{','.join(READERS)}}} [RESULT-FILE]"}, None)
        return 2
    try:
        facts = READERS[argv[1]]()
    except Exception as e:  # report, do not crash: the parent records the reason
        _emit({"error": f"{type(e).__name__}: {e}"}, channel)
        return 1
    facts["mapped-libraries"] = mapped_libraries()
    _emit({k: str(v) for k, v in facts.items()}, channel)
    return 0


if __name__ == "__main__":
    restore_pythonpath(dict(os.environ), sys.path)
    sys.exit(main(sys.argv))
