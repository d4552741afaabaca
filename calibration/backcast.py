"""The backcast: the model started from the region of 2010 and run to the last observed year.

Step 0 is the end of 2010 (the census of 1 November 2010); the region's units start with their
2010 census population (``calibration.observed.cities_in``), everything else as in the data of
the scenario. A parameter vector is one set of overrides; each is run with the same seeds
(common random numbers), through the sweep machinery (``experiments.execution``: in process, on a
local Dask cluster or on a remote one; finished runs are files, so a stopped calibration resumes
without redoing them). What a run yields: the share change of every unit over each target block,
the talent share for population and the output share for GDP.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.observed import BLOCKS, MODEL_METRIC, cities_in, share_change
from calibration.spec import CalibrationSpec
from experiments.runner import RunTask
from experiments.spec import OutputSpec
from model.region import DATA_DIR
from scenarios.schema import Scenario

CITIES_FILE = "cities_start.csv"


def start_quarter(start: int) -> int:
    """``start_year`` of a backcast whose step 0 is the fourth quarter of the census year."""
    return start + 1


def run_seeds(spec: CalibrationSpec) -> list[int]:
    """The seeds every parameter vector is run with (common random numbers)."""
    seq = np.random.SeedSequence([spec.seed, 0xCA11B])
    return [int(s) for s in seq.generate_state(spec.seeds, dtype=np.uint64) % (2**63 - 1)]


def backcast_scenario(spec: CalibrationSpec, folder: Path) -> Scenario:
    """The scenario of the backcast: the start-year cities file written into ``folder``, the
    other data files of the scenario (the repository's by default), the calendar and length."""
    from model.region import Region
    data = spec.base.data
    region = Region.load(data.cities or None, data.links or None)
    path = folder / CITIES_FILE
    frame = cities_in(region.cities, spec.start)
    text = frame.to_csv(index=False, lineterminator="\n")
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    beside = Path(data.cities).parent if data.cities else DATA_DIR
    companions = {key: getattr(data, key) or str(beside / f"{key}.csv")
                  for key in ("sectors", "computing", "gateways")}
    new_data = dataclasses.replace(data, cities=str(path),
                                   links=data.links or str(DATA_DIR / "links.csv"),
                                   **{k: v if Path(v).is_file() else "" for k, v in
                                      companions.items()})
    return dataclasses.replace(spec.base, data=new_data, steps=spec.steps,
                               start_year=start_quarter(spec.start), step_years=0.25,
                               name=f"{spec.name}-backcast")


def overrides(spec: CalibrationSpec, theta: np.ndarray) -> dict[str, int | float]:
    """The scenario overrides of one parameter vector."""
    out: dict[str, int | float] = {}
    for param, value in zip(spec.parameters, theta, strict=True):
        out[param.key] = round(value) if param.kind is int else float(value)
    return out


def run_id(label: str, index: int, replicate: int) -> str:
    return f"{label}-v{index:05d}-r{replicate}"


def tasks(spec: CalibrationSpec, scenario: Scenario, theta: np.ndarray, label: str
          ) -> list[RunTask]:
    """The runs of the parameter vectors ``theta`` [n, p] (each with every seed)."""
    output = OutputSpec(region=(), nodes=tuple(dict.fromkeys(MODEL_METRIC.values())),
                        quarters="all")
    seeds = run_seeds(spec)
    return [RunTask(run_id=run_id(label, i, r), scenario=scenario, seed=seed,
                    overrides=overrides(spec, row), label=label, point=i, replicate=r,
                    output=output, columns=tuple(spec.keys))
            for i, row in enumerate(theta) for r, seed in enumerate(seeds)]


def statistics(folder: Path, label: str, n: int, replicates: int,
               units: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Per block: the simulated share changes [n vectors, replicates, block units] of the runs
    of ``label``, shares of the block's own ``units`` (NaN where a run is missing). A unit with
    no agents counts as half of one (the log needs a positive count)."""
    out = {block: np.full((n, replicates, len(names)), np.nan) for block, names in units.items()}
    runs = folder / "runs"
    for i in range(n):
        for r in range(replicates):
            path = runs / f"{run_id(label, i, r)}.parquet"
            if not path.is_file():
                continue
            frame = pd.read_parquet(path, columns=["quarter", "node", "metric", "value"])
            for block, names in units.items():
                _, _, first, last = BLOCKS[block]
                part = frame[(frame["metric"] == MODEL_METRIC[block])
                             & frame["quarter"].isin([first, last])]
                wide = part.pivot(index="node", columns="quarter", values="value")
                if first not in wide or last not in wide:
                    continue
                wide = wide.reindex(names)
                out[block][i, r] = share_change(np.maximum(wide[first].to_numpy(), 0.5),
                                                np.maximum(wide[last].to_numpy(), 0.5))
    return out
