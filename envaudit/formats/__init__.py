"""Output formats: pure functions of a Report that return a string."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from envaudit.choices import FormatChoice

if TYPE_CHECKING:
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


__all__ = ["Format", "FormatChoice", "get_format"]
