"""The balanced start (``init.balanced_start``): residual location preferences by (sector, node)
make the data's distribution a stationary state of the relocation rules; without it the rules
move agents at once. Entry, exit and growth still move shares."""

from __future__ import annotations

import numpy as np
import pytest

from model.equilibrium import firm_stock, talent_stock
from model.model import RegionModel

SMALL = {"scale__firm_agents": 4000, "scale__talent_agents": 6000, "steps": 8}


@pytest.fixture(scope="module")
def balanced(region):
    return RegionModel(region=region, agent_views=False, rng=3, init__balanced_start=True,
                       **SMALL)


def test_the_balanced_start_is_stationary_under_relocation(balanced, region):
    for stock, pop in ((talent_stock, balanced.talent_pop), (firm_stock, balanced.firm_pop)):
        counts = pop.region_counts()
        expected = stock(balanced)
        occupied = counts > 0
        assert np.allclose(expected[occupied], counts[occupied], rtol=1e-6)
    plain = RegionModel(region=region, agent_views=False, rng=3, init__balanced_start=False,
                        **SMALL)
    assert not plain.residuals.talent.any() and not plain.residuals.firms.any()
    gap = np.abs(talent_stock(plain) - plain.talent_pop.region_counts()).sum()
    assert gap > 0.01 * plain.talent_pop.region_counts().sum()  # unbalanced: it moves at once


def test_residuals_enter_both_rules(balanced, region):
    """Dropping the residual from either rule breaks the balance (the test fails if a rule
    ignores its residual)."""
    for name, stock, pop in (("talent", talent_stock, balanced.talent_pop),
                             ("firms", firm_stock, balanced.firm_pop)):
        saved = getattr(balanced.residuals, name).copy()
        getattr(balanced.residuals, name)[:] = 0.0
        try:
            gap = np.abs(stock(balanced) - pop.region_counts()).sum()
        finally:
            getattr(balanced.residuals, name)[:] = saved
        assert gap > 0.01 * pop.region_counts().sum(), name


def test_without_growth_a_balanced_start_barely_moves(region):
    """With entry, exit, graduates and retirement off, only relocation noise remains: node
    shares of talent move far less than from the unbalanced start."""
    def drift(balanced: bool) -> float:
        m = RegionModel(region=region, agent_views=False, rng=5, growth__enabled=False,
                        init__balanced_start=balanced, scale__firm_agents=20000,
                        scale__talent_agents=30000, steps=16)
        start = m.talent_pop.region_counts().sum(axis=0)
        m.run()
        end = m.talent_pop.region_counts().sum(axis=0)
        return float(np.abs(end / end.sum() - start / start.sum()).sum())
    assert drift(True) < 0.5 * drift(False)
