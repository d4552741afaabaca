"""The one definition of a comparison's effects and their verdicts.

``run.py compare`` computes them (``Comparison.differences`` / ``effects``: summary.txt,
summary.parquet, effects.parquet) and ``run.py report`` reads effects.parquet (or, for a folder
without it, computes them here from comparison.parquet), so the two never disagree.

* unit: the run pair (same seed, same draw) without parameter uncertainty; the draw with it
  (the pairs of a draw averaged first, so the interval reflects parameter uncertainty);
* difference: the mean over units; interval: the 95% Student-t interval of that mean;
* sign agreement: the share of units with the sign of the mean; *robust* when >= 90% agree;
* verdict of a final-quarter region metric (``VERDICTS``):

  - ``too few``: fewer than ``MIN_UNITS`` units; or every unit has the same non-zero difference
    and there are fewer than ``MIN_CONSTANT``: the t-interval then has zero width and says
    nothing, and the sign test (two-sided, 5%) needs at least 6 units all of one sign;
  - ``zero``: exactly zero in every unit;
  - ``clear`` (clearly non-zero): the interval excludes zero and the sign is robust;
  - ``not robust``: fewer than 90% of the units share the sign of the mean;
  - ``includes zero``: robust sign, but the interval includes zero.

* "depends most on" (with uncertainty): the parameter with the largest absolute Spearman
  correlation between its draws and the per-draw difference. It is shown only when there are
  at least ``MIN_DRAWS`` draws, more draws than parameters, and the correlation exceeds what
  chance gives: ``chance_rho``, the 5% family-wise level of the largest of ``k`` independent
  correlations (Bonferroni over the parameters, t approximation of Spearman's rho).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
ROBUST = 0.9        # share of units that must agree in sign
MIN_UNITS = 3       # fewer units: no verdict
MIN_CONSTANT = 6    # fewest units for a zero-width (constant) difference: 2 * 0.5**6 < 5%
MIN_DRAWS = 10      # fewest draws for "depends most on"
CHANCE = 0.05       # family-wise level of "depends most on"
VERDICTS = ("clear", "not robust", "includes zero", "zero", "too few")
EFFECTS_FILE = "effects.parquet"
GROUP = ["scenario", "metric", "node", "step", "quarter"]
DIFFERENCE_COLUMNS = ["scenario", "reference", "metric", "node", "step", "quarter", "n", "mean",
                      "ci_low", "ci_high", "median", "p10", "p90", "sign_agreement"]
EFFECT_COLUMNS = [*DIFFERENCE_COLUMNS, "unit", "robust", "clear", "verdict", "depends_on",
                  "rho", "depends_clear"]


def unit_name(by_draw: bool) -> str:
    return "draw" if by_draw else "replicate"


def difference_table(pairs: pd.DataFrame, reference: str, *, by_draw: bool) -> pd.DataFrame:
    """Per scenario, metric, node and quarter: the mean paired difference over units with its
    95% t-interval, the median and 10-90% band of the paired differences (every run pair) and
    the sign agreement of the units. ``pairs`` has the ``GROUP`` columns, ``point`` (the draw),
    ``replicate`` and ``diff`` (scenario minus ``reference`` of one run pair)."""
    from scipy import stats
    if pairs.empty:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    raw = pairs.groupby(GROUP, dropna=False, sort=False)["diff"]
    out = raw.agg(median="median").reset_index()
    out["p10"] = raw.quantile(0.1).to_numpy()
    out["p90"] = raw.quantile(0.9).to_numpy()
    units = pairs.groupby([*GROUP, "point"], dropna=False, sort=False)["diff"].mean() \
        if by_draw else pairs.groupby([*GROUP, "point", "replicate"], dropna=False,
                                      sort=False)["diff"].mean()
    units = units.rename("unit").reset_index()
    unit_groups = units.groupby(GROUP, dropna=False, sort=False)["unit"]
    agg = unit_groups.agg(n="count", mean="mean", sd="std").reset_index()
    out = out.merge(agg, on=GROUP, how="left")
    units = units.merge(agg[[*GROUP, "mean"]], on=GROUP, how="left")
    units["agree"] = np.sign(units["unit"]) == np.sign(units["mean"])
    agree = units.groupby(GROUP, dropna=False, sort=False)["agree"].mean().rename(
        "sign_agreement").reset_index()
    out = out.merge(agree, on=GROUP, how="left")
    n = out["n"].to_numpy(dtype=float)
    sd = out["sd"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / np.sqrt(n)
    half = np.where(sd == 0, 0.0, half)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out["reference"] = reference
    return out[DIFFERENCE_COLUMNS].sort_values(["scenario", "metric", "node", "step"]) \
        .reset_index(drop=True)


def classify(diffs: pd.DataFrame) -> pd.DataFrame:
    """``diffs`` (rows of ``difference_table``) with ``robust``, ``clear`` and ``verdict``."""
    out = diffs.copy()
    n = out["n"].to_numpy(dtype=float)
    mean = out["mean"].to_numpy(dtype=float)
    low, high = out["ci_low"].to_numpy(dtype=float), out["ci_high"].to_numpy(dtype=float)
    robust = out["sign_agreement"].to_numpy(dtype=float) >= ROBUST
    zero = (mean == 0) & (low == 0) & (high == 0)
    with np.errstate(invalid="ignore"):  # zero width, up to rounding of the unit means
        constant = (high - low <= 1e-9 * np.abs(mean)) & ~zero
    few = (n < MIN_UNITS) | (constant & (n < MIN_CONSTANT))
    excludes = (low > 0) | (high < 0)
    verdict = np.select([few, zero, ~robust, excludes], ["too few", "zero", "not robust",
                                                         "clear"], "includes zero")
    out["robust"] = robust
    out["clear"] = verdict == "clear"
    out["verdict"] = verdict.astype(object)
    return out


def final_effects(diffs: pd.DataFrame, *, by_draw: bool) -> pd.DataFrame:
    """The region metrics' differences at the final quarter, classified (``EFFECT_COLUMNS``;
    ``depends_on``, ``rho`` and ``depends_clear`` empty: ``Comparison.effects`` fills them)."""
    if diffs.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    last = diffs[(diffs["step"] == diffs["step"].max()) & diffs["node"].isna()]
    out = classify(last).assign(unit=unit_name(by_draw), depends_on=None, rho=np.nan,
                                depends_clear=False)
    return out[EFFECT_COLUMNS].reset_index(drop=True)


def chance_rho(draws: int, parameters: int) -> float:
    """The absolute Spearman correlation that the largest of ``parameters`` correlations with
    ``draws`` draws exceeds by chance with probability ``CHANCE`` (Bonferroni; t approximation
    with draws - 2 degrees of freedom); 1 when there are too few draws to tell."""
    from scipy import stats
    if draws < 4 or parameters < 1:
        return 1.0
    t = stats.t.ppf(1 - CHANCE / (2 * parameters), draws - 2)
    return float(t / np.sqrt(draws - 2 + t * t))


def enough_draws(draws: int, parameters: int) -> bool:
    """Whether ``draws`` draws of ``parameters`` parameters can tell which one an effect
    depends on: at least ``MIN_DRAWS`` and more draws than parameters."""
    return draws >= MIN_DRAWS and draws > parameters


def depends_shown(rho: pd.Series, draws: int, parameters: int) -> pd.Series:
    """Which "depends most on" correlations stand out from chance (module docstring)."""
    if not enough_draws(draws, parameters):
        return pd.Series(False, index=rho.index)
    return rho.abs().fillna(0) > chance_rho(draws, parameters)


def too_few_units(effects: pd.DataFrame) -> int | None:
    """The smallest number of units of ``effects`` when it is below ``MIN_UNITS`` (every
    verdict is then "too few"), else None."""
    if effects.empty:
        return None
    n = int(pd.to_numeric(effects["n"]).min())
    return n if n < MIN_UNITS else None


def pairs_of_contract(long: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The run pairs of a comparison table in the contract of docs/FIGURES.md (scenario,
    replicate, step, quarter, metric, value; optionally draw) in the shape of
    ``difference_table``'s input: each scenario's value minus the baseline's of the same
    replicate number (which pairs seed and draw)."""
    table = long.assign(node=None)
    if "quarter" not in table:
        table = table.assign(quarter=table["step"].astype(str))
    table = table.assign(point=table.get("draw", 0))
    keys = ["replicate", "step", "metric"]
    base = table[table["scenario"] == baseline].set_index(keys)["value"].rename("value_ref")
    other = table[table["scenario"] != baseline]
    pairs = other.join(base, on=keys, how="inner")
    return pairs.assign(diff=pairs["value"] - pairs["value_ref"])[
        [*GROUP, "point", "replicate", "diff"]]


def effects_of_contract(long: pd.DataFrame, baseline: str, *, by_draw: bool) -> pd.DataFrame:
    """The final-quarter effects of a comparison table in the contract (``pairs_of_contract``),
    by the same definition as ``run.py compare``."""
    step = long["step"].max()
    pairs = pairs_of_contract(long[long["step"] == step], baseline)
    return final_effects(difference_table(pairs, baseline, by_draw=by_draw), by_draw=by_draw)


def folder_record(folder: Path) -> dict:
    """The comparison.json of a comparison folder ({} when absent or unreadable)."""
    try:
        return json.loads((Path(folder) / "comparison.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_effects(folder: str | Path, long: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The effects of the comparison folder against ``baseline``: its effects.parquet when it
    was written against that baseline, else computed from ``long`` (comparison.parquet) by the
    same definition (the unit is the draw when the comparison drew parameters)."""
    folder = Path(folder)
    path = folder / EFFECTS_FILE
    if path.is_file():
        try:
            stored = pd.read_parquet(path)
        except (OSError, ValueError):
            stored = None
        if stored is not None and set(EFFECT_COLUMNS) <= set(stored.columns) and \
                set(stored["reference"].astype(str)) <= {baseline}:
            return stored[EFFECT_COLUMNS].reset_index(drop=True)
    record = folder_record(folder)
    by_draw = bool(record.get("draws")) or ("draw" in long and long["draw"].nunique() > 1)
    return effects_of_contract(long, baseline, by_draw=by_draw)
