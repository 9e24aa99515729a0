"""Credentials never reach a lock: scrubbing of values the probes record."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)


def scrub(value: str) -> str:
    """Drop user:password@ from any URL inside a value."""
    return _USERINFO.sub(r"\g<scheme>", value)
