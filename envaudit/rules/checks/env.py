"""Checks for environment variables that select devices, kernels, threads or libraries."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.tf_onednn import DEFAULT_POLICY, default_on
from envaudit.rules.versions import Ver, cc, ver

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class BoolReader:
    """How one library reads a boolean variable: its true and false spellings.

    `false=None`: every other value is false. Otherwise a value in neither set is ignored by
    the library (its default applies) when `ignores_other`, else kept as written (it is an
    error there, so a change to or from it is a real change).
    """

    true: frozenset[str]
    false: Optional[frozenset[str]]
    any_case: bool = True
    ignores_other: bool = False


# normalize = "<reader>" in the catalog; "bool" is for variables whose reader was not checked.
READERS: Mapping[str, BoolReader] = {
    "bool": BoolReader(_TRUE, _FALSE),
    # c10/util/env.cpp check_env(): exactly "1" or "0"; anything else is warned about and
    # ignored ("Ignoring invalid value for boolean flag"). Read so by ATen's Context.h
    # (TORCH_ALLOW_TF32_CUBLAS_OVERRIDE) and cudnn/Conv_v7.cpp (TORCH_CUDNN_V8_API_DISABLED).
    "c10": BoolReader(frozenset({"1"}), frozenset({"0"}), any_case=False, ignores_other=True),
    # tensorflow/core/util/env_var.cc ReadBoolFromEnvVar(): lower-cased "0"/"false",
    # "1"/"true"; anything else logs an error and keeps the default.
    "tf": BoolReader(frozenset({"1", "true"}), frozenset({"0", "false"}), ignores_other=True),
    # jax/_src/config.py bool_env(): case-insensitive y/yes/t/true/on/1 and n/no/f/false/
    # off/0; anything else raises ValueError when jax is imported.
    "jax": BoolReader(frozenset({"y", "yes", "t", "true", "on", "1"}),
                      frozenset({"n", "no", "f", "false", "off", "0"})),
    # torch/serialization.py (torch 2.13): os.getenv(NAME, "0").lower() in ["1", "y", "yes",
    # "true"]; every other value is false.
    "torch-load": BoolReader(frozenset({"1", "y", "yes", "true"}), None),
    # Before the release that lower-cases (FW-009's lowercase_since): the value as written.
    "torch-load-exact": BoolReader(frozenset({"1", "y", "yes", "true"}), None, any_case=False),
    # tensorflow/api_template.__init__.py: os.environ.get("TF_USE_LEGACY_KERAS", None) in
    # ("true", "True", "1"); every other value means Keras 3.
    "tf-keras": BoolReader(frozenset({"true", "True", "1"}), None, any_case=False),
}


def _read_bool(text: str, reader: BoolReader) -> Optional[str]:
    """"1" / "0", None when the library ignores the value, else the value as written."""
    key = text.lower() if reader.any_case else text
    if key in reader.true:
        return "1"
    if reader.false is None or key in reader.false:
        return "0"
    return None if reader.ignores_other else key


def env_of(fp: Fingerprint) -> Optional[Mapping[str, str]]:
    """The captured variables, or None when the env section was not collected."""
    return None if isinstance(fp.env, Unavailable) else fp.env


def normalize(value: Optional[str], how: str) -> Optional[str]:
    """Spell a value the way the consuming library reads it, so equal meanings compare equal.

    None for None, and for a value the library ignores (then its default applies)."""
    if value is None:
        return None
    if how in READERS:  # each library reads the value as written, except our generic "bool"
        return _read_bool(value.strip() if how == "bool" else value, READERS[how])
    text = value.strip()
    if how == "int":
        try:
            return str(int(text))
        except ValueError:
            return text
    if how == "upper":
        return text.upper()
    if how == "lower":
        return text.lower()
    return value


def shown(value: Optional[str]) -> str:
    if value is None:
        return "unset"
    return repr(value) if len(value) <= 60 else repr(value[:57] + "...")


def _tf_onednn_default(fp: Fingerprint) -> Optional[str]:
    on = default_on(fp, DEFAULT_POLICY)
    return None if on is None else ("1" if on else "0")


# default_from = "name": what unset means follows the host (None: unknown on that side).
HOST_DEFAULTS: Mapping[str, Callable[[Fingerprint], Optional[str]]] = {
    "tf-onednn": _tf_onednn_default,  # TensorFlow's oneDNN default (envaudit.rules.tf_onednn)
}


def _default(params: Mapping[str, Any], name: str, fp: Fingerprint) -> Optional[str]:
    if "default_from" in params:
        return HOST_DEFAULTS[str(params["default_from"])](fp)
    default = params.get("default")
    if isinstance(default, Mapping):
        default = default.get(name)
    return None if default is None else str(default)


def _effective(value: Optional[str], params: Mapping[str, Any], name: str,
               fp: Fingerprint) -> Optional[str]:
    """What the library makes of `value` on this side: unset or ignored means its default."""
    how = params.get("normalize", "text")
    how = str(how.get(name, "text") if isinstance(how, Mapping) else how)
    found = normalize(value, how)
    return found if found is not None else normalize(_default(params, name, fp), how)


def _uses(fp: Fingerprint, packages: list[str]) -> Optional[bool]:
    """Whether any of `packages` is installed; None when packages were not collected."""
    if isinstance(fp.packages, Unavailable):
        return None
    return any(fp.package(p) is not None for p in packages)


def tf32_capable(fp: Fingerprint) -> Optional[bool]:
    """Whether a GPU with TF32 tensor cores (CC >= 8.0) is present; None when unknown."""
    if isinstance(fp.gpus, Unavailable):
        return None
    return any((cc(g.compute_capability) or (0, 0)) >= (8, 0) for g in fp.gpus)


def _mixed_gpus(fp: Fingerprint) -> Optional[bool]:
    if isinstance(fp.gpus, Unavailable):
        return None
    return len({g.name for g in fp.gpus}) > 1


def _irrelevant(ctx: Context, params: Mapping[str, Any]) -> bool:
    """True when both sides are known not to use what the variable controls."""
    needs = list(params.get("requires", ()))
    if needs and {_uses(ctx.locked, needs), _uses(ctx.current, needs)} == {False}:
        return True
    if params.get("tf32_gpu") and {tf32_capable(ctx.locked), tf32_capable(ctx.current)} == {
            False}:
        return True
    return bool(params.get("mixed_gpus")) and _mixed_gpus(ctx.current) is False


def _severity(ctx: Context, params: Mapping[str, Any], name: str) -> Severity | None:
    """Per-variable severity; info when nothing on either side reads the variable."""
    if _irrelevant(ctx, params):
        return Severity.INFO
    by_name = params.get("severities", {})
    return Severity(by_name[name]) if name in by_name else None


def first_set(env: Mapping[str, str], names: list[str]) -> tuple[str, Optional[str]]:
    """(spelling, value) of the first of `names` set to a non-empty value, else (names[0],
    None): how a library reads one setting under several names in order of precedence
    (oneDNN: ONEDNN_X, then DNNL_X; src/common/utils.cpp getenv_string_user)."""
    for name in names:
        if env.get(name):
            return name, env[name]
    return names[0], None


def one_setting(ctx: Context, names: list[str]) -> Iterator[tuple[str, Optional[str],
                                                                   Optional[str]]]:
    """differing() for spellings of one setting: (spelling shown, locked value, current value)
    of the value the library reads on each side, when the raw values differ at all."""
    a, b = env_of(ctx.locked), env_of(ctx.current)
    if a is None or b is None or all(a.get(n) == b.get(n) for n in names):
        return
    (old_name, old), (new_name, new) = first_set(a, names), first_set(b, names)
    yield (new_name if new is not None else old_name), old, new


def differing(ctx: Context, names: list[str]) -> Iterator[tuple[str, Optional[str],
                                                                  Optional[str]]]:
    """(name, locked value, current value) for each of `names` whose raw value differs."""
    a, b = env_of(ctx.locked), env_of(ctx.current)
    if a is None or b is None:
        return
    for name in names:
        if a.get(name) != b.get(name):
            yield name, a.get(name), b.get(name)


@check("env-var")
def env_var(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A listed variable means something else on the deployment side.

    params: names (with spellings = true: one setting's names in order of precedence);
    normalize = a reader of READERS (bool, c10, tf, jax...)|int|upper|lower|text;
    default (what unset means, one value or a table per name) or default_from (a HOST_DEFAULTS
    name, when what unset means follows the host); requires (packages that read it: info when
    none is installed); severities (name -> severity); note (appended to the message).
    """
    names = list(params["names"])
    pairs = one_setting(ctx, names) if params.get("spellings") else differing(ctx, names)
    for name, old, new in pairs:
        if _effective(old, params, name, ctx.locked) == _effective(new, params, name,
                                                                   ctx.current):
            continue
        note = f": {params['note']}" if "note" in params else ""
        yield Match(name, old, new, f"{name} {shown(old)} → {shown(new)}{note}",
                    _severity(ctx, params, name))


# -- ENV-001 CUDA_VISIBLE_DEVICES -------------------------------------------------------------

def _gpu_count(fp: Fingerprint) -> Optional[int]:
    return None if isinstance(fp.gpus, Unavailable) else len(fp.gpus)


def _valid_entry(entry: str, count: Optional[int]) -> bool:
    if entry.startswith(("GPU-", "MIG-")):
        return len(entry) > 4
    if not entry.isdigit():
        return False
    return count is None or int(entry) < count


def visible_selection(value: Optional[str], count: Optional[int]) -> Optional[tuple[str, ...]]:
    """The devices CUDA will enumerate: None = all, () = none.

    CUDA reads the comma-separated list up to the first invalid entry (a bad token, a
    negative or out-of-range index) and ignores the rest.
    """
    if value is None:
        return None
    picked: list[str] = []
    for raw in value.split(","):
        entry = raw.strip()
        if not _valid_entry(entry, count):
            break
        picked.append(str(int(entry)) if entry.isdigit() else entry)
    return tuple(picked)


def _same_selection(a: Optional[tuple[str, ...]], b: Optional[tuple[str, ...]],
                    count_a: Optional[int], count_b: Optional[int]) -> bool:
    if a == b:
        return True
    # Unset selects every GPU: the same as listing all of them in order.
    if a is None and b is not None and count_a is not None:
        return b == tuple(str(i) for i in range(count_a))
    if b is None and a is not None and count_b is not None:
        return a == tuple(str(i) for i in range(count_b))
    return False


@check("cuda-visible-devices")
def cuda_visible_devices(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    name = "CUDA_VISIBLE_DEVICES"
    for _, old, new in differing(ctx, [name]):
        count_a, count_b = _gpu_count(ctx.locked), _gpu_count(ctx.current)
        sel_a, sel_b = visible_selection(old, count_a), visible_selection(new, count_b)
        if sel_b == () and sel_a != ():
            what = "is empty" if not (new or "").strip() else "has no valid device first"
            yield Match(name, old, new,
                        f"{name}={shown(new)} {what}: no GPU is visible and frameworks fall back"
                        " to the CPU", Severity.ERROR)
        elif not _same_selection(sel_a, sel_b, count_a, count_b):
            yield Match(name, old, new,
                        f"{name} {shown(old)} → {shown(new)}: another set or order of GPUs"
                        " is used (cuda:0 is a different device)")


# -- ENV-008 thread counts --------------------------------------------------------------------

def _cpu_count(fp: Fingerprint) -> Optional[int]:
    return None if isinstance(fp.cpu, Unavailable) else fp.cpu.count


@check("thread-count")
def thread_count(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """An explicit thread count differs, or none is set and the core count differs."""
    names = list(params["names"])
    for name, old, new in differing(ctx, names):
        if normalize(old, "int") != normalize(new, "int"):
            yield Match(name, old, new,
                        f"{name} {shown(old)} → {shown(new)}: reductions are split over another"
                        " number of threads")
    a, b = env_of(ctx.locked), env_of(ctx.current)
    if a is None or b is None or any(n in a or n in b for n in names):
        return
    ca, cb = _cpu_count(ctx.locked), _cpu_count(ctx.current)
    if ca and cb and ca != cb:
        yield Match("threads", str(ca), str(cb),
                    f"{' and '.join(names)} are unset and the CPU count moved {ca} → {cb}:"
                    " the default thread pools change size", Severity.INFO)


# -- ENV-013 torch.load weights_only overrides -----------------------------------------------

def _torch(fp: Fingerprint) -> Optional[Ver]:
    """torch's leading numbers ("2.6.0a0+git…" → (2, 6, 0): a pre-release as its release)."""
    pkg = fp.package("torch")
    return ver(pkg.version) if pkg is not None else None


def _read_overrides(fp: Fingerprint, names: list[str],
                    params: Mapping[str, Any]) -> Optional[dict[str, str]]:
    """name -> "1"/"0" as this side's torch reads the overrides; None without the env section.

    torch < both_since reads only names[0], lower-cased; from both_since (the release that
    added names[1]) both are compared as written, until lowercase_since lower-cases them
    again. Without torch on this side: lower-cased, both."""
    env = env_of(fp)
    if env is None:
        return None
    have = _torch(fp)
    both, lower = ver(str(params["both_since"])), ver(str(params["lowercase_since"]))
    exact = bool(have and both and lower and both <= have < lower)
    how = "torch-load-exact" if exact else "torch-load"
    read = names if not (have and both and have < both) else names[:1]
    return {n: (normalize(env.get(n), how) or "0") if n in read else "0" for n in names}


@check("weights-only-env")
def weights_only_env(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """params: names (force, force-no), both_since, lowercase_since (see _read_overrides)."""
    names = list(params["names"])
    old, new = (_read_overrides(ctx.locked, names, params),
                _read_overrides(ctx.current, names, params))
    if old is None or new is None:
        return
    if all(new[n] == "1" for n in names) and not all(old[n] == "1" for n in names):
        yield Match(names[0], None, "1", f"{' and '.join(names)} are both set: torch.load"
                    " raises an error", Severity.ERROR)
        return
    for name, before, after in differing(ctx, names):
        if old[name] != new[name]:
            yield Match(name, before, after, f"{name} {shown(before)} → {shown(after)}:"
                        " torch.load switches between weights-only and full unpickling")


# -- ENV-022 TORCH_CUDA_ARCH_LIST --------------------------------------------------------------

def _arch_tokens(value: str) -> set[str]:
    """"8.0;8.6+PTX 9.0a" -> {"8.0", "8.6", "9.0"}; "a"/"f" suffixes are exact-CC targets."""
    out: set[str] = set()
    for raw in value.replace(";", " ").replace(",", " ").split():
        token = raw.split("+", 1)[0].rstrip("af")
        if token:
            out.add(token)
    return out


def _ccs(fp: Fingerprint) -> Optional[set[str]]:
    if isinstance(fp.gpus, Unavailable):
        return None
    return {g.compute_capability for g in fp.gpus if g.compute_capability}


@check("cuda-arch-list")
def cuda_arch_list(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    name = "TORCH_CUDA_ARCH_LIST"
    for _, old, new in differing(ctx, [name]):
        ccs = _ccs(ctx.current)
        missing = sorted(ccs - _arch_tokens(new)) if ccs is not None and new else []
        if missing:
            yield Match(name, old, new,
                        f"{name}={shown(new)} does not target this host's GPU (CC"
                        f" {', '.join(missing)}): CUDA extensions built here will not run on it")
        else:
            yield Match(name, old, new,
                        f"{name} {shown(old)} → {shown(new)}: extensions compiled at run time"
                        " target other GPUs", Severity.INFO)


# -- ENV-023 TF_CPP_MIN_LOG_LEVEL ----------------------------------------------------------------

@check("log-level")
def log_level(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    name = "TF_CPP_MIN_LOG_LEVEL"
    for _, old, new in differing(ctx, [name]):
        level = normalize(new, "int") or "0"
        if level.isdigit() and int(level) >= 1 and level != normalize(old, "int"):
            hidden = {1: "INFO", 2: "INFO and WARNING"}.get(int(level), "all but FATAL")
            yield Match(name, old, new,
                        f"{name}={shown(new)} hides TensorFlow's {hidden} messages (oneDNN,"
                        " cuDNN and device-placement notices)")
