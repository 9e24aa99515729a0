"""The package's shape: imports point down the layers, no cycles, one owner per concept."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from envaudit import model, show

PACKAGE = Path(__file__).resolve().parent.parent / "envaudit"

# Lowest first. A module may import its own layer or a lower one, never a higher one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("envaudit", "envaudit._compat", "envaudit.errors", "envaudit.choices", "envaudit.codec",
     "envaudit.distributions", "envaudit.facts", "envaudit.digest", "envaudit.safeio",
     "envaudit.safetoml", "envaudit.scrub"),
    # The pipeline contract's schema, the artifacts' and behaviour's types, with each one's
    # lock section codec, sit beside the model, which owns [pipelines], [[artifacts]] and
    # [behaviour] as optional sections (model.PipelinesSection, ArtifactsSection,
    # BehaviourSection).
    ("envaudit.model", "envaudit.findings", "envaudit.output", "envaudit.pipeline.interface",
     "envaudit.pipeline.schema", "envaudit.pipeline.lock", "envaudit.artifacts.interface",
     "envaudit.artifacts.lock", "envaudit.behaviour.interface", "envaudit.behaviour.section"),
    ("envaudit.lockfile", "envaudit.lockread", "envaudit.compare", "envaudit.probes",
     "envaudit.artifacts", "envaudit.fleet.identity", "envaudit.footprint"),
    ("envaudit.collect", "envaudit.pipeline", "envaudit.behaviour"),
    ("envaudit.rules",),
    ("envaudit.report", "envaudit.config", "envaudit.docgen", "envaudit.show",
     "envaudit.formats", "envaudit.api", "envaudit.fleet", "envaudit.remediation"),
    ("envaudit.commands", "envaudit.fastpath"),
    ("envaudit.cli",),
    ("envaudit.main", "envaudit.__main__"),
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every envaudit module `path` imports, lazily or not (TYPE_CHECKING blocks excepted)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))  # one tree: ids below are of its nodes
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES}


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _layer(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), i)
    assert best[1] >= 0, f"{module} has no layer: add it to LAYERS"
    return best[1]


def test_every_import_points_down() -> None:
    upward = [f"{a} -> {b}" for a, deps in GRAPH.items() for b in deps if _layer(b) > _layer(a)]
    assert not upward, upward


def test_rules_import_nothing_above_them() -> None:
    above = ("envaudit.report", "envaudit.config", "envaudit.formats", "envaudit.cli",
             "envaudit.commands", "envaudit.api", "envaudit.docgen", "envaudit.show")
    bad = [f"{a} -> {b}" for a, deps in GRAPH.items() if a.startswith("envaudit.rules")
           for b in deps if b.startswith(above)]
    assert not bad, bad


def test_parsing_has_one_owner() -> None:
    """Versions, compute capabilities and machine names are parsed in rules/versions.py; a
    check that catches InvalidVersion or spells "amd64" itself duplicates it."""
    dupes = [f"{path.name}: {needle}" for path in sorted((PACKAGE / "rules").rglob("*.py"))
             if path.name != "versions.py"
             for needle in ("InvalidVersion", '"amd64"', "def _version(", "def _cc(")
             if needle in path.read_text(encoding="utf-8")]
    assert not dupes, dupes


def test_tensorflow_distributions_have_one_list() -> None:
    """Rules and probes name TensorFlow's distributions through envaudit.distributions
    (catalog data through "@tensorflow"), never a list of their own."""
    dupes = [f"{path.relative_to(PACKAGE)}" for path in sorted(PACKAGE.rglob("*"))
             if path.suffix in (".py", ".toml") and path.name != "distributions.py"
             and '"tensorflow-intel"' in path.read_text(encoding="utf-8")]
    assert not dupes, dupes


def _cycle_from(start: str, node: str, seen: list[str]) -> list[str] | None:
    for nxt in sorted(GRAPH[node]):
        if nxt == start:
            return [*seen, nxt]
        if nxt not in seen:
            found = _cycle_from(start, nxt, [*seen, nxt])
            if found:
                return found
    return None


def test_no_import_cycle() -> None:
    for name in sorted(GRAPH):
        cycle = _cycle_from(name, name, [name])
        assert cycle is None, " -> ".join(cycle)


def test_sections_are_the_fingerprint_fields() -> None:
    fields = [f for f in dataclasses.fields(model.Fingerprint) if f.name != "meta"]
    assert [s.attr for s in model.SECTIONS] == [f.name for f in fields]
    required = {f.name for f in fields if f.default is dataclasses.MISSING}
    assert {s.attr for s in model.SECTIONS if s.required} == required


def test_show_chooses_for_every_section() -> None:
    assert set(show.SUMMARIES) == {s.attr for s in model.SECTIONS}


def test_package_refers_to_nothing_outside_the_repository() -> None:
    """Comments and shipped data cite public sources, never a development machine."""
    bad = []
    for path in PACKAGE.rglob("*"):
        if path.suffix in (".py", ".toml", ".csv") and path.is_file():
            text = path.read_text(encoding="utf-8")
            for needle in ("../shared", "../knowledge", "/work/", "/home/", "/Users/"):
                if needle in text:
                    bad.append(f"{path.name}: {needle}")
    assert not bad, bad
