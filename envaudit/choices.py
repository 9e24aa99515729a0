"""Enums for command-line choices, kept import-light so the CLI starts fast."""

from __future__ import annotations

import enum


class FailOn(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


class ExitCode(enum.IntEnum):
    OK = 0  # nothing at or above --fail-on
    DRIFT = 1  # a finding at or above --fail-on
    USAGE = 2  # bad command line
    CANNOT_AUDIT = 3  # lock missing, unreadable, invalid, unsupported schema; bad input
    INTERNAL = 4  # an unexpected exception: a bug in envaudit (one line on stderr, no traceback)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class FormatChoice(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    PROMETHEUS = "prometheus"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"


class FleetFormatChoice(str, enum.Enum):
    """Formats of `envaudit report` (many host reports merged)."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


class ColorChoice(str, enum.Enum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"
