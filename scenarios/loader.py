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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

import tomli_w

from model.errors import ScenarioError
from model.inputs import (
    MAX_DEPTH,
    MAX_EXTENDS,
    MAX_SCENARIO_BYTES,
    check_input_file,
    nesting_depth_exceeds,
)
from scenarios.references import RegionIndex, check_references
from scenarios.registry import validate_interventions
from scenarios.schema import Scenario
from scenarios.validate import build, unknown_key

SCENARIO_DIR = Path(__file__).resolve().parent
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def read_toml(path: str | Path) -> dict[str, Any]:
    """The tables of a TOML input file (regular file, size and nesting limits checked; every
    problem a ScenarioError naming the file)."""
    path = Path(path)
    name = str(path)
    check_input_file(path, MAX_SCENARIO_BYTES, lambda why: ScenarioError(name, None, why))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, None, f"cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(name, None, f"invalid TOML: {_toml_position(str(exc), text)}") \
            from None
    except RecursionError:
        data = None
    if data is None or nesting_depth_exceeds(data):
        raise ScenarioError(name, None, f"tables or arrays nested deeper than {MAX_DEPTH} "
                            "levels")
    return data


def _toml_position(message: str, text: str) -> str:
    """tomllib's message, with the end-of-document case given a line and column too."""
    if "(at end of document)" in message:
        lines = text.splitlines() or [""]
        where = f"(at line {len(lines)}, column {len(lines[-1]) + 1}, end of document)"
        return message.replace("(at end of document)", where)
    return message


@dataclass
class Origins:
    """Which file (or override source) set each key of a merged scenario, so that an error
    found after merging is reported against the file where the mistake is."""

    keys: dict[tuple[str, ...], str] = dataclasses.field(default_factory=dict)
    interventions: list[tuple[str, int]] = dataclasses.field(default_factory=list)

    def record(self, data: dict[str, Any], source: str, appended: bool) -> None:
        """Note the keys of ``data`` (one file's tables) as set by ``source``."""
        stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict) and (not path or path[0] != "interventions"):
                stack.extend(((*path, str(k)), v) for k, v in value.items())
            elif path:
                self.keys[path] = source
        items = data.get("interventions")
        if isinstance(items, list):
            own = [(source, k) for k in range(len(items))]
            self.interventions = self.interventions + own if appended else own

    def attribute(self, exc: ScenarioError, default: str) -> ScenarioError:
        """``exc`` (raised against the merged tables) re-aimed at the file that set its key."""
        if exc.file != default or not exc.key:
            return exc
        match = _INTERVENTION_KEY.match(exc.key)
        if match:
            k = int(match.group(1))
            if k < len(self.interventions):
                file, local = self.interventions[k]
                return ScenarioError(file, f"interventions[{local}]{match.group(2)}", exc.detail)
            return exc
        parts = tuple(re.sub(r"\[\d+\]", "", part) for part in exc.key.split("."))
        for end in range(len(parts), 0, -1):
            if parts[:end] in self.keys:
                return ScenarioError(self.keys[parts[:end]], exc.key, exc.detail)
        return exc


_INTERVENTION_KEY = re.compile(r"^interventions\[(\d+)\](.*)$")


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


def _resolve_extends(path: Path) -> tuple[dict[str, Any], Origins]:
    """The merged tables of ``path`` and the files it extends (iteratively, at most
    ``MAX_EXTENDS`` files), and where each key came from."""
    chain: list[tuple[str, dict[str, Any]]] = []
    seen: list[Path] = []
    current = path
    while True:
        key = current.resolve() if current.exists() else current
        if key in seen:
            cycle = " -> ".join(p.name for p in (*seen, key))
            raise ScenarioError(chain[-1][0], "extends", f"cyclic extends: {cycle}")
        if len(seen) >= MAX_EXTENDS:
            raise ScenarioError(chain[-1][0], "extends", f"more than {MAX_EXTENDS} files in "
                                f"the extends chain starting at {path}")
        seen.append(key)
        data = read_toml(current)
        parent = data.pop("extends", None)
        chain.append((str(current), data))
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            raise ScenarioError(str(current), "extends", "expected a relative path to a "
                                "scenario file")
        parent_path = current.parent / parent
        if not parent_path.is_file():
            raise ScenarioError(str(current), "extends", f"file not found: {parent} "
                                f"(looked for {parent_path})")
        current = parent_path
    merged: dict[str, Any] = {}
    origins = Origins()
    for file, data in reversed(chain):
        appended = isinstance(data.get("interventions"), list) and \
            isinstance(merged.get("interventions"), list)
        merged = _merge(merged, data)
        origins.record(data, file, appended)
    return merged, origins


def load_scenario(path: str | Path, index: RegionIndex | None = None) -> Scenario:
    """Load and validate a scenario file (following ``extends``). A file that does not set
    ``name`` itself is named after the file (never after a file it extends)."""
    path = Path(path)
    data, origins = _resolve_extends(path)
    own = _read_name(path, data, origins)
    if own is not None:
        data["name"] = own
    try:
        return from_dict(data, str(path), index)
    except ScenarioError as exc:
        raise origins.attribute(exc, str(path)) from None


def _read_name(path: Path, data: dict[str, Any], origins: Origins) -> str | None:
    """The file's stem as its name when the file itself sets none (and the stem is a safe
    folder name); None to keep the name in ``data``."""
    if origins.keys.get(("name",)) == str(path) or not SAFE_NAME.match(path.stem):
        return None
    return path.stem


def from_dict(data: dict[str, Any], file: str = "<scenario>",
              index: RegionIndex | None = None) -> Scenario:
    """Build a validated ``Scenario`` from nested tables (missing keys take their defaults)."""
    if not isinstance(data, dict):
        raise ScenarioError(file, None, f"expected a table, got {type(data).__name__}")
    if nesting_depth_exceeds(data):
        raise ScenarioError(file, None, f"tables or arrays nested deeper than {MAX_DEPTH} levels")
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
                   file: str = "overrides", index: RegionIndex | None = None) -> Scenario:
    """A scenario (object or file) with dotted keys replaced (``{"mechanisms.market.alpha": 0}``),
    validated once after the replacement. ``file`` names the source of the overrides in error
    messages (e.g. "command line"); an error in the scenario file itself names that file."""
    if isinstance(scenario, Scenario):
        base_file = "<scenario object>"
        data, origins = to_dict(scenario), Origins()
    else:
        base_file = str(scenario)
        data, origins = _resolve_extends(Path(scenario))
        own = _read_name(Path(scenario), data, origins)
        if own is not None:
            data["name"] = own
        data = _merge(to_dict(Scenario()), data)
    for dotted, value in overrides.items():
        if nesting_depth_exceeds(value, MAX_DEPTH - len(str(dotted).split("."))):
            raise ScenarioError(file, str(dotted), f"value nested deeper than {MAX_DEPTH} levels")
        keys = str(dotted).split(".")
        if not all(keys):
            raise ScenarioError(file, str(dotted), "expected a dotted key like talent.kappa")
        table = data
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(table.get(key), dict):
                unknown_key(file, ".".join(keys[: depth + 1]), key,
                            [k for k, v in table.items() if isinstance(v, dict)])
            table = table[key]
        if isinstance(table.get(keys[-1]), dict):
            inner = list(table[keys[-1]])
            raise ScenarioError(file, dotted, f"'{dotted}' is a table; set one of its keys, e.g. "
                                f"{dotted}.{inner[0]}=... (keys: {', '.join(inner)})")
        if keys[-1] not in table:
            unknown_key(file, dotted, keys[-1],
                        [k for k, v in table.items() if not isinstance(v, dict)])
        table[keys[-1]] = value
        origins.keys[tuple(keys)] = file
        if keys == ["interventions"]:
            origins.interventions = [(file, k) for k in range(len(value))] \
                if isinstance(value, list) else []
    try:
        return from_dict(data, base_file, index)
    except ScenarioError as exc:
        raise origins.attribute(exc, base_file) from None


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


def uncertain_parameters() -> dict[str, tuple[float, float]]:
    """Every parameter declared uncertain (``param(..., uncertain=(lo, hi))``) with its range:
    scenario keys (``talent.border_cost``) and intervention fields as
    ``interventions.<type>.<field>`` (a draw applies to every intervention of that type)."""
    from scenarios import interventions  # noqa: F401  (registers the built-in types)
    from scenarios.registry import REGISTRY

    out: dict[str, tuple[float, float]] = {}

    def walk(cls: type, prefix: str) -> None:
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(hints.get(f.name)):
                walk(hints[f.name], f"{prefix}{f.name}.")
            elif f.metadata.get("uncertain"):
                out[f"{prefix}{f.name}"] = tuple(f.metadata["uncertain"])

    walk(Scenario, "")
    for kind, cls in sorted(REGISTRY.items()):
        walk(cls, f"interventions.{kind}.")
    return out
