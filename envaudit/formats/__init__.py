"""Output formats: pure functions of a Report that return a string."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from envaudit.choices import FleetFormatChoice, FormatChoice

if TYPE_CHECKING:
    from envaudit.fleet.interface import FleetFormat
    from envaudit.formats.interface import Format


def _never(value: NoReturn) -> NoReturn:  # assert_never for Python < 3.11
    raise AssertionError(f"unhandled format {value!r}")


def get_format(
    choice: FormatChoice, *, color: bool = False, width: int = 100, verbosity: int = 0
) -> Format:
    """The Format for `choice`; importing lazily keeps `snapshot` fast."""
    if choice is FormatChoice.TEXT:
        from envaudit.formats.text import TextFormat

        return TextFormat(color=color, width=width, verbosity=verbosity)
    if choice is FormatChoice.JSON:
        from envaudit.formats.json import JsonFormat

        return JsonFormat()
    if choice is FormatChoice.MARKDOWN:
        from envaudit.formats.markdown import MarkdownFormat

        return MarkdownFormat()
    if choice is FormatChoice.PROMETHEUS:
        from envaudit.formats.prometheus import PrometheusFormat

        return PrometheusFormat()
    if choice is FormatChoice.SARIF:
        from envaudit.formats.sarif import SarifFormat

        return SarifFormat()
    if choice is FormatChoice.JUNIT:
        from envaudit.formats.junit import JunitFormat

        return JunitFormat()
    if choice is FormatChoice.GITHUB:
        from envaudit.formats.github import GithubFormat

        return GithubFormat()
    _never(choice)


def get_fleet_format(choice: FleetFormatChoice) -> FleetFormat:
    """The format of `envaudit report` for `choice`."""
    if choice is FleetFormatChoice.TEXT:
        from envaudit.formats.fleet_text import FleetTextFormat

        return FleetTextFormat()
    if choice is FleetFormatChoice.MARKDOWN:
        from envaudit.formats.fleet_markdown import FleetMarkdownFormat

        return FleetMarkdownFormat()
    if choice is FleetFormatChoice.HTML:
        from envaudit.formats.html import HtmlFormat

        return HtmlFormat()
    if choice is FleetFormatChoice.JSON:
        from envaudit.formats.fleet_json import FleetJsonFormat

        return FleetJsonFormat()
    _never(choice)


__all__ = ["FleetFormatChoice", "Format", "FormatChoice", "get_fleet_format", "get_format"]
