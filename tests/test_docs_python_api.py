"""The Python examples of docs/python-api.md run as written, against stand-ins for the
web framework and the tracker (FastAPI, Flask and MLflow are not envaudit dependencies)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import envaudit
from envaudit import lockfile
from tests.factories import fp

DOC = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


class _FastAPI:
    def __init__(self, lifespan: Any = None) -> None:
        self.lifespan = lifespan


class _Flask:
    def __init__(self, name: str) -> None:
        self.name, self.config = name, {}


class _Tracker:
    def __init__(self, root: Path) -> None:
        self.root, self.tags, self.texts, self.files = root, {}, {}, {}

    def start_run(self) -> Any:
        import contextlib

        return contextlib.nullcontext()

    def log_artifact(self, path: str, artifact_path: str = "") -> None:
        self.files[f"{artifact_path}/{Path(path).name}"] = Path(path).read_text()

    def log_text(self, text: str, name: str) -> None:
        self.texts[name] = text

    def set_tag(self, key: str, value: str) -> None:
        self.tags[key] = value


@pytest.fixture
def stubs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Tracker:
    monkeypatch.chdir(tmp_path)
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX", "ENVAUDIT_PYTHON"):
        monkeypatch.delenv(var, raising=False)
    tracker = _Tracker(tmp_path)
    mlflow = types.ModuleType("mlflow")
    for name in ("start_run", "log_artifact", "log_text", "set_tag"):
        setattr(mlflow, name, getattr(tracker, name))
    fastapi = types.ModuleType("fastapi")
    fastapi.FastAPI = _FastAPI  # type: ignore[attr-defined]
    flask = types.ModuleType("flask")
    flask.Flask = _Flask  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mlflow", mlflow)
    monkeypatch.setitem(sys.modules, "fastapi", fastapi)
    monkeypatch.setitem(sys.modules, "flask", flask)
    return tracker


def _run(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace


def test_three_examples() -> None:
    assert len(BLOCKS) == 3


def test_mlflow_example_logs_the_lock_and_the_report(stubs: _Tracker) -> None:
    _run(BLOCKS[2])
    assert "[python]" in stubs.files["environment/envaudit.lock"]
    report = json.loads(stubs.texts["environment/envaudit-report.json"])
    assert "findings" in report
    assert stubs.tags["envaudit.ok"] in ("True", "False")


def _write(packages: dict[str, str]) -> None:
    Path("envaudit.lock").write_text(lockfile.dumps(fp(packages=packages)))


def test_serving_examples_start_on_a_clean_host_and_refuse_a_drifted_one(
        stubs: _Tracker) -> None:
    envaudit.snapshot("envaudit.lock")
    app = _run(BLOCKS[0])["app"]
    asyncio.run(_enter(app.lifespan(app)))
    assert _run(BLOCKS[1])["create_app"]().config["ENVAUDIT_SUMMARY"]["error"] == 0
    _write({"tensorrt": "10.0.0"})  # critical, and not installed in the test environment
    with pytest.raises(envaudit.DriftError, match=r"\n  ERROR   PKG-001 tensorrt: tensorrt"
                       r" 10.0.0 is not installed on the deployment side"):
        asyncio.run(_enter(app.lifespan(app)))
    with pytest.raises(envaudit.DriftError):
        _run(BLOCKS[1])["create_app"]()


async def _enter(context: Any) -> None:
    async with context:
        pass
