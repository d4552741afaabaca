"""Read, validate, override and write scenario files (TOML). Files are data: nothing is executed.

A scenario may start with ``extends = "other.toml"`` (a path relative to the file): the other
file is loaded first, this file's tables override its keys, and this file's ``[[interventions]]``
are appended to the inherited ones. Every problem raises ``ScenarioError`` naming the file, the
key path (``interventions[2].nodes[0]``) and what was expected, with a suggestion where one
exists.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any, get_type_hints

import tomli_w

from model.errors import ScenarioError
from scenarios.references import RegionIndex, check_references
from scenarios.registry import validate_interventions
from scenarios.schema import Scenario
from scenarios.validate import build, unknown_key

SCENARIO_DIR = Path(__file__).resolve().parent
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def _read_toml(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(name, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, None, f"cannot be read: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(name, None, f"invalid TOML: {_toml_position(str(exc), text)}") \
            from None


def _toml_position(message: str, text: str) -> str:
    """tomllib's message, with the end-of-document case given a line and column too."""
    if "(at end of document)" in message:
        lines = text.splitlines() or [""]
        where = f"(at line {len(lines)}, column {len(lines[-1]) + 1}, end of document)"
        return message.replace("(at end of document)", where)
    return message


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of tables; ``interventions`` arrays are concatenated."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "interventions" and isinstance(value, list) and \
                isinstance(out.get(key), list):
            out[key] = out[key] + copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    path = path.resolve() if path.exists() else path
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(str(chain[-1]), "extends", f"cyclic extends: {cycle}")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(str(path), "extends", "expected a relative path to a scenario file")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise ScenarioError(str(path), "extends", f"file not found: {parent} "
                            f"(looked for {parent_path})")
    return _merge(_resolve_extends(parent_path, (*chain, path)), data)


def load_scenario(path: str | Path, index: RegionIndex | None = None) -> Scenario:
    """Load and validate a scenario file (following ``extends``)."""
    path = Path(path)
    return from_dict(_resolve_extends(path), str(path), index)


def from_dict(data: dict[str, Any], file: str = "<scenario>",
              index: RegionIndex | None = None) -> Scenario:
    """Build a validated ``Scenario`` from nested tables (missing keys take their defaults)."""
    if not isinstance(data, dict):
        raise ScenarioError(file, None, f"expected a table, got {type(data).__name__}")
    if "extends" in data:
        raise ScenarioError(file, "extends", "only scenario files can extend another file")
    special = {"interventions": lambda value, f, path: validate_interventions(value, f, path)}
    scenario = build(Scenario, data, file, "", special=special)
    if not SAFE_NAME.match(scenario.name) or scenario.name in (".", ".."):
        raise ScenarioError(file, "name", "expected letters, digits, '.', '_' or '-' (it names "
                            f"the results folder), got {scenario.name!r}")
    check_references(scenario, file, index)
    return scenario


def with_overrides(scenario: Scenario | str | Path, overrides: dict[str, Any],
                   file: str = "<override>", index: RegionIndex | None = None) -> Scenario:
    """A scenario (object or file) with dotted keys replaced (``{"mechanisms.market.alpha": 0}``),
    validated once after the replacement."""
    if isinstance(scenario, Scenario):
        data = to_dict(scenario)
    else:
        file = str(scenario) if file == "<override>" else file
        data = _merge(to_dict(Scenario()), _resolve_extends(Path(scenario)))
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        table = data
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(table.get(key), dict):
                unknown_key(file, ".".join(keys[: depth + 1]), key,
                            [k for k, v in table.items() if isinstance(v, dict)])
            table = table[key]
        if keys[-1] not in table or isinstance(table[keys[-1]], dict):
            unknown_key(file, dotted, keys[-1],
                        [k for k, v in table.items() if not isinstance(v, dict)])
        table[keys[-1]] = value
    return from_dict(data, file, index)


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The fully resolved scenario as nested plain tables."""
    data = {f.name: getattr(scenario, f.name) for f in dataclasses.fields(scenario)}
    out = {}
    for key, value in data.items():
        if key == "interventions":
            out[key] = [item.to_dict() for item in value]
        elif dataclasses.is_dataclass(value):
            out[key] = dataclasses.asdict(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML text (loads back to an equal ``Scenario``)."""
    data = to_dict(scenario)
    interventions = data.pop("interventions")
    text = tomli_w.dumps(data)
    if interventions:
        text += "\n" + tomli_w.dumps({"interventions": interventions})
    else:
        text = "interventions = []\n" + text
    return text


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
        if not f.init:
            continue
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            rows.extend(describe(hints[f.name], key + "."))
        else:
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            rows.append((key, default, f.metadata.get("doc", ""), f.metadata.get("source", "")))
    return rows
