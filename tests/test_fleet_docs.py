"""docs/fleet.md: the Kubernetes manifests, alert rules and Grafana queries match the CLI."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from envaudit.cli import app
from envaudit.formats.prometheus import METRICS

DOC = Path(__file__).parent.parent / "docs" / "fleet.md"
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
# Labels envaudit writes, and those Prometheus adds to every scraped series.
LABELS = {"model", "severity", "rule", "subject", "content_hash", "instance", "job"}
SEPARATORS = {";", "&&", "||", "|"}


def blocks(lang: str) -> list[str]:
    return [body for kind, body in _BLOCK.findall(DOC.read_text(encoding="utf-8"))
            if kind == lang]


def manifests() -> list[dict[str, Any]]:
    docs = [d for body in blocks("yaml") for d in yaml.safe_load_all(body)]
    return [d for d in docs if isinstance(d, dict) and "kind" in d]


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    spec = manifest["spec"]
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def containers(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(manifest)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def invocations(container: dict[str, Any]) -> Iterator[list[str]]:
    """Each `envaudit ...` argv the container runs (exec form or inside `sh -c`)."""
    argv = [*container.get("command", []), *container.get("args", [])]
    if argv[:1] == ["envaudit"]:
        yield argv[1:]
    elif argv[:2] == ["/bin/sh", "-c"]:
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        segment: list[str] = []
        for token in [*lexer, ";"]:
            if token in SEPARATORS:
                words = [w for w in segment if w not in ("do", "then")]
                if words[:1] == ["envaudit"]:
                    yield words[1:]
                segment = []
            else:
                segment.append(token)


def test_the_three_recipes_are_there() -> None:
    kinds = sorted(m["kind"] for m in manifests())
    assert kinds == ["DaemonSet", "Deployment", "Job"]
    deployment = next(m for m in manifests() if m["kind"] == "Deployment")
    assert pod_spec(deployment)["initContainers"]


@pytest.mark.parametrize("manifest", manifests(), ids=lambda m: m["kind"])
def test_manifest_commands_exist_and_their_paths_are_mounted(manifest: dict[str, Any]) -> None:
    group: Any = get_command(app)  # typer's bundled click Group
    found = 0
    for container in containers(manifest):
        mounts = [v["mountPath"] for v in container.get("volumeMounts", [])]
        for argv in invocations(container):
            found += 1
            command = group.commands[argv[0]]  # KeyError: no such command
            command.make_context(argv[0], list(argv[1:]))  # raises on an unknown option/value
            for path in (a for a in argv if a.startswith("/")):
                assert any(path.startswith(m + "/") or path == m for m in mounts), path
            if "NODE_NAME" in " ".join(argv):
                assert any(e["name"] == "NODE_NAME" for e in container["env"])
    assert found


def rule_expressions() -> list[str]:
    rules = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("groups:")]
    assert rules, "docs/fleet.md shows Prometheus alert rules"
    return [r["expr"] for doc in rules for g in doc["groups"] for r in g["rules"]]


def queries() -> list[str]:
    return [q for body in blocks("promql") for q in body.splitlines() if q.strip()]


@pytest.mark.parametrize("expr", rule_expressions() + queries())
def test_documented_promql_uses_only_written_metrics_and_labels(expr: str) -> None:
    names = set(re.findall(r"\benvaudit_\w+", expr))
    assert names and names <= set(METRICS), names - set(METRICS)
    labels = set(re.findall(r"(\w+)\s*=~?\s*\"", expr))
    for group in re.findall(r"\bby\s*\(([^)]*)\)", expr):
        labels |= {label.strip() for label in group.split(",")}
    assert labels <= LABELS, labels - LABELS


def test_the_drift_alert_fires_after_ten_minutes_of_errors() -> None:
    rules = yaml.safe_load(next(b for b in blocks("yaml") if b.startswith("groups:")))
    drift = next(r for r in rules["groups"][0]["rules"] if "envaudit_drift" in r["expr"])
    assert drift["for"] == "10m" and 'severity="error"' in drift["expr"]
