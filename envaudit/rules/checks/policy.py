"""Checks of the team's policy (envaudit.config): allowed version ranges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from packaging.specifiers import SpecifierSet

from envaudit.rules.interface import Context, Match, check
from envaudit.rules.versions import parse_version


@check("policy-allowed")
def policy_allowed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """A deployment package outside the range the policy's `allowed` table permits."""
    allowed = ctx.policy.allowed
    for name, spec in sorted(allowed.items()):
        pkg = ctx.current.package(name)
        if pkg is None:
            continue  # missing packages are the package rules' business
        before = ctx.locked.package(name)
        old = before.version if before else None
        version = parse_version(pkg.version)
        try:
            # Pre-releases count: a policy range should not silently accept 2.0rc1.
            inside = version is not None and version in SpecifierSet(spec, prereleases=True)
        except ValueError:  # InvalidSpecifier, an over-long number
            inside = False
        if not inside:
            yield Match(name, old, pkg.version,
                        f"{name} {pkg.version} is outside the allowed range {spec!r} of the"
                        " policy")
