"""Property tests over hostile input: the lock reader, the policy reader, the scanner, the scrubber.

In the suite each property runs a small, fixed budget. The long run (docs/security.md):

    ENVAUDIT_FUZZ_EXAMPLES=20000 pytest -q tests/test_fuzz.py --hypothesis-show-statistics

runs every property with that many generated inputs (5 properties: 100,000 inputs) and a
10-second deadline per input, so a hang fails the run instead of stalling it.
"""

from __future__ import annotations

import datetime
import os
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit import lockfile, safetoml
from envaudit.config import parse_policy
from envaudit.errors import ConfigError, LockfileError
from envaudit.formats.text import TextFormat
from envaudit.probes.packages import iter_distributions
from envaudit.report import FailOn
from envaudit.scrub import escape_controls, scrub
from envaudit.show import render_lock
from tests.factories import fp

EXAMPLES = int(os.environ.get("ENVAUDIT_FUZZ_EXAMPLES", "40"))
LONG = "ENVAUDIT_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=datetime.timedelta(seconds=10) if LONG else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    derandomize=not LONG,  # the suite is reproducible; the long run explores
    database=None,
)

VALID = lockfile.dumps(fp(packages={"numpy": "2.1.0", "torch": "2.4.0+cu124"},
                          env={"OMP_NUM_THREADS": "4"}, gpus=[("NVIDIA A100", "8.0")]))

_scalars = st.one_of(
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.floats(), st.booleans(),
    st.text(max_size=40), st.text(alphabet="0123456789.+-abcrv", max_size=6000),
    st.dates(),
)
_keys = st.one_of(
    st.sampled_from(["envaudit", "schema", "packages", "name", "version", "gpus", "index",
                     "env", "python", "unavailable", "tool", "content-hash", "ignore", "rule",
                     "reason", "allowed", "severity", "critical", "power-limit-w", "cpu",
                     "frameworks", "runtime", "cuda-libraries", "nvidia", "driver"]),
    st.text(max_size=12),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=30,
)
_documents = st.dictionaries(_keys, _values, max_size=8)


def _as_lock(doc: dict[str, Any], schema: str) -> str:
    import tomli_w

    doc = dict(doc)
    doc["envaudit"] = {"schema": schema, **(doc.get("envaudit")
                                            if isinstance(doc.get("envaudit"), dict) else {})}
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):  # tomli_w refuses some shapes (arrays of mixed tables)
        return VALID


def _mutate(data: st.DataObject, text: str) -> str:
    ops = data.draw(st.lists(st.sampled_from(["insert", "delete", "flip", "nest", "number"]),
                             max_size=4))
    for op in ops:
        at = data.draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:at] + data.draw(st.text(max_size=20)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + data.draw(st.integers(0, 200)):]
        elif op == "flip" and text:
            at = min(at, len(text) - 1)
            text = text[:at] + chr(ord(text[at]) ^ data.draw(st.integers(1, 255))) + text[at + 1:]
        elif op == "nest":
            depth = data.draw(st.integers(1, 3000))
            text += f"\njunk = {'[' * depth}{']' * depth}\n"
        else:
            text += f"\nbig = 1{'0' * data.draw(st.integers(1, 6000))}\n"
    return text


def _only_lock_errors(text: str) -> None:
    try:
        loaded = lockfile.loads(text, "fuzz.lock")
    except LockfileError as e:
        assert "\n" not in str(e)
        return
    shown = render_lock(loaded, "fuzz.lock")
    report_text = TextFormat().render(_self_diff(loaded), FailOn.ERROR)
    assert "\x1b" not in shown and "\x1b" not in report_text


def _self_diff(loaded: lockfile.LoadedLock) -> Any:
    from envaudit.api import diff

    return diff(loaded, loaded, policy=None)


@FUZZ
@given(st.data())
def test_lock_reader_mutated_text(data: st.DataObject) -> None:
    _only_lock_errors(_mutate(data, VALID))


@FUZZ
@given(_documents, st.sampled_from(["1.0", "1.1", "1.0\n", "2.0", "1", ""]))
def test_lock_reader_structured(doc: dict[str, Any], schema: str) -> None:
    _only_lock_errors(_as_lock(doc, schema))


@FUZZ
@given(st.data())
def test_policy_reader(data: st.DataObject) -> None:
    doc = data.draw(_documents)
    text = _mutate(data, _as_lock(doc, "1.0").replace("[envaudit]", "[x]"))
    try:
        parse_policy(safetoml.loads(text), source="fuzz.toml", rule_ids=["ENV-001", "PKG-001"])
    except (ConfigError, safetoml.TomlInputError) as e:
        assert "\n" not in str(e)


_file_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(lambda v: f"Metadata-Version: 2.1\nName: x\nVersion: {v}\n\n".encode(),
              st.text(max_size=400)),
    st.integers(1, 100_000).map(lambda n: b"[" * n),
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["METADATA", "INSTALLER", "direct_url.json",
                                           "RECORD", "REQUESTED"]), _file_bytes), max_size=5))
def test_scanner_records_every_distribution(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        info = Path(tmp, "evil-1.0.dist-info")
        info.mkdir()
        Path(tmp, "good-2.0.dist-info").mkdir()
        Path(tmp, "good-2.0.dist-info", "METADATA").write_text("Name: good\nVersion: 2.0\n\n")
        for name, content in files:
            (info / name).write_bytes(content)
        found = {d.path.name: d for d in iter_distributions((tmp,))}
    assert set(found) == {"evil-1.0.dist-info", "good-2.0.dist-info"}
    assert found["good-2.0.dist-info"].problem == ""
    assert "\x1b" not in found["evil-1.0.dist-info"].problem


_SECRETS = st.one_of(
    st.builds(lambda s: "hf_" + s, st.text(string.ascii_letters + string.digits, min_size=30,
                                           max_size=40)),
    st.builds(lambda s: "ghp_" + s, st.text(string.ascii_letters + string.digits, min_size=36,
                                            max_size=40)),
    st.builds(lambda s: "AKIA" + s, st.text(string.ascii_uppercase + string.digits,
                                            min_size=16, max_size=16)),
)
_SECRET_FORMS = st.sampled_from([
    "{s}", "https://user:{s}@host/x", "https://u:p@{s}@host/x", "user:{s}@host",
    "https://h/x?token={s}&a=1", "https://h/x?sig={s}", "--xla_gpu_token={s}",
    "Bearer {s}", "https://h/?X-Amz-Signature={s}",
])


@FUZZ
@given(st.text(max_size=60), _SECRETS, _SECRET_FORMS, st.text(max_size=60))
def test_scrubber_never_leaks(before: str, secret: str, form: str, after: str) -> None:
    value = f"{before} {form.format(s=secret)} {after}"
    out = scrub(value)
    assert secret not in out
    assert scrub(out) == out or secret not in scrub(out)
    assert "\x1b" not in escape_controls(out)


@pytest.mark.parametrize("evil", ["a:" * 20000 + "@", "x://" + "@" * 20000 + "/",
                                  "k=" * 20000, "eyJ" + "a." * 20000])
def test_scrubber_is_linear_on_adversarial_input(evil: str) -> None:
    import time

    start = time.monotonic()
    scrub(evil)
    assert time.monotonic() - start < 2.0
