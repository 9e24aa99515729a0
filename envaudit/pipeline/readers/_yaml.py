"""A tiny YAML subset: the flat files Ultralytics writes (args.yaml, metadata.yaml).

What yaml.safe_dump writes for a dict of scalars, lists of scalars and one level of
nested scalar mappings: `key: value`, `key:` followed by `- item` lines or indented
`k: v` lines, flow lists/maps of scalars (`[640, 640]`), quoted strings, comments.
Anything else (anchors, tags, block strings, deeper nesting) is an error naming the
line, never a guess. Scalars follow YAML 1.1 as PyYAML reads them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from envaudit.pipeline.interface import PipelineError

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_KEY = re.compile(r"^(?P<key>[^\s'\"#:\[\]{},&*!|>%@`-][^:#]*?|'[^']*'|\"[^\"]*\"|-?\d+)"
                  r"\s*:(?:\s+(?P<value>.*))?$")
_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_NULLS = ("", "~", "null")


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if ch in "'\"" and (not quote or quote == ch):
            quote = "" if quote else ch
        elif ch == "#" and not quote and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def scalar(text: str, where: str) -> Any:
    """One YAML scalar: null, bool, int, float, quoted or plain string."""
    word = text.strip()
    if word.lower() in _NULLS:
        return None
    if word[:1] in "&*!|>%@`":
        raise PipelineError(f"{where}: {word[:20]!r} is outside the YAML subset envaudit reads")
    if word.startswith('"') and word.endswith('"') and len(word) > 1:
        return json.loads(word)
    if word.startswith("'") and word.endswith("'") and len(word) > 1:
        return word[1:-1].replace("''", "'")
    if word.lower() in _BOOLS:
        return _BOOLS[word.lower()]
    if _INT.match(word):
        return int(word.replace("_", ""))
    if _FLOAT.match(word):
        return float(word.replace("_", ""))
    if word.lower() in (".inf", "+.inf", "-.inf", ".nan"):
        return float(word.lower().replace(".", ""))
    return word


def _flow(text: str, where: str) -> Any:
    """`[a, b]` or `{k: v}` of scalars, or a scalar."""
    word = text.strip()
    if word[:1] not in "[{":
        return scalar(word, where)
    if word[-1:] != {"[": "]", "{": "}"}[word[0]] or any(c in word[1:-1] for c in "[]{}"):
        raise PipelineError(f"{where}: nested flow collections are outside the YAML subset")
    items = [i.strip() for i in word[1:-1].split(",") if i.strip()]
    if word[0] == "[":
        return [scalar(i, where) for i in items]
    pairs = [i.partition(":") for i in items]
    return {scalar(k, where): scalar(v, where) for k, _, v in pairs}


def loads(text: str, source: str) -> dict[str, Any]:
    """The mapping in `text`; PipelineError naming the line for anything outside the subset."""
    out: dict[str, Any] = {}
    parent: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{source}: line {number}"
        line = _strip_comment(raw)
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise PipelineError(f"{where}: tab indentation is not YAML")
        if not line[0].isspace() and not line.startswith("- "):
            parent = _top(out, line, where)
        elif parent is None:
            raise PipelineError(f"{where}: indented line without a key above it")
        else:
            _nested(out, parent, line.strip(), where)
    return out


def _top(out: dict[str, Any], line: str, where: str) -> str | None:
    m = _KEY.match(line)
    if m is None:
        raise PipelineError(f"{where}: expected 'key: value'")
    key = str(scalar(m.group("key"), where))
    value = m.group("value")
    out[key] = None if value is None else _flow(value, where)
    return key if value is None else None


def _nested(out: dict[str, Any], parent: str, line: str, where: str) -> None:
    current = out[parent]
    if line.startswith("- ") or line == "-":
        if current is None:
            current = out[parent] = []
        if not isinstance(current, list):
            raise PipelineError(f"{where}: a list item inside a mapping")
        current.append(_flow(line[1:], where))
        return
    m = _KEY.match(line)
    if m is None or m.group("value") is None:
        raise PipelineError(f"{where}: nesting deeper than one level is outside the YAML subset")
    if current is None:
        current = out[parent] = {}
    if not isinstance(current, dict):
        raise PipelineError(f"{where}: a mapping entry inside a list")
    current[scalar(m.group("key"), where)] = _flow(m.group("value"), where)
