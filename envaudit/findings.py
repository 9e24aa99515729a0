"""What a diff concludes, and the team's policy over it: the types every role shares.

Severity, Impact and Finding are produced by the rules and read by the report, the
formats, the policy loader and the CLI; Policy is read by the rules and written by the
loader (config.py). They live here, below all of those roles, so every import points down.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Impact(str, enum.Enum):
    BREAKS = "breaks"  # breaks loading or running
    OUTPUTS = "outputs"  # silently changes outputs
    PERFORMANCE = "performance"  # performance only
    INFORMATIONAL = "informational"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    title: str
    message: str
    subject: str
    locked: str | None
    current: str | None
    why: str
    fix: str
    references: tuple[str, ...]
    impact: Impact
    group: str
    # Other findings with the same root cause (same subject), folded into this one.
    related: tuple[Finding, ...] = ()


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
    """The team's policy: ignored rules, severity overrides, extra critical packages, ranges.

    Loading it from [tool.envaudit] / envaudit.toml / --config lives in config.py.
    """

    ignore: tuple[Ignore, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    critical: frozenset[str] = frozenset()
    # Package -> PEP 440 specifier the deployment side must satisfy.
    allowed: Mapping[str, str] = field(default_factory=dict)
    # Where it was read from ("" for none: the catalog's defaults).
    source: str = ""

    def describe(self) -> str:
        """One line naming the policy in force, for stderr and reports."""
        if not self.source:
            return "none (the catalog's defaults)"
        parts = [f"{len(self.ignore)} ignore(s)", f"{len(self.severity)} severity override(s)",
                 f"{len(self.critical)} extra critical", f"{len(self.allowed)} allowed range(s)"]
        return f"{self.source} ({', '.join(parts)})"
