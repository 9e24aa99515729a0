"""Formats are pure functions of the report: text (plain and rich), json, markdown."""

from __future__ import annotations

import json
import re

from envaudit.api import diff
from envaudit.formats import FormatChoice, get_format
from envaudit.lockfile import LoadedLock
from envaudit.report import FailOn, Report
from tests.factories import fp

LOCKED = fp(packages={"numpy": "1.26.4", "pip": "23.0", "torch": "2.4.0+cu124"})
CURRENT = fp(packages={"numpy": "1.26.4", "pip": "24.0", "torch": "2.4.0+cpu", "rich": "13.0"})


def report() -> Report:
    return diff(LoadedLock(LOCKED), CURRENT, locked_source="a.lock", current_source="b.lock")


def test_colour_adds_codes_and_never_changes_the_layout() -> None:
    coloured = get_format(FormatChoice.TEXT, color=True, width=120).render(report(), FailOn.ERROR)
    plain = get_format(FormatChoice.TEXT, color=False, width=120).render(report(), FailOn.ERROR)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert "ERROR    PKG-006  torch was a cu124 build" in plain
    assert "1 error(s), 0 warning(s), 2 info; exit code 1" in plain


def test_info_is_counted_by_default_and_listed_with_verbose() -> None:
    text = get_format(FormatChoice.TEXT).render(report(), FailOn.NEVER)
    assert "INFO" not in text
    assert "2 finding(s) below warning not shown: -v lists them" in text
    verbose = get_format(FormatChoice.TEXT, verbosity=1).render(report(), FailOn.NEVER)
    assert verbose.count("INFO ") == 2
    assert "why: " in verbose and "see: https://" in verbose
    quiet = get_format(FormatChoice.TEXT, verbosity=-1).render(report(), FailOn.NEVER)
    assert "ERROR    PKG-006" in quiet and "How to fix" not in quiet


def test_json_and_markdown_agree() -> None:
    data = json.loads(get_format(FormatChoice.JSON).render(report(), FailOn.WARNING))
    md = get_format(FormatChoice.MARKDOWN).render(report(), FailOn.WARNING)
    assert data["summary"] == {"error": 1, "warning": 0, "info": 2}
    for f in data["findings"]:
        assert f"| `{f['rule']}` |" in md
    assert "**1 error(s), 0 warning(s), 2 info** (exit code 1 with --fail-on warning)" in md


def test_empty_report() -> None:
    empty = diff(LoadedLock(LOCKED), LOCKED)
    for choice in FormatChoice:
        out = get_format(choice, color=True).render(empty, FailOn.ERROR)
        assert out.endswith("\n")
        if choice is FormatChoice.PROMETHEUS:
            assert 'envaudit_drift{model="",severity="info"} 0' in out
            assert "envaudit_findings{" not in out
        elif choice in (FormatChoice.TEXT, FormatChoice.MARKDOWN):
            assert "No drift" in out
        elif choice in (FormatChoice.JSON, FormatChoice.SARIF):
            doc = json.loads(out)
            assert doc.get("findings", doc.get("runs", [{}])[0].get("results")) == []
        else:
            assert "error" not in out.split("envaudit")[0]
