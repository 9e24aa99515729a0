"""A fast reader for the layout envaudit itself writes, trusted only when the hash verifies.

Nearly all of a big lock is `[[packages]]` tables of `key = "string"` and `key = true`
lines. read() takes those lines apart with one regular expression and leaves everything
else to tomllib; the caller accepts the result only if its content-hash equals the one
the lock records, and otherwise parses the whole file with tomllib. So an unusual or
hand-edited lock can only be read more slowly, never differently.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from envaudit._compat import tomllib

_HEADER = "\n[[packages]]\n"
# One line of a [[packages]] table: its header, `key = "text"` (no escapes, no control
# characters) or `key = true|false`. Anything else is not envaudit's layout.
_LINE = re.compile(
    r"^(?:(\[\[packages\]\])"
    r'|([A-Za-z0-9_-]+) = (?:"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"|(true|false)))$',
    re.M,
)


def read(text: str) -> Optional[dict[str, Any]]:
    """The document, or None when the text is not in envaudit's own layout."""
    head, found, tail = text.partition(_HEADER)
    if not found:
        return None
    # The packages end at the first table header after the last [[packages]]; a header of
    # another table between two of them is a line _packages() does not read.
    end = tail.find("\n[", tail.rfind(_HEADER) + 1) + 1 or len(tail)
    region, rest = tail[:end], tail[end:]
    packages = _packages(region)
    if packages is None:
        return None
    try:
        doc = tomllib.loads(head + "\n" + rest)
    except tomllib.TOMLDecodeError:
        return None
    if "packages" in doc:
        return None
    doc["packages"] = packages
    return doc


def _packages(region: str) -> Optional[list[dict[str, Any]]]:
    """The tables of `region` (the first one's body on), or None for a line we do not read."""
    lines = _LINE.findall(region)
    if len(lines) != len([line for line in region.split("\n") if line]):
        return None  # some line is not of our layout
    current: dict[str, Any] = {}
    packages = [current]
    for header, key, text, literal in lines:
        if header:
            current = {}
            packages.append(current)
        elif key in current:
            return None  # a duplicate key is invalid TOML
        else:
            current[key] = literal == "true" if literal else text
    return packages
