"""Replicate bands for the side-by-side comparison: the scenario and its baseline (the same
scenario with every intervention switched off) run over several seeds, replicate ``r`` of both
with the same seed (common random numbers).

The runs go through ``experiments.Comparison`` (serial, in this process) when the experiments
package provides it; otherwise they run here, with seeds from the same ``SeedSequence`` rule, so
replicate ``r`` is replicate ``r`` of ``run.py compare`` either way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.measures import metric_columns
from model.model import RegionModel
from model.region import Region
from scenarios.schema import Scenario

QUANTILES = (0.1, 0.5, 0.9)


def replicate_seeds(master: int, reps: int) -> tuple[list[int], str]:
    """Seeds of ``reps`` replicates under ``master``, and which rule made them."""
    try:
        from experiments.seeds import run_seed
        source = "experiments.seeds"
    except ImportError:
        def run_seed(master: int, replicate: int, draw: int = 0) -> int:
            seq = np.random.SeedSequence(int(master), spawn_key=(1, int(draw), int(replicate)))
            return int(seq.generate_state(1, np.uint64)[0]) & (2**63 - 1)
        source = "SeedSequence"
    return [run_seed(master, r) for r in range(reps)], source


@dataclass(frozen=True)
class Bands:
    """Quantiles (10%, 50%, 90%) per step of every region metric, for both variants, and the
    paired difference (scenario minus baseline, replicate by replicate) at the last step."""

    steps: np.ndarray
    metrics: list[str]
    low: dict[str, dict[str, np.ndarray]]
    mid: dict[str, dict[str, np.ndarray]]
    high: dict[str, dict[str, np.ndarray]]
    difference: dict[str, tuple[float, float, float]]
    reps: int
    engine: str


def _run(spec: Scenario, seed: int, steps: int, region: Region | None) -> pd.DataFrame:
    model = RegionModel(dataclasses.replace(spec, seed=seed), region=region, agent_views=False)
    return model.run(steps).region_table()


def _tables_by_experiments(spec: Scenario, baseline: Scenario, reps: int,
                           steps: int) -> dict[str, list[pd.DataFrame]] | None:
    """Per variant, one region table per replicate, run by ``experiments.Comparison``; None
    when the package (or the API used here) is not there."""
    try:
        from experiments import Comparison
    except (ImportError, AttributeError):
        return None
    named = [dataclasses.replace(baseline, name="baseline", steps=steps),
             dataclasses.replace(spec, name="scenario", steps=steps)]
    results = Comparison(named, reps=reps, seed=spec.seed).run(serial=True).results()
    results = results[results["node"].isna()] if "node" in results else results
    tables: dict[str, list[pd.DataFrame]] = {}
    for variant in ("scenario", "baseline"):
        rows = results[results["scenario"] == variant]
        wide = rows.pivot_table(index=["replicate", "step"], columns="metric", values="value")
        tables[variant] = [frame.reset_index(level="replicate", drop=True).reset_index()
                           for _, frame in wide.groupby(level="replicate")]
    return tables


def replicate_bands(spec: Scenario, reps: int, steps: int | None = None,
                    region: Region | None = None) -> Bands:
    """Run ``reps`` paired replicates of ``spec`` and its baseline for ``steps`` quarters
    (default: the horizon) and summarise them."""
    if reps < 1:
        raise ValueError("replicates: expected at least 1")
    steps = spec.steps if steps is None else min(steps, spec.steps)
    baseline = dataclasses.replace(spec, interventions=[])
    tables = _tables_by_experiments(spec, baseline, reps, steps)
    if tables is not None:
        engine = "experiments.Comparison"
    else:
        seeds, source = replicate_seeds(spec.seed, reps)
        tables = {"scenario": [_run(spec, s, steps, region) for s in seeds],
                  "baseline": [_run(baseline, s, steps, region) for s in seeds]}
        engine = f"in-process, seeds by {source}"
    metrics = metric_columns(tables["scenario"][0])
    low: dict[str, dict[str, np.ndarray]] = {}
    mid: dict[str, dict[str, np.ndarray]] = {}
    high: dict[str, dict[str, np.ndarray]] = {}
    stacked: dict[str, dict[str, np.ndarray]] = {}
    for variant, runs in tables.items():
        stacked[variant] = {m: np.vstack([t[m].to_numpy(float) for t in runs]) for m in metrics}
        q = {m: np.quantile(values, QUANTILES, axis=0) for m, values in stacked[variant].items()}
        low[variant] = {m: v[0] for m, v in q.items()}
        mid[variant] = {m: v[1] for m, v in q.items()}
        high[variant] = {m: v[2] for m, v in q.items()}
    difference = {}
    for m in metrics:
        paired = stacked["scenario"][m][:, -1] - stacked["baseline"][m][:, -1]
        lo, md, hi = np.quantile(paired, QUANTILES)
        difference[m] = (float(lo), float(md), float(hi))
    return Bands(tables["scenario"][0]["step"].to_numpy(), metrics, low, mid, high, difference,
                 reps, engine)
