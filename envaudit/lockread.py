"""A fast reader for the layout envaudit itself writes, trusted only when the hash verifies.

Nearly all of a big lock is `[[packages]]` tables of `key = "string"`, `key = true` and
arrays of strings (`wheel-tags`, `shared-imports`, `shadowed`: one item a line, as
tomli_w writes them). read() takes those lines apart with one regular expression and
leaves everything else, the optional sections included, to safetoml; the caller accepts
the result only if its content-hash equals the one the lock records, and otherwise
parses the whole file with safetoml. So an unusual or hand-edited lock can only be read
more slowly, never differently. The same bounds as the TOML path hold (envaudit.safetoml:
depth, string and version lengths, integers): a lock outside them is never accepted here,
and the bounded parse of the whole text then refuses it with its key path.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from envaudit import safetoml

_HEADER = "\n[[packages]]\n"
# A basic string's text without escapes or control characters (tab aside, as in TOML).
_TEXT = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
# One line of a [[packages]] table: its header; `key = "text"`, `key = true|false`,
# `key = []` or `key = [` opening an array; `    "text",` (an item, quotes kept so that
# an empty one is seen) or `]` closing it. Anything else is not envaudit's layout.
_LINE = re.compile(
    r"^(?:(\[\[packages\]\])"
    rf'|([A-Za-z0-9_-]+) = (?:"({_TEXT})"|(true|false)|(\[\]?))'
    rf'|    ("{_TEXT}"),|(\]))$',
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
    try:  # the rest within the bounds of envaudit.safetoml, and the packages too
        doc = safetoml.loads(head + "\n" + rest)
        safetoml.check(packages, "packages")
    except safetoml.TomlInputError:
        return None  # the bounded parse of the whole text then names the problem
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
    array: Optional[list[str]] = None  # the array whose items are being read
    for header, key, text, literal, opener, item, close in lines:
        if array is not None:
            if not (item or close):
                return None
            if item:
                array.append(item[1:-1])
            else:
                array = None
        elif header:
            current = {}
            packages.append(current)
        elif not key or key in current:
            return None  # an item outside an array; a duplicate key (invalid TOML)
        elif opener == "[":
            current[key] = array = []
        elif opener:  # "[]"
            current[key] = []
        else:
            current[key] = literal == "true" if literal else text
    return packages if array is None else None
