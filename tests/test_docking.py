"""Docking: the production model against the plain per-agent Mesa reference of the same rules.

``benchmarks/reference.py`` implements the rules of docs/ODD.md one agent at a time (Mesa
``CellAgent``s in a ``Network``, per-agent ``step``, Python loops over nodes). It starts from the
same initial state as ``RegionModel`` for a seed, but draws who reconsiders and where agents go
from its own random stream, so single runs diverge; the models are compared by their
distributions over seeds (Axtell, Axelrod, Epstein & Cohen 1996, "docking" by distributional
equivalence).

1. Deterministic parts, exact to rounding (relative 1e-9): the step-0 node record, and, with
   nobody reconsidering (revision rates 0), the node records of 6 steps (node fields, subsidies
   of the competing or coordinating governments, mechanisms on/off, uniform start); the talent
   logit probabilities of reference agents equal the rows of ``RegionModel.talent_transition``.
2. Distributions (the stochastic rules): 600 firm + 900 talent agents, 12 quarters, production
   seeds 1..40 against reference seeds 1001..1040 (disjoint, so the samples are independent), in
   two configurations: "churn" (data start, revision rates raised to 0.1 firms / 0.2 talent,
   about 440 firm and 860 talent moves per run) and "uniform" (uniform start, baseline rates).
   The statistic is a family of 138 Welch two-sample t-tests across seeds: per node, final talent
   count, final firm count, talent inflows and firm inflows summed over the run (4 x 34), plus
   total talent movers and total firm movers. Holm's step-down correction at family-wise
   significance 0.01: the models dock if the smallest Holm-adjusted p-value is >= 0.01. In
   addition the mean final two-core share must agree within 0.01 (absolute) and within 4
   standard errors of the difference of means.
3. The statistic can fail: the same comparison against a reference with talent kappa doubled
   (1.5 -> 3.0), or with the firms' province-border cost removed (0.5 -> 0), both in the churn
   configuration, must give a Holm-adjusted p-value below 0.01.

Measured (docs/PERFORMANCE.md): churn: smallest Holm-adjusted p = 1.0 (smallest raw p 0.011),
mean two-core share 0.6366 (production) vs 0.6386 (reference), SE of the difference 0.0040,
talent / firm movers per run 860 / 438 vs 854 / 438; uniform: adjusted p = 0.63, share 0.2835
vs 0.2823 (SE 0.0028), movers 357 / 118 vs 354 / 115; kappa doubled: adjusted p = 3.8e-9;
firm border cost 0: adjusted p = 2.0e-4. The module runs in about 25 s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from benchmarks.reference import ReferenceFirm, ReferenceModel, ReferenceTalent, logit_draw
from model.model import NODE_COLUMNS, RegionModel

ALPHA = 0.01              # family-wise significance (Holm)
SHARE_TOLERANCE = 0.01    # absolute tolerance on the mean final two-core share
SHARE_SE_LIMIT = 4.0      # and at most this many standard errors of the difference
SMALL = {"scale__firm_agents": 600, "scale__talent_agents": 900, "steps": 12}
CONFIGS = {
    "churn": {**SMALL, "firms__revision_rate": 0.1, "talent__revision_rate": 0.2},
    "uniform": {**SMALL, "init__distribution": "uniform"},
}
PRODUCTION_SEEDS = range(1, 41)
REFERENCE_SEEDS = range(1001, 1041)
STATIC = {"firms__revision_rate": 0.0, "talent__revision_rate": 0.0, "steps": 6,
          "scale__firm_agents": 600, "scale__talent_agents": 900}


def summarise(model_class: type, seeds: range, region: Any,
              overrides: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per-seed outcomes: final counts, summed inflows and movers, final two-core share."""
    rows: dict[str, list] = {k: [] for k in ("talent", "firms", "talent_in", "firms_in",
                                             "talent_movers", "firm_movers", "two_core")}
    for seed in seeds:
        model = model_class(rng=seed, region=region, **overrides).run()
        last = model.history[-1]
        rows["talent"].append(last["talent_soft"] + last["talent_hard"])
        rows["firms"].append(last["firms_soft"] + last["firms_hard"])
        rows["talent_in"].append(sum(h["talent_inflow"] for h in model.history))
        rows["firms_in"].append(sum(h["firm_inflow"] for h in model.history))
        rows["talent_movers"].append(rows["talent_in"][-1].sum())
        rows["firm_movers"].append(rows["firms_in"][-1].sum())
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
    """Smallest Holm-adjusted p-value of a family: min(1, m * smallest p). (Whether Holm rejects
    any hypothesis depends only on this first step, where it coincides with Bonferroni.)"""
    return float(min(1.0, len(pvalues) * np.min(pvalues)))


def docking_statistic(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """The module's statistic: Holm-adjusted minimum p, number of tests, two-core shares."""
    family = np.concatenate([welch_pvalues(a[k], b[k]) for k in
                             ("talent", "firms", "talent_in", "firms_in", "talent_movers",
                              "firm_movers")])
    se = np.sqrt(a["two_core"].var(ddof=1) / len(a["two_core"])
                 + b["two_core"].var(ddof=1) / len(b["two_core"]))
    return {"holm_min_p": holm_min(family), "raw_min_p": float(family.min()),
            "tests": len(family), "share_a": float(a["two_core"].mean()),
            "share_b": float(b["two_core"].mean()), "share_se": float(se),
            "movers_a": (float(a["talent_movers"].mean()), float(a["firm_movers"].mean())),
            "movers_b": (float(b["talent_movers"].mean()), float(b["firm_movers"].mean()))}


def docks(result: dict[str, float]) -> bool:
    gap = abs(result["share_a"] - result["share_b"])
    return (result["holm_min_p"] >= ALPHA and gap <= SHARE_TOLERANCE
            and gap <= SHARE_SE_LIMIT * result["share_se"])


@pytest.fixture(scope="module")
def production_samples(region) -> dict[str, dict[str, np.ndarray]]:
    return {name: summarise(RegionModel, PRODUCTION_SEEDS, region, cfg)
            for name, cfg in CONFIGS.items()}


# ---------------------------------------------------------------- 1. deterministic parts
@pytest.mark.parametrize("extra", [
    {},
    {"mechanisms__policy__coordination": True},
    {"mechanisms__policy__enabled": False},
    {"mechanisms__market__enabled": False, "mechanisms__foundation__enabled": False,
     "mechanisms__innovation__enabled": False},
    {"init__distribution": "uniform", "mechanisms__market__alpha": 0.1},
], ids=["baseline", "coordination", "no-policy", "market-foundation-innovation-off", "uniform"])
def test_fields_and_subsidies_match_without_moves(region, extra: dict[str, Any]) -> None:
    production = RegionModel(rng=3, region=region, **STATIC, **extra).run()
    reference = ReferenceModel(rng=3, region=region, **STATIC, **extra).run()
    assert len(production.history) == len(reference.history) == 7
    for step, (p, r) in enumerate(zip(production.history, reference.history, strict=True)):
        for column in NODE_COLUMNS:
            np.testing.assert_allclose(r[column], p[column], rtol=1e-9, atol=1e-12,
                                       err_msg=f"{column} at step {step}")
    assert reference.region_metrics["two_core_share"] == pytest.approx(
        production.region_metrics["two_core_share"], rel=1e-9)


def test_talent_choice_probabilities_match(region) -> None:
    production = RegionModel(rng=4, region=region, agent_views=False, **STATIC)
    reference = ReferenceModel(rng=4, region=region, **STATIC)
    transition = production.talent_transition()
    agents = list(reference.agents_by_type[ReferenceTalent])[::50]
    for agent in agents:
        u = np.array(agent.utilities())
        p = np.exp(u - u.max())
        np.testing.assert_allclose(p / p.sum(), transition[agent.sector, agent.cell.coordinate],
                                   rtol=1e-9, atol=1e-14)


def test_reference_structure(region) -> None:
    """Firms and talent are Mesa CellAgents held by the cells of a Network over the nodes."""
    model = ReferenceModel(rng=1, region=region, **STATIC)
    cells = list(model.space.all_cells)
    assert sorted(c.coordinate for c in cells) == list(range(region.n))
    held = sum(len(c.agents) for c in cells)
    assert held == len(model.agents_by_type[ReferenceFirm]) + len(
        model.agents_by_type[ReferenceTalent]) == 1500
    assert logit_draw([0.0, np.log(3.0)], 0.2) == 0
    assert logit_draw([0.0, np.log(3.0)], 0.3) == 1


# ---------------------------------------------------------------- 2. distributions
@pytest.mark.parametrize("config", list(CONFIGS))
def test_production_docks_with_reference(region, production_samples, config: str) -> None:
    reference = summarise(ReferenceModel, REFERENCE_SEEDS, region, CONFIGS[config])
    result = docking_statistic(production_samples[config], reference)
    print(f"\n{config}: {result}")
    assert result["tests"] == 4 * region.n + 2
    assert docks(result), result


# ---------------------------------------------------------------- 3. the statistic can fail
@pytest.mark.parametrize("change", [{"talent__kappa": 3.0}, {"firms__border_cost": 0.0}],
                         ids=["talent-kappa-doubled", "no-firm-border-cost"])
def test_statistic_detects_a_different_rule(region, production_samples,
                                            change: dict[str, Any]) -> None:
    different = summarise(ReferenceModel, REFERENCE_SEEDS, region, {**CONFIGS["churn"], **change})
    result = docking_statistic(production_samples["churn"], different)
    print(f"\n{change}: {result}")
    assert result["holm_min_p"] < ALPHA, result
    assert not docks(result)
