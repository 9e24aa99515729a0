"""Fault injection: every file the snapshot reads in an environment, replaced in turn by a
FIFO, a directory, a dangling symlink, /dev/zero, an unreadable file, a 100 MB file and
invalid UTF-8. The snapshot always completes in time; each fault in a distribution's own
files is recorded in the lock (docs/security.md lists what is recorded where)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from envaudit.collect import default_probes, snapshot
from envaudit.model import Fingerprint, Unavailable
from envaudit.probes.interface import Host

TORCH = "site/torch-2.4.0.dist-info"
FILES = {
    "METADATA": f"{TORCH}/METADATA",
    "INSTALLER": f"{TORCH}/INSTALLER",
    "RECORD": f"{TORCH}/RECORD",
    "direct_url.json": f"{TORCH}/direct_url.json",
    "top_level.txt": f"{TORCH}/top_level.txt",
    "torch/version.py": "site/torch/version.py",
    "build_info.py": "site/tensorflow/python/platform/build_info.py",
    "cudnn_version.h": "site/nvidia/cudnn/include/cudnn_version.h",
}
# The distribution's own files are recorded with every fault; RECORD and top_level.txt
# (read later, to find which distribution installs a module) by type and size only.
RECORDED = {
    "METADATA": "all", "INSTALLER": "all", "direct_url.json": "all",
    "RECORD": "special", "top_level.txt": "special",
}
SPECIAL = {"fifo", "directory", "dangling", "dev-zero", "100-mb"}


def build_site(root: Path) -> None:
    files = {
        f"{TORCH}/METADATA": "Metadata-Version: 2.1\nName: torch\nVersion: 2.4.0\n\n",
        f"{TORCH}/INSTALLER": "pip\n",
        f"{TORCH}/RECORD": "torch/__init__.py,,\ntorch/version.py,,\n",
        f"{TORCH}/direct_url.json": '{"url": "https://example.org/torch.whl"}',
        f"{TORCH}/top_level.txt": "torch\n",
        "site/torch/__init__.py": "",
        "site/torch/version.py": "__version__ = '2.4.0'\ncuda = '12.4'\n",
        "site/tensorflow-2.16.1.dist-info/METADATA": "Name: tensorflow\nVersion: 2.16.1\n\n",
        "site/tensorflow/__init__.py": "",
        "site/tensorflow/python/platform/build_info.py":
            "import collections\nbuild_info = collections.OrderedDict([('is_cuda_build', True),"
            " ('cuda_version', '12.3')])\n",
        "site/nvidia_cudnn_cu12-9.1.0.70.dist-info/METADATA":
            "Name: nvidia-cudnn-cu12\nVersion: 9.1.0.70\n\n",
        "site/nvidia/cudnn/lib/libcudnn.so.9": "",
        "site/nvidia/cudnn/include/cudnn_version.h":
            "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def inject(path: Path, fault: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path.unlink()
    if fault == "fifo":
        os.mkfifo(path)
    elif fault == "directory":
        path.mkdir()
    elif fault == "dangling":
        path.symlink_to(path.with_name("gone"))
    elif fault == "dev-zero":
        path.symlink_to("/dev/zero")
    elif fault == "100-mb":
        with path.open("wb") as fh:
            fh.truncate(100 * 1024 * 1024)  # sparse: costs no disk
    elif fault == "invalid-utf8":
        path.write_bytes(b"Name: torch\nVersion: 2.4.0\nSummary: \xff\xfe\n\n\xff")
    else:  # unreadable: as root every mode bit is ignored, so the open itself is refused
        path.write_text("secret")
        real = os.open

        def deny(p: Any, *args: Any, **kwargs: Any) -> int:
            if Path(p) == path:
                raise PermissionError(13, "Permission denied")
            return real(p, *args, **kwargs)

        monkeypatch.setattr("envaudit.safeio.os.open", deny)


def run_within(seconds: float, fn: Callable[[], Fingerprint]) -> Fingerprint:
    out: list[Fingerprint] = []
    worker = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"snapshot still running after {seconds}s"
    return out[0]


FAULTS = ["fifo", "directory", "dangling", "dev-zero", "unreadable", "100-mb", "invalid-utf8"]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", list(FILES))
def test_fault_is_survived_and_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        name: str, fault: str) -> None:
    build_site(tmp_path)
    inject(tmp_path / FILES[name], fault, monkeypatch)
    host = Host(root=tmp_path, sys_path=(str(tmp_path / "site"),), environ={})
    fp = run_within(20, lambda: snapshot(host, default_probes(timeout=2.0)))
    assert isinstance(fp.packages, tuple), fp.packages
    assert {"torch", "tensorflow", "nvidia-cudnn-cu12"} <= {p.name for p in fp.packages}
    assert not isinstance(fp.frameworks, Unavailable), fp.frameworks
    assert not isinstance(fp.cuda_libraries, Unavailable), fp.cuda_libraries
    torch = fp.package("torch")
    assert torch is not None and torch.version == "2.4.0"
    expected = RECORDED.get(name)
    if expected == "all" or (expected == "special" and fault in SPECIAL):
        assert name in torch.problem, (name, fault, torch.problem)
