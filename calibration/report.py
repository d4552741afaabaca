"""The report of a finished calibration folder: posterior intervals, the fit per target (fitted
and held-out units) against naive predictions, the out-of-sample ranking check, figures.

Predictions compared on every target (a unit's log change of its share of the block):

- ``model``: the posterior mean of the simulated change (each kept particle's mean over its
  seeds, weighted by the particle's weight);
- ``defaults``: the model with the scenario's parameter values before calibration;
- ``no_change``: 0, what both naive predictions of the issue give for shares (no change in any
  unit; growth proportional to the start);
- ``size_trend``: a naive regression of the change on the log of the start value, fitted on the
  block's fitted units (when there are at least three): bigger places grew faster.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.fit import (
    DEFAULTS,
    GENERATIONS,
    PROGRESS,
    SPEC_FILE,
    Calibration,
    getattr_dotted,
)
from calibration.observed import BLOCKS, published_ranks, read_observed
from calibration.spec import CalibrationSpec
from experiments.storage import write_text
from model.errors import CyflowError

QUANTILES = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
PREDICTIONS = ("model", "defaults", "no_change", "size_trend")


def final_generation(folder: Path) -> int:
    path = folder / PROGRESS
    if not path.is_file():
        raise CyflowError(f"{folder}: no finished generation ({PROGRESS} missing); run "
                          "'run.py calibrate FILE --out DIR' first")
    return json.loads(path.read_text(encoding="utf-8"))[-1]["generation"]


def intervals(cal: Calibration, kept: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior range, default, posterior mean and weighted quantiles."""
    from calibration.abc import Population
    pop = Population(0, kept[cal.spec.keys].to_numpy(float), kept["raw_weight"].to_numpy(float),
                     kept["distance"].to_numpy(float), 0.0, 1.0, 0, [])
    q = pop.quantiles(QUANTILES)
    rows = []
    for k, p in enumerate(cal.spec.parameters):
        default = getattr_dotted(cal.spec.base, p.key)
        rows.append({"parameter": p.key, "prior_low": p.low, "prior_high": p.high,
                     "default": default, "mean": float(pop.mean()[k]),
                     **{f"q{int(x * 100):02d}": float(v) for x, v in zip(QUANTILES, q[:, k],
                                                                        strict=True)},
                     "shrinkage": 1 - (q[4, k] - q[0, k]) / (0.9 * (p.high - p.low))})
    return pd.DataFrame(rows)


def fit_table(cal: Calibration, kept: pd.DataFrame, defaults: pd.DataFrame) -> pd.DataFrame:
    """One row per (block, unit): observed, the four predictions, fitted or held out, and the
    5-95% range of the kept particles' simulated changes."""
    observed = read_observed()
    weights = kept["weight"].to_numpy(float)
    rows = []
    for block in cal.units:
        table = cal.target.block(block)
        fitted = set(cal.fitted.get(block, []))
        first_col = BLOCKS[block][0]
        start = observed.set_index("id").loc[list(table["unit"]), first_col].to_numpy(float)
        log_start = np.log(start / start.sum())
        is_fit = table["unit"].isin(fitted).to_numpy()
        trend = np.zeros(len(table))
        if is_fit.sum() >= 3:
            slope, intercept = np.polyfit(log_start[is_fit], table["observed"].to_numpy()[is_fit],
                                          1)
            trend = intercept + slope * log_start
        for k, unit in enumerate(table["unit"]):
            col = f"{block}:{unit}"
            sims = kept[col].to_numpy(float)
            order = np.argsort(sims, kind="stable")
            cum = np.cumsum(weights[order]) - 0.5 * weights[order]
            lo, hi = np.interp([0.05, 0.95], cum / weights.sum(), sims[order])
            rows.append({"block": block, "unit": unit, "province": table["province"].iloc[k],
                         "role": "fitted" if unit in fitted else "held out",
                         "observed": float(table["observed"].iloc[k]),
                         "model": float(weights @ sims), "model_q05": lo, "model_q95": hi,
                         "defaults": float(defaults[col].iloc[0]), "no_change": 0.0,
                         "size_trend": float(trend[k]) if is_fit.sum() >= 3 else np.nan})
    return pd.DataFrame(rows)


def summary_table(fit: pd.DataFrame) -> pd.DataFrame:
    """Per block and role: root mean square error and correlation of each prediction."""
    rows = []
    for (block, role), part in fit.groupby(["block", "role"], sort=False):
        obs = part["observed"].to_numpy()
        row = {"block": block, "role": role, "units": len(part),
               "observed_sd": float(np.std(obs))}
        for name in PREDICTIONS:
            pred = part[name].to_numpy(float)
            row[f"rmse_{name}"] = float(np.sqrt(np.mean((pred - obs) ** 2))) \
                if np.isfinite(pred).all() else np.nan
            row[f"corr_{name}"] = float(np.corrcoef(pred, obs)[0, 1]) \
                if np.isfinite(pred).all() and np.std(pred) > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def ranking_check(cal: Calibration, kept: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation between each published ranking (never fitted) and the units'
    simulated output in its year, from the runs of the kept particles (weighted mean); and
    the same for the output at the start, which the data's sector endowments (of 2022) place:
    the model adds to its inputs only what the first exceeds the second by."""
    from scipy.stats import spearmanr
    ranks = published_ranks()
    overall = ranks[ranks["ranking_name"].str.contains("overall")]
    out = []
    for (name, year), part in overall.groupby(["ranking_name", "year"]):
        quarter = f"{int(year)}Q4"
        units = [u for u in part["unit"] if u in cal.ids]
        values = _simulated_output(cal, kept, quarter, units)
        start = _simulated_output(cal, kept, f"{cal.spec.start}Q4", units)
        if values is None or start is None or len(units) < 3:
            continue
        published = -part.set_index("unit").loc[units, "rank"].to_numpy()
        out.append({"ranking": name, "year": int(year), "units": len(units),
                    "spearman_model": float(spearmanr(published, values)[0]),
                    "spearman_start": float(spearmanr(published, start)[0])})
    return pd.DataFrame(out)


def _simulated_output(cal: Calibration, kept: pd.DataFrame, quarter: str,
                      units: list[str]) -> np.ndarray | None:
    from calibration.backcast import run_id
    total = np.zeros(len(units))
    weight = 0.0
    for row in kept.itertuples(index=False):
        for r in range(cal.spec.seeds):
            path = cal.folder / "runs" / f"{run_id(row.origin, row.index, r)}.parquet"
            if not path.is_file():
                continue
            frame = pd.read_parquet(path, columns=["quarter", "node", "metric", "value"])
            part = frame[(frame["metric"] == "output") & (frame["quarter"] == quarter)]
            if part.empty:
                return None
            total += row.weight / cal.spec.seeds * part.set_index("node").loc[units,
                                                                            "value"].to_numpy()
            weight += row.weight / cal.spec.seeds
    return total / weight if weight else None


def plot(cal: Calibration, kept: pd.DataFrame, fit: pd.DataFrame, stats: pd.DataFrame,
         folder: Path) -> list[Path]:
    """posterior.png (weighted marginals against the prior range and the default) and
    fit.png (observed against simulated change, fitted and held-out units)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    keys = cal.spec.keys
    cols = min(4, len(keys))
    rows = -(-len(keys) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax, p, (_, row) in zip(axes.flat, cal.spec.parameters, stats.iterrows(), strict=False):
        ax.hist(kept[p.key], bins=15, range=(p.low, p.high), weights=kept["weight"],
                color="#4C72B0", alpha=0.8)
        ax.axvline(row["default"], color="k", ls="--", lw=1, label="default")
        ax.set_xlim(p.low, p.high)
        ax.set_title(p.key, fontsize=8)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle(f"{cal.spec.name}: posterior (weighted kept particles) on the prior range")
    fig.tight_layout()
    paths.append(folder / "posterior.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    blocks = list(dict.fromkeys(fit["block"]))
    fig, axes = plt.subplots(1, len(blocks), figsize=(4.6 * len(blocks), 4.2), squeeze=False)
    for ax, block in zip(axes[0], blocks, strict=True):
        part = fit[fit["block"] == block]
        for role, marker in (("fitted", "o"), ("held out", "s")):
            sub = part[part["role"] == role]
            if sub.empty:
                continue
            ax.errorbar(sub["observed"], sub["model"],
                        yerr=[sub["model"] - sub["model_q05"], sub["model_q95"] - sub["model"]],
                        fmt=marker, ms=4, lw=0.6, label=f"{role} ({len(sub)})")
        lim = np.nanmax(np.abs(part[["observed", "model_q05", "model_q95"]].to_numpy())) * 1.1
        ax.plot([-lim, lim], [-lim, lim], color="grey", lw=0.8)
        ax.axhline(0, color="grey", lw=0.5, ls=":")
        ax.set_xlabel(f"observed log change of share, {BLOCKS[block][0][-4:]}-"
                      f"{BLOCKS[block][1][-4:]}")
        ax.set_ylabel("simulated (posterior mean, 5-95%)")
        ax.set_title(f"{block}", fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(folder / "fit.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def _markdown(spec: CalibrationSpec, progress: list[dict], stats: pd.DataFrame,
              summary: pd.DataFrame, ranks: pd.DataFrame) -> str:
    def table(frame: pd.DataFrame, digits: int = 3) -> str:
        head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
        body = "".join("| " + " | ".join(f"{v:.{digits}f}" if isinstance(v, float) else str(v)
                                         for v in row) + " |\n"
                       for row in frame.itertuples(index=False))
        return head + body
    runs = sum(p["simulations"] for p in progress) * spec.seeds
    seconds = sum(p.get("seconds", 0.0) for p in progress)
    lines = [f"# Calibration `{spec.name}`", "", spec.description, "",
             f"Backcast {spec.start} -> {spec.end} ({spec.steps} quarters) from `{spec.file}`; "
             f"APMC ABC (Lenormand et al. 2013), {spec.abc.particles} particles per generation, "
             f"{spec.abc.kept} kept, {len(progress)} generations, {spec.seeds} seeds per vector, "
             f"{runs} runs in {seconds:.0f} s.", "",
             "Fitted: " + ", ".join(f"{b}: {v if isinstance(v, str) else ', '.join(v)}"
                                    for b, v in spec.fit.items()) + "; everything else is "
             "held out.", "", "## Generations", "",
             table(pd.DataFrame(progress), 3), "## Posterior", "", table(stats, 3),
             "`shrinkage`: 1 - (90% posterior width) / (90% of the prior width); 0 = the data "
             "say nothing about the parameter.", "", "## Fit per target", "",
             "Root mean square error (RMSE) and correlation of the log change of each unit's "
             "share, for the calibrated model, the model with its default parameters and two "
             "naive predictions (no change of shares; a log-size trend fitted on the fitted "
             "units).", "", table(summary, 3), "![fit](fit.png)", "",
             "![posterior](posterior.png)", ""]
    if not ranks.empty:
        lines += ["## Out-of-sample ranking check (never fitted)", "", table(ranks, 3)]
    return "\n".join(lines) + "\n"


def stored_spec(folder: Path) -> CalibrationSpec:
    """The calibration of a folder, rebuilt from its copy of the file."""
    from calibration.spec import load_calibration
    path = folder / SPEC_FILE
    if not path.is_file():
        raise CyflowError(f"{folder}: not a calibration folder (no {SPEC_FILE})")
    record = json.loads(path.read_text(encoding="utf-8"))
    return load_calibration(folder / "calibration.toml", base_dir=record["base_dir"])


def write_report(folder: str | Path) -> Path:
    """Write posterior.csv, intervals.csv, fit.csv, summary.csv, ranking.csv, the figures and
    report.md into the calibration folder; returns the report's path."""
    folder = Path(folder).absolute()
    spec = stored_spec(folder)
    cal = Calibration(spec, folder)
    generation = final_generation(folder)
    kept = pd.read_parquet(folder / GENERATIONS / f"g{generation:02d}-kept.parquet")
    defaults = pd.read_parquet(folder / GENERATIONS / f"{DEFAULTS}.parquet")
    stats = intervals(cal, kept)
    fit = fit_table(cal, kept, defaults)
    summary = summary_table(fit)
    ranks = ranking_check(cal, kept)
    for name, frame in (("posterior", kept[["origin", "index", *spec.keys, "distance", "weight"]]),
                        ("intervals", stats), ("fit", fit), ("summary", summary),
                        ("ranking", ranks)):
        write_text(frame.to_csv(index=False, lineterminator="\n"), folder / f"{name}.csv")
    plot(cal, kept, fit, stats, folder)
    progress = json.loads((folder / PROGRESS).read_text(encoding="utf-8"))
    path = folder / "report.md"
    write_text(_markdown(spec, progress, stats, summary, ranks), path)
    return path
