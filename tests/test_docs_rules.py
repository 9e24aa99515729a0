"""docs/rules.md is generated from the catalog and must not be stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import docgen
from envaudit.rules.catalog import load_catalog

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_rules_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == docgen.markdown(), (
        "docs/rules.md is stale: run `python -m envaudit.docgen --write`")


def test_every_rule_and_group_is_documented() -> None:
    text = docgen.markdown()
    catalog = load_catalog()
    for group in catalog.groups:
        assert f"\n## {group} (" in text
    for rule in catalog.rules:
        assert f"\n### {rule.id}: {rule.title}\n" in text


def test_docgen_writes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert docgen.main([]) == 0
    assert capsys.readouterr().out == docgen.markdown()
