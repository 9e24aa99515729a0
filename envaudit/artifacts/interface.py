"""The artifacts role: its error and the facts every artifact reader returns."""

from __future__ import annotations

from envaudit.errors import EnvauditError


class ArtifactError(EnvauditError):
    """A model artifact is missing, unreadable or malformed (exit code 3 via the CLI funnel)."""
