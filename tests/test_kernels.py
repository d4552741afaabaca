"""The compiled kernels compute what their plain numpy definitions define.

``firm_logit_draws`` (called by ``agents.firm.relocation_choices``) <-> ``FirmTerms.utilities``
over the n region nodes and the outside + ``agents.choice.logit_choice``; ``draw_rows`` <->
``agents.choice.draw_from_cumulative`` on the gathered [S, n+1, n+1] cumulative rows;
``region_metric_vector`` <-> the functions of ``model/metrics`` (``region_metrics_plain``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents import firm as firm_rules
from agents import talent as talent_rules
from agents.choice import draw_from_cumulative, logit_choice
from model.kernels import draw_rows, firm_logit_draws
from model.metrics.collect import region_metrics, region_metrics_plain
from model.model import RegionModel
from model.state import SECTORS
from scenarios.loader import SCENARIO_DIR

CASES = [
    ("baseline.toml", {}),
    ("integrated.toml", {}),
    ("baseline.toml", {"init__distribution": "uniform", "metrics__basis": "talent"}),
    ("baseline.toml", {"metrics__basis": "firms", "talent__revision_rate": 0.0,
                       "firms__revision_rate": 0.0}),
    ("baseline.toml", {"outside__enabled": False, "growth__enabled": False,
                       "firms__revision_rate": 1.0, "talent__revision_rate": 2.0}),
]


@pytest.mark.parametrize(("scenario", "extra"), CASES,
                         ids=["baseline", "integrated", "uniform-talent", "static-firms",
                              "closed-churn"])
def test_region_metric_kernel_equals_plain_functions(scenario, extra):
    model = RegionModel(SCENARIO_DIR / scenario, rng=5, agent_views=False, steps=10,
                        scale__firm_agents=2000, scale__talent_agents=3000, **extra)
    moved = 0
    for _ in range(10):
        model.step()
        record = model.history[-1]
        assert model.fields.output.shape == (len(SECTORS), model.region.n)
        fast, plain = region_metrics(model, record), region_metrics_plain(model, record)
        assert fast.keys() == plain.keys()
        for key, value in plain.items():
            if isinstance(value, str):
                assert fast[key] == value, key
            else:
                assert fast[key] == pytest.approx(value, rel=1e-10, abs=1e-12), key
        moved += plain["firm_movers"] + plain["talent_movers"]
    if extra.get("talent__revision_rate") != 0.0:
        assert moved > 0  # the flow metrics were computed on actual region flows


def _terms(model: RegionModel, *, outside_open: bool) -> firm_rules.FirmTerms:
    """Node terms with data bonuses, general and targeted subsidies set (the outside open, or
    closed: its column -inf)."""
    n = model.region.n
    model.modifiers.data_bonus = np.linspace(0.0, 0.4, n)
    model.modifiers.sector_subsidy = np.linspace(0.0, 0.1, len(SECTORS) * n).reshape(
        len(SECTORS), n)
    model.policy.subsidies.city = np.linspace(0.0, 0.2, n)
    model.outside.open = outside_open
    return firm_rules.node_terms(model)


@pytest.mark.parametrize("outside_open", [True, False], ids=["outside-open", "outside-closed"])
def test_firm_kernel_draws_from_the_plain_logit(outside_open):
    model = RegionModel(rng=2, agent_views=False, scale__firm_agents=30_000,
                        scale__talent_agents=100, firms__profit_scale=2.5)
    terms = _terms(model, outside_open=outside_open)
    n = model.region.n
    firms = model.firms
    idx = np.arange(len(firms))
    assert terms.per_q.shape == terms.common.shape == (len(SECTORS), n + 1)
    assert terms.pair.shape == (n + 1, n + 1)
    # origins spread over every node, so that every row of the move costs is used
    origin = np.random.default_rng(3).integers(0, n, len(idx))
    utility = terms.utilities(firms.productivity, firms.data_intensity, firms.sector, origin)
    plain = logit_choice(utility, np.random.default_rng(9))
    # the production path: relocation_choices passes the terms to the kernel (one uniform per
    # decider from the generator, as logit_choice draws them)
    at_origin = dataclasses.replace(firms, node=origin)
    fast = firm_rules.relocation_choices(at_origin, idx, terms, np.random.default_rng(9))
    # the same uniforms: the draws agree except where a uniform falls within rounding
    # (~1e-15) of a cumulative boundary
    assert np.mean(plain == fast) > 0.9999
    assert fast.min() >= 0 and fast.max() <= n
    assert len(np.unique(fast)) > n // 2        # the draws spread over many alternatives
    if outside_open:
        assert (fast == n).any()                 # some leave for the rest of China
    else:
        assert not (fast == n).any()             # a closed outside is never chosen
    empty = firm_rules.relocation_choices(firms, idx[:0], terms, np.random.default_rng())
    assert len(empty) == 0


def test_firm_kernel_utilities_follow_the_rule():
    """One firm worked by hand: the kernel's choice moves with the utility terms."""
    n = 3
    per_q = np.zeros((1, n + 1))
    common = np.array([[0.0, 0.0, 50.0, -np.inf]])
    zeros = np.zeros(n + 1)
    pair = np.zeros((n + 1, n + 1))
    args = (np.array([1.0]), np.array([0.5]), np.array([0], dtype=np.int8), np.array([0]))
    assert firm_logit_draws(*args, per_q, common, zeros, zeros, pair, np.array([0.5]))[0] == 2
    pair[0, 2] = 100.0  # moving to node 2 now costs more than it gains
    assert firm_logit_draws(*args, per_q, common, zeros, zeros, pair, np.array([0.3]))[0] == 0
    assert firm_logit_draws(*args, per_q, common, zeros, zeros, pair, np.array([0.7]))[0] == 1
    compute = np.array([0.0, 200.0, 0.0, 0.0])  # node 1 has a high compute cost
    assert firm_logit_draws(*args, per_q, common, compute, zeros, pair,
                            np.array([0.9]))[0] == 0


def test_draw_rows_equals_gathered_inverse_cdf():
    rng = np.random.default_rng(4)
    s, n, k = len(SECTORS), 34, 50_000
    probabilities = rng.dirichlet(np.ones(n + 1), size=(s, n + 1))
    probabilities[:, :, n] = 0.0  # a closed outside: its column has no weight
    cumulative = np.cumsum(probabilities, axis=2)  # unnormalised rows
    sector = rng.integers(0, s, k).astype(np.int8)
    origin = rng.integers(0, n + 1, k)
    plain = draw_from_cumulative(cumulative[sector, origin], np.random.default_rng(1))
    fast = draw_rows(cumulative, sector, origin, np.random.default_rng(1).random(k))
    np.testing.assert_array_equal(plain, fast)
    assert fast.max() < n


def test_draw_rows_on_the_model_transition_matrix():
    model = RegionModel(rng=6, agent_views=False, scale__firm_agents=100,
                        scale__talent_agents=20_000)
    n = model.region.n
    transition = talent_rules.transition_matrix(talent_rules.utility_matrix(model))
    assert transition.shape == (len(SECTORS), n + 1, n + 1)
    cumulative = np.cumsum(transition, axis=2)
    talent = model.talent
    # region agents at their nodes, and as many of the rest of China (origin n)
    sector = np.concatenate([talent.sector, talent.sector])
    origin = np.concatenate([talent.node, np.full(len(talent), n)])
    u = np.random.default_rng(8).random(len(sector))
    fast = draw_rows(cumulative, sector, origin, u)
    plain = draw_from_cumulative(cumulative[sector, origin], np.random.default_rng(8))
    np.testing.assert_array_equal(plain, fast)
    stay = fast == origin
    assert 0.5 < stay.mean() < 1.0  # most stay; some move
