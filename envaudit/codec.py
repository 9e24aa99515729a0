"""How the model's frozen dataclasses become TOML values and back, with key-path errors.

Generic over the dataclasses of envaudit.model: a field `base_prefix` is the key
`base-prefix`, defaults are omitted on write, and every problem found on read is
collected with its path (like packaging.pylock's error collector).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, Union


class Problems:
    """Collects every schema problem, so one run reports them all."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        from envaudit.scrub import escape_controls  # keys come from the file: one line

        self.items.append(escape_controls(f"at '{path}': {message}", keep_newlines=False))


def key(name: str) -> str:
    """The TOML key of a field or section attribute."""
    return name.replace("_", "-")


def encode(value: Any) -> Any:
    """`value` as plain TOML data: dataclasses become tables without their default fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None or item == default_of(f):
                continue  # defaults are omitted: the lock stays small and diffable
            out[key(f.name)] = encode(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    return value


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}


def kind_of(value: Any) -> str:
    """How a problem message names the type of `value`."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def decode(value: Any, tp: Any, path: str, problems: Problems) -> Any:
    """`value` read as type `tp`; a mismatch is recorded at `path` and a placeholder returned."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:  # Optional[X]
        inner = [a for a in args if a is not type(None)]
        return decode(value, inner[0], path, problems)
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(value, tp, path, problems)
    if origin is tuple:
        if not isinstance(value, list):
            problems.add(path, f"expected an array, got {kind_of(value)}")
            return ()
        return tuple(decode(v, args[0], f"{path}[{i}]", problems) for i, v in enumerate(value))
    if origin in (Mapping, dict, typing.Mapping):
        if not isinstance(value, dict):
            problems.add(path, f"expected a table, got {kind_of(value)}")
            return {}
        return {k: decode(v, args[1], f"{path}.{k}", problems) for k, v in value.items()}
    return _scalar(value, tp, path, problems)


def _scalar(value: Any, tp: Any, path: str, problems: Problems) -> Any:
    ok = (
        isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool))
        if tp is float
        else isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    )
    if not ok:
        problems.add(path, f"expected {_TYPE_NAMES.get(tp, tp)}, got {kind_of(value)}")
        return tp()
    return float(value) if tp is float else value


def _decode_dataclass(value: Any, tp: Any, path: str, problems: Problems) -> Any:
    if not isinstance(value, dict):
        problems.add(path, f"expected a table, got {kind_of(value)}")
        value = {}
    hints = typing.get_type_hints(tp)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(tp):
        k = key(f.name)
        if k in value:
            kwargs[f.name] = decode(value[k], hints[f.name], f"{path}.{k}", problems)
        elif default_of(f) is dataclasses.MISSING:
            problems.add(f"{path}.{k}", "required key is missing")
            kwargs[f.name] = _placeholder(hints[f.name])
    return tp(**kwargs)


def _placeholder(tp: Any) -> Any:
    return 0 if tp is int else 0.0 if tp is float else False if tp is bool else ""
