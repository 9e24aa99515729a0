"""Checks of the frameworks and serialization rules (TensorFlow/Keras, PyTorch, NumPy, ORT...)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from envaudit.distributions import TENSORFLOW as TF_DISTS
from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.checks.core import change_level
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.ort_support import onnx_floor
from envaudit.rules.tf_onednn import DEFAULT_POLICY, onednn_on
from envaudit.rules.versions import (
    Installed,
    installed,
    machine,
    max_cc,
    minor,
    parse_version,
    release,
)

_TRUE = frozenset({"1", "true", "yes", "on"})
# TensorFlow's api_template (and lazy_loader.py) reads TF_USE_LEGACY_KERAS as set only when it is
# exactly one of these: "yes", "TRUE" or " 1" leave tf.keras on Keras 3.
_TF_LEGACY_KERAS = ("true", "True", "1")
_FALSE = frozenset({"0", "false", "no", "off"})


def names(value: Any) -> list[str]:
    """A params entry that is one name or a list of names, as a list."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def env_value(fp: Fingerprint, name: str) -> str | None:
    """The variable's value, "" when unset; None when the env section was not collected."""
    if isinstance(fp.env, Unavailable):
        return None
    return fp.env.get(name, "")


def flag(value: str | None) -> bool | None:
    """A boolean environment value: True, False, or None (unset or not a boolean)."""
    text = (value or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _direction_note(params: Mapping[str, Any], up: bool) -> str:
    note = params.get("note_up" if up else "note_down") or params.get("note")
    return f": {note}" if note else ""


def _boundary_severity(params: Mapping[str, Any], up: bool, ctx: Context,
                       version: Version | None = None) -> Severity | None:
    hurts = params.get("hurts", "both")
    if hurts != "both" and (hurts == "up") != up:
        return Severity(params.get("other_severity", "info"))
    mitigation = params.get("mitigated_by")
    if mitigation and _mitigated(mitigation, env_value(ctx.current, mitigation["env"]), version):
        return Severity(mitigation["severity"])
    return None


def _mitigated(mitigation: Mapping[str, Any], value: str | None, version: Version | None) -> bool:
    """The env value is one the package reads as set: exactly one of `values`, or any case of
    one when the package (at `version`) lowercases it first (from `lowercase_since` on)."""
    if value is None:
        return False
    since = mitigation.get("lowercase_since")
    if since is not None and version is not None and version >= Version(since):
        value = value.lower()
    return value in mitigation["values"]


def _cc_allows(ctx: Context, params: Mapping[str, Any]) -> bool:
    if "min_cc" not in params:
        return True
    floor = Version(params["min_cc"])
    ccs = [max_cc(ctx.locked), max_cc(ctx.current)]
    return any(c is not None and c >= floor for c in ccs)


@check("dist-boundary")
def dist_boundary(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A version boundary over a group of dists that install one import package.

    params: package (name or list; the first installed on each side is compared), boundary,
    hurts ("up" | "down" | "both"), other_severity, note / note_up / note_down, min_cc (only
    when a GPU of at least this compute capability is on either side), mitigated_by
    ({env, values, severity}: the current side's env var lowers the severity).
    Releases only (versions.release): a local label is a variant, a pre-release of X is X.
    """
    dists = names(params["package"])
    a, b = installed(ctx.locked, dists), installed(ctx.current, dists)
    if a is None or b is None or not _cc_allows(ctx, params):
        return
    boundary = Version(params["boundary"])
    if (a.release < boundary) == (b.release < boundary):
        return
    up = b.release >= boundary
    way = "upgraded across" if up else "downgraded across"
    yield Match(b[0], a[1], b[1],
                f"{b[0]} {way} {params['boundary']} ({a[1]} → {b[1]})"
                + _direction_note(params, up), _boundary_severity(params, up, ctx, b.release))


@check("package-changed")
def package_changed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Any public version change of a dist group; params levels maps major/minor/micro/other
    to a severity (a level left out does not fire); subject overrides the dist name."""
    dists = names(params["package"])
    a, b = installed(ctx.locked, dists), installed(ctx.current, dists)
    if a is None or b is None or a[2] == b[2]:
        return
    level = change_level(a[2], b[2])
    severity = params["levels"].get(level)
    if severity is None:
        return
    way = "upgraded" if b[2] > a[2] else "downgraded"
    subject = params.get("subject", b[0])
    yield Match(subject, a[1], b[1],
                f"{b[0]} {way} {a[1]} → {b[1]} ({level} version change)"
                + _direction_note(params, b[2] > a[2]), Severity(severity))


def _any_installed(ctx: Context, dists: Sequence[str]) -> bool:
    return any(fp.package(d) is not None for fp in (ctx.locked, ctx.current) for d in dists)


def _normalized(value: str, params: Mapping[str, Any]) -> str:
    if value == "":
        value = str(params.get("default", ""))
    if params.get("boolean"):
        as_flag = flag(value)
        return value if as_flag is None else ("on" if as_flag else "off")
    return value.strip().lower()


@check("env-differs")
def env_differs(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """An environment variable differs (params: name (one or a list), default = the value when
    unset, boolean = compare as on/off, requires = dists of which one must be installed)."""
    if "requires" in params and not _any_installed(ctx, names(params["requires"])):
        return
    for name in names(params["name"]):
        old, new = env_value(ctx.locked, name), env_value(ctx.current, name)
        if old is None or new is None or _normalized(old, params) == _normalized(new, params):
            continue
        yield Match(name, old or None, new or None,
                    f"{name}: {old or 'unset'} → {new or 'unset'}" + _direction_note(params, True))


def _keras_generation(fp: Fingerprint, use_env: bool) -> int | None:
    """Which Keras `tf.keras` / `keras` is on this side: 2 or 3 (None: no Keras at all)."""
    tf = installed(fp, TF_DISTS)
    keras = installed(fp, ["keras"])
    if tf is None:
        return keras[2].major if keras else (2 if fp.package("tf-keras") else None)
    if tf.release < Version("2.16"):
        return 2
    legacy = use_env and env_value(fp, "TF_USE_LEGACY_KERAS") in _TF_LEGACY_KERAS
    if legacy and fp.package("tf-keras") is not None:
        return 2
    return keras[2].major if keras else 3


@check("keras-generation")
def keras_generation(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """Keras 2 ↔ Keras 3 because TensorFlow or keras moved (FW-002 covers the env var alone)."""
    old, new = _keras_generation(ctx.locked, True), _keras_generation(ctx.current, True)
    plain = _keras_generation(ctx.locked, False), _keras_generation(ctx.current, False)
    if old is None or new is None or old == new or plain[0] == plain[1]:
        return
    up = new > old
    severity = None if up else Severity(params.get("other_severity", "warning"))
    yield Match("keras", f"Keras {old}", f"Keras {new}",
                f"the Keras that loads the model changes from Keras {old} to Keras {new}"
                + _direction_note(params, up), severity)


@check("keras-legacy-env")
def keras_legacy_env(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """TF_USE_LEGACY_KERAS differs; info when it has no effect on either side."""
    old, new = env_value(ctx.locked, "TF_USE_LEGACY_KERAS"), env_value(ctx.current,
                                                                        "TF_USE_LEGACY_KERAS")
    if old is None or new is None or (old in _TF_LEGACY_KERAS) == (new in _TF_LEGACY_KERAS):
        return
    if not _any_installed(ctx, TF_DISTS):
        return
    same = _keras_generation(ctx.locked, True) == _keras_generation(ctx.current, True)
    effect = ("it has no effect here (TensorFlow < 2.16 or tf_keras not installed)" if same
              else "a different Keras implementation loads the model")
    if any(v and v not in _TF_LEGACY_KERAS for v in (old, new)):
        effect += " (TensorFlow reads it as set only when it is true, True or 1)"
    yield Match("TF_USE_LEGACY_KERAS", old or None, new or None,
                f"TF_USE_LEGACY_KERAS: {old or 'unset'} → {new or 'unset'}: {effect}",
                Severity.INFO if same else None)


def _pin_violations(fp: Fingerprint, pins: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """dist -> the TensorFlow requirement its installed version violates."""
    tf = installed(fp, TF_DISTS)
    if tf is None:
        return {}
    out: dict[str, str] = {}
    for pin in pins:
        if tf.release not in SpecifierSet(pin["tensorflow"]):
            continue
        for dist, spec in pin["requires"].items():
            have = installed(fp, [dist])
            if have is not None and have.release not in SpecifierSet(spec):
                out.setdefault(dist, f"{tf[0]} {tf[1]} requires {dist}{spec}")
    return out


@check("tf-pins")
def tf_pins(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A dist version outside the pins of the installed TensorFlow (new on the deployment side)."""
    before = _pin_violations(ctx.locked, params["pins"])
    for dist, why in sorted(_pin_violations(ctx.current, params["pins"]).items()):
        if before.get(dist) == why:
            continue
        old, new = ctx.locked.package(dist), ctx.current.package(dist)
        yield Match(dist, old.version if old else None, new.version if new else None,
                    f"{why}, but {dist} {new.version if new else '?'} is installed")


@check("gpu-cc-boundary")
def gpu_cc_boundary(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The highest GPU compute capability crosses a boundary while a framework is installed."""
    have = installed(ctx.current, names(params["package"]))
    old, new = max_cc(ctx.locked), max_cc(ctx.current)
    if have is None or old is None or new is None:
        return
    boundary = Version(params["boundary"])
    if (old < boundary) == (new < boundary):
        return
    yield Match(have[0], f"CC {old}", f"CC {new}",
                f"GPU compute capability {old} → {new} crosses {boundary} with {have[0]}"
                f" {have[1]}" + _direction_note(params, new >= boundary))


@check("tf-onednn")
def tf_onednn(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """oneDNN CPU kernels on on one side and off on the other (version default or env var)."""
    policy = {**DEFAULT_POLICY, **params}
    old, new = onednn_on(ctx.locked, policy), onednn_on(ctx.current, policy)
    if old is None or new is None or old == new:
        return
    env_old = env_value(ctx.locked, "TF_ENABLE_ONEDNN_OPTS")
    env_new = env_value(ctx.current, "TF_ENABLE_ONEDNN_OPTS")
    tf = installed(ctx.current, TF_DISTS)
    subject = "TF_ENABLE_ONEDNN_OPTS" if env_old != env_new else (tf[0] if tf else "tensorflow")
    state = {True: "on", False: "off"}
    why = "" if env_old != env_new else ": the CPU class decides TensorFlow's default"
    yield Match(subject, f"oneDNN {state[old]}", f"oneDNN {state[new]}",
                f"TensorFlow oneDNN CPU kernels {state[old]} → {state[new]}"
                f" (TF_ENABLE_ONEDNN_OPTS {env_old or 'unset'} → {env_new or 'unset'}){why}")


@check("torch-triton")
def torch_triton(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """triton out of step with torch: against a known pin, or only one of the two moved."""
    torch, triton = installed(ctx.current, ["torch"]), installed(ctx.current, ["triton"])
    if torch is None or triton is None:
        return
    pinned = params.get("pins", {}).get(minor(torch[2]))
    old_torch, old_triton = installed(ctx.locked, ["torch"]), installed(ctx.locked, ["triton"])
    old = old_triton[1] if old_triton else None
    if pinned is not None and minor(triton[2]) != pinned:
        yield Match("triton", old, triton[1],
                    f"torch {torch[1]} pins triton {pinned}.x, but triton {triton[1]} is"
                    " installed")
        return
    if pinned is not None or old_torch is None or old_triton is None:
        return
    moved_torch = minor(old_torch[2]) != minor(torch[2])
    moved_triton = minor(old_triton[2]) != minor(triton[2])
    if moved_torch != moved_triton:
        what = "torch" if moved_torch else "triton"
        yield Match("triton", old, triton[1],
                    f"only {what} changed minor version (torch {old_torch[1]} → {torch[1]},"
                    f" triton {old_triton[1]} → {triton[1]}): each torch release pins one"
                    " triton line")


def _missing_flags(fp: Fingerprint, params: Mapping[str, Any]) -> list[str]:
    """The baseline flags this CPU lacks when it runs a NumPy past the boundary."""
    np_ = installed(fp, ["numpy"])
    if np_ is None or np_.release < Version(params["boundary"]) or isinstance(fp.cpu, Unavailable):
        return []
    if isinstance(fp.platform, Unavailable) or machine(fp.platform.machine) != "x86_64":
        return []
    return sorted(set(params["flags"]) - set(fp.cpu.flags))


def numpy1_builds(fp: Fingerprint, firsts: Mapping[str, str]) -> list[str]:
    """Installed compiled packages older than their first release built against NumPy 2:
    built against NumPy 1, they cannot run under NumPy 2 ("compiled using NumPy 1.x")."""
    out: list[str] = []
    for dist, first in sorted(firsts.items()):
        have = installed(fp, [dist])
        if have is not None and have.release < Version(str(first)):
            out.append(f"{dist} {have.version}")
    return out


@check("numpy-abi")
def numpy_abi(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """FW-014: NumPy 1 → 2 with a compiled package in the environment built against NumPy 1.
    The crossing alone is FW-015's (NEP 50): this rule names the ABI cause, only when it exists."""
    old, new = installed(ctx.locked, ["numpy"]), installed(ctx.current, ["numpy"])
    if old is None or new is None or not (old.public.major < 2 <= new.public.major):
        return
    stale = numpy1_builds(ctx.current, params["first_numpy2_build"])
    if stale:
        yield Match("numpy", old.version, new.version,
                    f"numpy {old.version} → {new.version}: {', '.join(stale)} "
                    + ("was" if len(stale) == 1 else "were") + " built against NumPy 1.x and"
                    " cannot be imported under NumPy 2 (\"A module that was compiled using"
                    " NumPy 1.x cannot be run in NumPy 2\")")


@check("numpy-cpu-baseline")
def numpy_cpu_baseline(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """NumPy's wheel baseline needs CPU flags the deployment CPU does not have."""
    missing = _missing_flags(ctx.current, params)
    if not missing or _missing_flags(ctx.locked, params) == missing:
        return
    np_ = installed(ctx.current, ["numpy"])
    old = ctx.locked.package("numpy")
    yield Match("numpy", old.version if old else None, np_[1] if np_ else None,
                f"numpy {np_[1] if np_ else ''} needs x86-64-v2; this CPU lacks"
                f" {', '.join(missing)}: `import numpy` raises RuntimeError")




@check("onnx-ort-support")
def onnx_ort_support(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The training side's onnx (the exporter) is newer than the deployment ORT supports.
    A release missing from the table is judged by the latest earlier row, as info."""
    ort_dists = names(params["onnxruntime"])
    ort, old_ort = installed(ctx.current, ort_dists), installed(ctx.locked, ort_dists)
    exporter = installed(ctx.locked, ["onnx"])
    if ort is None or exporter is None or (old_ort is not None and old_ort.public == ort.public):
        return
    release = (ort.public.major, ort.public.minor)
    found = onnx_floor(release)  # data/onnxruntime_support.csv
    if found is None or Version(minor(exporter.public)) <= Version(minor(Version(found[1]))):
        return
    exact = found[0] == release
    yield Match(ort.name, old_ort.version if old_ort else None, ort.version,
                f"{ort.name} {ort.version} supports models up to onnx {found[1]}"
                + ("" if exact else " at least (not in the table; its"
                                     f" {found[0][0]}.{found[0][1]} row)")
                + f"; the model was exported next to onnx {exporter.version}, whose default"
                " opset/IR may be newer", None if exact else Severity.INFO)


def _trt(fp: Fingerprint, params: Mapping[str, Any]) -> Installed | None:
    return installed(fp, names(params["package"]))


@check("tensorrt-gpu")
def tensorrt_gpu(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """TensorRT engines built on one GPU model/CC loaded on another."""
    if _trt(ctx.locked, params) is None or _trt(ctx.current, params) is None:
        return
    a, b = ctx.locked.gpus, ctx.current.gpus
    if isinstance(a, Unavailable) or isinstance(b, Unavailable) or not a or not b:
        return
    old, new = a[0], b[0]
    if old.compute_capability != new.compute_capability:
        yield Match("tensorrt", f"{old.name} (CC {old.compute_capability})",
                    f"{new.name} (CC {new.compute_capability})",
                    f"TensorRT engines built on CC {old.compute_capability} do not run on CC"
                    f" {new.compute_capability} unless built hardware-compatible")
    elif old.name != new.name:
        yield Match("tensorrt", old.name, new.name,
                    f"GPU model {old.name} → {new.name} (same CC {new.compute_capability}):"
                    " engines may load but are not tuned for this GPU", Severity.WARNING)


@check("tensorrt-platform")
def tensorrt_platform(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """TensorRT engines moved to another OS or CPU architecture."""
    if _trt(ctx.locked, params) is None or _trt(ctx.current, params) is None:
        return
    a, b = ctx.locked.platform, ctx.current.platform
    if isinstance(a, Unavailable) or isinstance(b, Unavailable):
        return
    old, new = f"{a.system}/{a.machine}", f"{b.system}/{b.machine}"
    if old != new:
        yield Match("tensorrt", old, new,
                    f"TensorRT engines built on {old} are not portable to {new}")


@check("python-boundary")
def python_boundary(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The Python version crosses a boundary (params as for dist-boundary)."""
    a, b = ctx.locked.python, ctx.current.python
    if isinstance(a, Unavailable) or isinstance(b, Unavailable):
        return
    old, new = parse_version(a.version), parse_version(b.version)
    if old is None or new is None:
        return
    old, new = release(old), release(new)
    boundary = Version(params["boundary"])
    if (old < boundary) == (new < boundary):
        return
    up = new >= boundary
    yield Match("python", a.version, b.version,
                f"Python {a.version} → {b.version} crosses {boundary}"
                + _direction_note(params, up), _boundary_severity(params, up, ctx))


def _local(version: str) -> str:
    """The local version label ("2.6.0+cu126" → "cu126"), "" without one."""
    parsed = parse_version(version)
    return parsed.local or "" if parsed is not None else ""


def _glibc(fp: Fingerprint) -> Version | None:
    if isinstance(fp.platform, Unavailable) or fp.platform.libc.lower() not in ("glibc", ""):
        return None
    return parse_version(fp.platform.libc_version)


@check("glibc-floor")
def glibc_floor(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """The deployment glibc is below the manylinux floor of a wheel the training side used."""
    now, before = _glibc(ctx.current), _glibc(ctx.locked)
    if now is None:
        return
    for floor in params["floors"]:
        need = Version(floor["glibc"])
        wanted = installed(ctx.locked, [floor["package"]])
        if wanted is None or wanted.release not in SpecifierSet(floor["version"]) or now >= need:
            continue
        if "local" in floor and _local(wanted.version) != floor["local"]:
            continue  # another build of that release (its wheels keep the older floor)
        if before is not None and before < need:
            continue  # training ran it on an older glibc too: not a wheel from PyPI
        yield Match(wanted[0], wanted[1], f"glibc {now}",
                    f"{wanted[0]} {wanted[1]} wheels are manylinux_{need.major}_{need.minor}"
                    f" (glibc ≥ {need}); this host has glibc {now}")
