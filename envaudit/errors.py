"""The errors each role raises; envaudit.commands.run turns them into one line and an exit code."""

from __future__ import annotations


class EnvauditError(Exception):
    """Base class: anything that means "could not audit" (exit code 3)."""


class UsageError(EnvauditError):
    """The command line asks for something that does not exist (exit code 2)."""


class LockfileError(EnvauditError):
    """A lockfile is missing, unreadable, not TOML, or does not match the schema."""


class OutputError(EnvauditError):
    """A report or lockfile could not be written."""


class OutputTargetError(UsageError, OutputError):
    """An -o target that cannot hold a report: a directory, a FIFO, a socket (exit code 2)."""


class ConfigError(EnvauditError):
    """The policy configuration ([tool.envaudit], envaudit.toml, --config) is invalid."""


class CatalogError(EnvauditError):
    """The shipped rule catalog is inconsistent (a packaging bug, caught by the tests)."""
