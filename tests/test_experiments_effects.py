"""One definition of an effect and its verdict (experiments.effects), shared by run.py compare
(summary.txt, effects.parquet) and run.py report: the t-interval of the mean paired difference,
a minimum number of units, zero-width differences from a handful of pairs called too few, and
"depends most on" only with enough draws and above chance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import effects as fx


def _contract(diffs: list[float], draws: list[int] | None = None) -> pd.DataFrame:
    """A comparison table in the contract: baseline 1.0 in every replicate, 'policy' 1.0 +
    the given difference, at steps 0 and 1 (metric 'm')."""
    rows = []
    for rep, diff in enumerate(diffs):
        for step in (0, 1):
            extra = {} if draws is None else {"draw": draws[rep]}
            rows.append({"scenario": "baseline", "replicate": rep, "step": step,
                         "quarter": f"Q{step}", "metric": "m", "value": 1.0, **extra})
            rows.append({"scenario": "policy", "replicate": rep, "step": step,
                         "quarter": f"Q{step}", "metric": "m", "value": 1.0 + diff * step,
                         **extra})
    return pd.DataFrame(rows)


def _effect(diffs, draws=None) -> pd.Series:
    eff = fx.effects_of_contract(_contract(diffs, draws), "baseline", by_draw=draws is not None)
    assert len(eff) == 1
    return eff.iloc[0]


def test_the_interval_is_the_t_interval_of_the_mean():
    from scipy import stats
    diffs = [0.03, 0.03, 0.03, 0.0001]
    row = _effect(diffs)
    half = stats.t.ppf(0.975, 3) * np.std(diffs, ddof=1) / 2
    assert row["mean"] == pytest.approx(np.mean(diffs))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((np.mean(diffs) - half,
                                                             np.mean(diffs) + half))
    # every pair has the same sign, but the t-interval includes zero: not clear (a percentile
    # bootstrap of the mean excludes zero here)
    assert row["robust"] and not row["clear"] and row["verdict"] == "includes zero"


@pytest.mark.parametrize(("diffs", "verdict"), [
    ([-1.0, -1.0], "too few"),               # two pairs: never a verdict
    ([0.5, 0.7], "too few"),
    ([-1.0] * 3, "too few"),                 # zero width from 3 pairs: the sign test says no
    ([-1.0] * 5, "too few"),
    ([-1.0] * 6, "clear"),                   # 2 * 0.5**6 < 5%
    ([0.0] * 3, "zero"),
    ([1.0, 1.1, 0.9, 1.05], "clear"),
    ([1.0, -1.1, 0.9, 1.05], "not robust"),
])
def test_verdicts_need_enough_units(diffs, verdict):
    row = _effect(diffs)
    assert row["verdict"] == verdict
    assert bool(row["clear"]) == (verdict == "clear")


def test_the_unit_is_the_draw_under_uncertainty():
    # 3 draws x 2 replicates: the replicates of a draw are averaged first, n = 3
    row = _effect([0.1, 0.3, 0.2, 0.2, 0.25, 0.15], draws=[0, 0, 1, 1, 2, 2])
    assert row["n"] == 3 and row["unit"] == "draw"
    assert row["mean"] == pytest.approx(0.2)
    # every draw averages 0.2: a zero-width interval from 3 units
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.2, 0.2))
    assert row["verdict"] == "too few"
    assert fx.too_few_units(pd.DataFrame([row])) is None  # 3 units: enough for a verdict


def test_depends_most_on_needs_enough_draws_and_a_correlation_above_chance():
    assert not fx.enough_draws(4, 2) and not fx.enough_draws(9, 2)
    assert not fx.enough_draws(20, 31) and fx.enough_draws(40, 31) and fx.enough_draws(10, 2)
    # chance grows with the number of parameters and shrinks with the draws
    assert fx.chance_rho(10, 31) > fx.chance_rho(10, 2) > fx.chance_rho(40, 2)
    assert 0.45 < fx.chance_rho(40, 31) < 0.55
    # simulated: the largest |Spearman rho| of k unrelated parameters exceeds it in ~5% or less
    from scipy.stats import spearmanr
    rng = np.random.default_rng(1)
    n, k, hits = 12, 8, 0
    for _ in range(400):
        x, y = rng.random((n, k)), rng.random(n)
        rho = max(abs(spearmanr(x[:, j], y).statistic) for j in range(k))
        hits += rho > fx.chance_rho(n, k)
    assert hits / 400 < 0.08
    shown = fx.depends_shown(pd.Series([0.95, 0.2, np.nan]), 12, 8)
    assert list(shown) == [True, False, False]
    assert not fx.depends_shown(pd.Series([0.99]), 5, 2).any()
