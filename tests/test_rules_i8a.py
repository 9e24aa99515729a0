"""Scenarios of the rules issue 8 fixed or added (deep-probe failures, ...): fire and silent."""

from __future__ import annotations

from typing import Any

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

ORT = [
    # The table stopped at 1.20: FW-022 never fired for current ORT.
    Scenario("onnx-1.24-export-to-ort-1.32", fp(packages={"onnx": "1.24.0"}),
             fp(packages={"onnxruntime": "1.32.0"}), {"FW-022": "warning"}),
    Scenario("onnx-1.23-export-to-ort-1.32", fp(packages={"onnx": "1.23.1"}),
             fp(packages={"onnxruntime": "1.32.0"}), {}, frozenset({"FW-022"})),
    Scenario("onnx-1.18-export-to-ort-1.25-not-in-table", fp(packages={"onnx": "1.18.0"}),
             fp(packages={"onnxruntime": "1.25.1"}), {"FW-022": "info"}),
]

SCENARIOS: list[Scenario] = [*DEEP, *ORT]


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


def test_cuda_floors_have_one_value() -> None:
    """CUDA-002 and CUDNN-004 read the CUDA floors CUDA-001 uses."""
    from envaudit.rules.catalog import load_catalog

    catalog = load_catalog()
    floors = catalog.get("CUDA-001").params["family"]  # type: ignore[union-attr]
    assert catalog.get("CUDA-002").params["family"] == floors  # type: ignore[union-attr]
    assert catalog.get("CUDNN-004").params["cuda"] == floors  # type: ignore[union-attr]
    windows = catalog.get("CUDA-001").params["family_windows"]  # type: ignore[union-attr]
    assert catalog.get("CUDA-002").params["family_windows"] == windows  # type: ignore[union-attr]
    assert catalog.get("CUDNN-004").params["cuda_windows"] == windows  # type: ignore[union-attr]
    assert windows.keys() == floors.keys()


def test_torch_arch_rows_added_and_every_table_row_says_if_secondary() -> None:
    import csv

    from envaudit.probes.gpu_frameworks import table_arch_list
    from envaudit.rules.tables import DATA

    cu128 = table_arch_list("2.7.1+cu128")
    assert "sm_70" not in cu128 and cu128[0] == "sm_75" and cu128[-1] == "sm_120"
    for release in ("2.5.1", "2.6.0", "2.7.1"):
        assert "sm_37" in table_arch_list(f"{release}+cu118")
    for name in ("torch_arch_matrix.csv", "compute_capability.csv", "cuda_driver_table.csv"):
        with (DATA / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and all(r["secondary"] in ("yes", "no") for r in rows), name
        assert all("SECONDARY" in r["source"] or "mirror" in r["source"]
                   for r in rows if r["secondary"] == "yes"), name


def test_releases_missing_from_nvidias_table_have_inferred_rows() -> None:
    """Issue 8: 12.3.2, 12.8.2, 12.9.2, 13.0.3 and 13.1.2 have rows; each copies the
    Table 3 row of the release whose CUDA runtime it ships, and says so."""
    from envaudit.rules.checks.gpu import release_minimum
    from envaudit.rules.tables import rows
    from envaudit.rules.versions import ver

    table = {r["cuda_version"]: r for r in rows("cuda_driver_table.csv")}
    expected = {"12.3.2": "12.3.1", "12.8.2": "12.8.1", "12.9.2": "12.9.1",
                "13.0.3": "13.0.2", "13.1.2": "13.1.1"}
    inferred = {k: r["same_runtime_as"] for k, r in table.items() if r["same_runtime_as"]}
    assert inferred == expected
    for release, base in inferred.items():
        row, source = table[release], table[base]
        assert release.rsplit(".", 1)[0] == base.rsplit(".", 1)[0]
        assert not source["same_runtime_as"] and source["secondary"] == "no"
        assert (row["min_driver_linux"], row["min_driver_windows"]) == (
            source["min_driver_linux"], source["min_driver_windows"])
        assert row["source"].startswith("INFERRED:")
        assert "developer.download.nvidia.com/compute/cuda/redist/" in row["source"]
        found = release_minimum(release)
        assert found is not None and found.row == release
        assert found.written == source["min_driver_linux"]  # "580.95.05", never "580.95.5"
        assert found.driver == ver(found.written)
        assert found.note == (f"; inferred: {release} ships {base}'s CUDA runtime, so {base}'s"
                              " minimum applies")
    own = release_minimum("13.0.2")
    assert own is not None and own.note == "" and own.written == "580.95.05"
    fallback = release_minimum("12.6.4")
    assert fallback is not None and "12.6.3's is used" in fallback.note


def test_cuda_002_message_names_the_inferred_row_and_nvidias_driver_spelling() -> None:
    """A cu130 wheel with cuda-toolkit 13.0.3 on driver 580.82.07: the message quotes the
    minimum as NVIDIA writes it and says the 13.0.3 row is inferred from 13.0.2's runtime."""
    from tests.factories import run, torch_fw

    def host(toolkit: str) -> Any:
        return fp(nvidia=("580.82.07", "13.0"), gpus=[("NVIDIA H200", "9.0")],
                  packages={"cuda-toolkit": toolkit},
                  frameworks={"torch": torch_fw("2.14.1+cu130", "13.0")})

    found = [f for f in run(host("13.0.0"), host("13.0.3"), ()) if f.rule == "CUDA-002"]
    assert len(found) == 1
    message = found[0].message
    assert "driver ≥ 580.95.05 for 13.0.3" in message
    assert "inferred: 13.0.3 ships 13.0.2's CUDA runtime, so 13.0.2's minimum applies" in message
