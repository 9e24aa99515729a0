"""The errors each role raises; envaudit.commands.run turns them into one line and an exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envaudit.report import Report


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


class InterpreterError(EnvauditError):
    """The interpreter to audit (--python, ENVAUDIT_PYTHON, an active venv) cannot be probed."""


class RemediationError(EnvauditError):
    """An export or a fix cannot be produced or carried out."""


class DriftError(Exception):
    """envaudit.require(): the environment drifted; the message lists the failing findings.

    Not an EnvauditError: the audit ran and found drift (the CLI's exit code 1)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        failing = report.failing()
        lines = [f"environment drift against {report.locked_source}: {len(failing)} finding(s)"
                 f" at or above {report.fail_on.value!r}"]
        lines += [f"  {f.severity.value.upper():7} {f.rule} {f.subject}: {f.message}"
                  for f in failing]
        super().__init__("\n".join(lines))
