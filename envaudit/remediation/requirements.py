"""`envaudit export --format requirements`: exact pins a pip install reproduces."""

from __future__ import annotations

from envaudit.model import Fingerprint, PythonInfo
from envaudit.remediation.interface import INSTALLER_TOOLS, Pin, pins


def _header(fp: Fingerprint, source: str) -> list[str]:
    py = fp.python
    where = f"Python {py.version} ({py.tag})" if isinstance(py, PythonInfo) else "Python unknown"
    return [
        f"# Exported by envaudit from {source} (snapshot {fp.meta.created}, {where}).",
        "# Exact pins of the installed distributions. An installed environment does not know",
        "# the archives' hashes or URLs: `pip-compile --generate-hashes` on this file adds them.",
        f"# Left out, as `pip freeze` leaves them out: {', '.join(sorted(INSTALLER_TOOLS))}.",
    ]


def _lines(p: Pin) -> list[str]:
    if p.skipped:
        return [f"# {p.name} {p.version} was {p.skipped}", f"# {p.line}"]
    if p.index:
        return [f"# {p.name}: {p.note};", f"#   give pip --extra-index-url {p.index}", p.line]
    if p.note:
        return [f"# {p.name}: {p.note}", p.line]
    return [p.line]


def render_requirements(fp: Fingerprint, source: str) -> str:
    """A requirements file of `fp`'s packages (pure: the CLI writes it)."""
    lines = _header(fp, source)
    for p in pins(fp):
        lines += _lines(p)
    return "\n".join(lines) + "\n"


def requirement_lines(fp: Fingerprint) -> tuple[str, ...]:
    """The installable pins alone (what `envaudit fix` hands to pip-tools)."""
    return tuple(p.line for p in pins(fp) if not p.skipped)
