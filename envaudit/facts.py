"""A fact that could not be collected, as a value: beneath the model, so that the codecs of
sections kept in their own packages ([pipelines], [behaviour]) can use it without importing
envaudit.model (which hooks them in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Unavailable:
    """A fact that could not be collected, with the reason why.

    It is a value, not an exception: the comparison reports it as "unknown",
    never as "removed".
    """

    reason: str


# A section of the fingerprint is either collected or Unavailable.
Fact = Union[T, Unavailable]
