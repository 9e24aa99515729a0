"""Bounded TOML: a parse that cannot recurse, overflow or hang, with errors naming the key.

tomllib itself recurses once per nesting level (1,000 levels of `[[[...]]]` raise
RecursionError), parses integers of any length (over 4,300 digits raise ValueError) and
keeps strings of any size. A lock or policy file is data envaudit does not control, so
a document is accepted only within these bounds (docs/security.md):
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 24  # tables and arrays inside each other; an envaudit lock uses 4
MAX_INT = (1 << 63) - 1  # TOML's own integer range (toml.io: 64-bit signed)
MAX_STRING = 64 * 1024  # characters in one string value or key
MAX_VERSION = 256  # characters in a value whose key ends in "version"


class TomlInputError(ValueError):
    """The document is not TOML or is outside the bounds; the message names where."""


def loads(text: str) -> dict[str, Any]:
    """Parse `text` within the bounds. Raises TomlInputError (one line)."""
    from envaudit._compat import tomllib

    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TomlInputError(f"not valid TOML: {e}") from e
    except RecursionError:
        raise TomlInputError(f"nested deeper than {MAX_DEPTH} levels{_deep_line(text)}"
                             ) from None
    except (ValueError, OverflowError, MemoryError):  # e.g. a 5,000-digit integer
        raise TomlInputError(f"number out of range{_long_number_line(text)}: more digits"
                             " than a 64-bit integer") from None
    check(doc)
    return doc


def check(value: Any, path: str = "") -> None:
    """Raise TomlInputError for the first bound that an already parsed `value` breaks
    (for documents read without loads(), such as envaudit.lockread's fast path)."""
    problem = next(_problems(value, path, 1 if path else 0), None)
    if problem is not None:
        raise TomlInputError(problem)


def _problems(value: Any, path: str, depth: int) -> Iterator[str]:
    """The first bound a parsed value breaks, as "at 'key.path': ..." (lazy)."""
    if depth > MAX_DEPTH:
        yield f"at '{path}': nested deeper than {MAX_DEPTH} levels"
        return
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{_show_key(key)}" if path else _show_key(key)
            if len(key) > MAX_STRING:
                yield f"at '{where[:80]}…': key longer than {MAX_STRING} characters"
            yield from _problems(item, where, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _problems(item, f"{path}[{i}]", depth + 1)
    else:
        yield from _scalar(value, path)


def _scalar(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, (bool, float, datetime.date, datetime.time)):
        return
    if isinstance(value, int) and abs(value) > MAX_INT:
        yield f"at '{path}': integer outside the 64-bit range of TOML"
    elif isinstance(value, str):
        if len(value) > MAX_STRING:
            yield f"at '{path}': string longer than {MAX_STRING} characters"
        elif path.lower().endswith("version") and len(value) > MAX_VERSION:
            yield f"at '{path}': version longer than {MAX_VERSION} characters"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _show_key(key: str) -> str:
    shown = key if _BARE_KEY.match(key) else repr(key)
    return shown if len(shown) <= 80 else shown[:79] + "…"


_KEY_LINE = re.compile(r"^\s*(\[\[?[^\]]*\]\]?|[\w.\"'-]+\s*=)")


def _deep_line(text: str) -> str:
    """' (at line N, key K)' for the first line that opens more than MAX_DEPTH brackets."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for ch in line:
            depth += _STEP.get(ch, 0)
            if depth > MAX_DEPTH:
                return _where(number, line)
    return ""


_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _long_number_line(text: str) -> str:
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(r"\d{4000}", line):
            return _where(number, line)
    return ""


def _where(number: int, line: str) -> str:
    m = _KEY_LINE.match(line)
    key = m.group(1).rstrip("= ").strip() if m else ""
    key = key if len(key) <= 80 else key[:79] + "…"
    return f" (at line {number}" + (f", key '{key}')" if key else ")")
