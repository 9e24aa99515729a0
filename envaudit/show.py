"""A human summary of one lockfile (`envaudit show`)."""

from __future__ import annotations

from envaudit.lockfile import LoadedLock
from envaudit.model import Fingerprint, Unavailable
from envaudit.scrub import escape_controls, scrub


def _line(label: str, value: object) -> str:
    if isinstance(value, Unavailable):
        return f"{label:12} unknown ({value.reason})"
    return f"{label:12} {value}"


def _sections(fp: Fingerprint) -> list[str]:
    lines = []
    py = fp.python
    lines.append(_line("python", py if isinstance(py, Unavailable)
                       else f"{py.version} {py.implementation} ({py.tag})"))
    pl = fp.platform
    lines.append(_line("platform", pl if isinstance(pl, Unavailable)
                       else f"{pl.os_name or pl.system} {pl.machine}, {pl.libc} {pl.libc_version}"))
    cpu = fp.cpu
    lines.append(_line("cpu", cpu if isinstance(cpu, Unavailable)
                       else f"{cpu.model} ×{cpu.count} ({len(cpu.flags)} ISA flags)"))
    pk = fp.packages
    lines.append(_line("packages",
                       pk if isinstance(pk, Unavailable) else f"{len(pk)} distributions"))
    env = fp.env
    lines.append(_line("env", env if isinstance(env, Unavailable)
                       else ", ".join(sorted(env)) or "(none captured)"))
    nv = fp.nvidia
    lines.append(_line("driver", nv if isinstance(nv, Unavailable)
                       else f"{nv.driver} (supports CUDA {nv.cuda_driver or '?'})"))
    gpus = fp.gpus
    if isinstance(gpus, Unavailable):
        lines.append(_line("gpus", gpus))
    else:
        lines.append(_line("gpus", f"{len(gpus)}"))
        lines += [f"  [{g.index}] {g.name}, compute capability {g.compute_capability}"
                  for g in gpus]
    fw = fp.frameworks
    if isinstance(fw, Unavailable):
        lines.append(_line("frameworks", fw))
    else:
        lines.append(_line("frameworks", f"{len(fw)}"))
        lines += [f"  {name} {f.version}" + (f" (CUDA {f.cuda})" if f.cuda else "")
                  for name, f in sorted(fw.items())]
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
