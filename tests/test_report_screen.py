"""The real H200 → CPU report as a person sees it: every error on screen one, nothing split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envaudit.api import diff
from envaudit.formats import FormatChoice, get_format
from envaudit.formats._groups import grouped
from envaudit.formats.markdown import LIMIT
from envaudit.lockfile import load
from envaudit.report import FailOn, Report

LOCKS = Path(__file__).parent.parent / "fixtures" / "locks"


@pytest.fixture(scope="module")
def pair() -> Report:
    return diff(load(LOCKS / "h200.lock"), load(LOCKS / "cpu-host.lock").fingerprint,
                locked_source="h200.lock", current_source="cpu-host.lock")


def _tokens(text: str) -> set[str]:
    return set(text.split())


@pytest.mark.parametrize("width", [100, 80])
def test_every_error_is_on_the_first_screen_and_nothing_is_split(pair: Report, width: int) -> None:
    text = get_format(FormatChoice.TEXT, width=width).render(pair, FailOn.ERROR)
    lines = text.splitlines()
    screen = "\n".join(lines[:50])
    errors = [g for g in grouped(pair.findings) if g.lead.severity.value == "error"]
    assert errors
    for g in errors:
        assert f"ERROR    {g.lead.rule}" in screen
        for subject in g.subjects:
            assert subject in screen, subject
    assert all(len(line) <= width or " " not in line.strip() for line in lines)
    # Wrapping never cuts a word or an id: every token is one the unwrapped report has too.
    unwrapped = get_format(FormatChoice.TEXT, width=100_000).render(pair, FailOn.ERROR)
    assert _tokens(text) <= _tokens(unwrapped)


@pytest.mark.parametrize("width", [100, 80])
def test_default_report_fits_one_screen(pair: Report, width: int) -> None:
    text = get_format(FormatChoice.TEXT, width=width).render(pair, FailOn.ERROR)
    assert len(text.splitlines()) <= 50
    first_entry = next(line for line in text.splitlines() if line.startswith("ERROR"))
    assert "torch" in first_entry  # the framework the model runs on leads


def test_markdown_is_under_githubs_comment_limit_and_names_every_error(pair: Report) -> None:
    md = get_format(FormatChoice.MARKDOWN).render(pair, FailOn.ERROR)
    assert len(md) < LIMIT
    for f in pair.findings:
        if f.severity.value == "error":
            assert f"`{f.rule}`" in md and f.subject in md
    assert md.count("<details>") == len({g.lead.rule for g in grouped(pair.findings)
                                         if g.lead.severity.rank >= 2})


def test_markdown_truncates_with_a_pointer_when_the_report_is_huge(pair: Report) -> None:
    many = Report(pair.findings * 200, "a.lock", "b.lock")
    md = get_format(FormatChoice.MARKDOWN).render(many, FailOn.ERROR)
    assert len(md) < LIMIT
    assert re.search(r"Truncated: \d+ more line", md) and "--format json" in md
