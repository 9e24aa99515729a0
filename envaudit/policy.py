"""The team's policy: ignored rules, severity overrides, extra critical packages, ranges.

Loading it from [tool.envaudit] / envaudit.toml / --config lives in config.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from envaudit.rules.interface import Severity


@dataclass(frozen=True)
class Ignore:
    rule: str
    reason: str
    expires: datetime.date | None = None
    # Only findings about this subject (a package name...); None means every subject.
    subject: str | None = None

    def active(self, today: datetime.date) -> bool:
        return self.expires is None or today <= self.expires


@dataclass(frozen=True)
class Policy:
    ignore: tuple[Ignore, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    critical: frozenset[str] = frozenset()
    # Package -> PEP 440 specifier the deployment side must satisfy.
    allowed: Mapping[str, str] = field(default_factory=dict)
