"""The format role: turn a Report into text. Formats never print."""

from __future__ import annotations

from abc import ABC, abstractmethod

from envaudit.report import FailOn, Report


class Format(ABC):
    @abstractmethod
    def render(self, report: Report, fail_on: FailOn) -> str:
        """The whole report as a string (ending with a newline)."""
