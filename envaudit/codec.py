"""How the model's frozen dataclasses become TOML values and back, with key-path errors.

Generic over the dataclasses of envaudit.model: a field `base_prefix` is the key
`base-prefix`, defaults are omitted on write, and every problem found on read is
collected with its path (like packaging.pylock's error collector).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Mapping
from typing import Any, Optional, Union


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
    return decoder(tp)(value, path, problems)


Decoder = Callable[[Any, str, Problems], Any]
_DECODERS: dict[Any, Decoder] = {}


def decoder(tp: Any) -> Decoder:
    """The decoder of `tp`, built once per type (type hints are resolved once per class)."""
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build(tp)
    return found


def _build(tp: Any) -> Decoder:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:  # Optional[X]
        return decoder(next(a for a in args if a is not type(None)))
    if dataclasses.is_dataclass(tp):
        return _DataclassDecoder(tp)
    if origin is tuple:
        return functools.partial(_decode_tuple, decoder(args[0]))
    if origin in (Mapping, dict, typing.Mapping):
        return functools.partial(_decode_mapping, decoder(args[1]))
    if tp is str:
        return _decode_str
    return functools.partial(_scalar, tp=tp)


def _decode_tuple(item: Decoder, value: Any, path: str, problems: Problems) -> Any:
    if not isinstance(value, list):
        problems.add(path, f"expected an array, got {kind_of(value)}")
        return ()
    return tuple(item(v, f"{path}[{i}]", problems) for i, v in enumerate(value))


def _decode_mapping(item: Decoder, value: Any, path: str, problems: Problems) -> Any:
    if not isinstance(value, dict):
        problems.add(path, f"expected a table, got {kind_of(value)}")
        return {}
    return {k: item(v, f"{path}.{k}", problems) for k, v in value.items()}


def _decode_str(value: Any, path: str, problems: Problems) -> Any:
    if type(value) is str:
        return value
    return _scalar(value, path, problems, tp=str)


def _scalar(value: Any, path: str, problems: Problems, *, tp: Any) -> Any:
    ok = (
        isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool))
        if tp is float
        else isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    )
    if not ok:
        problems.add(path, f"expected {_TYPE_NAMES.get(tp, tp)}, got {kind_of(value)}")
        return tp()
    return float(value) if tp is float else value


# Field types whose TOML values need no conversion -> the exact Python types accepted.
_PLAIN: dict[Any, tuple[type, ...]] = {
    str: (str,), bool: (bool,), int: (int,), Optional[bool]: (bool,), Optional[str]: (str,),
    Optional[int]: (int,),
}


class _DataclassDecoder:
    """Reads a table into one dataclass; its field plan is computed when it is built."""

    def __init__(self, tp: Any) -> None:
        hints = typing.get_type_hints(tp)
        self.tp = tp
        self.fields = [
            (f.name, key(f.name), hints[f.name], default_of(f) is dataclasses.MISSING)
            for f in dataclasses.fields(tp)
        ]
        self.required = frozenset(k for _, k, _, required in self.fields if required)
        # Keys whose TOML value is already the field's value when its type is exact.
        self.names = {k: name for name, k, hint, _ in self.fields if hint in _PLAIN}
        self.types = {k: _PLAIN[hint] for _, k, hint, _ in self.fields if hint in _PLAIN}
        # Keys of tuple[str, ...] fields: an array of strings becomes the tuple as it is.
        self.strings = {k: name for name, k, hint, _ in self.fields if _is_strings(hint)}
        # A frozen dataclass's __init__ sets each field through object.__setattr__ (about
        # 1 µs a field); a table whose values all have their exact types is filled in at
        # once instead. Only for classes with plain fields and no __post_init__/__slots__.
        self.defaults = {f.name: f.default for f in dataclasses.fields(tp)
                         if f.default is not dataclasses.MISSING}
        self.direct = (not hasattr(tp, "__post_init__") and not hasattr(tp, "__slots__")
                       and len(self.defaults) + len(self.required) == len(self.fields))

    def __call__(self, value: Any, path: str, problems: Problems) -> Any:
        if type(value) is dict and self.required.issubset(value):
            names, types = self.names, self.types
            kwargs = {}
            for k, v in value.items():
                if type(v) in types.get(k, ()):
                    kwargs[names[k]] = v
                elif k in self.strings and type(v) is list and _all_str(v):
                    kwargs[self.strings[k]] = tuple(v)
                else:
                    break  # a value to convert or check, or an unknown key
            else:
                return self._new(kwargs) if self.direct else self.tp(**kwargs)
        return self._checked(value, path, problems)

    def _new(self, kwargs: dict[str, Any]) -> Any:
        obj = object.__new__(self.tp)
        obj.__dict__.update(self.defaults)
        obj.__dict__.update(kwargs)
        return obj

    def _checked(self, value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, dict):
            problems.add(path, f"expected a table, got {kind_of(value)}")
            value = {}
        kwargs: dict[str, Any] = {}
        for name, k, hint, required in self.fields:
            if k in value:
                kwargs[name] = decoder(hint)(value[k], f"{path}.{k}", problems)
            elif required:
                problems.add(f"{path}.{k}", "required key is missing")
                kwargs[name] = _placeholder(hint)
        return self.tp(**kwargs)


def _is_strings(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple and typing.get_args(tp) == (str, ...)


def _all_str(items: list[Any]) -> bool:
    return all(type(item) is str for item in items)


def _placeholder(tp: Any) -> Any:
    return 0 if tp is int else 0.0 if tp is float else False if tp is bool else ""
