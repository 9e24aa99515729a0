"""Output formats: pure functions of a Report that return a string."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from envaudit.choices import FleetFormatChoice, FormatChoice

if TYPE_CHECKING:
    from envaudit.fleet.interface import FleetFormat
    from envaudit.formats.interface import Format

#: Each choice -> (module in envaudit.formats, class). Imported only when chosen, which keeps
#: `snapshot` and `diff` from loading formats (and rich) they do not use. A test checks that
#: every member of both enums has an entry.
FORMATS: dict[FormatChoice, tuple[str, str]] = {
    FormatChoice.TEXT: ("text", "TextFormat"),
    FormatChoice.JSON: ("json", "JsonFormat"),
    FormatChoice.MARKDOWN: ("markdown", "MarkdownFormat"),
    FormatChoice.PROMETHEUS: ("prometheus", "PrometheusFormat"),
    FormatChoice.SARIF: ("sarif", "SarifFormat"),
    FormatChoice.JUNIT: ("junit", "JunitFormat"),
    FormatChoice.GITHUB: ("github", "GithubFormat"),
}
FLEET_FORMATS: dict[FleetFormatChoice, tuple[str, str]] = {
    FleetFormatChoice.TEXT: ("fleet_text", "FleetTextFormat"),
    FleetFormatChoice.MARKDOWN: ("fleet_markdown", "FleetMarkdownFormat"),
    FleetFormatChoice.HTML: ("html", "HtmlFormat"),
    FleetFormatChoice.JSON: ("fleet_json", "FleetJsonFormat"),
}


def _load(entry: tuple[str, str]) -> Any:
    module, name = entry
    return getattr(importlib.import_module(f"envaudit.formats.{module}"), name)


def get_format(
    choice: FormatChoice, *, color: bool = False, width: int = 100, verbosity: int = 0
) -> Format:
    """The Format for `choice`; only the text format takes the terminal's settings."""
    cls = _load(FORMATS[choice])
    if choice is FormatChoice.TEXT:
        return cls(color=color, width=width, verbosity=verbosity)  # type: ignore[no-any-return]
    return cls()  # type: ignore[no-any-return]


def get_fleet_format(choice: FleetFormatChoice) -> FleetFormat:
    """The format of `envaudit report` for `choice`."""
    return _load(FLEET_FORMATS[choice])()  # type: ignore[no-any-return]


__all__ = ["FleetFormatChoice", "Format", "FormatChoice", "get_fleet_format", "get_format"]
