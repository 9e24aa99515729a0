"""The probe catalog, the [behaviour] lock section, the comparison modes, and the TF32 and
Pillow cases reproduced from results recorded on the real hosts (fixtures/behaviour)."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit import lockfile
from envaudit.api import diff
from envaudit.behaviour.catalog import DATA, load_probe_catalog
from envaudit.behaviour.compare import Outcome, compare_results
from envaudit.behaviour.interface import Compare, LibraryRun, ProbeResult, ProbeSpec, Tolerance
from envaudit.behaviour.runner import parse_answer
from envaudit.errors import LockfileError
from envaudit.model import Unavailable
from tests import recorded
from tests.factories import fp

PACKAGE = Path(__file__).parent.parent / "envaudit" / "behaviour"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "behaviour"


def _functions(module: str) -> set[str]:
    """Top-level functions of a probe module, read without importing its library."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom)
                for a in n.names}
    return names | imported


@pytest.mark.parametrize("library", sorted(load_probe_catalog()))
def test_every_catalog_probe_has_its_function_and_words(library: str) -> None:
    spec = load_probe_catalog()[library]
    functions = _functions(spec.probe_module)
    for probe in spec.probes:
        assert probe.function in functions, probe.id
        assert probe.stands_for and "{" not in probe.stands_for and "{" not in probe.id
        assert probe.id.split(".")[0] in (library, {"opencv": "cv2", "onnxruntime": "ort",
                                                    "tensorflow": "tf"}.get(library))
    if any(p.per_device for p in spec.probes):
        assert "devices" in functions


def test_catalog_covers_what_the_issue_asks() -> None:
    ids = {p.id for lib in load_probe_catalog().values() for p in lib.probes}
    assert len([i for i in ids if i.startswith("cv2.resize.")]) == 7 * 2 * 2
    assert len([i for i in ids if i.startswith("pillow.resize.")]) == 6 * 2
    assert {"torch.matmul.fp32", "torch.conv2d.fp32", "numpy.blas", "numpy.sum.fp32",
            "ort.conv-resize", "torchvision.batched-nms.iou0.5"} <= ids
    assert len(list(DATA.glob("*.toml"))) == len(load_probe_catalog())


def _spec(compare: Compare, tol: Tolerance | None = None) -> ProbeSpec:
    return ProbeSpec("p", "lib", "f", {}, "a probe", compare, tol or Tolerance())


def _r(digest: str = "", kept: tuple[int, ...] = (), **metrics: float) -> ProbeResult:
    return ProbeResult(key="p@cpu", device="cpu", digest=digest, kept=kept, metrics=metrics)


@pytest.mark.parametrize(("spec", "a", "b", "outcome"), [
    pytest.param(_spec(Compare.EXACT), _r("sha256:1"), _r("sha256:1"), Outcome.SAME, id="same"),
    pytest.param(_spec(Compare.EXACT), _r("sha256:1"), _r("sha256:2"), Outcome.CHANGED,
                 id="digest"),
    pytest.param(_spec(Compare.METRICS, Tolerance(rtol=1.0)), _r("sha256:1", e=1e-4),
                 _r("sha256:2", e=1.9e-4), Outcome.SAME, id="within-tolerance"),
    pytest.param(_spec(Compare.METRICS, Tolerance(rtol=1.0)), _r(e=1e-4), _r(e=2.1e-4),
                 Outcome.CHANGED, id="beyond-tolerance"),
    pytest.param(_spec(Compare.KEPT), _r("x", kept=(1, 2)), _r("y", kept=(1, 2)), Outcome.SAME,
                 id="kept-same"),
    pytest.param(_spec(Compare.KEPT), _r(kept=(1, 2)), _r(kept=(2, 1)), Outcome.CHANGED,
                 id="kept-order"),
    pytest.param(None, _r(kept=(1,)), _r(kept=(1, 2)), Outcome.CHANGED, id="unknown-kept"),
    pytest.param(None, _r(s=1.0), _r(s=1.0 + 1e-12), Outcome.CHANGED, id="unknown-metric"),
    pytest.param(_spec(Compare.EXACT), _r(s=1.0), _r(s=1.0), Outcome.SAME, id="no-digest"),
    pytest.param(_spec(Compare.EXACT), _r("x"), replace(_r("y"), error="boom"),
                 Outcome.NOT_COMPARED, id="failed"),
    pytest.param(_spec(Compare.EXACT), _r("x"), replace(_r(), skipped="no GPU"),
                 Outcome.NOT_COMPARED, id="skipped-one-side"),
])
def test_compare_modes(spec: ProbeSpec | None, a: ProbeResult, b: ProbeResult,
                       outcome: Outcome) -> None:
    assert compare_results(spec, a, b).outcome is outcome


def test_behaviour_section_round_trips() -> None:
    original = recorded.fingerprint("h200.lock")
    loaded = lockfile.loads(lockfile.dumps(original)).fingerprint
    assert loaded.behaviour == original.behaviour
    assert lockfile.dumps(loaded) == lockfile.dumps(original)


def test_behaviour_and_pipelines_sections_round_trip_together() -> None:
    from envaudit.model import SECTIONS
    from envaudit.pipeline.interface import Pipeline

    original = replace(recorded.fingerprint("h200.lock"),
                       pipelines={"det": Pipeline(iou_threshold=0.5, input_size=(640, 640))})
    text = lockfile.dumps(original)
    loaded = lockfile.loads(text)
    assert loaded.notes == ()
    assert (loaded.fingerprint.behaviour, loaded.fingerprint.pipelines) == (
        original.behaviour, original.pipelines)
    assert lockfile.dumps(loaded.fingerprint) == text
    optional = {s.attr: (s.compared, s.listed) for s in SECTIONS}
    assert optional["behaviour"] == optional["pipelines"] == (False, False)
    assert "behaviour" not in text.split("[unavailable]")[1]


def test_default_lock_has_no_section_and_old_locks_load() -> None:
    text = lockfile.dumps(fp())
    assert "[behaviour" not in text
    loaded = lockfile.loads(text.replace('schema = "1.1"', 'schema = "1.0"'))  # a 1.0 lock
    assert loaded.fingerprint.meta.schema == "1.0"
    assert isinstance(loaded.fingerprint.behaviour, Unavailable)
    assert not [n for n in loaded.notes if n.code == "schema-minor"]
    assert lockfile.SCHEMA == "1.1"


@pytest.mark.parametrize(("section", "path"), [
    pytest.param('behaviour = "x"', "'behaviour'", id="not-a-table"),
    pytest.param('[behaviour.pillow]\ndistribution = "pillow"\nversion = "1"\nseconds = "x"',
                 "behaviour.pillow.seconds", id="seconds"),
    pytest.param('[behaviour.pillow]\ndistribution = "pillow"\nversion = "1"\nseconds = 1\n'
                 '[behaviour.pillow.results."a@cpu"]\ndevice = "cpu"\nkept = ["x"]',
                 'behaviour.pillow.results."a@cpu".kept[0]', id="kept"),
])
def test_bad_behaviour_section_names_the_key(section: str, path: str) -> None:
    header = lockfile.dumps(fp()).split("[python]")[0]
    text = section + "\n" + header if section.startswith("behaviour =") else header + section
    with pytest.raises(LockfileError, match=path.replace(".", r"\.").replace("[", r"\[")):
        lockfile.loads(text + "\n")


def test_child_answers_are_validated() -> None:
    assert isinstance(parse_answer("x", [], 1.0), Unavailable)
    assert parse_answer("x", {"unavailable": "cannot import x"}, 1.0) == Unavailable(
        "cannot import x")
    bad = parse_answer("x", {"distribution": "x", "version": "1", "results": [{"key": 1}]}, 1.0)
    assert isinstance(bad, Unavailable) and "unreadable" in bad.reason
    good = parse_answer("x", {"distribution": "x", "version": "1", "results": [
        {"key": "p@cpu", "device": "cpu", "digest": "sha256:0", "kept": [1]}]}, 0.5)
    assert isinstance(good, LibraryRun) and good.results[0].kept == (1,)


@pytest.mark.parametrize("name", sorted(recorded.LOCKS))
def test_fixture_locks_are_what_the_recorded_results_make(name: str) -> None:
    assert (FIXTURES / name).read_text(encoding="utf-8") == recorded.render(name)


def _load(name: str) -> lockfile.LoadedLock:
    return lockfile.load(FIXTURES / name)


def test_tf32_case_from_the_h200_figures() -> None:
    report = diff(_load("h200.lock"), _load("h200-tf32-on.lock"))
    (torch,) = [f for f in report.findings if f.subject == "torch"]
    assert (torch.rule, torch.severity.value) == ("BEH-001", "warning")
    assert ("torch.matmul.fp32@cuda:0: max-abs-err 1.98e-04 → 4.78e-02 (×242);"
            " settings: allow-tf32-matmul False → True") in torch.message
    assert torch.locked == torch.current == "2.11.0+cu130"
    assert [f.rule for f in report.findings] == ["BEH-001"]


def test_pillow_bump_on_the_real_hosts_is_info_with_the_probe_count() -> None:
    report = diff(_load("h200.lock"), _load("cpu-host.lock"))
    (pillow,) = [f for f in report.findings if f.subject == "pillow"]
    assert (pillow.rule, pillow.severity.value) == ("PKG-002", "info")
    assert pillow.message == ("pillow upgraded 12.3.0 → 13.0.0 (major version change):"
                              " outputs identical on 6 probes")
    opencv = [f for f in report.findings if f.subject == "opencv-python-headless"]
    assert opencv == []  # same version, identical digests: nothing to say


def test_cli_diff_against_the_fixtures() -> None:
    from envaudit.cli import app
    from tests.factories import cli_runner

    result = cli_runner().invoke(app, ["diff", str(FIXTURES / "h200.lock"), "--against",
                                       str(FIXTURES / "h200-tf32-on.lock"), "--fail-on",
                                       "warning"])
    assert result.exit_code == 1
    assert "BEH-001" in result.stdout and "(×242)" in result.stdout


def test_docs_lockfile_documents_the_behaviour_section_and_tolerances() -> None:
    import dataclasses

    from envaudit.behaviour.interface import LibraryRun as Run

    text = (Path(__file__).parent.parent / "docs" / "lockfile.md").read_text(encoding="utf-8")
    section = text.split("<!-- behaviour:start -->")[1].split("<!-- behaviour:end -->")[0]
    for cls in (Run, ProbeResult):
        for f in dataclasses.fields(cls):
            key = f.name.replace("_", "-")
            assert f"`{key}`" in section or f.name in ("library", "key"), key
    for lib in load_probe_catalog().values():
        assert f"`{lib.name}`" in section
        for p in lib.probes:
            if p.compare is Compare.METRICS:
                tol = p.tolerance
                row = f"| `{p.id}` | {tol.rtol:.1f} | {tol.atol:.0e}".replace("e-0", "e-")
                assert row in text, row


def test_probe_with_against_is_a_usage_error() -> None:
    from envaudit.cli import app
    from tests.factories import cli_runner

    result = cli_runner().invoke(app, ["diff", str(FIXTURES / "h200.lock"), "--against",
                                       str(FIXTURES / "h200-tf32-on.lock"), "--probe"])
    assert result.exit_code == 2
    assert "--probe probes the live host and does not apply with --against" in result.stderr


def test_a_child_that_cannot_start_or_times_out_is_unavailable_with_the_reason() -> None:
    from envaudit.behaviour.runner import run_library

    spec = load_probe_catalog()["pillow"]
    missing = run_library(spec, python="/nonexistent/python")
    assert isinstance(missing, Unavailable) and "cannot start /nonexistent/python" in missing.reason
    slow = run_library(spec, timeout=0.001)
    assert slow == Unavailable("probes of pillow timed out after 0.001 s")
