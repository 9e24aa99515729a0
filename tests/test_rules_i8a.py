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


def test_one_tensorflow_list_everywhere() -> None:
    """Rules and probes read envaudit.distributions.TENSORFLOW; no "@family" is left unexpanded."""
    import json

    from envaudit.distributions import TENSORFLOW
    from envaudit.rules.catalog import load_catalog

    catalog = load_catalog()
    assert set(TENSORFLOW) <= catalog.critical
    text = json.dumps([r.params for r in catalog.rules])
    assert '"@' not in text
    tf_lists = [v for r in catalog.rules for v in r.params.values()
                if isinstance(v, list) and "tensorflow-intel" in v]
    assert tf_lists and all(v[:len(TENSORFLOW)] == list(TENSORFLOW) for v in tf_lists)
