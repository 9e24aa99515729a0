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


def test_rich_table_on_a_terminal_counts_info_per_rule() -> None:
    coloured = get_format(FormatChoice.TEXT, color=True, width=120).render(report(), FailOn.ERROR)
    assert "\x1b[" in coloured
    text = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert "PKG-006" in text and "torch" in text
    assert "PKG-004 ×1: Package added (rich)" in text
    assert "1 error(s), 0 warning(s), 2 info; exit code 1" in text


def test_plain_text_lists_every_finding() -> None:
    text = get_format(FormatChoice.TEXT).render(report(), FailOn.NEVER)
    assert "\x1b[" not in text
    assert text.count("INFO") == 2
    assert "exit code 0 (--fail-on never)" in text


def test_json_and_markdown_agree() -> None:
    data = json.loads(get_format(FormatChoice.JSON).render(report(), FailOn.WARNING))
    md = get_format(FormatChoice.MARKDOWN).render(report(), FailOn.WARNING)
    assert data["summary"] == {"error": 1, "warning": 0, "info": 2}
    for f in data["findings"]:
        assert f"| {f['rule']} |" in md
    assert "**1 error(s), 0 warning(s), 2 info** (exit code 1 with --fail-on warning)" in md


def test_empty_report() -> None:
    empty = diff(LoadedLock(LOCKED), LOCKED)
    for choice in FormatChoice:
        out = get_format(choice, color=True).render(empty, FailOn.ERROR)
        assert out.endswith("\n")
        if choice is FormatChoice.PROMETHEUS:
            assert 'envaudit_drift{model="",severity="info"} 0' in out
            assert "envaudit_findings{" not in out
            continue
        assert "No drift" in out or json.loads(out)["findings"] == []
