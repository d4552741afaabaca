"""Running a calibration into a folder, generation by generation, resumable.

The folder holds ``calibration.json`` (what is calibrated: a folder resumes only the same
calibration), ``calibration.toml`` (the file as given), ``cities_start.csv`` (the start-year
region), ``runs/`` (one Parquet file per model run, as in a sweep), ``generations/`` (per
generation: every simulated vector with its distance and simulated changes, and the kept
particles with their weights) and ``progress.json`` (tolerance, acceptance, effective size per
generation). ``calibration.report`` turns a finished folder into the fit report.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import abc
from calibration.backcast import backcast_scenario, statistics, tasks
from calibration.observed import BLOCKS, Targets, targets
from calibration.spec import PROVINCE_OF_SET, CalibrationSpec
from experiments.execution import Execution, execute
from experiments.storage import RunStore, write_frame, write_text
from model.errors import CyflowError, SimulationError

SPEC_FILE = "calibration.json"
PROGRESS = "progress.json"
GENERATIONS = "generations"
DEFAULTS = "defaults"


def fitted_units(spec: CalibrationSpec, target: Targets) -> dict[str, list[str]]:
    """Per block, the units whose observed change is fitted."""
    out = {}
    for block in target.blocks:
        table = target.block(block)
        choice = spec.fit.get(block, "none")
        if choice == "all":
            units = list(table["unit"])
        elif choice == "none":
            units = []
        elif isinstance(choice, str):
            units = list(table.loc[table["province"] == PROVINCE_OF_SET[choice], "unit"])
        else:
            unknown = sorted(set(choice) - set(table["unit"]))
            if unknown:
                raise CyflowError(f"{spec.file}: fit.{block}: no observed change for "
                                  f"{unknown[:5]} (units with data: {list(table['unit'])[:5]}...)")
            units = list(choice)
        if units and int(BLOCKS[block][3][:4]) > spec.end:
            raise CyflowError(f"{spec.file}: fit.{block}: the block's last year is "
                              f"{BLOCKS[block][3][:4]} but the backcast ends in {spec.end}")
        if units:
            if len(units) < 3:
                raise CyflowError(f"{spec.file}: fit.{block}: fit at least 3 units, got "
                                  f"{len(units)}")
            out[block] = units
    return out


@dataclass
class Objective:
    """The distance of simulated from observed changes over the fitted units: per block the root
    mean square error over the units, in units of the observed standard deviation, then the root
    mean square over blocks. 1 is about the error of predicting no change."""

    target: Targets
    fitted: dict[str, list[str]]

    def observed(self, block: str, units: list[str]) -> np.ndarray:
        table = self.target.block(block).set_index("unit")
        return table.loc[units, "observed"].to_numpy(float)

    def __call__(self, simulated: dict[str, np.ndarray]) -> np.ndarray:
        """``simulated``: per block [n, units of the block] (mean over replicates)."""
        parts = []
        for block, units in self.fitted.items():
            all_units = list(self.target.block(block)["unit"])
            index = [all_units.index(u) for u in units]
            obs = self.observed(block, units)
            err = simulated[block][:, index] - obs
            parts.append(np.mean(err**2, axis=1) / np.var(obs))
        d = np.sqrt(np.mean(parts, axis=0))
        return np.where(np.isfinite(d), d, np.inf)


class Calibration:
    """One calibration (a validated spec) run into ``folder``."""

    def __init__(self, spec: CalibrationSpec, folder: str | Path) -> None:
        from model.region import Region
        self.spec = spec
        self.folder = Path(folder).absolute()
        region = Region.load(spec.base.data.cities or None, spec.base.data.links or None)
        self.ids = list(region.ids)
        self.provinces = list(region.cities["province"])
        self.target = targets(self.ids, self.provinces)
        self.fitted = fitted_units(spec, self.target)
        self.objective = Objective(self.target, self.fitted)
        self.units = {b: list(self.target.block(b)["unit"]) for b in self.target.blocks
                      if int(BLOCKS[b][3][:4]) <= spec.end}
        self.low = np.array([p.low for p in spec.parameters], float)
        self.high = np.array([p.high for p in spec.parameters], float)

    # ------------------------------------------------------------------ folder
    def prepare(self, resume: bool) -> None:
        record = json.loads(json.dumps(self.spec.to_dict()))
        path = self.folder / SPEC_FILE
        if path.is_file():
            try:
                existing = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CyflowError(f"{path}: unreadable calibration record: {exc}") from None
            if not resume:
                raise CyflowError(f"{self.folder}: holds a calibration already; pass --resume "
                                  "to continue it or choose another --out")
            if existing != record:
                changed = sorted(k for k in set(record) | set(existing)
                                 if record.get(k) != existing.get(k))
                raise CyflowError(f"{self.folder}: holds a different calibration (differs in: "
                                  f"{', '.join(changed)}); choose another --out")
        elif self.folder.exists() and any(p.name != ".lock" for p in self.folder.iterdir()):
            raise CyflowError(f"{self.folder}: the folder holds files that are not a "
                              "calibration; choose another --out")
        (self.folder / GENERATIONS).mkdir(parents=True, exist_ok=True)
        RunStore(self.folder).create()
        if not path.is_file():
            write_text(Path(self.spec.file).read_text(encoding="utf-8"),
                       self.folder / "calibration.toml")
            write_text(json.dumps(record, indent=1), path)

    def progress(self) -> list[dict]:
        path = self.folder / PROGRESS
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

    def stored_population(self) -> abc.Population | None:
        """The last finished generation (None: none yet), with the proposals that led to it
        (rebuilt from the kept particles of every earlier generation)."""
        progress = self.progress()
        if not progress:
            return None
        components = [abc.Component.prior(progress[0]["simulations"])]
        population = None
        for entry in progress:
            if population is not None:
                components.append(abc.Component.around(population, entry["simulations"],
                                                       self.low, self.high))
            kept = pd.read_parquet(self.folder / GENERATIONS /
                                   f"g{entry['generation']:02d}-kept.parquet")
            population = abc.Population(
                entry["generation"], kept[self.spec.keys].to_numpy(float),
                kept["raw_weight"].to_numpy(float), kept["distance"].to_numpy(float),
                entry["tolerance"], entry["acceptance"], entry["simulations"], list(components))
        return population

    # ------------------------------------------------------------------ simulation
    def simulate(self, theta: np.ndarray, label: str, how: Execution
                 ) -> tuple[np.ndarray, pd.DataFrame]:
        """Run the vectors; (distances, table of vectors with their distance and mean
        simulated change per block and unit)."""
        scenario = backcast_scenario(self.spec, self.folder)
        todo = tasks(self.spec, scenario, theta, label)
        records = execute(todo, self.folder, how, desc=f"{self.spec.name} {label}")
        failed = [r for r in records if r["status"] == "failed"]
        if len(failed) == len(records) and records:
            raise SimulationError(f"every run of {label} failed (first: {failed[0]['run_id']}: "
                                  f"{failed[0].get('error')})")
        sims = statistics(self.folder, label, len(theta), self.spec.seeds, self.units)
        with warnings.catch_warnings():  # a vector whose runs all failed: NaN, distance inf
            warnings.simplefilter("ignore", RuntimeWarning)
            means = {b: np.nanmean(v, axis=1) for b, v in sims.items()}
        incomplete = np.zeros(len(theta), bool)
        for v in sims.values():
            incomplete |= np.isnan(v).any(axis=(1, 2))
        distance = self.objective(means)
        distance[incomplete] = np.inf
        table = pd.DataFrame(theta, columns=self.spec.keys)
        table.insert(0, "origin", label)
        table.insert(1, "index", np.arange(len(theta)))
        table["distance"] = distance
        for b, units in self.units.items():
            for k, unit in enumerate(units):
                table[f"{b}:{unit}"] = means[b][:, k]
        return distance, table

    def run(self, how: Execution, resume: bool = False,
            report: Callable[[str], None] | None = None) -> abc.Population:
        """Run (or continue) to the stopping rule; returns the final population."""
        say = report or (lambda line: print(line, file=sys.stderr))
        self.prepare(resume)
        defaults = np.array([[getattr_dotted(self.spec.base, k) for k in self.spec.keys]])
        if not (self.folder / GENERATIONS / f"{DEFAULTS}.parquet").is_file():
            _, table = self.simulate(defaults, DEFAULTS, how)
            write_frame(table, self.folder / GENERATIONS / f"{DEFAULTS}.parquet")
        tables: dict[int, pd.DataFrame] = {}
        seconds: dict[int, float] = {}
        population = self.stored_population()
        pools: list[pd.DataFrame] = []
        if population is not None:
            say(f"resuming after generation {population.generation}")
            kept = pd.read_parquet(self.folder / GENERATIONS /
                                   f"g{population.generation:02d}-kept.parquet")
            pools.append(kept.drop(columns=["raw_weight", "weight"]))

        def distance(theta: np.ndarray, generation: int) -> np.ndarray:
            start = time.perf_counter()
            d, table = self.simulate(theta, f"g{generation:02d}", how)
            write_frame(table, self.folder / GENERATIONS / f"g{generation:02d}.parquet")
            tables[generation] = table
            seconds[generation] = time.perf_counter() - start
            return d

        def on_generation(pop: abc.Population) -> None:
            table = tables[pop.generation]
            pool = pd.concat([*pools, table], ignore_index=True) if pools else table
            order = np.argsort(pool["distance"].to_numpy(), kind="stable")[:len(pop.distances)]
            kept = pool.iloc[order].reset_index(drop=True)
            assert np.array_equal(kept[self.spec.keys].to_numpy(float), pop.theta)
            kept["raw_weight"] = pop.raw_weights
            kept["weight"] = pop.weights
            write_frame(kept, self.folder / GENERATIONS / f"g{pop.generation:02d}-kept.parquet")
            pools[:] = [kept.drop(columns=["raw_weight", "weight"])]
            entry = {"generation": pop.generation, "tolerance": pop.tolerance,
                     "acceptance": pop.acceptance, "simulations": pop.simulations,
                     "effective_size": pop.effective_size(),
                     "seconds": round(seconds[pop.generation], 2)}
            write_text(json.dumps([*self.progress(), entry], indent=1),
                       self.folder / PROGRESS)
            say(f"generation {pop.generation}: tolerance {pop.tolerance:.4f}, acceptance "
                f"{pop.acceptance:.2f}, effective size {pop.effective_size():.0f} of "
                f"{len(pop.weights)}, {seconds[pop.generation]:.0f} s")

        return abc.run(distance, self.low, self.high, self.spec.abc, start=population,
                       on_generation=on_generation)


def getattr_dotted(obj: object, key: str) -> float:
    """The value of a dotted scenario key (``talent.kappa``) as a float."""
    for part in key.split("."):
        obj = getattr(obj, part)
    return float(obj)  # type: ignore[arg-type]
