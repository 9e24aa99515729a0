"""The probes against the real libraries of this venv and of a second venv that borrows the
same installed packages: identical digests on two runs and in two venvs; a resize swapped for
another interpolation gives a finding although no version moved. (The one real-library
integration test of the behavioural probes: it runs every probe child once per venv.)"""

from __future__ import annotations

import importlib.util
import os
import venv
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.behaviour.catalog import load_probe_catalog
from envaudit.behaviour.interface import LibraryRun
from envaudit.behaviour.runner import probe_all, run_library
from envaudit.model import Fact, Fingerprint, Unavailable
from envaudit.rules.engine import evaluate
from tests.factories import cli_runner, fp

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = [name for name, spec in load_probe_catalog().items()
             if importlib.util.find_spec(spec.module) is not None]
pytestmark = pytest.mark.skipif("opencv" not in INSTALLED, reason="needs opencv-python")

# Loaded into the second venv by a .pth line when ENVAUDIT_TEST_SWAP_RESIZE is set: a cv2
# whose resize quietly takes bilinear where bicubic was asked (a "patched library").
SWAP = """import cv2
_resize = cv2.resize
def resize(src, dsize, *args, **kwargs):
    if kwargs.get("interpolation") == cv2.INTER_CUBIC:
        kwargs["interpolation"] = cv2.INTER_LINEAR
    return _resize(src, dsize, *args, **kwargs)
cv2.resize = resize
"""


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Fingerprint:
    """`envaudit snapshot --probe` through the CLI, in this venv."""
    from envaudit.cli import app

    out = tmp_path_factory.mktemp("probe") / "probed.lock"
    result = cli_runner().invoke(app, ["snapshot", "--probe", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return lockfile.load(out).fingerprint


@pytest.fixture(scope="module")
def second_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh venv that sees the same installed packages and this envaudit through a .pth."""
    root = tmp_path_factory.mktemp("venv2")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    (site,) = (root / "venv" / "lib").glob("python3*/site-packages")
    numpy_site = Path(importlib.util.find_spec("numpy").origin).parent.parent  # type: ignore[arg-type]
    (root / "patch").mkdir()
    (root / "patch" / "envaudit_swap_resize.py").write_text(SWAP, encoding="utf-8")
    (site / "borrow.pth").write_text(
        f"{ROOT}\n{numpy_site}\n{root / 'patch'}\n"
        "import os; os.environ.get('ENVAUDIT_TEST_SWAP_RESIZE') and"
        " __import__('envaudit_swap_resize')\n", encoding="utf-8")
    return str(root / "venv" / "bin" / "python")


def _digests(behaviour: Fact[dict[str, Fact[LibraryRun]]]) -> dict[str, str]:
    assert not isinstance(behaviour, Unavailable)
    return {r.key: r.digest for run in behaviour.values() if isinstance(run, LibraryRun)
            for r in run.results if r.digest}


def test_every_installed_library_is_probed_without_failures(first: Fingerprint) -> None:
    assert not isinstance(first.behaviour, Unavailable)
    for name in load_probe_catalog():
        run = first.behaviour[name]
        if name not in INSTALLED:
            assert isinstance(run, Unavailable) and "not installed" in run.reason
            continue
        assert isinstance(run, LibraryRun), (name, run)
        assert run.results and not [r.key for r in run.results if r.error], name
        assert run.seconds > 0


def test_gpu_probes_say_why_they_did_not_run(first: Fingerprint) -> None:
    if "torch" not in INSTALLED:
        pytest.skip("torch not installed")
    assert not isinstance(first.behaviour, Unavailable)
    run = first.behaviour["torch"]
    assert isinstance(run, LibraryRun)
    gpu = [r for r in run.results if r.device.startswith("cuda")]
    assert gpu, "torch.matmul.fp32 runs on the CPU and on each visible GPU"
    for r in gpu:  # measured on each visible GPU, or skipped with the reason
        assert r.digest or r.skipped.startswith("no CUDA device visible"), r


def test_same_digests_on_a_second_run(first: Fingerprint) -> None:
    cheap = [n for n in ("opencv", "pillow", "numpy", "onnxruntime") if n in INSTALLED]
    again = _digests(probe_all(cheap))
    before = {k: v for k, v in _digests(first.behaviour).items() if k in again}
    assert again == before and len(again) > 40


def test_same_digests_in_a_second_venv(first: Fingerprint, second_python: str) -> None:
    other = probe_all(INSTALLED, python=second_python)
    assert all(isinstance(run, LibraryRun) for run in other.values()), other
    assert _digests(other) == _digests(first.behaviour)


def test_swapped_interpolation_is_found_although_no_version_moved(
        first: Fingerprint, second_python: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVAUDIT_TEST_SWAP_RESIZE", "1")
    patched = run_library(load_probe_catalog()["opencv"], python=second_python)
    assert isinstance(patched, LibraryRun) and not isinstance(first.behaviour, Unavailable)
    current = replace(first, behaviour={**first.behaviour, "opencv": patched})
    findings = evaluate(first, current)
    assert [(f.rule, f.subject) for f in findings] == [("BEH-001", patched.distribution)]
    message = findings[0].message
    assert f"{patched.version} on both sides, yet 4 of 34 probe outputs changed" in message
    assert "cv2.resize.cubic.f32.down@cpu: output bytes differ (mean " in message


def test_version_bump_with_identical_digests_is_info_with_the_count(first: Fingerprint) -> None:
    assert not isinstance(first.behaviour, Unavailable)
    pil = first.behaviour["pillow"]
    assert isinstance(pil, LibraryRun) and not isinstance(first.packages, Unavailable)
    bumped = tuple(replace(p, version="99.0") if p.name == pil.distribution else p
                   for p in first.packages)
    current = replace(first, packages=bumped,
                      behaviour={**first.behaviour, "pillow": replace(pil, version="99.0")})
    (f,) = [f for f in evaluate(first, current) if f.subject == pil.distribution]
    assert (f.rule, f.severity.value) == ("PKG-002", "info")
    assert f.message.endswith(f"outputs identical on {len(pil.results)} probes")


def test_default_snapshot_imports_nothing_of_the_probes() -> None:
    import subprocess
    import sys

    code = ("import sys; from envaudit.commands import snapshot;"
            " snapshot(output='-', deep=False, timeout=5.0, raw_ids=False);"
            " bad = [m for m in sys.modules if m.startswith(('envaudit.behaviour', 'rich'))];"
            " sys.stderr.write(repr(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.stderr.strip().endswith("[]"), done.stderr


def test_diff_runs_the_locks_probes_live(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from envaudit.api import check
    from envaudit.behaviour.api import probed_snapshot
    from envaudit.collect import default_probes

    lock = tmp_path / "pillow.lock"
    lock.write_text(lockfile.dumps(probed_snapshot(default_probes(), libraries=["pillow"])))
    capsys.readouterr()
    live = check(lock)
    err = capsys.readouterr().err
    assert "envaudit: probed pillow: 14 results" in err and "opencv" not in err
    assert not [f for f in live.findings if f.rule.startswith("BEH")]
    skipped = check(lock, probe=False)
    assert [f.rule for f in skipped.findings if f.subject == "behaviour"] == ["BEH-004"]
    assert capsys.readouterr().err == ""


@pytest.mark.gpu
@pytest.mark.skipif("ENVAUDIT_GPU_TESTS" not in os.environ,
                    reason="set ENVAUDIT_GPU_TESTS=1 on a host with a CUDA GPU and CUDA torch")
def test_tf32_switched_by_env_var_on_a_real_gpu(
        monkeypatch: pytest.MonkeyPatch) -> None:  # pragma: no cover - hardware only
    """The TF32 case live: same versions, TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 on one side."""
    spec = load_probe_catalog()["torch"]
    monkeypatch.setenv("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", "0")
    off = run_library(spec)
    monkeypatch.setenv("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", "1")
    on = run_library(spec)
    assert isinstance(off, LibraryRun) and isinstance(on, LibraryRun)
    base = replace(fp(), behaviour={"torch": off})
    findings = evaluate(base, replace(base, behaviour={"torch": on}))
    assert [f.rule for f in findings] == ["BEH-001"]
    assert "torch.matmul.fp32@cuda:0: max-abs-err" in findings[0].message
    print(findings[0].message)  # the figures for the closing note
