"""Scenarios for the policy rule POL-001 (package outside the allowed range)."""

from __future__ import annotations

import pytest

from envaudit.findings import Policy, Severity
from tests.factories import Scenario, check_scenario, fp

NUMPY_1 = Policy(allowed={"numpy": ">=1.26,<2"})

SCENARIOS: list[Scenario] = [
    Scenario(id="numpy-2-outside-allowed-range",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={"numpy": "2.0.2"}),
             fires={"POL-001": "error"}, policy=NUMPY_1),
    Scenario(id="numpy-inside-allowed-range",
             locked=fp(packages={"numpy": "1.26.0"}), current=fp(packages={"numpy": "1.26.4"}),
             silent=frozenset({"POL-001"}), policy=NUMPY_1),
    Scenario(id="allowed-package-not-installed",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={}),
             silent=frozenset({"POL-001"}), policy=NUMPY_1),
    Scenario(id="training-was-outside-too",
             locked=fp(packages={"numpy": "2.0.0"}), current=fp(packages={"numpy": "2.0.2"}),
             fires={"POL-001": "error"}, policy=NUMPY_1),
    Scenario(id="no-policy",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={"numpy": "2.0.2"}),
             silent=frozenset({"POL-001"})),
    Scenario(id="severity-lowered-by-policy",
             locked=fp(packages={"torch": "2.7.1"}), current=fp(packages={"torch": "2.8.0"}),
             fires={"POL-001": "warning"},
             policy=Policy(allowed={"torch": "~=2.7.0"}, severity={"POL-001": Severity.WARNING})),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)
