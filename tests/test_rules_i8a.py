"""Scenarios of the rules issue 8 fixed or added (deep-probe failures, ...): fire and silent."""

from __future__ import annotations

import pytest

from tests.factories import Scenario, check_scenario, fp

TORCH_OK = {"version": "2.13.0+cpu", "cuda-available": "False"}
TORCH_BROKEN = {"error": "ImportError: libcudnn.so.9: cannot open shared object file"}

DEEP = [
    Scenario("deep-torch-import-fails-on-deployment", fp(runtime={"torch": TORCH_OK}),
             fp(runtime={"torch": TORCH_BROKEN}), {"FW-030": "warning"}),
    Scenario("deep-probe-failed-when-lock-was-taken", fp(runtime={"torch": TORCH_BROKEN}),
             fp(runtime={"torch": TORCH_OK}), {"FW-030": "warning"}),
    Scenario("deep-both-sides-fine", fp(runtime={"torch": TORCH_OK}),
             fp(runtime={"torch": TORCH_OK}), {}, frozenset({"FW-030"})),
    Scenario("deep-not-run-on-deployment", fp(runtime={"torch": TORCH_OK}), fp(), {},
             frozenset({"FW-030"})),
]

SCENARIOS: list[Scenario] = [*DEEP]


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: Scenario) -> None:
    check_scenario(s)
