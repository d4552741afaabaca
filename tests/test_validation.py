"""Validation against special cases with known answers (docs/VALIDATION.md).

T0 null model: identical nodes, no agglomeration or spillovers, fixed prices, every agent redraws
each quarter with no moving costs: node counts are multinomial noise. Expected means / 99th
percentiles for 10,000 agents on 16 nodes: Gini 0.021 / 0.031, Theil 0.00075 / 0.0015,
CV 0.038 / 0.055, Moran's I -1/15.

T1 logit stationarity: fixed utilities U, symmetric move costs c_ij (c_ii = 0), every agent
redraws each quarter: the stationary shares are pi_i ∝ exp(U_i) sum_k exp(U_k - c_ik).
"""

from __future__ import annotations

import numpy as np
import pytest

from agents import talent as talent_rules
from model.model import RegionModel
from tests.conftest import synthetic_region

OFF = {
    "mechanisms__market__enabled": False, "mechanisms__innovation__enabled": False,
    "mechanisms__policy__enabled": False,
}


def test_t0_null_model():
    region = synthetic_region(16)
    steps = 600
    model = RegionModel(
        rng=2024, region=region, agent_views=False, steps=steps,
        scale__firm_agents=0, scale__talent_agents=10_000, init__distribution="uniform",
        talent__revision_rate=1.0, talent__fixed_cost=0.0, talent__border_cost=0.0,
        talent__travel_decay=0.0, talent__settlement_cost=0.0,
        metrics__basis="talent", metrics__cores=["n00", "n08"], **OFF)
    model.run()
    table = model.region_table().iloc[1:]  # after the first full redraw
    # Tolerances: means within 7% (their standard error is ~1.5%), 99th percentiles within 20%.
    for column, mean, p99 in [("gini", 0.021, 0.031), ("theil", 0.00075, 0.0015),
                              ("cv", 0.038, 0.055)]:
        assert table[column].mean() == pytest.approx(mean, rel=0.07), column
        assert np.percentile(table[column], 99) == pytest.approx(p99, rel=0.2), column
    # Moran's I has mean -1/(n-1) under the null; its s.e. over 600 draws is ~0.006.
    assert table["moran_i"].mean() == pytest.approx(-1 / 15, abs=0.02)


def stationary_shares(utility: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """pi_i ∝ exp(U_i) sum_k exp(U_k - c_ik), for symmetric c."""
    weights = np.exp(utility - utility.max()) * (np.exp(utility - utility.max())[None, :]
                                                 * np.exp(-cost)).sum(axis=1)
    return weights / weights.sum()


def test_t1_logit_stationarity():
    burn_in, steps = 100, 2000
    model = RegionModel(
        rng=7, agent_views=False, steps=burn_in + steps, scale__firm_agents=0,
        scale__talent_agents=20_000, talent__revision_rate=1.0, talent__settlement_cost=0.0,
        **OFF)
    cost = model.talent_pair_cost
    assert np.allclose(cost, cost.T) and (np.diag(cost) == 0).all()
    tl = model.spec.talent
    utility = talent_rules.destination_utility(
        model.fields.wage, model.fields.cost_of_living, model.endowments.log_amenity,
        model.endowments.log_size, kappa=tl.kappa, size_weight=tl.size_weight)
    model.run(burn_in)
    counts = np.zeros((2, model.region.n))
    for _ in range(steps):
        model.step()
        for s in (0, 1):
            counts[s] += np.bincount(model.talent.node[model.talent.sector == s],
                                     minlength=model.region.n)
    for s in (0, 1):
        observed = counts[s] / counts[s].sum()
        expected = stationary_shares(utility[s], cost)
        # utilities really are fixed: the market is off, so prices are frozen
        np.testing.assert_allclose(talent_rules.destination_utility(
            model.fields.wage, model.fields.cost_of_living, model.endowments.log_amenity,
            model.endowments.log_size, kappa=tl.kappa, size_weight=tl.size_weight)[s],
            utility[s])
        assert np.abs(observed - expected).max() < 1e-3
        assert np.abs(observed - expected).mean() < 2.5e-4
