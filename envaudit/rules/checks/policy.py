"""Checks of the team's policy (envaudit.config): allowed version ranges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from envaudit.rules.interface import Context, Match, check


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
        try:
            # Pre-releases count: a policy range should not silently accept 2.0rc1.
            inside = Version(pkg.version) in SpecifierSet(spec, prereleases=True)
        except ValueError:  # InvalidVersion, InvalidSpecifier, an over-long number
            inside = False
        if not inside:
            yield Match(name, old, pkg.version,
                        f"{name} {pkg.version} is outside the allowed range {spec!r} of the"
                        " policy")
