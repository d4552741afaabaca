"""A plain per-agent Mesa version of the rules of ``model.model.RegionModel`` (docs/ODD.md §3, §7).

Every firm and talent agent is a ``mesa.discrete_space.CellAgent`` in a cell of a
``mesa.discrete_space.Network`` built from the region's open links (node ids 0..n-1). Each agent
decides in its own ``step``: it draws whether it reconsiders, loops over the nodes computing its
utility of each, and draws one node from its logit with the model's ``rng``. Node fields are
aggregated by looping over the agents of every cell and computed node by node with ``math``.
Nothing is vectorised: this model documents the rules and is the yardstick for the production
model's speed (``benchmarks/run.py``) and correctness (``tests/test_docking.py``).

Reused from the production code (data and set-up, not the rules of a step): the scenario loader
and schema (the same scenario files and ``section__key=value`` overrides), the region loader, the
initial state (``model/initial.py`` with the production's named ``init_*`` streams, so the same
seed gives the same initial agents), the static endowments (``foundation.endowments``) and the
region metrics (``model/metrics``). Every draw of a step (who reconsiders, which node) comes
from the model's own Mesa ``rng``, in agent order, so runs diverge from the production run of
the same seed after step 0; the two models are compared by their distributions over seeds.

Schedule of a step (as ``RegionModel.step``): governments set subsidies -> firms (each reconsiders
with probability ``firms.revision_rate``) -> talent (``talent.revision_rate``) -> node fields
recomputed -> record. Firms and talent decide on the node fields of the start of the step.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellAgent, Network

from model.initial import make_firms, make_talent, placement
from model.mechanisms import foundation
from model.metrics.collect import REGION_METRICS, region_metrics
from model.metrics.spatial import moran_weights
from model.model import resolve_scenario
from model.region import PROVINCES, Region
from model.streams import RandomStreams
from scenarios.schema import Scenario

SECTORS = (0, 1)  # soft, hard


def logit_draw(utilities: list[float], u: float) -> int:
    """Alternative drawn from P(j) = exp(U_j) / sum_k exp(U_k), by inverse CDF of uniform ``u``."""
    top = max(utilities)
    weights = [math.exp(v - top) for v in utilities]
    threshold = u * sum(weights)
    cumulative = 0.0
    for j, weight in enumerate(weights):
        cumulative += weight
        if cumulative > threshold:
            return j
    return len(weights) - 1


def clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


class ReferenceFirm(CellAgent):
    """A firm: U_fj = beta_f [q pi_{j,s} - o_j - d c_j + s_j + s_p(j)] + w_site ln size_j
    - (F_firm + b_f 1[prov_i != prov_j] + delta_f t_ij) 1[j != i]  (ODD §7.4.2)."""

    def __init__(self, model: ReferenceModel, cell: mesa.discrete_space.Cell, sector: int,
                 productivity: float, data_intensity: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.sector = sector
        self.productivity = productivity
        self.data_intensity = data_intensity

    def utilities(self) -> list[float]:
        """Utility of every node for this firm (the current node carries no moving cost)."""
        m = self.model
        firms = m.spec.firms
        i = self.cell.coordinate
        utilities = []
        for j in range(m.n):
            profit = (self.productivity * m.profit_rate[self.sector][j] - m.office_cost[j]
                      - self.data_intensity * m.compute_cost[j] + m.subsidy_at(j))
            utility = firms.profit_scale * profit + firms.site_weight * m.log_size[j]
            if j != i:
                utility -= (m.relocation_cost + firms.border_cost * m.crosses_border(i, j)
                            + firms.travel_decay * m.hours[i][j])
            utilities.append(utility)
        return utilities

    def step(self) -> None:
        """Reconsider with probability ``firms.revision_rate``; if so, draw a node."""
        m = self.model
        if m.rng.random() < m.spec.firms.revision_rate:
            m.move(self, logit_draw(self.utilities(), m.rng.random()), m.firm_flows)


class ReferenceTalent(CellAgent):
    """Talent: V_ij = kappa ln(w_{j,s} / P_j) + ln a_j + w_size ln size_j
    - (delta_t t_ij + b 1[prov_i != prov_j] + F + h max(0, ln size_j)) 1[j != i]  (ODD §7.4.3)."""

    def __init__(self, model: ReferenceModel, cell: mesa.discrete_space.Cell, sector: int,
                 skill: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.sector = sector
        self.skill = skill

    def utilities(self) -> list[float]:
        """Utility of every node for this agent (the current node carries no moving cost)."""
        m = self.model
        tl = m.spec.talent
        i = self.cell.coordinate
        utilities = []
        for j in range(m.n):
            utility = (tl.kappa * math.log(m.wage[self.sector][j] / m.cost_of_living[j])
                       + m.log_amenity[j] + tl.size_weight * m.log_size[j])
            if j != i:
                utility -= (tl.travel_decay * m.hours[i][j]
                            + tl.border_cost * m.crosses_border(i, j) + tl.fixed_cost
                            + tl.settlement_cost * max(0.0, m.log_size[j]))
            utilities.append(utility)
        return utilities

    def step(self) -> None:
        """Reconsider with probability ``talent.revision_rate``; if so, draw a node."""
        m = self.model
        if m.rng.random() < m.spec.talent.revision_rate:
            m.move(self, logit_draw(self.utilities(), m.rng.random()), m.talent_flows)


class Government(mesa.Agent):
    """A government's subsidy, budget, cap and target; ``adjust`` moves the subsidy a share
    ``adjustment`` of the way to the target (all governments adjust after all decided)."""

    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        self.subsidy = 0.0
        self.budget = 0.0
        self.cap = 0.0
        self.target = 0.0

    def adjust(self) -> None:
        pol = self.model.spec.mechanisms.policy
        if not pol.enabled:
            self.subsidy = 0.0
            return
        self.subsidy = min(self.subsidy + pol.adjustment * (self.target - self.subsidy), self.cap)


def best_response(value: float, share: float, scale: float, cap: float) -> float:
    """s* = v - 1 / (beta_f (1 - P)), clipped to [0, cap]."""
    return clip(value - 1.0 / (scale * max(1.0 - share, 1e-12)), 0.0, cap)


class ReferenceCityGovernment(Government):
    """City government of node ``node``: best response to the others' subsidies, capped by
    min(max_subsidy, budget / firms); the committee's target under coordination (ODD §7.4.1)."""

    def __init__(self, model: ReferenceModel, node: int) -> None:
        super().__init__(model)
        self.node = node

    def decide(self) -> None:
        m, j = self.model, self.node
        pol = m.spec.mechanisms.policy
        self.budget = pol.city_budget_share * m.gdp[j] / sum(m.gdp) * m.total_output
        self.cap = min(pol.max_subsidy, self.budget / max(m.firm_count[j], 1.0))
        if pol.coordination:
            self.target = m.committee_target[j]
        else:
            self.target = best_response(m.firm_value[j], m.mobile_shares[j],
                                        m.spec.firms.profit_scale, self.cap)


class ReferenceProvince(Government):
    """Provincial government: the same best response for a province-wide top-up, with P_p the
    sum of its nodes' shares and v_p their share-weighted value; target 0 under coordination."""

    def __init__(self, model: ReferenceModel, province: int) -> None:
        super().__init__(model)
        self.province = province

    def decide(self) -> None:
        m, p = self.model, self.province
        pol = m.spec.mechanisms.policy
        nodes = [j for j in range(m.n) if m.province[j] == p]
        gdp = sum(m.gdp[j] for j in nodes)
        self.budget = pol.province_budget_share * gdp / sum(m.gdp) * m.total_output
        firms = sum(m.firm_count[j] for j in nodes)
        self.cap = min(pol.max_subsidy, self.budget / max(firms, 1.0))
        if pol.coordination:
            self.target = 0.0
            return
        share = sum(m.mobile_shares[j] for j in nodes)
        value = sum(m.mobile_shares[j] * m.firm_value[j] for j in nodes) / max(share, 1e-12)
        self.target = best_response(value, share, m.spec.firms.profit_scale, self.cap)


class ReferenceModel(mesa.Model):
    """The rules of ``RegionModel``, one Python object per agent (see the module docstring).

    Args:
        scenario: a ``Scenario``, a scenario TOML path, or None (the baseline).
        rng: seed (int); None uses the scenario's ``seed``.
        region: a loaded ``Region`` to reuse (default: the scenario's data files).
        agent_views: accepted for drop-in use in place of ``RegionModel``; the reference's
            agents are always Mesa objects.
        **overrides: scenario keys as ``section__key=value``, as for ``RegionModel``.
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: int | None = None,
                 region: Region | None = None, agent_views: bool = True,
                 **overrides: Any) -> None:
        spec = resolve_scenario(scenario, overrides, region, rng)
        if spec.interventions:
            raise NotImplementedError("the reference implements the rules without interventions")
        super().__init__(rng=spec.seed)
        self.spec = spec
        reg = self.region = region if region is not None else Region.load(
            spec.data.cities or None, spec.data.links or None)
        n = self.n = reg.n
        mk, fd = spec.mechanisms.market, spec.mechanisms.foundation

        # Constants of the nodes, as plain lists.
        self.province = [int(p) for p in reg.province]
        self.population = reg.population.tolist()
        self.gdp = reg.gdp.tolist()
        self.universities = reg.universities.tolist()
        self.hours = reg.travel_hours.tolist()
        endow = foundation.endowments(reg, fd)
        self.endowment = endow.productivity.tolist()
        self.log_amenity = endow.log_amenity.tolist()
        self.log_size = endow.log_size.tolist()
        self.infrastructure = endow.infrastructure.tolist()
        self.relocation_cost = fd.relocation_cost if fd.enabled else 0.0
        half_life = spec.mechanisms.innovation.half_life_hours
        self.kernel = [[math.exp(-math.log(2.0) * self.hours[j][k] / half_life)
                        for k in range(n)] for j in range(n)]

        # Space: one cell per node, connected by the open links.
        graph = nx.relabel_nodes(reg.graph(), reg.index)
        layout = {j: (reg.lon[j], reg.lat[j]) for j in range(n)}
        self.space = Network(graph, random=self.random, layout=layout)

        # Agents: the initial state of RegionModel (model/initial.py, its named init streams).
        weights = endow.sector_weight
        streams = RandomStreams(spec.seed)
        firms = make_firms(placement(spec.scale.firm_agents, weights, spec.init.distribution),
                           spec.init, streams["init_firms"])
        for j, s, q, d in zip(firms.node, firms.sector, firms.productivity,
                              firms.data_intensity, strict=True):
            ReferenceFirm(self, self.space[int(j)], int(s), float(q), float(d))
        talent = make_talent(placement(spec.scale.talent_agents, weights, spec.init.distribution),
                             spec.init, streams["init_talent"])
        for j, s, skill in zip(talent.node, talent.sector, talent.skill, strict=True):
            ReferenceTalent(self, self.space[int(j)], int(s), float(skill))
        self.cities = [ReferenceCityGovernment(self, j) for j in range(n)]
        self.provinces = [ReferenceProvince(self, p) for p in range(len(PROVINCES))]

        # Immobile local base: base_share of the mobile totals, by sector mix x population share.
        total_weight = float(weights.sum())
        mix = [float(weights[s].sum()) / total_weight for s in SECTORS]
        pop_total = sum(self.population)
        base = spec.init.base_share
        self.base_capital = [[base * max(spec.scale.firm_agents, 1) * mix[s]
                              * self.population[j] / pop_total for j in range(n)] for s in SECTORS]
        self.base_labour = [[base * max(spec.scale.talent_agents, 1) * mix[s]
                             * self.population[j] / pop_total for j in range(n)] for s in SECTORS]

        # Model units: fixed at step 0 (ODD §2); prices frozen when the market is off.
        self.units = (1.0, 1.0)
        self.frozen: tuple[list, list] | None = None
        self.compute_fields()
        total_labour = sum(sum(row) for row in self.labour)
        self.units = (sum(map(sum, self.output)) / sum(map(sum, self.capital)),
                      sum(self.wage[s][j] * self.labour[s][j] for s in SECTORS for j in range(n))
                      / total_labour)
        self.compute_fields()
        if not mk.enabled:
            self.frozen = ([row[:] for row in self.wage], [row[:] for row in self.profit_rate])

        # Observation: the production metrics on the same record.
        self.pop_shares = reg.population / reg.population.sum()
        self.cores = reg.node_indices(spec.metrics.cores)
        self.moran_w = moran_weights(reg.travel_hours, spec.metrics.moran_tau_hours)
        self.axis_mask = reg.axis_mask()
        self.border = (reg.province[:, None] != reg.province[None, :]).astype(float)
        self.firm_flows = np.zeros((n, n), dtype=np.int64)
        self.talent_flows = np.zeros((n, n), dtype=np.int64)
        self.history: list[dict[str, np.ndarray]] = []
        self.region_metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self.record()
        self.running = spec.steps > 0

    # ------------------------------------------------------------------ helpers for the agents
    def crosses_border(self, i: int, j: int) -> float:
        """1 if nodes i and j are in different provinces."""
        return 1.0 if self.province[i] != self.province[j] else 0.0

    def subsidy_at(self, j: int) -> float:
        """Per-firm subsidy at node j: city subsidy plus the provincial top-up."""
        return self.cities[j].subsidy + self.provinces[self.province[j]].subsidy

    def move(self, agent: CellAgent, j: int, flows: np.ndarray) -> None:
        """Count the decision i -> j (i = j: stayed) and move the agent to cell j."""
        i = agent.cell.coordinate
        flows[i, j] += 1
        if j != i:
            agent.cell = self.space[j]

    # ------------------------------------------------------------------ node fields
    def compute_fields(self) -> None:
        """Node fields from the agents in each cell (ODD §7.1-7.3), node by node."""
        spec, n = self.spec, self.n
        mk, inn, fd = spec.mechanisms.market, spec.mechanisms.innovation, spec.mechanisms.foundation
        capital = [row[:] for row in self.base_capital]
        labour = [row[:] for row in self.base_labour]
        for cell in self.space.all_cells:
            j = cell.coordinate
            for agent in cell.agents:
                if isinstance(agent, ReferenceFirm):
                    capital[agent.sector][j] += agent.productivity
                else:
                    labour[agent.sector][j] += agent.skill
        employment = [labour[0][j] + labour[1][j] for j in range(n)]
        total_employment = sum(employment)

        # Innovation: knowledge access from universities and employment, decaying with time.
        univ_total = sum(self.universities)
        sources = [inn.university_weight * (self.universities[k] / univ_total if univ_total > 0
                                            else 0.0)
                   + (1 - inn.university_weight) * employment[k] / total_employment
                   for k in range(n)]
        access = [sum(self.kernel[j][k] * sources[k] for k in range(n)) for j in range(n)]
        mean_access = sum(access) / n
        access = [a / mean_access for a in access]

        # Market: TFP, Cobb-Douglas output, wages, profit rates, rents, cost of living.
        beta = mk.labour_share
        y_unit, w_unit = self.units
        mean_employment = total_employment / n
        density = total_employment / sum(self.population)
        self.tfp, self.output = [[0.0] * n for _ in SECTORS], [[0.0] * n for _ in SECTORS]
        self.wage, self.profit_rate = [[0.0] * n for _ in SECTORS], [[0.0] * n for _ in SECTORS]
        self.rent, self.cost_of_living, self.office_cost = [0.0] * n, [0.0] * n, [0.0] * n
        for j in range(n):
            agglomeration = ((employment[j] / mean_employment) ** mk.alpha
                             if mk.enabled and mk.alpha != 0 else 1.0)
            spillover = access[j] ** inn.gamma if inn.enabled else 1.0
            for s in SECTORS:
                tfp = self.endowment[s][j] * agglomeration * spillover
                output = tfp * capital[s][j] ** (1 - beta) * labour[s][j] ** beta
                self.tfp[s][j] = tfp
                self.output[s][j] = output / y_unit
                self.wage[s][j] = beta * output / labour[s][j] / w_unit
                self.profit_rate[s][j] = (1 - beta) * output / capital[s][j] / y_unit
            self.rent[j] = ((employment[j] / self.population[j] / density) ** mk.rent_elasticity
                            if mk.enabled else 1.0)
            urban = math.exp(mk.urban_cost_elasticity * self.log_size[j])
            self.cost_of_living[j] = urban * self.rent[j] ** mk.housing_share
            self.office_cost[j] = mk.office_cost * self.rent[j] * urban
        if self.frozen is not None:
            self.wage = [row[:] for row in self.frozen[0]]
            self.profit_rate = [row[:] for row in self.frozen[1]]
        # Foundation: compute cost per unit of data intensity.
        self.compute_cost = [fd.compute_cost / self.infrastructure[j] for j in range(n)]
        self.capital, self.labour, self.market_access = capital, labour, access
        self.total_output = sum(map(sum, self.output))

    # ------------------------------------------------------------------ governments
    def mobile_firm_shares(self, subsidy: list[float]) -> list[float]:
        """Logit shares of an average mobile firm (the firms' sector mix and mean data
        intensity) given per-node subsidies: what the governments perceive."""
        fm = self.spec.firms
        utility = []
        for j in range(self.n):
            profit = (sum(self.firm_mix[s] * self.profit_rate[s][j] for s in SECTORS)
                      - self.office_cost[j] - self.mean_data_intensity * self.compute_cost[j])
            utility.append(fm.profit_scale * (profit + subsidy[j])
                           + fm.site_weight * self.log_size[j])
        top = max(utility)
        weights = [math.exp(u - top) for u in utility]
        return [w / sum(weights) for w in weights]

    def joint_optimum(self, caps: list[float]) -> list[float]:
        """Coordination: subsidies maximising sum_j (v_j - s_j) P_j(s), by iterating the
        first-order condition s_j = v_j - J - 1/beta_f (clipped) with damping 1/2."""
        s = [city.subsidy for city in self.cities]
        scale = self.spec.firms.profit_scale
        for _ in range(200):
            shares = self.mobile_firm_shares(s)
            joint = sum((self.firm_value[j] - s[j]) * shares[j] for j in range(self.n))
            new = [clip(self.firm_value[j] - joint - 1.0 / scale, 0.0, caps[j])
                   for j in range(self.n)]
            if max(abs(a - b) for a, b in zip(new, s, strict=True)) < 1e-10:
                return new
            s = [0.5 * a + 0.5 * b for a, b in zip(s, new, strict=True)]
        return s

    def govern(self) -> None:
        """Governments decide on the start-of-step fields, then all adjust at once."""
        pol = self.spec.mechanisms.policy
        self.firm_count = [0.0] * self.n
        sector_count = [0, 0]
        data_sum = 0.0
        for cell in self.space.all_cells:
            for agent in cell.agents:
                if isinstance(agent, ReferenceFirm):
                    self.firm_count[cell.coordinate] += 1.0
                    sector_count[agent.sector] += 1
                    data_sum += agent.data_intensity
        n_firms = sum(sector_count)
        self.firm_mix = [c / max(n_firms, 1) for c in sector_count]
        self.mean_data_intensity = data_sum / n_firms if n_firms else 0.0
        self.firm_value = [pol.value_of_firm * (self.output[0][j] + self.output[1][j])
                           / (self.capital[0][j] + self.capital[1][j]) for j in range(self.n)]
        self.mobile_shares = self.mobile_firm_shares([self.subsidy_at(j) for j in range(self.n)])
        if pol.coordination:
            caps = [min(pol.max_subsidy, pol.city_budget_share * self.gdp[j] / sum(self.gdp)
                        * self.total_output / max(self.firm_count[j], 1.0))
                    for j in range(self.n)]
            self.committee_target = self.joint_optimum(caps)
        for kind in (ReferenceCityGovernment, ReferenceProvince):
            self.agents_of(kind).do("decide")
        for kind in (ReferenceCityGovernment, ReferenceProvince):
            self.agents_of(kind).do("adjust")

    def agents_of(self, kind: type) -> mesa.agent.AgentSet:
        """The agents of one class (an empty set if there are none)."""
        return self.agents_by_type.get(kind, mesa.agent.AgentSet([], random=self.random))

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """One quarter: governments -> firms -> talent -> node fields -> record."""
        self.govern()
        self.firm_flows = np.zeros((self.n, self.n), dtype=np.int64)
        self.talent_flows = np.zeros((self.n, self.n), dtype=np.int64)
        self.agents_of(ReferenceFirm).shuffle_do("step")
        self.agents_of(ReferenceTalent).shuffle_do("step")
        self.compute_fields()
        self.record()
        self.running = self.steps < self.spec.steps

    def run(self, steps: int | None = None) -> ReferenceModel:
        """Step to the horizon (or ``steps`` more quarters)."""
        remaining = self.spec.steps - self.steps if steps is None else steps
        for _ in range(max(remaining, 0)):
            self.step()
        return self

    def record(self) -> None:
        """The production model's node record and region metrics for the current state."""
        n = self.n
        firms = np.zeros((2, n), dtype=np.int64)
        talent = np.zeros((2, n), dtype=np.int64)
        for cell in self.space.all_cells:
            for agent in cell.agents:
                counts = firms if isinstance(agent, ReferenceFirm) else talent
                counts[agent.sector, cell.coordinate] += 1
        output, wage, tfp = np.array(self.output), np.array(self.wage), np.array(self.tfp)
        subsidy = np.array([self.subsidy_at(j) for j in range(n)])
        moves_f = self.firm_flows - np.diag(np.diag(self.firm_flows))
        moves_t = self.talent_flows - np.diag(np.diag(self.talent_flows))
        record = {
            "firms_soft": firms[0], "firms_hard": firms[1],
            "talent_soft": talent[0], "talent_hard": talent[1],
            "output": output.sum(axis=0), "output_soft": output[0], "output_hard": output[1],
            "wage_soft": wage[0], "wage_hard": wage[1], "tfp_soft": tfp[0], "tfp_hard": tfp[1],
            "rent": np.array(self.rent), "cost_of_living": np.array(self.cost_of_living),
            "market_access": np.array(self.market_access),
            "compute_cost": np.array(self.compute_cost),
            "subsidy": subsidy, "targeted_subsidy_soft": np.zeros(n),
            "targeted_subsidy_hard": np.zeros(n), "data_bonus": np.zeros(n),
            "subsidy_spending": subsidy * firms.sum(axis=0),
            "firm_inflow": moves_f.sum(axis=0), "firm_outflow": moves_f.sum(axis=1),
            "talent_inflow": moves_t.sum(axis=0), "talent_outflow": moves_t.sum(axis=1),
        }
        self.history.append(record)
        self.region_metrics = region_metrics(self, record)
        self.datacollector.collect(self)


__all__ = ["ReferenceModel", "logit_draw"]
