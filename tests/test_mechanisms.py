"""Every mechanism against an independent statement of its rule.

Each test recomputes a rule from the model's raw state with formulas written here (not with the
model's own functions), so flipping a sign, halving an elasticity or dropping a term in the model
makes it fail. docs/ODD.md §9 names the test of each mechanism.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.model import RegionModel
from model.sectors import SECTORS

# the rules' own equations: the balanced start's residuals are tested in test_balanced_start.py
SMALL = {"scale__firm_agents": 3000, "scale__talent_agents": 4500, "agent_views": False,
         "init__balanced_start": False}


@pytest.fixture(scope="module")
def model() -> RegionModel:
    """A baseline model after four quarters (subsidies, moves, entry and exits have happened)."""
    return RegionModel(rng=4, steps=8, **SMALL).run(4)


def _growth(model: RegionModel, years: float) -> np.ndarray:
    traits = model.region.sectors
    return np.exp(model.spec.growth.national_growth * traits.national_growth * years)


def test_production_wages_and_profits(model):
    """Y = TFP Q^(1-b) L^b with the sector's labour share; w = b Y / L; profit = (1-b) Y / Q,
    in units fixed at the start (mean output per unit of productivity and mean wage = 1)."""
    f, traits = model.fields, model.region.sectors
    b = traits.labour_share[:, None]
    raw = f.tfp * f.capital ** (1 - b) * f.labour ** b
    y_unit, w_unit = model.economy.units
    np.testing.assert_allclose(f.output, raw / y_unit, rtol=1e-12)
    np.testing.assert_allclose(f.wage, b * raw / f.labour / w_unit, rtol=1e-12)
    np.testing.assert_allclose(f.profit_rate, (1 - b) * raw / f.capital / y_unit, rtol=1e-12)
    start = model.history[0]
    wage0 = np.vstack([start[f"wage_{s}"] for s in SECTORS])
    labour0 = model.base_labour + model.talent_pop.sums[:, :-1] * 0  # shape only
    assert labour0.shape == wage0.shape


def test_tfp_agglomeration_spillovers_endowments_and_growth(model):
    """TFP = A_{s,j} Z_s(t) (E_j / mean E)^alpha MA_j^gamma, A = I^e, Z = exp(g t),
    MA = normalised sum_k R_k 2^(-t_jk / t_half)."""
    spec, reg, f = model.spec, model.region, model.fields
    mk, inn, fd = spec.mechanisms.market, spec.mechanisms.innovation, spec.mechanisms.foundation
    e = f.employment
    univ = reg.universities / reg.universities.sum()
    sources = inn.university_weight * univ + (1 - inn.university_weight) * e / e.sum()
    access = (2.0 ** (-reg.travel_hours / inn.half_life_hours)) @ sources
    access /= access.mean()
    np.testing.assert_allclose(f.market_access, access, rtol=1e-12)
    expected = (reg.nodes.sector_index ** fd.endowment_elasticity
                * _growth(model, model.fields_years)[:, None]
                * (e / e.mean())[None, :] ** mk.alpha * access[None, :] ** inn.gamma)
    np.testing.assert_allclose(f.tfp, expected, rtol=1e-12)


def test_rents_cost_of_living_and_site_costs(model):
    """rent = (density / mean density)^eta; P = (pop / mean pop)^eps rent^h; site cost =
    land_s x rent + power_s x tariff / mean tariff (population-weighted)."""
    spec, reg, f = model.spec, model.region, model.fields
    mk = spec.mechanisms.market
    density = f.employment / reg.population
    rent = (density / (f.employment.sum() / reg.population.sum())) ** mk.rent_elasticity
    np.testing.assert_allclose(f.rent, rent, rtol=1e-12)
    living = (reg.population / reg.population.mean()) ** mk.urban_cost_elasticity \
        * rent ** mk.housing_share
    np.testing.assert_allclose(f.cost_of_living, living, rtol=1e-12)
    tariff = reg.nodes.electricity / np.average(reg.nodes.electricity, weights=reg.population)
    traits = reg.sectors
    site = (mk.land_cost * traits.land_cost[:, None] * rent[None, :]
            + mk.power_cost * traits.power_cost[:, None] * tariff[None, :])
    np.testing.assert_allclose(f.site_cost, site, rtol=1e-12)


def test_compute_cost_with_rack_relief(model):
    """k_j = c x tariff_j x (1 - relief x R_j / (R_j + rack_half)), R_j the racks within
    reach."""
    reg, fd = model.region, model.spec.mechanisms.foundation
    tariff = reg.nodes.electricity / np.average(reg.nodes.electricity, weights=reg.population)
    within = np.array([reg.nodes.racks[reg.travel_hours[j] <= fd.rack_reach_hours].sum()
                       for j in range(reg.n)])
    expected = fd.compute_cost * tariff * (1 - fd.rack_relief * within / (within + fd.rack_half))
    np.testing.assert_allclose(model.fields.compute_cost, expected, rtol=1e-12)
    assert within.max() > 0 and (within < within.max()).any()


def test_talent_utility(model):
    """U[s, i, j] = kappa ln(w_sj / P_j) + ln a_j + w ln size_j - C_ij / A_t, with
    C = F + b [provinces differ] + delta t_ij + h max(0, ln size_j), A_t = 1 / (r + retirement);
    the outside: premium-scaled wage, its cost of living and the many-sites term."""
    from agents.talent import utility_matrix

    spec, reg, f, out = model.spec, model.region, model.fields, model.outside
    tl, fd = spec.talent, spec.mechanisms.foundation
    n = reg.n
    pop = reg.population
    log_size = np.log(pop / pop.mean())
    tert = (reg.tertiary / pop) / (reg.tertiary.sum() / pop.sum())
    amenity = fd.amenity_elasticity * np.log(tert)
    annuity = 1.0 / (tl.discount_rate + spec.growth.retirement_rate)
    assert model.annuity_talent == pytest.approx(annuity)
    value = tl.kappa * np.log(f.wage / f.cost_of_living[None, :]) + amenity + \
        tl.size_weight * log_size
    border = reg.province[:, None] != reg.province[None, :]
    cost = (tl.fixed_cost + tl.border_cost * border + tl.travel_decay * reg.travel_hours
            + tl.settlement_cost * np.maximum(log_size, 0)[None, :])
    np.fill_diagonal(cost, 0.0)
    u = utility_matrix(model)
    np.testing.assert_allclose(u[:, :n, :n], value[:, None, :] - cost[None, :, :] / annuity,
                               rtol=1e-10, atol=1e-10)
    # leaving for the rest of China
    out_value = tl.kappa * np.log(out.wage / out.cost_of_living) + tl.size_weight * np.log(
        spec.outside.size * n)
    hours = model.network.outside_hours
    leave = (tl.fixed_cost + spec.outside.distance_cost + tl.border_cost
             + tl.travel_decay * hours + tl.settlement_cost * np.log(spec.outside.city_size))
    np.testing.assert_allclose(u[:, :n, n], out_value[:, None] - leave[None, :] / annuity,
                               rtol=1e-10)


def test_firm_utility_and_profit(model):
    """U_fj = beta [q (1 + b_j d) pi_sj / zbar + subsidies - site cost - d k_j - M_ij / A_f]
    + w ln size_j, with A_f = 1 / (r_f + exit hazard)."""
    from agents.firm import node_terms

    spec, reg, f = model.spec, model.region, model.fields
    fm, fd = spec.firms, spec.mechanisms.foundation
    n = reg.n
    terms = node_terms(model)
    annuity = 1.0 / (fm.discount_rate + spec.growth.exit_rate)
    assert model.annuity_firms == pytest.approx(annuity)
    level = model.economy.level(model.fields_years)
    firms = model.firms
    pick = np.flatnonzero(firms.node < n)[:50]
    q, d, s, i = (firms.productivity[pick], firms.data_intensity[pick], firms.sector[pick],
                  firms.node[pick])
    subsidy = model.policy.per_firm()
    border = reg.province[:, None] != reg.province[None, :]
    move = fd.relocation_cost + fm.border_cost * border + fm.travel_decay * reg.travel_hours
    np.fill_diagonal(move, 0.0)
    site = fm.site_weight * np.log(reg.population / reg.population.mean())
    money = (q[:, None] * f.profit_rate[s] / level - f.site_cost[s] + subsidy[None, :]
             - d[:, None] * f.compute_cost[None, :])
    expected = fm.profit_scale * (money - move[i] / annuity) + site[None, :]
    np.testing.assert_allclose(terms.utilities(q, d, s, i)[:, :n], expected, rtol=1e-10,
                               atol=1e-10)
    np.testing.assert_allclose(terms.profit(q, d, s, i), money[np.arange(len(pick)), i],
                               rtol=1e-10)


def test_government_revenue_and_budgets():
    """Revenue per year = tax x output (a share to the province), a share of it for subsidies;
    cities pay (general + targeted subsidy) x firms x zbar (at the decision); balances move by
    (revenue - spending) x dt."""
    model = RegionModel(rng=1, steps=4, **SMALL)
    model.step()
    pol, f, reg = model.spec.mechanisms.policy, model.history[0], model.region
    revenue = pol.tax_rate * pol.subsidy_budget_share * f["output"]
    np.testing.assert_allclose(model.policy.revenue[0], (1 - pol.province_share) * revenue)
    np.testing.assert_allclose(model.policy.revenue[1], np.bincount(
        reg.province, weights=pol.province_share * revenue))
    last = model.history[-1]
    counts = np.vstack([last[f"firms_{s}"] for s in SECTORS])
    paid = model.economy.level(0.0) * (model.policy.subsidies.city * counts.sum(axis=0)
                                       + (model.policy.targeted * counts).sum(axis=0))
    np.testing.assert_allclose(model.policy.city_spending, paid, rtol=1e-12)
    assert paid.sum() > 0
    np.testing.assert_allclose(model.policy.budgets.city,
                               ((1 - pol.province_share) * revenue - paid) * model.dt,
                               rtol=1e-9, atol=1e-12)


def test_entry_potential_and_threshold(monkeypatch):
    """Potential entrants per year = birth_rate x (incumbents + university seeds); a potential
    entrant enters iff its profit x A_f exceeds the entry cost (checked on every entrant of a
    step, with the terms the step used)."""
    from agents import firm as firm_rules

    counts = np.array([[10.0, 0.0, 5.0], [0.0, 4.0, 0.0]])
    univ = np.array([2.0, 0.0, 6.0])
    expected = 0.12 * 0.25 * (counts + 0.1 * np.array([[15.0], [4.0]]) * univ / 8.0)
    np.testing.assert_allclose(firm_rules.potential_entrants(counts, univ, 0.12, 0.1, 0.25),
                               expected)
    captured = []
    real = firm_rules.node_terms

    def keep(model, subsidies=True):
        terms = real(model, subsidies)
        captured.append(terms)
        return terms

    monkeypatch.setattr(firm_rules, "node_terms", keep)
    model = RegionModel(rng=3, steps=4, outside__enabled=False, **SMALL)
    before = int(model.firms.uid.max())
    captured.clear()
    model.step()
    terms = captured[-1]
    firms = model.firms
    new = np.flatnonzero(firms.uid > before)
    assert len(new) == model.firm_pop.ledger.born.sum() - 0 > 0 or len(new) > 0
    profit = terms.profit(firms.productivity[new], firms.data_intensity[new],
                          firms.sector[new], firms.node[new])
    # entrants that also closed in the same step are gone; every survivor passed the threshold
    assert (profit / (model.spec.firms.discount_rate + model.spec.growth.exit_rate)
            > model.spec.growth.entry_cost).all()


def test_exit_and_retirement_hazards():
    """Closure probability per step 1 - exp(-(exit_rate + loss_rate [profit < 0]) dt);
    retirement 1 - exp(-retirement_rate dt); checked with losses switched off."""
    model = RegionModel(rng=6, steps=40, outside__enabled=False, growth__loss_exit_rate=0.0,
                        growth__birth_rate=0.0, growth__graduation_rate=0.0, **SMALL)
    closed, retired, firms, talent = 0, 0, 0, 0
    for _ in range(40):
        firms += len(model.firms)
        talent += len(model.talent)
        model.step()
        closed += model.firm_pop.ledger.died.sum()
        retired += model.talent_pop.ledger.died.sum()
    gr = model.spec.growth
    assert closed / firms == pytest.approx(1 - np.exp(-gr.exit_rate * model.dt), rel=0.05)
    assert retired / talent == pytest.approx(1 - np.exp(-gr.retirement_rate * model.dt),
                                             rel=0.05)


def test_the_start_is_balanced_with_the_rest_of_china():
    """The outside's factors make expected arrivals equal expected departures at the start;
    without the scaling the same flows are far from balanced."""
    from model.equilibrium import firm_net, talent_net

    model = RegionModel(rng=1, steps=4, **SMALL)
    wage, profit = model.economy.outside_wage_factor, model.economy.outside_profit_factor
    for net, factor, pool in ((talent_net, wage, model.pools[1]),
                              (firm_net, profit, model.pools[0])):
        residual = net(model, np.log(factor))
        assert np.abs(residual).max() < 1e-6 * pool.max()
        assert np.abs(net(model, np.zeros_like(factor))).max() > 1e-3 * pool.max()
    model.economy.outside_wage_factor, model.economy.outside_profit_factor = wage, profit


def test_arrivals_follow_the_outside_pool_and_its_choice_probabilities():
    """E[arrivals of sector s at j per step] = pool_s x (1 - exp(-r dt)) x P_s(out -> j)."""
    from agents import talent as talent_rules

    model = RegionModel(rng=2, steps=60, growth__enabled=False, **SMALL)
    n = model.region.n
    expected, observed = 0.0, 0
    for _ in range(60):
        p = talent_rules.transition_matrix(talent_rules.utility_matrix(model))
        expected += (model.pools[1] * (1 - np.exp(-model.spec.talent.revision_rate * model.dt))
                     * p[:, n, :n].sum(axis=1)).sum()
        model.step()
        observed += model.talent_pop.ledger.flows[n, :n].sum()
    assert observed == pytest.approx(expected, rel=0.05)
