"""Scenarios of the behavioural-probe rules (BEH-*) and of the evidence that lowers version
findings ("outputs identical on N probes")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from envaudit.behaviour.interface import LibraryRun, ProbeResult
from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.interface import Severity
from tests.factories import Scenario, check_scenario, fp, run

PIL_DIGESTS = {f"pillow.resize.{f}.down@cpu": f"sha256:{i:064x}"
               for i, f in enumerate(("nearest", "bilinear", "bicubic"), 1)}


def res(key: str, digest: str = "", *, kept: tuple[int, ...] = (), skipped: str = "",
        error: str = "", **metrics: float) -> ProbeResult:
    return ProbeResult(key=key, device=key.rsplit("@", 1)[1], digest=digest,
                       metrics={k.replace("_", "-"): v for k, v in metrics.items()},
                       kept=kept, skipped=skipped, error=error)


def pillow(version: str, **changed: str) -> LibraryRun:
    digests = {**PIL_DIGESTS, **changed}
    return LibraryRun("pillow", "pillow", version, 0.2,
                      tuple(res(k, d, mean=122.6) for k, d in sorted(digests.items())))


def torch(err: float, *, kept: tuple[int, ...] = (10, 3, 15)) -> LibraryRun:
    return LibraryRun("torch", "torch", "2.11.0+cu130", 2.0, (
        res("torch.matmul.fp32@cuda:0", "sha256:" + "a" * 64, max_abs_err=err),
        res("torch.conv2d.fp32@cpu", "sha256:" + "b" * 64, max_abs_err=2.8e-5),
    ))


def torchvision(kept: tuple[int, ...]) -> LibraryRun:
    return LibraryRun("torchvision", "torchvision", "0.26.0", 1.0, (
        res("torchvision.nms.iou0.5.score0.0@cpu", f"sha256:{len(kept):064x}", kept=kept),
    ))


def side(packages: dict[str, str], **runs: Any) -> Fingerprint:
    return replace(fp(packages=packages), behaviour=runs)


PKGS = {"numpy": "2.1.0", "pillow": "12.3.0", "torch": "2.11.0+cu130", "torchvision": "0.26.0"}
BUMPED = {**PKGS, "pillow": "13.0.0"}
OTHER = "sha256:" + "f" * 64

SCENARIOS = [
    Scenario("pillow-bump-identical-outputs",
             side(PKGS, pillow=pillow("12.3.0")), side(BUMPED, pillow=pillow("13.0.0")),
             {"PKG-002": "info"}, frozenset({"BEH-001", "BEH-002", "BEH-003", "BEH-004"})),
    Scenario("pillow-bump-changed-outputs",
             side(PKGS, pillow=pillow("12.3.0")),
             side(BUMPED, pillow=pillow("13.0.0", **{"pillow.resize.bicubic.down@cpu": OTHER})),
             {"PKG-002": "warning", "BEH-002": "warning"}, frozenset({"BEH-001"})),
    Scenario("resize-swapped-same-version",
             side(PKGS, pillow=pillow("12.3.0")),
             side(PKGS, pillow=pillow("12.3.0", **{"pillow.resize.nearest.down@cpu": OTHER})),
             {"BEH-001": "warning"}, frozenset({"BEH-002", "PKG-002"})),
    Scenario("tf32-switched-same-version",
             side(PKGS, torch=torch(1.98e-4)), side(PKGS, torch=torch(4.78e-2)),
             {"BEH-001": "warning"}, frozenset({"BEH-003", "BEH-004"})),
    Scenario("matmul-error-within-tolerance",
             side(PKGS, torch=torch(1.98e-4)), side(PKGS, torch=torch(2.5e-4)),
             {}, frozenset({"BEH-001", "BEH-002"})),
    Scenario("nms-keeps-other-boxes",
             side(PKGS, torchvision=torchvision((10, 3, 15))),
             side(PKGS, torchvision=torchvision((10, 3))),
             {"BEH-003": "error"}, frozenset({"BEH-001"})),
    Scenario("nms-same-boxes",
             side(PKGS, torchvision=torchvision((10, 3, 15))),
             side(PKGS, torchvision=torchvision((10, 3, 15))),
             {}, frozenset({"BEH-003"})),
    Scenario("library-not-probed-on-deployment",
             side(PKGS, pillow=pillow("12.3.0"), torch=torch(1.98e-4)),
             side(PKGS, pillow=pillow("12.3.0"), torch=Unavailable("torch is not installed")),
             {"BEH-004": "info"}),
    Scenario("probes-only-in-the-lock",
             side(PKGS, pillow=pillow("12.3.0")), fp(packages=PKGS), {"BEH-004": "info"}),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(scenario: Scenario) -> None:
    check_scenario(scenario)


def _lead(locked: Fingerprint, current: Fingerprint, subject: str) -> Any:
    (found,) = [f for f in run(locked, current) if f.subject == subject]
    return found


def test_identical_bump_says_how_many_probes() -> None:
    f = _lead(SCENARIOS[0].locked, SCENARIOS[0].current, "pillow")
    assert (f.rule, f.severity) == ("PKG-002", Severity.INFO)
    assert f.message.endswith("outputs identical on 3 probes")


def test_changed_output_names_the_probe_and_the_size() -> None:
    f = _lead(SCENARIOS[3].locked, SCENARIOS[3].current, "torch")
    assert f.rule == "BEH-001"
    assert "torch.matmul.fp32@cuda:0: max-abs-err 1.98e-04 → 4.78e-02 (×241)" in f.message


def test_nms_reports_boxes_kept_on_both_sides() -> None:
    f = _lead(SCENARIOS[5].locked, SCENARIOS[5].current, "torchvision")
    assert "kept 3 boxes [10, 3, 15] → 2 boxes [10, 3]" in f.message


def test_a_policy_severity_still_wins_over_evidence() -> None:
    from envaudit.findings import Policy

    policy = Policy(severity={"PKG-002": Severity.ERROR})
    found = run(SCENARIOS[0].locked, SCENARIOS[0].current, policy=policy)
    assert [f.severity for f in found if f.subject == "pillow"] == [Severity.ERROR]


def test_evidence_never_raises_a_finding() -> None:
    locked = side({**PKGS, "pillow": "12.3.0"}, pillow=pillow("12.3.0"))
    current = side({**PKGS, "pillow": "12.3.1"}, pillow=pillow("12.3.1"))
    f = _lead(locked, current, "pillow")
    assert f.severity is Severity.INFO and "outputs identical" not in f.message
