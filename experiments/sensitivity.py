"""Sensitivity indices of a sweep with SALib: Morris (mu*, sigma) and Sobol (S1, ST, with
confidence intervals). The output of a design point is the final-quarter value of a region
metric, averaged over the point's replicates (their seeds are shared by every point, so the
noise is common to all points)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import problem as salib_problem
from experiments.seeds import design_seed
from experiments.spec import column_name
from experiments.storage import RunStore, load_results, write_frame
from model.errors import CyflowError

CONFIDENCE = 0.95
RESAMPLES = 1000


def morris_indices(problem: dict[str, Any], x: np.ndarray, y: np.ndarray, *, levels: int = 4,
                   seed: int | None = None) -> pd.DataFrame:
    """Morris elementary-effect statistics per parameter (SALib.analyze.morris)."""
    from SALib.analyze import morris
    res = morris.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                         num_levels=levels, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "mu": res["mu"],
                         "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                         "sigma": res["sigma"]})


def sobol_indices(problem: dict[str, Any], y: np.ndarray, *, second_order: bool = False,
                  seed: int | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices with confidence intervals (SALib.analyze.sobol)."""
    from SALib.analyze import sobol
    res = sobol.analyze(problem, y, calc_second_order=second_order, num_resamples=RESAMPLES,
                        conf_level=CONFIDENCE, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "S1": res["S1"],
                         "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]})


def analyze_folder(folder: str | Path,
                   metrics: list[str] | None = None) -> tuple[str, pd.DataFrame, list[str]]:
    """(method, indices per metric and parameter, metrics skipped as constant) of the sweep in
    ``folder``; it must be a complete morris or sobol sweep."""
    folder = Path(folder)
    path = folder / "sweep.json"
    if not path.is_file():
        raise CyflowError(f"{folder}: not a sweep folder (no sweep.json); run "
                          "'run.py sweep FILE --out DIR' first")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CyflowError(f"{path}: unreadable: {exc}") from None
    design = record.get("design")
    if design not in ("morris", "sobol"):
        raise CyflowError(f"{folder}: a {design} sweep; sensitivity indices need a morris or "
                          "sobol design (the analysis needs its sample structure)")
    index = RunStore(folder).rebuild_index()
    missing = index[index["status"] != "done"]
    if len(missing):
        raise CyflowError(f"{folder}: {len(missing)} of {len(index)} runs are not done "
                          f"(e.g. {missing['run_id'].iloc[0]}: {missing['status'].iloc[0]}); "
                          "finish the sweep with --resume first")
    params = [p["key"] for p in record["parameters"]]
    problem = salib_problem_from(record["parameters"])
    plan = index.drop_duplicates("point").sort_values("point")
    x = plan[[column_name(k) for k in params]].to_numpy(dtype=float)
    results = load_results(folder)
    region = results[results["node"].isna()]
    final = region[region["step"] == region.groupby("run_id")["step"].transform("max")]
    y_all = final.groupby(["point", "metric"])["value"].mean().unstack("metric").sort_index()
    if metrics:
        unknown = [m for m in metrics if m not in y_all.columns]
        if unknown:
            raise CyflowError(f"--metrics: unknown metric '{unknown[0]}' (kept in this sweep: "
                              f"{', '.join(y_all.columns)})")
        y_all = y_all[metrics]
    if len(y_all) != len(x):
        raise CyflowError(f"{folder}: {len(y_all)} points have region results, the design has "
                          f"{len(x)}")
    seed = design_seed(int(record["seed"]), purpose=2)
    tables, skipped = [], []
    for metric in y_all.columns:
        y = y_all[metric].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            skipped.append(metric)
            continue
        table = morris_indices(problem, x, y, levels=int(record["levels"]), seed=seed) \
            if design == "morris" else \
            sobol_indices(problem, y, second_order=bool(record["second_order"]), seed=seed)
        table.insert(0, "metric", metric)
        tables.append(table)
    if not tables:
        raise CyflowError(f"{folder}: every metric is constant across the sweep")
    return design, pd.concat(tables, ignore_index=True), skipped


def salib_problem_from(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """The SALib problem of a stored sweep's parameters (ranges)."""
    from experiments.spec import Parameter
    return salib_problem([Parameter(p["key"], float, low=p["range"][0], high=p["range"][1])
                          for p in parameters])


def write_analysis(folder: str | Path, method: str, table: pd.DataFrame,
                   csv: bool = False) -> list[Path]:
    """sensitivity.parquet (and .csv), sensitivity.png in the sweep folder (atomically)."""
    import matplotlib.pyplot as plt

    from experiments.plots import plot_sensitivity
    from figures.layout import save_png
    folder = Path(folder)
    files = [folder / "sensitivity.parquet"]
    write_frame(table.assign(method=method), files[0])
    if csv:
        files.append(folder / "sensitivity.csv")
        tmp = folder / ".sensitivity.csv.tmp"
        table.assign(method=method).to_csv(tmp, index=False)
        tmp.replace(files[-1])
    fig = plot_sensitivity(table, method)
    files.append(folder / "sensitivity.png")
    tmp = folder / ".sensitivity.tmp.png"
    save_png(fig, tmp, dpi=110)
    plt.close(fig)
    tmp.replace(files[-1])
    return files


def ranking(table: pd.DataFrame, method: str, metric: str) -> list[str]:
    """Parameters of one metric from most to least influential (mu* or ST)."""
    part = table[table["metric"] == metric]
    column = "mu_star" if method == "morris" else "ST"
    return list(part.sort_values(column, ascending=False)["parameter"])
