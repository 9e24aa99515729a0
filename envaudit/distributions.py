"""The distributions that install each framework: one definition for probes and rules.

The catalog data refers to a family as "@name" inside a list (`requires = ["@tensorflow"]`);
the catalog loader expands it from FAMILIES.
"""

from __future__ import annotations

# Every distribution that installs the `tensorflow` import package (CPU/GPU variants, the
# Windows build tensorflow-intel, Apple's tensorflow-macos, nightlies).
TENSORFLOW: tuple[str, ...] = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu",
                               "tensorflow-intel", "tensorflow-macos", "tf-nightly")

FAMILIES: dict[str, tuple[str, ...]] = {"tensorflow": TENSORFLOW}
