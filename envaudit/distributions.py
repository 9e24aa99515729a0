"""The distributions that install each framework: one definition for probes and rules.

The catalog data refers to a family as "@name" inside a list (`requires = ["@tensorflow"]`);
the catalog loader expands it from FAMILIES.
"""

from __future__ import annotations

from typing import Any

# Every distribution that installs the `tensorflow` import package (CPU/GPU variants, the
# Windows build tensorflow-intel, Apple's tensorflow-macos, nightlies).
TENSORFLOW: tuple[str, ...] = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu",
                               "tensorflow-intel", "tensorflow-macos", "tf-nightly")

FAMILIES: dict[str, tuple[str, ...]] = {"tensorflow": TENSORFLOW}


def expand_families(value: Any) -> Any:
    """"@tensorflow" inside a list (catalog data) → every distribution of that family."""
    if isinstance(value, dict):
        return {k: expand_families(v) for k, v in value.items()}
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            family = FAMILIES.get(item[1:]) if isinstance(item, str) and item[:1] == "@" else None
            out.extend(family if family is not None else [expand_families(item)])
        return out
    return value
