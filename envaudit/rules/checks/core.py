"""Checks of the core issue: lockfile, Python, packages, CPU/platform, env, unknown facts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from packaging.version import Version

from envaudit.compare import ChangeKind
from envaudit.model import CpuInfo, Fingerprint, Unavailable
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.versions import machine, parse_version, public_version, release, ver

_VARIANT = re.compile(r"^(cu\d+|cpu|rocm[\d.]+|xpu)", re.I)


def variant(text: str | None) -> str | None:
    """The build variant in a local label: "cu126", "cpu", "rocm6.2"... or None."""
    v = parse_version(text)
    if v is None or v.local is None:
        return None
    m = _VARIANT.match(v.local)
    return m.group(1).lower() if m else None


def build_variant(fp: Fingerprint, name: str, version: str | None) -> str | None:
    """The variant of the installed build: its local label's, else (PyPI's Linux torch has
    no label) what the framework's own files record for that same install: "cu124" for a
    CUDA 12.4 build, "rocm6.2" for HIP 6.2. None when neither says."""
    found = variant(version)
    fw = fp.framework(name) if found is None else None
    if fw is None or public_version(fw.version) != public_version(version):
        return found
    if variant(fw.version):  # torch/version.py keeps the label the dist-info lost (2.11.0+cu130)
        return variant(fw.version)
    cuda, hip = ver(fw.cuda), ver(fw.details.get("hip", ""))
    if cuda and len(cuda) > 1:
        return f"cu{cuda[0]}{cuda[1]}"
    return f"rocm{hip[0]}.{hip[1]}" if hip and len(hip) > 1 else None


def change_level(old: Version, new: Version) -> str:
    """Which part of the public version moved: major, minor, micro or other."""
    if old.major != new.major:
        return "major"
    if old.minor != new.minor:
        return "minor"
    if old.micro != new.micro:
        return "micro"
    return "other"


@check("lock-note")
def lock_note(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for note in ctx.notes:
        if note.code == params["code"]:
            yield Match("lockfile", None, None, note.message)


@check("python-version")
def python_version(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    c = ctx.change("python.version")
    old, new = parse_version(c.locked if c else None), parse_version(c.current if c else None)
    if c is None or old is None or new is None:
        return
    level = change_level(old, new)
    if params["level"] == "minor" and level in ("major", "minor"):
        yield Match("python", c.locked, c.current,
                    f"Python {old.major}.{old.minor} → {new.major}.{new.minor}: compiled"
                    " extensions (and .pyc files) cross an ABI boundary",
                    Severity.ERROR if level == "major" else None)
    elif params["level"] == "micro" and level not in ("major", "minor"):
        yield Match("python", c.locked, c.current, f"Python {c.locked} → {c.current}")


@check("python-implementation")
def python_implementation(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    c = ctx.change("python.implementation")
    if c is not None and c.kind is ChangeKind.CHANGED:
        yield Match("python", c.locked, c.current,
                    f"interpreter {c.locked} → {c.current}")


def _package_changes(ctx: Context, kind: ChangeKind) -> Iterator[tuple[str, str | None,
                                                                        str | None]]:
    for c in ctx.section_changes("packages"):
        if c.kind is kind:
            yield c.path.split(".", 1)[1], c.locked, c.current


@check("package-removed")
def package_removed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    cuda_wheels: list[str] = []
    for name, old, _ in _package_changes(ctx, ChangeKind.REMOVED):
        if (name in ctx.critical) != params["critical"] or name in ctx.tooling:
            continue
        if params["critical"] and name.startswith("nvidia-"):
            cuda_wheels.append(f"{name} {old}")  # one root cause: the CUDA stack went away
            continue
        yield Match(name, old, None, f"{name} {old} is not installed on the deployment side")
    if cuda_wheels:
        yield Match("cuda-wheels", ", ".join(cuda_wheels), None,
                    f"{len(cuda_wheels)} NVIDIA CUDA library wheel(s) are not installed on the"
                    f" deployment side: {', '.join(cuda_wheels)}")


@check("package-added")
def package_added(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for name, _, new in _package_changes(ctx, ChangeKind.ADDED):
        yield Match(name, None, new, f"{name} {new} is installed only on the deployment side")


@check("package-version")
def package_version(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Upgrades and downgrades, comparing public versions; local labels are build variants."""
    for name, old_s, new_s in _package_changes(ctx, ChangeKind.CHANGED):
        critical = name in ctx.critical and name not in ctx.tooling
        if critical != params["critical"]:
            continue
        old, new = parse_version(old_s), parse_version(new_s)
        if old is None or new is None:
            yield Match(name, old_s, new_s, f"{name} {old_s} → {new_s}")
            continue
        if old.public == new.public:
            continue  # only the local label moved: package-variant covers it
        direction = "upgraded" if new > old else "downgraded"
        level = change_level(old, new)
        severity = None
        if critical and level not in ("major", "minor"):
            severity = Severity.INFO  # a patch release of a critical package
        what = "tooling " if name in ctx.tooling else ""
        yield Match(name, old_s, new_s,
                    f"{what}{name} {direction} {old_s} → {new_s} ({level} version change)",
                    severity)


@check("package-variant")
def package_variant(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for name, old_s, new_s in _package_changes(ctx, ChangeKind.CHANGED):
        old, new = variant(old_s), variant(new_s)
        if old == new:
            continue
        if old is None or new is None:  # a label on one side only: the build may still say
            old, new = build_variant(ctx.locked, name, old_s), build_variant(ctx.current, name,
                                                                             new_s)
            if old == new:
                continue
        if new == "cpu" and old is not None and old.startswith(("cu", "rocm")):
            yield Match(name, old_s, new_s,
                        f"{name} was a {old} build and is now a CPU build ({old_s} → {new_s})",
                        Severity.ERROR)
        else:
            yield Match(name, old_s, new_s,
                        f"{name} build variant {old or 'default'} → {new or 'default'}"
                        f" ({old_s} → {new_s})")


def import_owners(fp: Fingerprint) -> dict[str, tuple[str, ...]]:
    """Import package -> the distributions that all install it (from Package.shared_imports)."""
    owners: dict[str, list[str]] = {}
    if not isinstance(fp.packages, Unavailable):
        for pkg in fp.packages:
            for module in pkg.shared_imports:
                owners.setdefault(module.replace("/", "."), []).append(pkg.name)
    return {m: tuple(sorted(d)) for m, d in sorted(owners.items()) if len(d) > 1}


@check("import-conflict")
def import_conflict(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """PKG-007 / PRE-006 / FW-019: several distributions write the same import package."""
    wanted, skip = params["module"], params.get("except", ())
    before = import_owners(ctx.locked)
    for module, mine in import_owners(ctx.current).items():
        if (wanted != "*" and module != wanted) or module in skip:
            continue
        if before.get(module) == mine:
            continue  # the same conflict in training: not drift (the diff reports changes)
        both = " + ".join(mine)
        # critical_only: an error only when an inference-critical distribution is one of
        # them (two packages both shipping a stray top-level `tests/` are a warning).
        minor = params.get("critical_only") and not set(mine) & ctx.critical
        yield Match(module, " + ".join(before.get(module, ())) or None, both,
                    f"{both} all install the '{module}' package on the deployment side:"
                    " whichever was installed last is what imports",
                    Severity.WARNING if minor else None)


@check("package-shadowed")
def package_shadowed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    if isinstance(ctx.current.packages, Unavailable):
        return
    for pkg in ctx.current.packages:
        if pkg.shadowed:
            before = ctx.locked.package(pkg.name)
            if before is not None and before.shadowed == pkg.shadowed:
                continue
            yield Match(pkg.name, None, pkg.version,
                        f"{pkg.name} {pkg.version} is imported; {', '.join(pkg.shadowed)}"
                        " also on sys.path is shadowed")


def _isa_level(cpu: CpuInfo) -> str:
    flags = set(cpu.flags)
    if flags & {"amx_tile", "amx_bf16", "amx_int8"}:
        return "amx"
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    if "avx" in flags:
        return "avx"
    if "sse4_2" in flags:
        return "sse4.2"
    if flags & {"asimd", "neon"}:
        return "neon" if not flags & {"sve", "sve2"} else "sve"
    return "baseline"


@check("cpu-isa")
def cpu_isa(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    a, b = ctx.locked.cpu, ctx.current.cpu
    if isinstance(a, Unavailable) or isinstance(b, Unavailable):
        return
    if a.flags == b.flags and a.vendor == b.vendor:
        return
    la, lb = _isa_level(a), _isa_level(b)
    if la != lb:
        yield Match("cpu", f"{la} ({a.vendor})", f"{lb} ({b.vendor})",
                    f"CPU ISA level {la} → {lb}: BLAS, oneDNN and NumPy dispatch other kernels")
    elif a.vendor != b.vendor:
        yield Match("cpu", a.vendor, b.vendor, f"CPU vendor {a.vendor} → {b.vendor}")
    else:
        lost = sorted(set(a.flags) - set(b.flags))
        gained = sorted(set(b.flags) - set(a.flags))
        yield Match("cpu", ",".join(lost) or None, ",".join(gained) or None,
                    f"CPU flags differ (missing: {', '.join(lost) or 'none'}; new:"
                    f" {', '.join(gained) or 'none'})", Severity.INFO)


@check("cpu-arch")
def cpu_arch(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    c = ctx.change("platform.machine")
    if c is not None and c.kind is ChangeKind.CHANGED and machine(c.locked or "") != machine(
            c.current or ""):  # AMD64 (Windows) is x86_64, arm64 (macOS, Windows) is aarch64
        yield Match("cpu", c.locked, c.current, f"machine architecture {c.locked} → {c.current}")


@check("platform-changed")
def platform_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for key in params["keys"]:
        c = ctx.change(f"platform.{key}")
        if c is not None and c.kind is not ChangeKind.UNKNOWN:
            yield Match(f"platform.{key}", c.locked, c.current,
                        f"{key.replace('-', ' ')} {c.locked or '(none)'} → {c.current or '(none)'}")


@check("env-changed")
def env_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for c in ctx.section_changes("env"):
        if c.kind is ChangeKind.UNKNOWN:
            continue
        name = c.path.split(".", 1)[1]
        yield Match(name, c.locked, c.current,
                    f"{name}: {_shown(c.locked)} → {_shown(c.current)}")


def _shown(value: str | None) -> str:
    if value is None:
        return "unset"
    return repr(value) if len(value) <= 60 else repr(value[:57] + "...")


# The sections every default snapshot collects: when the lock has one and the deployment
# side could not collect it, the gate is blind there, an error (a gate that cannot see must
# not say "fine"). Others are facts or opt-in: no CUDA toolkit outside the wheels, no
# --deep, no --artifact... their absence stays info.
ALWAYS_COLLECTED = frozenset({"python", "platform", "cpu", "packages", "env", "nvidia", "gpus",
                              "frameworks", "cuda-libraries"})


@check("not-collected")
def not_collected(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    for c in ctx.changes:
        if c.kind is ChangeKind.UNKNOWN:
            deployment = c.current != "collected"
            side = "deployment" if deployment else "training (locked)"
            reason = c.current if deployment else c.locked
            # GPU facts fold with the GPU findings (GPU-011...) of the same root cause.
            subject = "gpu" if c.section in ("nvidia", "gpus") else f"unknown:{c.section}"
            blind = deployment and c.section in ALWAYS_COLLECTED
            yield Match(subject, c.locked, c.current,
                        f"[{c.section}] was not collected on the {side} side, so it is not"
                        f" compared: {reason}", Severity.ERROR if blind else None)
    yield from _unreadable_packages(ctx)


def _unreadable_packages(ctx: Context) -> Iterator[Match]:
    """Each distribution that could not be read: an error on the deployment side."""
    if isinstance(ctx.current.packages, Unavailable):
        return
    for pkg in ctx.current.packages:
        if not pkg.problem:
            continue
        before = ctx.locked.package(pkg.name)
        known = before is not None and before.problem == pkg.problem
        yield Match(pkg.name, before.version if before else None, pkg.version,
                    f"{pkg.problem} — the distribution could not be read on the deployment"
                    " side, so it is not fully compared", None if known else Severity.ERROR)


@check("package-boundary")
def package_boundary(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A version boundary (params: package, boundary, hurts = "up"|"down"|"both").

    Fires when the two sides are on different sides of `boundary` (old < boundary <= new
    or the reverse), in either direction; the severity is lowered to info (or to
    params["other_severity"]) when the move is in the direction that does not hurt.
    Releases only (versions.release): a local label is a build variant, and a pre-release of X
    counts as X.
    """
    names = params["package"] if isinstance(params["package"], list) else [params["package"]]
    boundary = Version(params["boundary"])
    for name in names:
        a, b = ctx.locked.package(name), ctx.current.package(name)
        old = parse_version(a.version if a else None)
        new = parse_version(b.version if b else None)
        if old is None or new is None:
            continue
        po, pn = release(old), release(new)
        if (po < boundary) == (pn < boundary):
            continue
        up = pn >= boundary
        hurts = params.get("hurts", "both")
        severity = None
        if hurts != "both" and (hurts == "up") != up:
            severity = Severity(params.get("other_severity", "info"))
        arrow = "crosses" if hurts == "both" else ("crosses up" if up else "crosses down")
        yield Match(name, a.version if a else None, b.version if b else None,
                    f"{name} {arrow} {params['boundary']} ({old} → {new})"
                    + (f": {params['note']}" if "note" in params else ""), severity)
