"""Docking: the production model against the plain per-agent Mesa reference of the same rules.

``benchmarks/reference.py`` runs the rules one agent at a time (Mesa ``CellAgent``s in a
``Network``, per-agent decisions, agents created and removed one by one) and reuses the
node-level rule functions. It starts from the same initial agents as ``RegionModel`` for a seed
but draws every step from its own random streams, so single runs diverge; the models are
compared by their distributions over seeds (Axtell, Axelrod, Epstein & Cohen 1996, "docking"
by distributional equivalence).

1. Deterministic parts, equal to relative 1e-9: the step-0 node record and the outside's
   equilibrium factors in eight configurations and from identical random locations; with
   nobody moving, entering or leaving (revision and demographic rates 0; national growth on)
   the node records of 6 steps (fields, subsidies and budgets of competing or coordinating
   governments, mechanisms off, uniform start); the same uniforms give the same choices
   (reference agents vs the compiled kernels). The reference's per-agent books satisfy the
   node accounting identity. The reference (with the per-step caches of a competent Mesa
   user) gives the same histories, bit for bit, as the first reference without them
   (``OldReferenceModel``, kept for the benchmark's table).
2. Distributions: 600 firm + 900 talent agents, 12 quarters, production seeds 1.. against
   reference seeds 1001.. (disjoint, so the samples are independent), in three configurations:
   "churn" (data start, revision rates 0.4 / 0.8 a year), "uniform" (uniform start, coordinating
   governments, baseline rates) and "closed" (no outside, no growth, churn rates). The statistic
   is a family of 156 Welch two-sample t-tests across seeds: per node the final firm and talent
   counts and the firm and talent inflows summed over the run (4 x 34); per sector the final
   firm and talent counts (2 x 5); summed over the run the arrivals, departures, entries,
   closures, graduates, retirements and movers between region nodes (10). Holm's step-down
   correction at family-wise significance 0.01: the models dock if the smallest
   Holm-adjusted p-value is >= 0.01. In addition the mean final two-core share must agree
   within 0.01 (absolute) and within 4 standard errors of the difference of means.
3. The statistic can fail: against a reference with talent kappa doubled (1.5 -> 3.0), or with
   firms that ignore losses when closing (the loss hazard dropped), both in the churn
   configuration, the smallest Holm-adjusted p-value must be below 1e-6.

Measured values: docs/PERFORMANCE.md (Docking). Run with ``-s`` to print the statistics.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from mesa.discrete_space import CellAgent
from scipy import stats

from agents import firm as firm_rules
from agents import talent as talent_rules
from benchmarks.reference import (
    OldReferenceModel,
    ReferenceFirm,
    ReferenceModel,
    ReferenceTalent,
    inverse_cdf,
    logit_draw,
    poisson,
    probability,
)
from model.kernels import draw_rows
from model.model import RegionModel
from model.state import SECTORS

ALPHA = 0.01              # family-wise significance (Holm)
DETECT = 1e-6             # an altered rule must give a Holm-adjusted p below this
SHARE_TOLERANCE = 0.01    # absolute tolerance on the mean final two-core share
SHARE_SE_LIMIT = 4.0      # and at most this many standard errors of the difference
SMALL = {"scale__firm_agents": 600, "scale__talent_agents": 900, "steps": 12}
CHURN = {"firms__revision_rate": 0.4, "talent__revision_rate": 0.8}
CONFIGS = {
    "churn": {**SMALL, **CHURN},
    "uniform": {**SMALL, "init__distribution": "uniform",
                "mechanisms__policy__coordination": True},
    "closed": {**SMALL, **CHURN, "outside__enabled": False, "growth__enabled": False},
}
SEEDS = {"churn": 40, "uniform": 30, "closed": 30}   # runs per model and configuration
ALTERED_SEEDS = 25
STILL = {"firms__revision_rate": 0.0, "talent__revision_rate": 0.0,
         "growth__birth_rate": 0.0, "growth__exit_rate": 0.0, "growth__loss_exit_rate": 0.0,
         "growth__graduation_rate": 0.0, "growth__retirement_rate": 0.0}
MOVERS = ("firm_movers", "talent_movers")
OPEN_REGION = ("firms_arrived", "firms_left", "firms_born", "firms_closed", "talent_arrived",
               "talent_left", "graduates", "retired")


def production_seeds(config: str) -> range:
    return range(1, 1 + SEEDS[config])


def reference_seeds(count: int) -> range:
    return range(1001, 1001 + count)


def summarise(model_class: type, seeds: range, region: Any,
              overrides: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per-seed outcomes (rows: seeds): final counts by node and by sector, inflows by node and
    open-region totals summed over the run, final two-core share."""
    rows: dict[str, list] = {k: [] for k in ("firms", "talent", "firms_in", "talent_in",
                                             "firm_sectors", "talent_sectors", "totals",
                                             "two_core")}
    for seed in seeds:
        model = model_class(rng=seed, region=region, **overrides).run()
        last, steps = model.history[-1], model.history[1:]
        rows["firms"].append(last["firms"])
        rows["talent"].append(last["talent"])
        rows["firms_in"].append(sum(h["firm_inflow"] for h in steps))
        rows["talent_in"].append(sum(h["talent_inflow"] for h in steps))
        rows["firm_sectors"].append([last[f"firms_{s}"].sum() for s in SECTORS])
        rows["talent_sectors"].append([last[f"talent_{s}"].sum() for s in SECTORS])
        table = model.datacollector.get_model_vars_dataframe().iloc[1:]
        rows["totals"].append([table[k].sum() for k in MOVERS + OPEN_REGION])
        rows["two_core"].append(model.region_metrics["two_core_share"])
    return {k: np.asarray(v, dtype=float) for k, v in rows.items()}


def welch_pvalues(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Welch t-test p-value per column (seeds in rows); 1 where both samples are constant."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    out = np.ones(a.shape[1])
    for j in range(a.shape[1]):
        if np.ptp(np.concatenate([a[:, j], b[:, j]])) > 0:
            out[j] = stats.ttest_ind(a[:, j], b[:, j], equal_var=False).pvalue
    return np.nan_to_num(out, nan=1.0)


def holm_min(pvalues: np.ndarray) -> float:
    """Smallest Holm-adjusted p-value of a family: min(1, m x smallest p). (Whether Holm rejects
    any hypothesis depends only on this first step, where it coincides with Bonferroni.)"""
    return float(min(1.0, len(pvalues) * np.min(pvalues)))


FAMILY = ("firms", "talent", "firms_in", "talent_in", "firm_sectors", "talent_sectors",
          "totals")


def docking_statistic(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, Any]:
    """The module's statistic: Holm-adjusted minimum p over the family, where the smallest raw
    p-value was found, two-core shares and mean totals."""
    pvalues = {k: welch_pvalues(a[k], b[k]) for k in FAMILY}
    family = np.concatenate(list(pvalues.values()))
    worst = min(pvalues, key=lambda k: pvalues[k].min())
    se = np.sqrt(a["two_core"].var(ddof=1) / len(a["two_core"])
                 + b["two_core"].var(ddof=1) / len(b["two_core"]))
    names = MOVERS + OPEN_REGION
    return {"holm_min_p": holm_min(family), "raw_min_p": float(family.min()),
            "smallest_in": f"{worst}[{int(np.argmin(pvalues[worst]))}]", "tests": len(family),
            "share_a": float(a["two_core"].mean()), "share_b": float(b["two_core"].mean()),
            "share_se": float(se),
            "totals_a": dict(zip(names, np.round(a["totals"].mean(axis=0), 1).tolist(),
                                 strict=True)),
            "totals_b": dict(zip(names, np.round(b["totals"].mean(axis=0), 1).tolist(),
                                 strict=True))}


def docks(result: dict[str, Any]) -> bool:
    gap = abs(result["share_a"] - result["share_b"])
    return (result["holm_min_p"] >= ALPHA and gap <= SHARE_TOLERANCE
            and gap <= SHARE_SE_LIMIT * result["share_se"])


@pytest.fixture(scope="module")
def production_samples(region) -> dict[str, dict[str, np.ndarray]]:
    return {name: summarise(RegionModel, production_seeds(name), region, cfg)
            for name, cfg in CONFIGS.items()}


def assert_records_equal(production: Any, reference: Any, steps: int) -> None:
    assert len(production.history) == len(reference.history) == steps + 1
    for step, (p, r) in enumerate(zip(production.history, reference.history, strict=True)):
        assert p.keys() == r.keys()
        for column in p:
            np.testing.assert_allclose(r[column], p[column], rtol=1e-9, atol=1e-12,
                                       err_msg=f"{column} at step {step}")


# ---------------------------------------------------------------- 1. deterministic parts
START_CASES = {
    "baseline": {},
    "coordination": {"mechanisms__policy__coordination": True},
    "no-policy": {"mechanisms__policy__enabled": False},
    "mechanisms-off": {"mechanisms__market__enabled": False,
                       "mechanisms__foundation__enabled": False,
                       "mechanisms__innovation__enabled": False},
    "uniform": {"init__distribution": "uniform", "mechanisms__market__alpha": 0.1},
    "closed": {"outside__enabled": False},
    "no-growth": {"growth__enabled": False},
    "premiums-as-given": {"outside__equilibrium_start": False},
    "balanced": {"init__balanced_start": True},
}


@pytest.mark.parametrize("extra", list(START_CASES.values()), ids=list(START_CASES))
def test_start_matches(region, extra: dict[str, Any]) -> None:
    """Same initial agents, node fields, outside and equilibrium factors."""
    production = RegionModel(rng=3, region=region, agent_views=False, **SMALL, **extra)
    reference = ReferenceModel(rng=3, region=region, **SMALL, **extra)
    assert_records_equal(production, reference, 0)
    for name in ("outside_wage_factor", "outside_profit_factor"):
        np.testing.assert_allclose(getattr(reference.economy, name),
                                   getattr(production.economy, name), rtol=1e-9)
    for p, r in zip(production.pools, reference.pools, strict=True):
        np.testing.assert_array_equal(p, r)
    for name in ("talent", "firms"):  # residual preferences (zero unless balanced)
        np.testing.assert_allclose(getattr(reference.residuals, name),
                                   getattr(production.residuals, name), rtol=1e-9, atol=1e-12)
    assert production.residuals.talent.any() == (production.spec.init.balanced_start and
                                                 production.spec.init.distribution == "data")
    if extra.get("outside__equilibrium_start") is False or "outside__enabled" in extra:
        assert np.all(production.economy.outside_wage_factor == 1.0)
    else:  # the calibration did something: it is compared, not skipped
        assert not np.allclose(production.economy.outside_wage_factor, 1.0)


def test_identical_random_locations_give_identical_fields(region) -> None:
    rng = np.random.default_rng(11)
    firm_nodes = rng.integers(0, region.n, SMALL["scale__firm_agents"])
    talent_nodes = rng.integers(0, region.n, SMALL["scale__talent_agents"])
    production = RegionModel(rng=5, region=region, agent_views=False, **SMALL)
    reference = ReferenceModel(rng=5, region=region, **SMALL)
    before = production.history[0]["output"].copy()
    production.set_locations(firm_nodes, talent_nodes)
    reference.set_locations(firm_nodes, talent_nodes)
    assert not np.allclose(production.history[0]["output"], before)
    assert_records_equal(production, reference, 0)
    np.testing.assert_allclose(reference.economy.outside_profit_factor,
                               production.economy.outside_profit_factor, rtol=1e-9)


@pytest.mark.parametrize("extra", [
    {},
    {"mechanisms__policy__coordination": True},
    {"mechanisms__policy__enabled": False},
    {"mechanisms__market__enabled": False, "mechanisms__foundation__enabled": False,
     "mechanisms__innovation__enabled": False},
    {"init__distribution": "uniform", "mechanisms__market__alpha": 0.1},
], ids=["baseline", "coordination", "no-policy", "mechanisms-off", "uniform"])
def test_fields_and_budgets_match_without_moves(region, extra: dict[str, Any]) -> None:
    """Nobody moves, enters or leaves: 6 steps of governments, budgets, national growth and
    node fields are the same."""
    over = {**SMALL, **STILL, "steps": 6, **extra}
    production = RegionModel(rng=3, region=region, agent_views=False, **over).run()
    reference = ReferenceModel(rng=3, region=region, **over).run()
    assert_records_equal(production, reference, 6)
    np.testing.assert_allclose(reference.policy.budgets.city, production.policy.budgets.city,
                               rtol=1e-9, atol=1e-12)
    output = production.history[-1]["output"].sum() / production.history[0]["output"].sum()
    assert output > 1.0  # national growth acted on both
    if not extra:
        assert production.history[-1]["subsidy"].max() > 0  # governments acted on both


def test_same_uniforms_give_the_same_choices(region) -> None:
    """The reference agents' own draws equal the compiled kernels' for the same uniforms."""
    sizes = {"scale__firm_agents": 3000, "scale__talent_agents": 4000}
    production = RegionModel(rng=7, region=region, agent_views=False, **sizes)
    reference = ReferenceModel(rng=7, region=region, **sizes)
    production._govern()
    reference.govern()
    terms = firm_rules.node_terms(production)
    reference.prepare_decisions()
    for name in ("per_q", "common", "compute", "pair"):
        np.testing.assert_allclose(getattr(reference.terms, name), getattr(terms, name),
                                   rtol=1e-9, atol=1e-12)
    n = region.n
    firms = production.firms
    everyone = np.arange(len(firms))
    u = np.random.default_rng(1).random(len(firms))  # what relocation_choices draws
    fast = firm_rules.relocation_choices(firms, everyone, terms, np.random.default_rng(1))
    agents = list(reference.agents_of(ReferenceFirm))
    assert [(a.sector, a.cell.coordinate) for a in agents] == list(
        zip(firms.sector.tolist(), firms.node.tolist(), strict=True))
    mine = np.array([a.choose(x) for a, x in zip(agents, u, strict=True)])
    assert np.mean(mine == fast) > 0.999     # rounding at a cumulative boundary aside
    assert (fast != firms.node).sum() > 50    # many draws are moves (incl. the outside)
    assert (fast == n).any()
    talent = production.talent
    transition = talent_rules.transition_matrix(talent_rules.utility_matrix(production))
    u = np.random.default_rng(2).random(len(talent))
    fast = draw_rows(np.cumsum(transition, axis=2), talent.sector, talent.node, u)
    agents = list(reference.agents_of(ReferenceTalent))
    mine = np.array([a.choose(x) for a, x in zip(agents, u, strict=True)])
    np.testing.assert_array_equal(mine, fast)
    assert (fast != talent.node).sum() > 50


def test_reference_books_and_agents(region) -> None:
    """Per-agent births, closures, arrivals and departures: agents are CellAgents in the cells
    of a Network, their number equals the recorded counts, and every node's books balance:
    count(t) = count(t-1) + born + arrived + moved in - moved out - left - closed."""
    model = ReferenceModel(rng=1, region=region, **{**CONFIGS["churn"], "steps": 4}).run()
    cells = list(model.space.all_cells)
    assert sorted(c.coordinate for c in cells) == list(range(region.n))
    firms = list(model.agents_of(ReferenceFirm))
    talent = list(model.agents_of(ReferenceTalent))
    assert all(isinstance(a, CellAgent) for a in firms + talent)
    assert sum(len(c.agents) for c in cells) == len(firms) + len(talent)
    last = model.history[-1]
    assert last["firms"].sum() == len(firms) and last["talent"].sum() == len(talent)
    for before, after in zip(model.history, model.history[1:], strict=False):
        for kind, born, died, arrived, left, inflow, outflow in (
                ("firms", "firms_born", "firms_closed", "firms_arrived", "firms_left",
                 "firm_inflow", "firm_outflow"),
                ("talent", "graduates", "retired", "talent_arrived", "talent_left",
                 "talent_inflow", "talent_outflow")):
            # inflow counts arrivals from the outside, outflow departures to it
            expected = (before[kind] + after[born] + after[inflow] - after[outflow]
                        - after[died])
            np.testing.assert_array_equal(after[kind], expected, err_msg=kind)
            assert (after[inflow] >= after[arrived]).all()
            assert (after[outflow] >= after[left]).all()
    table = model.datacollector.get_model_vars_dataframe()
    for column in OPEN_REGION:
        assert table[column].sum() > 0, column   # every kind of event happened


@pytest.mark.parametrize("config", ["churn", "closed"])
def test_old_reference_gives_the_same_histories(region, config: str) -> None:
    """The reference with per-step caches (the one docked and benchmarked) and the first
    reference without them (kept for the benchmark's table) are the same model: the same
    records and region metrics, bit for bit, for a seed."""
    fair = ReferenceModel(rng=2, region=region, **CONFIGS[config]).run()
    old = OldReferenceModel(rng=2, region=region, **CONFIGS[config]).run()
    assert len(fair.history) == len(old.history) == CONFIGS[config]["steps"] + 1
    for a, b in zip(fair.history, old.history, strict=True):
        for column in a:
            np.testing.assert_array_equal(a[column], b[column], err_msg=column)
    assert fair.datacollector.get_model_vars_dataframe().equals(
        old.datacollector.get_model_vars_dataframe())


def test_reference_helpers() -> None:
    assert inverse_cdf([1.0, 1.0, 3.0], 0.2) == 0
    assert inverse_cdf([1.0, 1.0, 3.0], 0.5) == 2      # a zero weight is never drawn
    assert logit_draw(np.array([0.0, np.log(3.0)]), 0.2) == 0
    assert logit_draw(np.array([0.0, np.log(3.0)]), 0.3) == 1
    assert logit_draw(np.array([0.0, -np.inf]), 0.999) == 0
    rand = random.Random(5)
    draws = np.array([poisson(rand, 0.7) for _ in range(40_000)])
    assert abs(draws.mean() - 0.7) < 0.02 and abs(draws.var() - 0.7) < 0.03
    assert probability(0.2, 0.25) == pytest.approx(1 - np.exp(-0.05))


# ---------------------------------------------------------------- 2. distributions
@pytest.mark.parametrize("config", list(CONFIGS))
def test_production_docks_with_reference(region, production_samples, config: str) -> None:
    reference = summarise(ReferenceModel, reference_seeds(SEEDS[config]), region,
                          CONFIGS[config])
    result = docking_statistic(production_samples[config], reference)
    print(f"\n{config}: {result}")
    assert result["tests"] == 4 * region.n + 2 * len(SECTORS) + len(MOVERS + OPEN_REGION)
    assert docks(result), result


# ---------------------------------------------------------------- 3. the statistic can fail
class LossBlindFirm(ReferenceFirm):
    """An altered rule: the firm closes with the exogenous hazard only, whatever its profit."""

    def survive(self) -> None:
        m = self.model
        if m.random.random() < probability(m.spec.growth.exit_rate, m.dt):
            m.remove_agent(self, m.firm_pop)


class LossBlindModel(ReferenceModel):
    firm_class = LossBlindFirm


@pytest.mark.parametrize(("model_class", "change"), [
    (ReferenceModel, {"talent__kappa": 3.0}),
    (LossBlindModel, {}),
], ids=["talent-kappa-doubled", "closures-ignore-losses"])
def test_statistic_detects_an_altered_rule(region, production_samples, model_class: type,
                                           change: dict[str, Any]) -> None:
    different = summarise(model_class, reference_seeds(ALTERED_SEEDS), region,
                          {**CONFIGS["churn"], **change})
    result = docking_statistic(production_samples["churn"], different)
    print(f"\n{model_class.__name__} {change}: {result}")
    assert result["holm_min_p"] < DETECT, result
    assert not docks(result)
