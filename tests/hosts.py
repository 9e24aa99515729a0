"""Fake hosts built from the raw files captured on two real machines (fixtures/hosts/)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import pynvml

from envaudit.model import PythonInfo
from envaudit.probes.interface import Host

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOSTS = FIXTURES / "hosts"
WHEEL_FILES = HOSTS / "wheel-files"
H200 = "h200-torch2.11-cu130"
CPU = "cpu-torch2.13-venv"
CREATED = "2026-11-27T00:00:00Z"


# What the README of each capture says about the interpreter and the machine.
FACTS: Mapping[str, Mapping[str, Any]] = {
    H200: {
        "site": "/opt/torch/.venv/lib/python3.12/site-packages",
        "python": PythonInfo(version="3.12.3", implementation="cpython",
                             executable="/opt/torch/.venv/bin/python", prefix="/opt/torch/.venv",
                             base_prefix="/usr", virtualenv=True,
                             tag="cp312-cp312-linux_x86_64"),
        "libc": ("glibc", "2.39"),
        "uname": ("Linux", "h200", "6.18.44-fc-v657-gpu", "", "x86_64"),
        "cpu_count": 16,
        # /usr/local/cuda and /lib are symlinks on the real host (ldconfig shows both names).
        "links": {"/usr/local/cuda": "cuda-13.0", "/lib": "usr/lib"},
    },
    CPU: {
        "site": "/opt/venv/lib/python3.11/site-packages",
        "python": PythonInfo(version="3.11.7", implementation="cpython",
                             executable="/opt/venv/bin/python", prefix="/opt/venv",
                             base_prefix="/root/.pyenv/versions/3.11.7", virtualenv=True,
                             tag="cp311-cp311-linux_x86_64"),
        "libc": ("glibc", "2.36"),
        "uname": ("Linux", "cpu", "6.18.44-fc-v669", "", "x86_64"),
        "cpu_count": 2,
        "links": {},
    },
}
# Import packages of the distributions the frameworks probe looks for (their top_level.txt).
TOP_LEVEL = {"torch": "torch", "torchvision": "torchvision", "onnxruntime": "onnxruntime",
             "opencv-python-headless": "cv2", "opencv-python": "cv2"}


# ---------------------------------------------------------------- a fake NVML


class FakeNvml:
    """The pynvml calls envaudit makes, answered from nvml.json; any call can fail or hang."""

    NVMLError = pynvml.NVMLError

    def __init__(self, data: Mapping[str, Any], *, fail: Optional[Mapping[str, type]] = None,
                 hang: Optional[Mapping[str, float]] = None) -> None:
        self.data = data
        self.fail = dict(fail or {})
        self.hang = dict(hang or {})
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.hang:
            time.sleep(self.hang[name])
        if name in self.fail:
            raise self.fail[name]()

    def _dev(self, handle: int) -> Mapping[str, Any]:
        return dict(self.data["devices"][handle])

    def nvmlInit(self) -> None:
        self._call("nvmlInit")

    def nvmlShutdown(self) -> None:
        self._call("nvmlShutdown")

    def nvmlSystemGetDriverVersion(self) -> str:
        self._call("nvmlSystemGetDriverVersion")
        return str(self.data["driver"])

    def nvmlSystemGetCudaDriverVersion_v2(self) -> int:
        self._call("nvmlSystemGetCudaDriverVersion_v2")
        return int(self.data["cuda_driver_v2"])

    def nvmlSystemGetNVMLVersion(self) -> str:
        self._call("nvmlSystemGetNVMLVersion")
        return str(self.data["nvml_version"])

    def nvmlDeviceGetCount(self) -> int:
        self._call("nvmlDeviceGetCount")
        return int(self.data["count"])

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        self._call("nvmlDeviceGetHandleByIndex")
        return index

    def nvmlDeviceGetName(self, h: int) -> str:
        self._call("nvmlDeviceGetName")
        return str(self._dev(h)["name"])

    def nvmlDeviceGetUUID(self, h: int) -> str:
        self._call("nvmlDeviceGetUUID")
        return str(self._dev(h)["uuid"])

    def nvmlDeviceGetCudaComputeCapability(self, h: int) -> tuple[int, int]:
        self._call("nvmlDeviceGetCudaComputeCapability")
        major, minor = self._dev(h)["cc"]
        return int(major), int(minor)

    def nvmlDeviceGetArchitecture(self, h: int) -> int:
        self._call("nvmlDeviceGetArchitecture")
        return int(self._dev(h)["arch"])

    def nvmlDeviceGetMemoryInfo(self, h: int) -> Any:
        self._call("nvmlDeviceGetMemoryInfo")
        return _Struct(total=self._dev(h)["mem_total"])

    def nvmlDeviceGetAttributes(self, h: int) -> Any:
        # Not captured by nvml.json; NVML answers this only for MIG device handles.
        self._call("nvmlDeviceGetAttributes")
        raise pynvml.NVMLError_NotSupported()

    def nvmlDeviceGetMigMode(self, h: int) -> list[int]:
        self._call("nvmlDeviceGetMigMode")
        return list(self._dev(h)["mig"])

    def nvmlDeviceGetEccMode(self, h: int) -> list[int]:
        self._call("nvmlDeviceGetEccMode")
        return [int(self._dev(h)["ecc"]), int(self._dev(h)["ecc"])]

    def nvmlDeviceGetPersistenceMode(self, h: int) -> int:
        self._call("nvmlDeviceGetPersistenceMode")
        return int(self._dev(h)["persistence"])

    def nvmlDeviceGetComputeMode(self, h: int) -> int:
        self._call("nvmlDeviceGetComputeMode")
        return int(self._dev(h)["compute_mode"])

    def nvmlDeviceGetPciInfo(self, h: int) -> Any:
        self._call("nvmlDeviceGetPciInfo")
        return _Struct(busId=self._dev(h)["pci_bus_id"])

    def nvmlDeviceGetPowerManagementLimit(self, h: int) -> int:
        self._call("nvmlDeviceGetPowerManagementLimit")
        return int(self._dev(h)["power_limit_mw"])


class _Struct:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class MissingNvml(FakeNvml):
    """A host without libnvidia-ml.so.1 (what nvml-error.txt shows on the CPU host)."""

    def __init__(self) -> None:
        super().__init__({}, fail={"nvmlInit": pynvml.NVMLError_LibraryNotFound,
                                   "nvmlShutdown": pynvml.NVMLError_Uninitialized})


def nvml_data(name: str = H200) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HOSTS / name / "nvml.json").read_text())
    return data


# ---------------------------------------------------------------- the file tree


def _write(root: Path, absolute: str, text: str = "") -> Path:
    path = root / absolute.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _dist_info(site: Path, name: str, version: str) -> None:
    info = site / f"{re.sub(r'[-.]+', '_', name)}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    (info / "INSTALLER").write_text("pip\n")
    top = TOP_LEVEL.get(name.lower())
    if top:
        (info / "top_level.txt").write_text(f"{top}\n")


def _packages(root: Path, src: Path, site_abs: str) -> Path:
    site = root / site_abs.lstrip("/")
    site.mkdir(parents=True, exist_ok=True)
    for entry in json.loads((src / "pip-list.json").read_text()):
        # pip list prints METADATA's Version: PyPI's torch has no local label there, the
        # download.pytorch.org CPU wheel has "+cpu" (as on the CPU host).
        _dist_info(site, entry["name"], entry["version"])
    return site


def _frameworks(root: Path, src: Path, site: Path) -> None:
    (site / "torch").mkdir(exist_ok=True)
    (site / "torch" / "__init__.py").write_text("")
    (site / "torch" / "version.py").write_text((src / "torch-version.py").read_text())
    cv2 = site / "cv2"
    cv2.mkdir(exist_ok=True)
    (cv2 / "__init__.py").write_text("")
    (cv2 / "version.py").write_text((WHEEL_FILES / "cv2_version_5.0.0.93.py").read_text())
    # onnxruntime.txt holds the version and the CPU-only providers; a CPU wheel's
    # build_and_package_info.py has no cuda_version (reconstructed, see README).
    version = (src / "onnxruntime.txt").read_text().split()[0]
    capi = site / "onnxruntime" / "capi"
    capi.mkdir(parents=True, exist_ok=True)
    (site / "onnxruntime" / "__init__.py").write_text("")
    (capi / "build_and_package_info.py").write_text(
        f"package_name = 'onnxruntime'\n__version__ = '{version}'\n")


def _libraries(root: Path, src: Path) -> None:
    headers = _headers(src / "cudnn-version-headers.txt")
    for line in (src / "cuda-libraries-found.txt").read_text().splitlines():
        if line.strip():
            _write(root, line.strip())
    for header, text in headers.items():
        _write(root, header, text)


def _headers(path: Path) -> dict[str, str]:
    """cudnn-version-headers.txt: "== PATH" followed by that header's #define lines."""
    out: dict[str, str] = {}
    current = ""
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines():
        if line.startswith("== "):
            current = line[3:].strip()
            out[current] = ""
        elif current:
            out[current] += line + "\n"
    return out


def _system(root: Path, src: Path) -> None:
    _write(root, "/etc/os-release", (src / "os-release.txt").read_text())
    proc = src / "proc-driver-nvidia-version.txt"
    if proc.exists():
        _write(root, "/proc/driver/nvidia/version", proc.read_text())
    _write(root, "/proc/cpuinfo", cpuinfo((src / "lscpu.txt").read_text()))


def cpuinfo(lscpu: str) -> str:
    """A /proc/cpuinfo first processor block from `lscpu` output."""
    fields = dict(re.findall(r"^([A-Za-z ()]+):\s+(.*)$", lscpu, re.M))
    return (f"processor\t: 0\nvendor_id\t: {fields.get('Vendor ID', '')}\n"
            f"model name\t: {fields.get('Model name', '')}\n"
            f"flags\t\t: {fields.get('Flags', '')}\n\n")


def environment(src: Path) -> dict[str, str]:
    path = src / "environment-allowlisted.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def _links(root: Path, links: Mapping[str, str]) -> None:
    for absolute, target in links.items():
        link = root / absolute.lstrip("/")
        if not link.exists() and (link.parent / target).exists():
            link.symlink_to(target)


def build_host(name: str, root: Path, nvml: Any = None) -> Host:
    """A Host over a fake file tree at `root`, laid out at the real host's paths."""
    src = HOSTS / name
    facts = FACTS[name]
    site = _packages(root, src, str(facts["site"]))
    _frameworks(root, src, site)
    _libraries(root, src)
    _system(root, src)
    _links(root, facts["links"])
    if nvml is None:
        nvml = FakeNvml(nvml_data(name)) if (src / "nvml.json").exists() else MissingNvml()
    return Host(
        root=root,
        environ=environment(src),
        sys_path=(str(site),),
        nvml=nvml, python=facts["python"], libc=facts["libc"], uname=facts["uname"],
        cpu_count=facts["cpu_count"],
    )
