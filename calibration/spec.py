"""Calibration files (TOML): loading and validation. Files are data, never executed; every problem
raises ``ScenarioError(file, key, what was expected)``.

A calibration file::

    name = "backcast"                       # default: the file name
    description = "..."
    scenario = "../scenarios/baseline.toml" # relative to this file (default: the baseline)
    start = 2010        # census year the backcast starts from (population of data/observed.csv)
    end = 2022          # last year simulated (2020-2022): 4 * (end - start) quarters; a target
                        # block whose last year is later (GDP 2022) is left out
    seeds = 2           # runs per parameter vector (the same seeds for every vector)
    seed = 1            # master seed of the ABC proposals and the run seeds

    [set]               # fixed for every run, e.g. scale.talent_agents = 60000

    [abc]               # adaptive population Monte Carlo (calibration.abc)
    particles = 200     # simulated vectors per generation
    alpha = 0.5         # fraction kept
    min_acceptance = 0.05
    max_generations = 8

    [fit]               # units whose observed change is fitted; the others are held out
    population = "sichuan"   # "all", "sichuan", "chongqing", "none" or a list of unit ids
    gdp = "none"

    [[parameters]]      # the calibrated parameters; prior uniform on range (default: the
    key = "talent.kappa"  # parameter's declared uncertain range in the schema)
    range = [0.5, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calibration.abc import Settings
from calibration.observed import BLOCKS
from experiments.spec import (
    Parameter,
    _check_top,
    _count,
    _fixed,
    _load_base,
    _number,
    _parameter,
    _scenario_path,
    _seed,
    name_and_description,
)
from model.errors import ScenarioError
from scenarios.loader import SCENARIO_DIR, read_toml
from scenarios.schema import Scenario
from scenarios.validate import type_name

CALIBRATION_DIR = Path(__file__).resolve().parent
DEFAULT_FILE = CALIBRATION_DIR / "backcast.toml"
UNIT_SETS = ("all", "sichuan", "chongqing", "none")
PROVINCE_OF_SET = {"sichuan": "Sichuan", "chongqing": "Chongqing"}


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration file."""

    file: str
    name: str
    description: str
    scenario_file: str
    base: Scenario                      # the scenario with the [set] overrides applied
    start: int
    end: int
    seeds: int
    seed: int
    abc: Settings
    fit: dict[str, str | tuple[str, ...]]
    parameters: tuple[Parameter, ...]
    base_dir: str = ""                  # the folder ``scenario`` is relative to

    @property
    def steps(self) -> int:
        return 4 * (self.end - self.start)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    def to_dict(self) -> dict[str, Any]:
        """What identifies the calibration (a folder resumes only the same one)."""
        return {"name": self.name, "base_dir": self.base_dir,
                "scenario": self.scenario_file, "start": self.start,
                "end": self.end, "seeds": self.seeds, "seed": self.seed,
                "abc": {"particles": self.abc.particles, "alpha": self.abc.alpha,
                        "min_acceptance": self.abc.min_acceptance,
                        "max_generations": self.abc.max_generations},
                "fit": {k: v if isinstance(v, str) else list(v) for k, v in self.fit.items()},
                "parameters": [p.to_dict() for p in self.parameters]}


def _fit(data: dict, file: str) -> dict[str, str | tuple[str, ...]]:
    table = data.get("fit", {"population": "all"})
    if not isinstance(table, dict):
        raise ScenarioError(file, "fit", f"expected a table [fit], got {type_name(table)}")
    out: dict[str, str | tuple[str, ...]] = {}
    for block in table:
        if block not in BLOCKS:
            raise ScenarioError(file, f"fit.{block}", f"unknown target block; expected one of "
                                f"{list(BLOCKS)}")
    for block in BLOCKS:
        value = table.get(block, "none")
        if isinstance(value, str):
            if value not in UNIT_SETS:
                raise ScenarioError(file, f"fit.{block}", f"expected one of {list(UNIT_SETS)} "
                                    f"or a list of unit ids, got {value!r}")
            out[block] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[block] = tuple(value)
        else:
            raise ScenarioError(file, f"fit.{block}", f"expected one of {list(UNIT_SETS)} or a "
                                f"non-empty list of unit ids, got {value!r}")
    if all(v == "none" for v in out.values()):
        raise ScenarioError(file, "fit", "nothing to fit: every block is 'none'")
    return out


def _abc(data: dict, file: str, seed: int) -> Settings:
    table = data.get("abc", {})
    if not isinstance(table, dict):
        raise ScenarioError(file, "abc", f"expected a table [abc], got {type_name(table)}")
    valid = ["particles", "alpha", "min_acceptance", "max_generations"]
    _check_top(table, valid, f"{file} [abc]")
    particles = _count(table, "particles", f"{file} [abc]", 200, 4, 1_000_000)
    alpha = _number(table.get("alpha", 0.5), file, "abc.alpha")
    if not 0 < alpha < 1 or int(alpha * particles) < 2:
        raise ScenarioError(file, "abc.alpha", f"expected a fraction in (0, 1) that keeps at "
                            f"least 2 of the {particles} particles, got {alpha}")
    min_acc = _number(table.get("min_acceptance", 0.05), file, "abc.min_acceptance")
    if not 0 <= min_acc < 1:
        raise ScenarioError(file, "abc.min_acceptance", f"expected a value in [0, 1), got "
                            f"{min_acc}")
    generations = _count(table, "max_generations", f"{file} [abc]", 8, 1, 1000)
    return Settings(particles=particles, alpha=float(alpha), min_acceptance=float(min_acc),
                    max_generations=generations, seed=seed)


def load_calibration(path: str | Path = DEFAULT_FILE, base_dir: str | Path | None = None
                     ) -> CalibrationSpec:
    """Load and validate a calibration file; ``scenario`` is relative to ``base_dir`` (default:
    the file's folder)."""
    path = Path(path)
    file = str(path)
    base_folder = (Path(base_dir) if base_dir is not None else path.parent).resolve()
    data = read_toml(path)
    _check_top(data, ["name", "description", "scenario", "start", "end", "seeds", "seed",
                      "set", "abc", "fit", "parameters"], file)
    name, description = name_and_description(data, path, file)
    start = _count(data, "start", file, 2010, 2010, 2010)   # the census the data hold
    end = _count(data, "end", file, 2022, 2020, 2022)   # the 2020 census at least
    seeds = _count(data, "seeds", file, 2, 1, 1000)
    seed = _seed(data, file, 1)
    items = data.get("parameters")
    if not isinstance(items, list) or not items:
        raise ScenarioError(file, "parameters", "expected [[parameters]] tables (at least one "
                            "calibrated parameter)")
    params = tuple(_parameter(item, "lhs", file, f"parameters[{k}]")
                   for k, item in enumerate(items))
    keys = [p.key for p in params]
    for k, key in enumerate(keys):
        if key in keys[:k]:
            raise ScenarioError(file, f"parameters[{k}].key", f"'{key}' is calibrated twice")
        if key.startswith("interventions."):
            raise ScenarioError(file, f"parameters[{k}].key", "the backcast has no "
                                "interventions; calibrate scenario parameters")
    fixed = _fixed(data, file)
    for key in ("steps", "start_year", "step_years", *tuple(keys)):
        if key in fixed:
            raise ScenarioError(file, f"set.{key}", "is set by the calibration itself")
    scenario_path = _scenario_path(data.get("scenario", str(SCENARIO_DIR / "baseline.toml")),
                                   base_folder, file, "scenario").resolve()
    base = _load_base(scenario_path, fixed, file, "scenario")
    if base.interventions:
        raise ScenarioError(file, "scenario", "the backcast scenario must have no "
                            "interventions (the past had its own policies, not the library's)")
    return CalibrationSpec(file=file, name=name, description=description,
                           scenario_file=str(scenario_path), base=base, start=start, end=end,
                           seeds=seeds, seed=seed, abc=_abc(data, file, seed),
                           fit=_fit(data, file), parameters=params,
                           base_dir=str(base_folder))
