"""Read, validate, override and write scenario files (TOML). Files are data: nothing is executed.

Every problem raises ``ScenarioError`` naming the file, the key path (``mechanisms.market.alpha``)
and what was expected, with the nearest valid key when a key is unknown.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from pathlib import Path
from typing import Any, get_type_hints

import tomli_w

from model.errors import ScenarioError
from scenarios.registry import validate_interventions
from scenarios.schema import Scenario

SCENARIO_DIR = Path(__file__).resolve().parent


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(name, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, None, f"cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(name, None, f"invalid TOML: {_toml_position(str(exc), text)}") from None
    return from_dict(data, name)


def _toml_position(message: str, text: str) -> str:
    """tomllib's message, with the end-of-document case given a line and column too."""
    if "(at end of document)" in message:
        lines = text.splitlines() or [""]
        where = f"(at line {len(lines)}, column {len(lines[-1]) + 1}, end of document)"
        return message.replace("(at end of document)", where)
    return message


def from_dict(data: dict[str, Any], file: str = "<scenario>") -> Scenario:
    """Build a validated ``Scenario`` from nested tables (missing keys take their defaults)."""
    if not isinstance(data, dict):
        raise ScenarioError(file, None, f"expected a table, got {type(data).__name__}")
    return _build(Scenario, data, file, "")


def with_overrides(scenario: Scenario, overrides: dict[str, Any],
                   file: str = "<override>") -> Scenario:
    """A copy of ``scenario`` with dotted keys replaced (``{"mechanisms.market.alpha": 0}``)."""
    data = to_dict(scenario)
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        table = data
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(table.get(key), dict):
                _unknown(file, ".".join(keys[: depth + 1]), key, [k for k, v in table.items()
                                                                   if isinstance(v, dict)])
            table = table[key]
        if keys[-1] not in table or isinstance(table[keys[-1]], dict):
            _unknown(file, dotted, keys[-1], [k for k, v in table.items()
                                              if not isinstance(v, dict)])
        table[keys[-1]] = value
    return from_dict(data, file)


def to_dict(scenario: Any) -> dict[str, Any]:
    """The fully resolved scenario as nested plain tables."""
    return dataclasses.asdict(scenario)


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML text (loads back to an equal ``Scenario``)."""
    return tomli_w.dumps(to_dict(scenario))


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write the resolved scenario to ``path`` (atomically: a temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_toml(scenario), encoding="utf-8")
    tmp.replace(path)


def describe(cls: type = Scenario, prefix: str = "") -> list[tuple[str, Any, str, str]]:
    """(key, default, doc, source) for every parameter, for documentation and ``--help``."""
    rows = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            rows.extend(describe(hints[f.name], key + "."))
        else:
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            rows.append((key, default, f.metadata.get("doc", ""), f.metadata.get("source", "")))
    return rows


# ---------------------------------------------------------------------- validation
def _unknown(file: str, path: str, key: str, valid: list[str]) -> None:
    near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise ScenarioError(file, path, f"unknown key '{key}'{hint} (valid keys: {', '.join(valid)})")


def _build(cls: type, data: dict[str, Any], file: str, prefix: str) -> Any:
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            _unknown(file, prefix + str(key), str(key), list(fields))
    values = {}
    for name, f in fields.items():
        if name not in data:
            continue
        path = prefix + name
        kind = hints[name]
        value = data[name]
        if dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise ScenarioError(file, path, f"expected a table [{path}], got "
                                    f"{_type_name(value)}")
            values[name] = _build(kind, value, file, path + ".")
        elif name == "interventions" and cls is Scenario:
            values[name] = validate_interventions(value, file)
        else:
            values[name] = _check_value(value, kind, f.metadata, file, path)
    return cls(**values)


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _check_value(value: Any, kind: Any, meta: dict, file: str, path: str) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, path, f"expected true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, path, f"expected an integer, got {_type_name(value)} "
                                f"({value!r})")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(file, path, f"expected a number, got {_type_name(value)} "
                                f"({value!r})")
        if value != value or value in (float("inf"), float("-inf")):
            raise ScenarioError(file, path, f"expected a finite number, got {value!r}")
        value = float(value)
    elif kind is str:
        if not isinstance(value, str):
            raise ScenarioError(file, path, f"expected a string, got {_type_name(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            near = difflib.get_close_matches(value, choices, n=1, cutoff=0.4)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ScenarioError(file, path, f"expected one of {list(choices)}, got "
                                f"{value!r}{hint}")
        return value
    elif kind == list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScenarioError(file, path, "expected an array of strings")
        return list(value)
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(file, path, f"expected a value in [{lo}, {hi}], got {value!r}")
    return value
