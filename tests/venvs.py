"""Real virtual environments for tests, offline: tiny wheels built here, installed by unzipping.

Each venv sees only its own site-packages and this interpreter's pip (a .pth to a directory
holding a link to pip), so that pip-tools can run the target's pip as `pip-sync` does.
"""

from __future__ import annotations

import os
import subprocess
import venv
import zipfile
from pathlib import Path

from tests.test_e2e_venv import build_wheel

__all__ = ["build_wheel", "clean_environ", "make_venv", "pip"]


def _pip_only(root: Path) -> Path:
    import pip as pip_module

    site = Path(pip_module.__file__).parent.parent
    only = root / "pip-only"
    only.mkdir(exist_ok=True)
    for item in [site / "pip", *site.glob("pip-*.dist-info")]:
        if not (only / item.name).exists():
            (only / item.name).symlink_to(item)
    return only


def purelib(python: Path) -> Path:
    return Path(subprocess.run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())


def make_venv(root: Path, name: str, packages: dict[str, str], wheels: Path) -> Path:
    """A venv at root/name with `packages` (name -> version) from the wheels in `wheels`."""
    venv.EnvBuilder(with_pip=False).create(root / name)
    python = root / name / "bin" / "python"
    site = purelib(python)
    (site / "pip-only.pth").write_text(f"{_pip_only(root)}\n")
    for dist, version in packages.items():
        with zipfile.ZipFile(wheels / f"{dist}-{version}-py3-none-any.whl") as zf:
            zf.extractall(site)  # a pure-Python wheel installs by unpacking into purelib
    return python


def clean_environ(**extra: str) -> dict[str, str]:
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "ENVAUDIT_PYTHON")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def pip(python: Path, *args: str) -> None:
    done = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True, timeout=120, env=clean_environ())
    assert done.returncode == 0, done.stderr
