"""COMP-050: a framework and a distribution that must move with it, at versions that do not pair."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Callable, Optional

from envaudit.model import Fingerprint, Package
from envaudit.rules.interface import Context, Match, Severity, check
from envaudit.rules.versions import minor, public_version, release, ver


def _first(fp: Fingerprint, names: Any) -> Optional[Package]:
    for name in [names] if isinstance(names, str) else list(names):
        pkg = fp.package(name)
        if pkg is not None:
            return pkg
    return None


def _table(pair: Mapping[str, Any], fw: Package, comp: Package) -> Optional[str]:
    want = pair["table"].get(minor(fw.version))
    if want is None:
        return None  # a framework release the table does not know: no claim
    wanted = [want] if isinstance(want, str) else list(want)
    return None if minor(comp.version) in wanted else f"{fw.name} {minor(fw.version)} pairs" \
        f" with {comp.name} {' or '.join(wanted)}"


def _same_minor(pair: Mapping[str, Any], fw: Package, comp: Package) -> Optional[str]:
    since, found = public_version(str(pair.get("since", "0"))), public_version(fw.version)
    if since is None or found is None or release(found) < since:
        return None
    if minor(comp.version) == minor(fw.version):
        return None
    return f"{comp.name} must have the same major.minor as {fw.name}"


# same-release and not-newer compare what JAX (their only users) compares: the leading dotted
# numbers, so "0.4.36.dev20241125" is 0.4.36 (jax/_src/lib check_jaxlib_version,
# jaxlib/plugin_support.py check_plugin_version).


def _same_release(pair: Mapping[str, Any], fw: Package, comp: Package) -> Optional[str]:
    a, b = ver(fw.version), ver(comp.version)
    if a is None or b is None or a == b:
        return None
    return f"{comp.name} must be exactly {fw.name}'s version"


def _not_newer(pair: Mapping[str, Any], fw: Package, comp: Package) -> Optional[str]:
    a, b = ver(fw.version), ver(comp.version)
    if a is None or b is None or b <= a:
        return None
    return f"{comp.name} must not be newer than {fw.name}"


RELATIONS: dict[str, Callable[[Mapping[str, Any], Package, Package], Optional[str]]] = {
    "table": _table, "same-minor": _same_minor, "same-release": _same_release,
    "not-newer": _not_newer,
}


def _requires(ctx: Context, pair: Mapping[str, Any], fw: Package) -> Iterator[Match]:
    if _first(ctx.current, pair["companion"]) is None:
        names = " or ".join([pair["companion"]] if isinstance(pair["companion"], str)
                            else pair["companion"])
        yield Match(fw.name, None, fw.version, f"{fw.name} {fw.version} needs {names}, which is"
                    f" not installed: {pair['symptom']}", _severity(pair))


def _severity(pair: Mapping[str, Any]) -> Optional[Severity]:
    return Severity(pair["severity"]) if "severity" in pair else None


@check("companion-coupling")
def companion_coupling(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """params.pairs: framework, companion (names), relation, symptom, [table|since], inferred."""
    for pair in params["pairs"]:
        fw = _first(ctx.current, pair["framework"])
        if fw is None:
            continue
        if pair["relation"] == "requires":
            yield from _requires(ctx, pair, fw)
            continue
        comp = _first(ctx.current, pair["companion"])
        why = RELATIONS[pair["relation"]](pair, fw, comp) if comp is not None else None
        if comp is None or why is None:
            continue
        row = " (row inferred, see the catalog data)" if minor(fw.version) in pair.get(
            "inferred", ()) else ""
        yield Match(comp.name, None, f"{comp.name} {comp.version} with {fw.name} {fw.version}",
                    f"{comp.name} {comp.version} does not go with {fw.name} {fw.version}: {why}"
                    f"{row}. Symptom: {pair['symptom']}", _severity(pair))
