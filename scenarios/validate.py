"""Generic validation of TOML tables against the parameter dataclasses (``param`` metadata).

Every failure raises ``ScenarioError(file, key path, what was expected)``; unknown keys get the
nearest valid key as a suggestion.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any, get_type_hints

import numpy as np

from model.errors import ScenarioError


def suggest(word: str, candidates: list[str], cutoff: float = 0.5) -> str:
    """'; did you mean 'x'?' for the nearest candidate, or ''."""
    near = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return f"; did you mean '{near[0]}'?" if near else ""


def unknown_key(file: str, path: str, key: str, valid: list[str]) -> None:
    raise ScenarioError(file, path, f"unknown key '{key}'{suggest(key, valid)} "
                        f"(valid keys: {', '.join(valid)})")


def type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def build(cls: type, data: Any, file: str, prefix: str,
          special: dict[str, Any] | None = None) -> Any:
    """Validate the table ``data`` against dataclass ``cls``; ``special`` maps field names to
    callables ``(value, file, path) -> value`` for fields with their own validation."""
    if not isinstance(data, dict):
        where = prefix.rstrip(".") or None
        raise ScenarioError(file, where, f"expected a table, got {type_name(data)}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in fields:
            unknown_key(file, prefix + str(key), str(key), list(fields))
    values = {}
    for name, f in fields.items():
        path = prefix + name
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ScenarioError(file, path, f"missing required key '{name}' "
                                    f"({f.metadata.get('doc', '')})")
            continue
        kind, value = hints[name], data[name]
        if special and name in special:
            values[name] = special[name](value, file, path)
        elif dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise ScenarioError(file, path, f"expected a table [{path}], got "
                                    f"{type_name(value)}")
            values[name] = build(kind, value, file, path + ".")
        else:
            values[name] = check_value(value, kind, f.metadata, file, path)
    return cls(**values)


def _check_number(value: Any, kind: type, file: str, path: str) -> Any:
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, path, f"expected an integer, got {type_name(value)} "
                                f"({value!r})")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(file, path, f"expected a number, got {type_name(value)} "
                            f"({value!r})")
    if not math.isfinite(value):
        raise ScenarioError(file, path, f"expected a finite number, got {value!r}")
    return float(value)


def _plain(value: Any) -> Any:
    """numpy scalars (what ``mesa.batch_run`` passes from ``np.arange``) as Python scalars."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def check_value(value: Any, kind: Any, meta: dict, file: str, path: str) -> Any:
    """Check one value against its declared type, choices and range (numpy scalars are taken
    as the Python scalars they hold)."""
    value = _plain(value)
    if kind is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, path, f"expected true or false, got {value!r}")
        return value
    if kind == int | str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, path, "expected a step number or a quarter like "
                                f"'2025Q3', got {type_name(value)} ({value!r})")
        kind = int
    if kind is str:
        if not isinstance(value, str):
            raise ScenarioError(file, path, f"expected a string, got {type_name(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(file, path, f"expected one of {list(choices)}, got "
                                f"{value!r}{suggest(value, list(choices), 0.4)}")
        return value
    if kind == list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScenarioError(file, path, f"expected an array of strings, got {value!r}")
        return list(value)
    if kind in (int, float):
        value = _check_number(value, kind, file, path)
    else:  # pragma: no cover - a schema error, not an input error
        raise TypeError(f"unsupported parameter type {kind} at {path}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(file, path, f"expected a value in [{lo}, {hi}], got {value!r}")
    return value


def validate_instance(obj: Any) -> None:
    """Validate (and normalise) the fields of a schema dataclass built directly in Python, e.g.
    ``Scenario(steps=-5)``: the same checks as for a file, reported against the class name.
    Nested tables may be given as dataclass instances or as plain dicts."""
    cls = type(obj)
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        kind, value = hints[f.name], getattr(obj, f.name)
        if dataclasses.is_dataclass(kind):
            if isinstance(value, dict):
                value = build(kind, value, cls.__name__, f.name + ".")
            elif not isinstance(value, kind):
                raise ScenarioError(cls.__name__, f.name, f"expected a {kind.__name__} or a "
                                    f"table, got {type_name(value)}")
        elif "doc" in f.metadata and f.name != "interventions":
            value = check_value(value, kind, f.metadata, cls.__name__, f.name)
        else:
            continue
        object.__setattr__(obj, f.name, value)
