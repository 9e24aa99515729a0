"""Scenarios: a pre-release, dev or NGC build of release X is judged as X by every version
boundary and range of the catalog (envaudit.rules.versions.release).

PEP 440 orders 2.6.0.dev1 < 2.6.0a0 < 2.6.0rc1 < 2.6.0 and leaves pre-releases out of
specifiers ("<V MUST NOT allow a pre-release of the specified version"), so on plain ordering
torch 2.6.0rc1 was "below 2.6" and never in ">=2.7". A release candidate is cut from the release
branch; PyTorch's nightlies (X.dev<date>) and source builds such as NGC's (X a0+git<sha>) come
from main, whose version is the next release from that release's branch cut on (pytorch/pytorch
PR 149038, "Update nightly PyTorch version to 2.8.0", at the 2.7 branch cut).
"""

from __future__ import annotations

import pytest

from tests.factories import Scenario, check_scenario, fp

A100 = ("NVIDIA A100-SXM4-80GB", "8.0")
TF_2_15 = {"tensorflow": "2.15.1", "keras": "2.15.0", "numpy": "1.26.4"}

SCENARIOS: list[Scenario] = [
    # FW-009 (dist-boundary, torch.load weights_only default from 2.6).
    Scenario(id="torch-2.5-to-2.6-nightly-crosses-weights-only",
             locked=fp(packages={"torch": "2.5.1"}),
             current=fp(packages={"torch": "2.6.0.dev20241112+cu124"}),
             fires={"FW-009": "error"}),
    Scenario(id="torch-2.5-to-ngc-2.6-a0-crosses-weights-only",
             locked=fp(packages={"torch": "2.5.1"}),
             current=fp(packages={"torch": "2.6.0a0+ecf3bae40a"}),
             fires={"FW-009": "error"}),
    Scenario(id="torch-2.6-rc-to-2.6-is-not-a-crossing",
             locked=fp(packages={"torch": "2.6.0rc9"}),
             current=fp(packages={"torch": "2.6.0"}),
             silent=frozenset({"FW-009"})),
    # FW-015 (package-boundary, NumPy 2.0 NEP 50).
    Scenario(id="numpy-1-to-2.0-rc-crosses-nep-50",
             locked=fp(packages={"numpy": "1.26.4"}), current=fp(packages={"numpy": "2.0.0rc1"}),
             fires={"FW-015": "warning"}),
    Scenario(id="numpy-2.0-rc-to-2.0-is-not-a-crossing",
             locked=fp(packages={"numpy": "2.0.0rc1"}), current=fp(packages={"numpy": "2.0.0"}),
             silent=frozenset({"FW-015", "FW-014"})),
    # FW-001 (Keras 3 is tf.keras from TensorFlow 2.16, its release candidates included).
    Scenario(id="tf-2.15-to-2.16-rc-is-keras-3",
             locked=fp(packages=TF_2_15),
             current=fp(packages={"tensorflow": "2.16.0rc0", "keras": "3.0.5", "numpy": "1.26.4"}),
             fires={"FW-001": "error"}),
    # FW-004 (tf-pins): the ">=2.16" pins (keras >= 3) apply to 2.16.0rc0, and a keras release
    # candidate of the pinned release meets the pin.
    Scenario(id="tf-2.16-rc-keeps-its-pins",
             locked=fp(packages=TF_2_15),
             current=fp(packages={**TF_2_15, "tensorflow": "2.16.0rc0"}),
             fires={"FW-004": "warning"}),
    Scenario(id="keras-rc-of-the-pinned-release-meets-the-pin",
             locked=fp(packages={"tensorflow": "2.21.0", "keras": "3.12.0", "numpy": "2.1.0",
                                 "protobuf": "6.31.1"}),
             current=fp(packages={"tensorflow": "2.21.0", "keras": "3.12.0rc1", "numpy": "2.1.0",
                                  "protobuf": "6.31.1"}),
             silent=frozenset({"FW-004"})),
    # FW-008 / NUM-001: fp32 matmul stops using TF32 by default from torch 1.12 (its rc too).
    Scenario(id="torch-1.11-to-1.12-rc-on-a100-drops-tf32-matmul",
             locked=fp(packages={"torch": "1.11.0"}, gpus=[A100]),
             current=fp(packages={"torch": "1.12.0rc2"}, gpus=[A100]),
             fires={"FW-008": "warning", "NUM-001": "warning"}),
    # FW-029 (glibc floor of torch >= 2.7 wheels, manylinux_2_28): a 2.7 release candidate.
    Scenario(id="torch-2.7-rc-on-glibc-2.26",
             locked=fp(packages={"torch": "2.7.0rc6"}, libc_version="2.35"),
             current=fp(packages={"torch": "2.7.0rc6"}, libc_version="2.26"),
             fires={"FW-029": "error"}),
]



@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    check_scenario(s)


@pytest.mark.parametrize(("written", "judged"), [
    ("2.8.0.dev20250601+cu128", "2.8.0"), ("2.7.0a0+git34ef2ba", "2.7.0"), ("2.0.0rc0", "2.0.0"),
    ("1.26.4.post1", "1.26.4"), ("1!2.0b1", "1!2.0"), ("2.6.0+cu124", "2.6.0"),
])
def test_a_pre_release_is_judged_as_its_release(written: str, judged: str) -> None:
    from packaging.version import Version

    from envaudit.rules.versions import release

    assert release(Version(written)) == Version(judged)
