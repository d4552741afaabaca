"""Sweep and comparison files (TOML): loading and validation. Files are data, never executed.

Every problem raises ``ScenarioError(file, key path, what was expected)``, like scenario files;
input files must be regular files of at most 1 MB (``model.inputs``). Parameters are scenario
keys (``mechanisms.market.alpha``) or intervention fields (``interventions.<type>.<field>``: the
value applies to every intervention of that type); their ranges are checked against the schema.

A sweep file::

    name = "lhs_example"                        # default: the file name
    scenario = "../scenarios/baseline.toml"     # relative to this file (default: the baseline)
    design = "lhs"                              # grid | lhs | morris | sobol
    samples = 20        # lhs: points; morris: trajectories; sobol: base samples (a power of 2)
    replicates = 2      # runs per point (seeds: experiments.seeds)
    seed = 1            # master seed of the design and the run seeds
    levels = 4          # morris: grid levels
    second_order = false  # sobol: also second-order indices

    [set]               # fixed for every run, e.g. steps = 20, scale.firm_agents = 5000

    [[parameters]]
    key = "mechanisms.market.alpha"
    range = [0.02, 0.12]    # or values = [...] (grid); neither: the declared uncertain range
    levels = 3              # grid over a range: evenly spaced values

    [output]
    region = true       # region metrics: true (every numeric column) or a list of names
    nodes = false       # node metrics: false, true or a list of names
    quarters = "all"    # "all" or "final"

A comparison file::

    scenarios = ["../scenarios/baseline.toml", "../scenarios/talent_community.toml"]
    replicates = 10
    seed = 1
    [set]
    [uncertainty]       # optional: Latin hypercube draws of the uncertain parameters
    samples = 10
    parameters = []     # empty: every declared uncertain parameter that applies
    [output]            # as in a sweep (quarters are always all)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import numpy as np

from model.errors import ScenarioError
from scenarios.loader import SCENARIO_DIR, load_scenario, read_toml, uncertain_parameters
from scenarios.schema import Scenario
from scenarios.validate import suggest, type_name, unknown_key

DESIGNS = ("grid", "lhs", "morris", "sobol")
MAX_RUNS = 10_000_000        # planned runs of one sweep or comparison
MAX_REPLICATES = 100_000
MAX_PARAMETERS = 200


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: a dotted key with either a list of values or a range."""

    key: str
    kind: type                         # int, float, bool or str (the schema's type)
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None          # grid over a range

    @property
    def column(self) -> str:
        """The column name in result tables (``mechanisms__market__alpha``)."""
        return column_name(self.key)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out["range"] = [self.low, self.high]
            if self.levels is not None:
                out["levels"] = self.levels
        return out


@dataclass(frozen=True)
class OutputSpec:
    """Which metrics each run keeps: region metrics (None: every numeric column), node metrics
    (None: every numeric column; () none) and every quarter or only the final one."""

    region: tuple[str, ...] | None = None
    nodes: tuple[str, ...] | None = ()
    quarters: str = "all"

    def to_dict(self) -> dict[str, Any]:
        return {"region": True if self.region is None else list(self.region),
                "nodes": True if self.nodes is None else list(self.nodes),
                "quarters": self.quarters}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    file: str
    name: str
    description: str
    scenario_file: str
    base: Scenario                     # the scenario with the [set] overrides applied
    design: str
    parameters: tuple[Parameter, ...]
    samples: int
    replicates: int
    seed: int
    levels: int = 4
    second_order: bool = False
    fixed: dict[str, Any] = field(default_factory=dict)
    output: OutputSpec = field(default_factory=OutputSpec)

    def to_dict(self) -> dict[str, Any]:
        """The resolved sweep (what identifies it when it is resumed)."""
        from scenarios.loader import to_toml
        return {"name": self.name, "description": self.description, "design": self.design,
                "parameters": [p.to_dict() for p in self.parameters],
                "samples": self.samples, "replicates": self.replicates, "seed": self.seed,
                "levels": self.levels, "second_order": self.second_order,
                "set": _jsonable(self.fixed), "output": self.output.to_dict(),
                "scenario_file": self.scenario_file, "scenario": to_toml(self.base)}


@dataclass(frozen=True)
class ComparisonSpec:
    """A validated comparison file (or the command line's equivalent)."""

    file: str
    scenarios: tuple[Scenario, ...]
    replicates: int
    seed: int
    uncertain_samples: int = 0
    uncertain_keys: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    output: OutputSpec = field(default_factory=OutputSpec)


# ------------------------------------------------------------------ reading files
# read_toml: scenarios.loader.read_toml (the same checks as for scenario files)


def is_comparison_file(path: str | Path) -> bool:
    """True if ``path`` is a comparison file (it has a top-level ``scenarios`` array)."""
    try:
        return "scenarios" in read_toml(path)
    except ScenarioError:
        return False


# ------------------------------------------------------------------ parameters
def column_name(key: str) -> str:
    """A dotted parameter key as a column name (``__`` joins the parts, as mesa.batch_run)."""
    return key.replace(".", "__")


def parameter_kind(key: str) -> tuple[type, dict[str, Any]] | None:
    """(type, schema metadata) of a scenario key or ``interventions.<type>.<field>``; None if
    there is no such parameter."""
    parts = key.split(".")
    if parts[0] == "interventions":
        from scenarios import interventions  # noqa: F401  (registers the built-in types)
        from scenarios.registry import REGISTRY
        if len(parts) != 3 or parts[1] not in REGISTRY:
            return None
        cls: type = REGISTRY[parts[1]]
        parts = parts[2:]
    else:
        cls = Scenario
    for depth, part in enumerate(parts):
        hints = get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
        if part not in fields:
            return None
        kind = hints[part]
        if depth < len(parts) - 1:
            if not dataclasses.is_dataclass(kind):
                return None
            cls = kind
        elif dataclasses.is_dataclass(kind) or part in ("interventions", "name", "description"):
            return None
        else:
            return kind, dict(fields[part].metadata)
    return None


def known_keys() -> list[str]:
    """Every scenario key and intervention field a sweep may vary (for suggestions)."""
    from scenarios import interventions  # noqa: F401
    from scenarios.registry import REGISTRY
    def walk(cls: type, prefix: str) -> list[str]:
        out, hints = [], get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.init and dataclasses.is_dataclass(hints[f.name]):
                out += walk(hints[f.name], f"{prefix}{f.name}.")
            elif f.init and f.name not in ("interventions", "name", "description", "type"):
                out.append(f"{prefix}{f.name}")
        return out

    keys = walk(Scenario, "")
    for kind, cls in sorted(REGISTRY.items()):
        keys += walk(cls, f"interventions.{kind}.")
    return keys


def _check_key(key: Any, file: str, path: str) -> tuple[type, dict[str, Any]]:
    if not isinstance(key, str) or not key:
        raise ScenarioError(file, path, f"expected a dotted parameter key like "
                            f"'talent.kappa', got {type_name(key)} ({key!r})")
    info = parameter_kind(key)
    if info is None:
        raise ScenarioError(file, path, f"unknown parameter '{key}'"
                            f"{suggest(key, known_keys(), 0.6)} (scenario keys as in "
                            "docs/ODD.md §8, or interventions.<type>.<field>)")
    return info


def _number(value: Any, file: str, path: str, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (integer and not isinstance(value, int)):
        what = "an integer" if integer else "a number"
        raise ScenarioError(file, path, f"expected {what}, got {type_name(value)} ({value!r})")
    if not math.isfinite(value):
        raise ScenarioError(file, path, f"expected a finite number, got {value!r}")
    return value


def _count(data: dict, key: str, file: str, default: int | None, lo: int, hi: int) -> int:
    value = data.get(key, default)
    if value is None:
        raise ScenarioError(file, key, f"missing required key '{key}'")
    value = _number(value, file, key, integer=True)
    if not lo <= value <= hi:
        raise ScenarioError(file, key, f"expected an integer in [{lo}, {hi}], got {value}")
    return int(value)


def _cast(value: Any, kind: type, meta: dict, file: str, path: str) -> Any:
    """A parameter value checked against its schema type and range (ints stay ints)."""
    if kind is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, path, f"expected true or false, got {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ScenarioError(file, path, f"expected a string, got {type_name(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(file, path, f"expected one of {list(choices)}, got {value!r}")
        return value
    if kind not in (int, float):
        raise ScenarioError(file, path, f"this parameter ({kind}) cannot be varied in a sweep")
    value = _number(value, file, path, integer=kind is int)
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(file, path, f"expected a value in [{lo}, {hi}] (the parameter's "
                            f"valid range), got {value!r}")
    return kind(value)


def _parameter(item: Any, design: str, file: str, path: str) -> Parameter:
    if not isinstance(item, dict):
        raise ScenarioError(file, path, f"expected a table with a 'key', got {type_name(item)}")
    for name in item:
        if name not in ("key", "values", "range", "levels"):
            unknown_key(file, f"{path}.{name}", str(name), ["key", "values", "range", "levels"])
    if "key" not in item:
        raise ScenarioError(file, f"{path}.key", "missing required key 'key' (the dotted "
                            "parameter, e.g. 'talent.kappa')")
    key = item["key"]
    kind, meta = _check_key(key, file, f"{path}.key")
    if "values" in item and "range" in item:
        raise ScenarioError(file, path, "give either 'values' or 'range', not both")
    if "values" in item:
        values = item["values"]
        if design != "grid":
            raise ScenarioError(file, f"{path}.values", f"a {design} design samples a range: "
                                "give range = [low, high] (values are for grid designs)")
        if not isinstance(values, list) or not values:
            raise ScenarioError(file, f"{path}.values", "expected a non-empty array of values")
        if "levels" in item:
            raise ScenarioError(file, f"{path}.levels", "levels go with a range, not values")
        cast = tuple(_cast(v, kind, meta, file, f"{path}.values[{k}]")
                     for k, v in enumerate(values))
        if len(set(cast)) != len(cast):
            raise ScenarioError(file, f"{path}.values", "expected distinct values")
        return Parameter(key, kind, values=cast)
    if kind not in (int, float):
        raise ScenarioError(file, path, f"'{key}' is not a number: give values = [...] "
                            "in a grid design")
    if design in ("morris", "sobol") and kind is int:
        raise ScenarioError(file, f"{path}.key", f"a {design} design needs continuous "
                            f"parameters; '{key}' is an integer (use a grid or lhs design)")
    if "range" in item:
        bounds = item["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ScenarioError(file, f"{path}.range", f"expected [low, high], got {bounds!r}")
        low = _cast(bounds[0], kind, meta, file, f"{path}.range[0]")
        high = _cast(bounds[1], kind, meta, file, f"{path}.range[1]")
    else:
        declared = meta.get("uncertain")
        if not declared:
            raise ScenarioError(file, path, f"give range = [low, high] or values = [...]; "
                                f"'{key}' has no declared uncertainty range to default to")
        low, high = kind(declared[0]), kind(declared[1])
    if not low < high:
        raise ScenarioError(file, f"{path}.range", f"expected low < high, got [{low}, {high}]")
    levels = None
    if "levels" in item:
        if design != "grid":
            raise ScenarioError(file, f"{path}.levels", "levels of a parameter are for grid "
                                "designs (a morris design takes a top-level 'levels')")
        levels = _count(item, "levels", file, None, 2, 10_000)
    elif design == "grid":
        raise ScenarioError(file, f"{path}.levels", "a grid over a range needs levels = N "
                            "(evenly spaced values), or give values = [...]")
    return Parameter(key, kind, low=float(low) if kind is float else low,
                     high=float(high) if kind is float else high, levels=levels)


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys (``[set] scale.firm_agents = 300`` -> ``scale.firm_agents``)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _fixed(data: dict, file: str) -> dict[str, Any]:
    table = data.get("set", {})
    if not isinstance(table, dict):
        raise ScenarioError(file, "set", f"expected a table [set], got {type_name(table)}")
    fixed = flatten(table)
    for key in fixed:
        if key.startswith("interventions."):
            _check_key(key, file, f"set.{key}")
    return fixed


def output_spec(data: dict, file: str, allow_quarters: bool = True) -> OutputSpec:
    table = data.get("output", {})
    if not isinstance(table, dict):
        raise ScenarioError(file, "output", f"expected a table [output], got {type_name(table)}")
    valid = ["region", "nodes", "quarters"] if allow_quarters else ["region", "nodes"]
    for key in table:
        if key not in valid:
            unknown_key(file, f"output.{key}", str(key), valid)

    def names(key: str, default: bool) -> tuple[str, ...] | None:
        value = table.get(key, default)
        if value is True:
            return None
        if value is False:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            if len(set(value)) != len(value):
                raise ScenarioError(file, f"output.{key}", "expected distinct metric names")
            return tuple(value)
        raise ScenarioError(file, f"output.{key}", "expected true, false or an array of "
                            f"metric names, got {value!r}")

    quarters = table.get("quarters", "all")
    if quarters not in ("all", "final"):
        raise ScenarioError(file, "output.quarters", f"expected \"all\" or \"final\", got "
                            f"{quarters!r}")
    spec = OutputSpec(region=names("region", True), nodes=names("nodes", False),
                      quarters=quarters)
    if spec.region == () and spec.nodes == ():
        raise ScenarioError(file, "output", "keeps no metric: set region or nodes")
    return spec


def check_metrics(output: OutputSpec, region_columns: list[str], node_columns: list[str],
                  file: str) -> None:
    """Metric names of ``output`` checked against the model's table columns."""
    for key, chosen, valid in (("region", output.region, region_columns),
                               ("nodes", output.nodes, node_columns)):
        for k, name in enumerate(chosen or ()):
            if name not in valid:
                raise ScenarioError(file, f"output.{key}[{k}]", f"unknown metric '{name}'"
                                    f"{suggest(name, valid)} (numeric columns of the model's "
                                    f"{'region' if key == 'region' else 'node'} table: "
                                    f"{', '.join(valid)})")


def _scenario_path(value: Any, base_dir: Path, file: str, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ScenarioError(file, key, f"expected a path to a scenario file, got {value!r}")
    path = base_dir / value
    if not path.exists() and not Path(value).is_absolute():
        alt = SCENARIO_DIR / value  # "talent_community.toml" finds the library's file
        if alt.exists():
            return alt
    return path


def _load_base(path: Path, fixed: dict[str, Any], file: str, key: str) -> Scenario:
    from experiments.runner import apply_overrides
    scenario = load_scenario(path)  # errors name the scenario file itself
    return apply_overrides(scenario, fixed, file=f"{file} [set]") if fixed else scenario


def _check_top(data: dict, valid: list[str], file: str) -> None:
    for key in data:
        if key not in valid:
            unknown_key(file, str(key), str(key), valid)


def _seed(data: dict, file: str, default: int) -> int:
    return _count(data, "seed", file, default, 0, 2**63 - 1)


def name_and_description(data: dict, path: Path, file: str) -> tuple[str, str]:
    """A file's ``name`` (default: the file name) and ``description`` (default: empty)."""
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ScenarioError(file, "name", f"expected a non-empty string, got {name!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(file, "description", "expected a string")
    return name, description


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and validate a sweep file."""
    path = Path(path)
    file = str(path)
    data = read_toml(path)
    _check_top(data, ["name", "description", "scenario", "design", "parameters", "samples",
                      "replicates", "seed", "levels", "second_order", "set", "output"], file)
    name, description = name_and_description(data, path, file)
    design = data.get("design")
    if design not in DESIGNS:
        hint = suggest(design, list(DESIGNS), 0.4) if isinstance(design, str) else ""
        raise ScenarioError(file, "design", f"expected one of {list(DESIGNS)}, got "
                            f"{design!r}{hint}")
    items = data.get("parameters")
    if not isinstance(items, list) or not items:
        raise ScenarioError(file, "parameters", "expected [[parameters]] tables (at least one "
                            "varied parameter)")
    if len(items) > MAX_PARAMETERS:
        raise ScenarioError(file, "parameters", f"more than {MAX_PARAMETERS} parameters")
    params = tuple(_parameter(item, design, file, f"parameters[{k}]")
                   for k, item in enumerate(items))
    keys = [p.key for p in params]
    for k, key in enumerate(keys):
        if key in keys[:k]:
            raise ScenarioError(file, f"parameters[{k}].key", f"'{key}' is varied twice")
    if design == "grid":
        if "samples" in data:
            raise ScenarioError(file, "samples", "a grid design takes no samples: its points "
                                "are every combination of the parameters' values")
        samples = 0
    else:
        samples = _count(data, "samples", file, None, 1, MAX_RUNS)
    if design == "sobol" and samples & (samples - 1):
        raise ScenarioError(file, "samples", f"a sobol design needs a power of 2 (Saltelli "
                            f"sampling), got {samples}; e.g. {1 << samples.bit_length()}")
    if design == "morris" and samples < 2:
        raise ScenarioError(file, "samples", "a morris design needs at least 2 trajectories")
    levels = 4
    if "levels" in data:
        if design != "morris":
            raise ScenarioError(file, "levels", "a top-level 'levels' is for morris designs "
                                "(a grid takes levels per parameter)")
        levels = _count(data, "levels", file, None, 2, 1000)
        if levels % 2:
            raise ScenarioError(file, "levels", f"expected an even number of levels (Morris "
                                f"trajectories), got {levels}")
    second = data.get("second_order", False)
    if not isinstance(second, bool):
        raise ScenarioError(file, "second_order", f"expected true or false, got {second!r}")
    if second and design != "sobol":
        raise ScenarioError(file, "second_order", "second-order indices need a sobol design")
    replicates = _count(data, "replicates", file, 1, 1, MAX_REPLICATES)
    fixed = _fixed(data, file)
    for key in keys:
        if key in fixed:
            raise ScenarioError(file, f"set.{key}", f"'{key}' is both fixed and varied")
    scenario_path = _scenario_path(data.get("scenario", str(SCENARIO_DIR / "baseline.toml")),
                                   path.parent, file, "scenario")
    base = _load_base(scenario_path, fixed, file, "scenario")
    for k, param in enumerate(params):
        if param.key.startswith("interventions."):
            kind = param.key.split(".")[1]
            if not any(item.type == kind for item in base.interventions):
                raise ScenarioError(file, f"parameters[{k}].key", f"the scenario "
                                    f"{scenario_path} has no '{kind}' intervention: varying "
                                    f"'{param.key}' would change nothing")
    spec = SweepSpec(file=file, name=name, description=description,
                     scenario_file=str(scenario_path), base=base, design=design,
                     parameters=params, samples=samples, replicates=replicates,
                     seed=_seed(data, file, base.seed), levels=levels, second_order=second,
                     fixed=fixed, output=output_spec(data, file))
    from experiments.design import point_count
    runs = point_count(spec) * replicates
    if runs > MAX_RUNS:
        raise ScenarioError(file, "parameters", f"the sweep plans {runs:,} runs, more than "
                            f"the limit of {MAX_RUNS:,}")
    return spec


def load_comparison(path: str | Path) -> ComparisonSpec:
    """Load and validate a comparison file."""
    path = Path(path)
    file = str(path)
    data = read_toml(path)
    _check_top(data, ["scenarios", "replicates", "seed", "set", "uncertainty", "output",
                      "description"], file)
    items = data.get("scenarios")
    if not isinstance(items, list) or not items:
        raise ScenarioError(file, "scenarios", "expected an array of scenario files (the first "
                            "is the reference)")
    fixed = _fixed(data, file)
    scenarios = tuple(_load_base(_scenario_path(v, path.parent, file, f"scenarios[{k}]"),
                                 fixed, file, f"scenarios[{k}]") for k, v in enumerate(items))
    table = data.get("uncertainty", {})
    if not isinstance(table, dict):
        raise ScenarioError(file, "uncertainty", "expected a table [uncertainty]")
    for key in table:
        if key not in ("samples", "parameters"):
            unknown_key(file, f"uncertainty.{key}", str(key), ["samples", "parameters"])
    samples = _count(table, "samples", file, 10 if table else 0, 0, MAX_RUNS) if table else 0
    keys = table.get("parameters", [])
    if not isinstance(keys, list):
        raise ScenarioError(file, "uncertainty.parameters", "expected an array of keys")
    keys = check_uncertain_keys(keys, file, "uncertainty.parameters")
    return ComparisonSpec(file=file, scenarios=scenarios,
                          replicates=_count(data, "replicates", file, 10, 1, MAX_REPLICATES),
                          seed=_seed(data, file, scenarios[0].seed), uncertain_samples=samples,
                          uncertain_keys=keys, fixed=fixed,
                          output=output_spec(data, file, allow_quarters=False))


def check_uncertain_keys(keys: list[Any], file: str, path: str) -> tuple[str, ...]:
    """Keys chosen for uncertainty draws: each must be declared uncertain in the schema."""
    declared = uncertain_parameters()
    for k, key in enumerate(keys):
        if key not in declared:
            raise ScenarioError(file, f"{path}[{k}]", f"'{key}' is not declared uncertain"
                                f"{suggest(str(key), list(declared), 0.6)} (declared: "
                                f"{', '.join(declared)})")
    return tuple(keys)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
