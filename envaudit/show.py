"""A human summary of one lockfile (`envaudit show`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Optional

from envaudit.lockfile import LoadedLock
from envaudit.model import SECTIONS, Fingerprint, Unavailable
from envaudit.scrub import escape_controls, scrub

# A collected section -> its summary, then one indented line per item.
Summary = Callable[[Any], tuple[str, list[str]]]


def _python(py: Any) -> tuple[str, list[str]]:
    return f"{py.version} {py.implementation} ({py.tag})", []


def _platform(pl: Any) -> tuple[str, list[str]]:
    return f"{pl.os_name or pl.system} {pl.machine}, {pl.libc} {pl.libc_version}", []


def _cpu(cpu: Any) -> tuple[str, list[str]]:
    return f"{cpu.model} ×{cpu.count} ({len(cpu.flags)} ISA flags)", []


def _packages(pk: Any) -> tuple[str, list[str]]:
    broken = [f"  unreadable: {p.name} {p.version}: {p.problem}" for p in pk if p.problem]
    return f"{len(pk)} distributions" + (f" ({len(broken)} unreadable)" if broken else ""), broken


def _env(env: Any) -> tuple[str, list[str]]:
    return ", ".join(sorted(env)) or "(none captured)", []


def _driver(nv: Any) -> tuple[str, list[str]]:
    return f"{nv.driver} (supports CUDA {nv.cuda_driver or '?'})", []


def _gpus(gpus: Any) -> tuple[str, list[str]]:
    return f"{len(gpus)}", [f"  [{g.index}] {g.name}, compute capability"
                            f" {g.compute_capability}" for g in gpus]


def _frameworks(fw: Any) -> tuple[str, list[str]]:
    return f"{len(fw)}", [f"  {name} {f.version}" + (f" (CUDA {f.cuda})" if f.cuda else "")
                          for name, f in sorted(fw.items())]


def _artifacts(arts: Any) -> tuple[str, list[str]]:
    """One line per recorded model artifact."""
    lines = []
    for a in arts:
        size = sum(f.size for f in a.files)
        lines.append(f"  {a.path} ({a.format or a.kind}, {len(a.files)} files, {size} bytes)"
                     + (f": {len(a.problems)} problem(s)" if a.problems else ""))
    return f"{len(arts)}", lines


def _pipelines(pipelines: Any) -> tuple[str, list[str]]:
    return ", ".join(sorted(pipelines)) or "(none)", []


def _behaviour(runs: Any) -> tuple[str, list[str]]:
    return f"{len(runs)} libraries probed", [
        f"  {lib}: unavailable ({run.reason})" if isinstance(run, Unavailable)
        else f"  {lib}: {run.distribution} {run.version}, {len(run.results)} results"
        for lib, run in sorted(runs.items())]


#: Section attribute -> (label, summary), or None for a section `show` leaves out.
#: A test keeps the keys equal to model.SECTIONS, so a new section must choose.
SUMMARIES: Mapping[str, Optional[tuple[str, Summary]]] = {
    "python": ("python", _python),
    "platform": ("platform", _platform),
    "cpu": ("cpu", _cpu),
    "packages": ("packages", _packages),
    "env": ("env", _env),
    "nvidia": ("driver", _driver),
    "gpus": ("gpus", _gpus),
    "frameworks": ("frameworks", _frameworks),
    "cuda_libraries": None,
    "cuda_toolkit": None,
    "runtime": None,
    "pipelines": ("pipelines", _pipelines),
    "artifacts": ("artifacts", _artifacts),
    "behaviour": ("behaviour", _behaviour),
}


def _sections(fp: Fingerprint) -> list[str]:
    lines = []
    for section in SECTIONS:
        shown = SUMMARIES[section.attr]
        if shown is None:
            continue
        label, summary = shown
        value = getattr(fp, section.attr)
        if isinstance(value, Unavailable):
            if section.listed:  # an absent optional section (pipelines, artifacts) is not a gap
                lines.append(f"{label:12} unknown ({value.reason})")
            continue
        head, items = summary(value)
        lines += [f"{label:12} {head}", *items]
    return lines


def render_lock(loaded: LoadedLock, source: str) -> str:
    fp = loaded.fingerprint
    lines = [
        f"{source}: schema {fp.meta.schema}, written {fp.meta.created} by {fp.meta.tool}",
        *_sections(fp),
    ]
    lines += [f"note: {n.message}" for n in loaded.notes]
    # A lock may come from anywhere: no secret and no terminal escape reaches the screen.
    return "\n".join(escape_controls(scrub(line), keep_newlines=False) for line in lines) + "\n"
