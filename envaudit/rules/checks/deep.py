"""Checks of `snapshot --deep`: a framework whose child probe failed is a finding, never silence."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.model import Fingerprint, Unavailable
from envaudit.rules.interface import Context, Match, check


def deep_errors(fp: Fingerprint) -> dict[str, str]:
    """Framework -> why its --deep probe failed ({} when --deep did not run or all succeeded)."""
    if isinstance(fp.runtime, Unavailable):
        return {}
    return {name: facts["error"] for name, facts in sorted(fp.runtime.items())
            if facts.get("error")}


@check("deep-probe-failed")
def deep_probe_failed(ctx: Context, params: Mapping[str, Any]) -> Iterator[Match]:
    """FW-030: a --deep child failed (import error, timeout): its runtime facts are missing."""
    for name, reason in deep_errors(ctx.current).items():
        yield Match(name, None, "probe failed",
                    f"the --deep probe of {name} failed on the deployment side ({reason}):"
                    f" importing {name} there fails, and its runtime facts were not checked")
    current = {} if isinstance(ctx.current.runtime, Unavailable) else ctx.current.runtime
    for name, reason in deep_errors(ctx.locked).items():
        if name in current and not current[name].get("error"):
            yield Match(name, "probe failed", None,
                        f"the lock's --deep probe of {name} failed when it was taken ({reason}):"
                        f" the training side's runtime facts for {name} are missing")
