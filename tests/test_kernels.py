"""The compiled kernels compute what their plain numpy counterparts define."""

from __future__ import annotations

import numpy as np
import pytest

from agents import firm as firm_rules
from agents.choice import draw_from_cumulative, logit_choice
from model.kernels import draw_rows
from model.metrics.collect import region_metrics, region_metrics_plain
from model.model import RegionModel
from scenarios.loader import SCENARIO_DIR

CASES = [
    ("baseline.toml", {}),
    ("integrated.toml", {}),
    ("baseline.toml", {"init__distribution": "uniform", "metrics__basis": "talent"}),
    ("baseline.toml", {"metrics__basis": "firms", "talent__revision_rate": 0.0,
                       "firms__revision_rate": 0.0}),
]


@pytest.mark.parametrize(("scenario", "extra"), CASES)
def test_region_metric_kernel_equals_plain_functions(scenario, extra):
    model = RegionModel(SCENARIO_DIR / scenario, rng=5, agent_views=False, steps=10,
                        scale__firm_agents=2000, scale__talent_agents=3000, **extra)
    for _ in range(10):
        model.step()
        record = model.history[-1]
        fast, plain = region_metrics(model, record), region_metrics_plain(model, record)
        assert fast.keys() == plain.keys()
        for key, value in plain.items():
            if isinstance(value, str):
                assert fast[key] == value, key
            else:
                assert fast[key] == pytest.approx(value, rel=1e-10, abs=1e-12), key


def _firm_inputs(model: RegionModel, bonus: float) -> dict:
    bonus_vector = np.linspace(0.0, bonus, model.region.n)
    return {"profit_rate": model.fields.profit_rate, "fixed_cost": model.office_cost(),
            "compute_cost": model.fields.compute_cost,
            "subsidy": np.linspace(0, 0.2, model.region.n), "data_bonus": bonus_vector,
            "sector_subsidy": np.vstack([np.zeros(model.region.n),
                                         np.full(model.region.n, 0.05)]),
            "site": model.endowments.log_size, "pair_cost": model.firm_pair_cost,
            "scale": model.spec.firms.profit_scale}


@pytest.mark.parametrize("bonus", [0.0, 0.3])
def test_firm_kernel_draws_from_the_plain_logit(bonus):
    model = RegionModel(rng=2, agent_views=False, scale__firm_agents=30_000)
    idx = np.arange(len(model.firms))
    inputs = _firm_inputs(model, bonus)
    utility = firm_rules.relocation_utilities(model.firms, idx, **inputs)
    plain = logit_choice(utility, np.random.default_rng(9))
    fast = firm_rules.relocation_choices(model.firms, idx, rng=np.random.default_rng(9),
                                         **inputs)
    # the same uniforms: the draws agree except where a uniform falls within rounding
    # (~1e-15) of a cumulative boundary
    assert np.mean(plain == fast) > 0.9999
    assert len(firm_rules.relocation_choices(model.firms, idx[:0], rng=np.random.default_rng(),
                                             **inputs)) == 0


def test_draw_rows_equals_gathered_inverse_cdf():
    rng = np.random.default_rng(4)
    probabilities = rng.dirichlet(np.ones(34), size=(2, 34))
    cumulative = np.cumsum(probabilities, axis=2)
    sector = rng.integers(0, 2, 50_000).astype(np.int8)
    origin = rng.integers(0, 34, 50_000)
    plain = draw_from_cumulative(cumulative[sector, origin], np.random.default_rng(1))
    fast = draw_rows(cumulative, sector, origin, np.random.default_rng(1).random(50_000))
    np.testing.assert_array_equal(plain, fast)
