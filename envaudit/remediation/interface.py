"""The remediation role: export formats, the pins read from a lock, and the role's error."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Optional

from envaudit.errors import RemediationError
from envaudit.model import Fingerprint, Package

__all__ = ["ExportFormat", "Pin", "RemediationError", "pins"]

# Left out of an export, as `pip freeze` leaves them out: the installer's own tools.
INSTALLER_TOOLS = frozenset({"pip", "setuptools", "wheel", "distribute"})

# Local labels the PyTorch wheel index serves, one index per label (cpu, cu126, rocm6.4...):
# https://pytorch.org/get-started/locally/ shows `--index-url https://download.pytorch.org/whl/cu126`.
PYTORCH_INDEX = "https://download.pytorch.org/whl/"
PYTORCH_PACKAGES = frozenset({"torch", "torchvision", "torchaudio"})
_PYTORCH_LABEL = re.compile(r"^(cpu|cu\d+|rocm\d+(?:\.\d+)*|xpu)$")


class ExportFormat(str, enum.Enum):
    REQUIREMENTS = "requirements"
    PYLOCK = "pylock"


@dataclass(frozen=True)
class Pin:
    """One distribution of the lock as a requirement, and what a pin cannot say about it."""

    name: str
    version: str
    # The package index that serves this local label, when envaudit knows it.
    index: Optional[str] = None
    # A reason the pin is written as a comment only (editable installs).
    skipped: str = ""
    note: str = ""

    @property
    def line(self) -> str:
        return f"{self.name}=={self.version}"


def _local_label(version: str) -> str:
    return version.partition("+")[2]


def pin(package: Package) -> Pin:
    """The requirement for one locked distribution."""
    if package.editable:
        return Pin(package.name, package.version,
                   skipped=f"an editable install ({package.direct_url or 'a local source'}):"
                           " install it from its source")
    label = _local_label(package.version)
    if not label:
        return Pin(package.name, package.version)
    if package.name in PYTORCH_PACKAGES and _PYTORCH_LABEL.match(label):
        index = PYTORCH_INDEX + label
        return Pin(package.name, package.version, index=index,
                   note=f"the local label +{label} is served by {index}")
    return Pin(package.name, package.version,
               note=f"the local label +{label} is not on public indexes such as PyPI: pass the"
                    " index that serves it with --extra-index-url")


def pins(fp: Fingerprint) -> tuple[Pin, ...]:
    """Every locked distribution except the installer's own tools, by name."""
    if not isinstance(fp.packages, tuple):
        raise RemediationError(f"the lock has no package list ({fp.packages.reason})")
    return tuple(pin(p) for p in fp.packages if p.name not in INSTALLER_TOOLS)
