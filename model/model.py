"""The Mesa model of the Chengdu-Chongqing region: world, schedule and data collection.

One step is one quarter. Schedule of a step (docs/ODD.md, process overview):
  0. active interventions set this quarter's modifiers (and open links)
  1. governments set subsidies (policy drive)
  2. a share of firms reconsider their location and draw a node (logit, all at once)
  3. a share of talent reconsider and draw a node (logit, all at once)
  4. node fields are recomputed from the new distribution (market, innovation, foundation)
  5. node records and region metrics are collected
Firms and talent decide on the fields of the start of the step (simultaneous moves).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from agents import CityGovernment, Firm, ProvincialGovernment, Talent
from agents import firm as firm_rules
from agents import talent as talent_rules
from agents.choice import deciders, flow_matrix
from model.checks import check_finite
from model.errors import ScenarioError
from model.initial import make_firms, make_talent, placement
from model.mechanisms import foundation, innovation, market, policy
from model.metrics.collect import REGION_METRICS, region_metrics
from model.metrics.spatial import moran_weights
from model.modifiers import Modifiers
from model.region import PROVINCES, Region
from model.state import SECTORS, NodeFields, sector_node_count, sector_node_sum, sector_offset
from model.streams import RandomStreams
from scenarios.loader import SCENARIO_DIR, load_scenario, with_overrides
from scenarios.references import check_references, index_of_region, warn_inactive
from scenarios.schema import Scenario

NODE_COLUMNS = ("firms_soft", "firms_hard", "talent_soft", "talent_hard", "output",
                "output_soft", "output_hard", "wage_soft", "wage_hard", "tfp_soft", "tfp_hard",
                "rent", "cost_of_living", "market_access", "compute_cost", "subsidy",
                "targeted_subsidy_soft", "targeted_subsidy_hard", "data_bonus",
                "subsidy_spending", "firm_inflow", "firm_outflow", "talent_inflow",
                "talent_outflow")


def resolve_scenario(scenario: Scenario | str | Path | None,
                     overrides: dict[str, Any] | None = None,
                     region: Region | None = None, rng: int | None = None) -> Scenario:
    """A ``Scenario`` from an object, a file path or None (the baseline), with overrides given as
    ``section__key=value`` (``mechanisms__market__alpha=0``) or dotted keys, and the seed
    replaced by ``rng`` when given. Node ids are checked against ``region`` when one is given,
    else against the scenario's data files."""
    index = index_of_region(region) if region is not None else None
    if scenario is None:
        scenario = SCENARIO_DIR / "baseline.toml"
    if overrides:
        scenario = with_overrides(scenario, {k.replace("__", "."): v
                                             for k, v in overrides.items()},
                                  file="keyword overrides", index=index)
    elif isinstance(scenario, Scenario):  # built in Python: its node ids are checked here
        check_references(scenario, "<scenario object>", index)
    else:
        scenario = load_scenario(scenario, index)
    if rng is not None:
        if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
            raise ScenarioError("rng", None, f"expected an integer seed, got "
                                f"{type(rng).__name__} ({rng!r})")
        try:
            scenario = dataclasses.replace(scenario, seed=int(rng))
        except ScenarioError as exc:
            raise ScenarioError("rng", None, exc.detail) from None
    warn_inactive(scenario)
    return scenario


def _mesa_scenario_parameters(scenario: MesaScenario,
                              rng: int | None) -> tuple[dict[str, Any], int | None]:
    """The parameters (cyflow overrides) and seed of a Mesa scenario. Its ``rng`` must be None or
    an integer seed; an explicit ``rng`` must agree with it (Mesa's own rule)."""
    params = {key: value for key, value in scenario if key != "rng"}
    seed = scenario.rng
    if seed is not None:
        if rng is not None and rng != seed:
            raise ValueError(f"rng ({rng}) and scenario.rng ({seed}) must be the same")
        rng = seed
    return params, rng


class RegionModel(mesa.Model):
    """Digital-economy factor flows between the nodes of the Chengdu-Chongqing region.

    Args:
        scenario: a ``Scenario``, a path to a scenario TOML file, or None for the baseline. A
            Mesa scenario (``mesa.experimental.scenarios.Scenario``, what SolaraViz's Reset
            passes as ``scenario=``) means the baseline with the Mesa scenario's parameters as
            overrides and its ``rng`` (an integer seed) as ``rng``.
        rng: seed (int); None uses the scenario's ``seed``.
        region: a ``Region`` to use instead of the scenario's data files.
        agent_views: make Mesa agent objects (views over the arrays) available; they are
            created on first access to ``model.agents``, ``agents_by_type`` or ``agent_types``,
            so a run that never inspects single agents does not pay for them.
        **overrides: scenario keys as ``section__key=value`` (what ``mesa.batch_run`` passes).

    A model pickles at any step (the DataCollector's reporters are module-level partials; Mesa
    pickles its event list and agent sets itself), and an unpickled model continues exactly as
    the original would (tests/test_pickle.py).
    """

    def __init__(self, scenario: Scenario | MesaScenario | str | Path | None = None, *,
                 rng: int | None = None,
                 region: Region | None = None, agent_views: bool = True,
                 **overrides: Any) -> None:
        mesa_scenario: MesaScenario | None = None
        if isinstance(scenario, MesaScenario):
            params, rng = _mesa_scenario_parameters(scenario, rng)
            overrides = {**params, **overrides}
            spec = resolve_scenario(None, overrides, region, rng)
            # keep the Mesa scenario's class and parameters, with the seed actually used
            mesa_scenario = type(scenario)(**params, rng=spec.seed)
        else:
            spec = resolve_scenario(scenario, overrides, region, rng)
        super().__init__(rng=spec.seed, scenario=mesa_scenario)
        self.spec = spec
        self.streams = RandomStreams(spec.seed)
        self.region = region if region is not None else Region.load(
            spec.data.cities or None, spec.data.links or None)
        reg = self.region
        n = reg.n
        self.pop_shares = reg.population / reg.population.sum()
        self.cores = reg.node_indices(spec.metrics.cores)
        self.endowments = foundation.endowments(reg, spec.mechanisms.foundation)
        self.border = (reg.province[:, None] != reg.province[None, :]).astype(float)

        init = spec.init
        weights = self.endowments.sector_weight
        self.firms = make_firms(placement(spec.scale.firm_agents, weights, init.distribution),
                                init, self.streams["init_firms"])
        self.talent = make_talent(placement(spec.scale.talent_agents, weights, init.distribution),
                                  init, self.streams["init_talent"])
        self._mean_data_intensity = float(self.firms.data_intensity.mean()) \
            if len(self.firms) else 0.0
        self._firm_offset = sector_offset(self.firms.sector, n)
        self._talent_offset = sector_offset(self.talent.sector, n)
        mix = weights / weights.sum()
        base_weight = mix.sum(axis=1)[:, None] * self.pop_shares[None, :]
        self.base_capital = init.base_share * max(spec.scale.firm_agents, 1) * base_weight
        self.base_labour = init.base_share * max(spec.scale.talent_agents, 1) * base_weight

        self.subsidies = policy.SubsidyState(np.zeros(n), np.zeros(len(PROVINCES)))
        self.city_budget = np.zeros(n)
        self.province_budget = np.zeros(len(PROVINCES))
        self.firm_flows = np.zeros((n, n), dtype=np.int64)
        self.talent_flows = np.zeros((n, n), dtype=np.int64)
        self.interventions = list(spec.interventions)
        self.modifiers = Modifiers.neutral(len(SECTORS), n)
        self._opened_links: set[tuple[str, str, float]] = set()
        self._network_version = -1
        self._frozen_prices: tuple[np.ndarray, np.ndarray] | None = None
        self._fix_units()
        if not spec.mechanisms.market.enabled:
            self._frozen_prices = (self.fields.wage.copy(), self.fields.profit_rate.copy())

        self._views_pending = agent_views
        for i in range(n):
            CityGovernment(self, i)
        for p in range(len(PROVINCES)):
            ProvincialGovernment(self, p)

        self.history: list[dict[str, np.ndarray]] = []
        self.region_metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self._record()
        self.running = spec.steps > 0

    def set_locations(self, firm_nodes: np.ndarray | None = None,
                      talent_nodes: np.ndarray | None = None) -> None:
        """Replace the initial locations (step 0 only), e.g. for a custom starting distribution;
        the node fields and the step-0 record are recomputed."""
        if self.steps != 0:
            raise RuntimeError("locations can only be set before the first step")
        for arrays, nodes in ((self.firms, firm_nodes), (self.talent, talent_nodes)):
            if nodes is None:
                continue
            nodes = np.asarray(nodes, dtype=np.int64)
            if nodes.shape != arrays.node.shape or nodes.min(initial=0) < 0 or \
                    nodes.max(initial=0) >= self.region.n:
                raise ValueError("expected one valid node index per agent")
            arrays.node[:] = nodes
        frozen = self._frozen_prices is not None
        self._frozen_prices = None
        self._fix_units()
        if frozen:  # prices of a model without market endogeneity freeze at the (new) start
            self._frozen_prices = (self.fields.wage.copy(), self.fields.profit_rate.copy())
        self.history.clear()
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self._record()

    def _fix_units(self) -> None:
        """Model units from the initial state: mean output per unit of firm productivity and
        the mean wage are 1 at step 0 (docs/ODD.md §2); computes the fields in those units."""
        self._recount()
        self._units = (1.0, 1.0)
        fields = self._compute_fields()
        self._units = (float(fields.output.sum() / fields.capital.sum()),
                       float((fields.wage * fields.labour).sum() / fields.labour.sum()))
        self.fields = self._compute_fields()

    def _recount(self) -> None:
        """Agent counts and the sums of firm productivity and talent skill by (sector, node),
        from every agent; afterwards they are kept up to date move by move (O(movers))."""
        n = self.region.n
        firm_cells = self._firm_offset + self.firms.node
        talent_cells = self._talent_offset + self.talent.node
        self.firm_counts = sector_node_count(firm_cells, n)
        self.talent_counts = sector_node_count(talent_cells, n)
        self._productivity_sum = sector_node_sum(firm_cells, self.firms.productivity, n)
        self._skill_sum = sector_node_sum(talent_cells, self.talent.skill, n)

    # ------------------------------------------------------------------ agent views
    def _materialize_views(self) -> None:
        """Create the Firm and Talent views (once), when Mesa's agent collections are read."""
        if self.__dict__.get("_views_pending"):
            self._views_pending = False
            for i in range(len(self.firms)):
                Firm(self, i)
            for i in range(len(self.talent)):
                Talent(self, i)

    @property
    def agents(self):
        """All agents (Mesa ``AgentSet``), creating the firm and talent views on first use."""
        self._materialize_views()
        return super().agents

    @property
    def agents_by_type(self):
        self._materialize_views()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._materialize_views()
        return super().agent_types

    def node_mask(self, ids: list[str]) -> np.ndarray:
        """Boolean mask of the given node ids (an empty list selects every node)."""
        if not ids:
            return np.ones(self.region.n, dtype=bool)
        mask = np.zeros(self.region.n, dtype=bool)
        mask[self.region.node_indices(ids)] = True
        return mask

    def open_links(self, links: list[tuple[str, str, float]]) -> None:
        """Open links (persistently); travel-time terms are recomputed on the next field update."""
        new = [link for link in links if link not in self._opened_links]
        if new:
            self._opened_links.update(new)
            self.region = self.region.with_links(new)

    # ------------------------------------------------------------------ derived terms
    def _refresh_network(self) -> None:
        """Recompute the terms that depend on travel times (after a network change)."""
        reg, spec = self.region, self.spec
        hours = reg.travel_hours
        self.spillover_kernel = innovation.spillover_kernel(
            hours, spec.mechanisms.innovation.half_life_hours)
        self._firm_pair_base = firm_rules.pair_costs(
            hours, self.border, relocation=foundation.relocation_cost(spec.mechanisms.foundation),
            border_cost=spec.firms.border_cost, travel_decay=spec.firms.travel_decay)
        self._talent_pair_base = talent_rules.pair_costs(
            hours, self.border, self.endowments.log_size, fixed_cost=spec.talent.fixed_cost,
            border_cost=spec.talent.border_cost, travel_decay=spec.talent.travel_decay,
            settlement_cost=spec.talent.settlement_cost)
        self.moran_w = moran_weights(hours, spec.metrics.moran_tau_hours)
        self.axis_mask = reg.axis_mask()
        self._network_version = reg.network_version
        self._apply_cost_modifiers()

    def _apply_cost_modifiers(self) -> None:
        """Move costs with this quarter's intervention offsets (never below zero)."""
        mods = self.modifiers
        self.firm_pair_cost = _offset_costs(self._firm_pair_base, mods.firm_cost)
        self.talent_pair_cost = _offset_costs(self._talent_pair_base, mods.talent_cost)

    def _compute_fields(self) -> NodeFields:
        """Node fields from the current agent arrays (O(agents) bincounts + O(nodes^2))."""
        if self._network_version != self.region.network_version:
            self._refresh_network()
        spec, reg, n = self.spec, self.region, self.region.n
        mk, fd = spec.mechanisms.market, spec.mechanisms.foundation
        mods = self.modifiers
        if mods.data_bonus.any():  # productivity depends on the node: sum it afresh
            capital = sector_node_sum(self._firm_offset + self.firms.node,
                                      self.effective_productivity(), n)
        else:
            capital = self._productivity_sum.copy()
        capital += self.base_capital
        labour = self._skill_sum + self.base_labour
        employment = labour.sum(axis=0)
        access = innovation.knowledge_access(self.spillover_kernel, reg.universities, employment,
                                             spec.mechanisms.innovation)
        tfp = (self.endowments.productivity * market.agglomeration(employment, mk)
               * innovation.productivity_factor(access, spec.mechanisms.innovation) * mods.tfp)
        output, wage, profit_rate = market.produce(tfp, capital, labour, mk)
        y_unit, w_unit = self._units
        output, wage, profit_rate = output / y_unit, wage / w_unit, profit_rate / y_unit
        if self._frozen_prices is not None:
            wage, profit_rate = self._frozen_prices
        rent = market.rent(employment, reg.population, mk)
        return NodeFields(
            capital=capital, labour=labour, employment=employment, tfp=tfp, output=output,
            wage=wage, profit_rate=profit_rate, rent=rent,
            cost_of_living=market.cost_of_living(rent, self.endowments.log_size, mk),
            market_access=access,
            compute_cost=foundation.compute_cost(self.endowments.infrastructure, fd,
                                                 mods.compute))

    def effective_productivity(self) -> np.ndarray:
        """q_f (1 + data bonus of the firm's node x d_f): firm productivity with data access."""
        firms, bonus = self.firms, self.modifiers.data_bonus
        if not bonus.any():
            return firms.productivity
        return firms.productivity * (1.0 + bonus[firms.node] * firms.data_intensity)

    def office_cost(self) -> np.ndarray:
        """Per-firm office cost at each node (mean-output units)."""
        mk = self.spec.mechanisms.market
        return mk.office_cost * self.fields.rent * np.exp(
            mk.urban_cost_elasticity * self.endowments.log_size)

    def firm_base_utility(self) -> np.ndarray:
        """Utility of each node for an average mobile firm, before subsidies (governments' view)."""
        counts = self.firm_counts.sum(axis=1)
        mix = counts / max(counts.sum(), 1)
        d_mean = self._mean_data_intensity
        profit = (mix @ (self.fields.profit_rate * (1 + d_mean * self.modifiers.data_bonus)
                         + self.modifiers.sector_subsidy)
                  - self.office_cost() - d_mean * self.fields.compute_cost)
        return (self.spec.firms.profit_scale * profit
                + self.spec.firms.site_weight * self.endowments.log_size)

    def talent_transition(self) -> np.ndarray:
        """[S, N, N] migration probabilities P(j | i, s) of a reconsidering talent agent."""
        tl = self.spec.talent
        utility = talent_rules.destination_utility(
            self.fields.wage, self.fields.cost_of_living,
            self.endowments.log_amenity + self.modifiers.amenity,
            self.endowments.log_size, kappa=tl.kappa, size_weight=tl.size_weight)
        return talent_rules.transition_matrix(utility, self.talent_pair_cost)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one quarter."""
        if self.interventions:
            self._apply_interventions()
        self._govern()
        self._relocate_firms()
        self._migrate_talent()
        self.fields = self._compute_fields()
        self._record()
        self.running = self.steps < self.spec.steps

    def _apply_interventions(self) -> None:
        """Set this quarter's modifiers from the active interventions (before anyone decides)."""
        mods = Modifiers.neutral(len(SECTORS), self.region.n)
        for item in self.interventions:
            strength = item.strength(self.steps, self.spec.start_year)
            if strength > 0:
                item.apply(self, mods, strength)
        network_changed = self._network_version != self.region.network_version
        if network_changed or not mods.same_as(self.modifiers):
            self.modifiers = mods
            if not network_changed:
                self._apply_cost_modifiers()
            self.fields = self._compute_fields()

    def _govern(self) -> None:
        spec, reg = self.spec, self.region
        total_output = float(self.fields.output.sum())
        pol = spec.mechanisms.policy
        self.city_budget = policy.budgets(reg.gdp, total_output, pol.city_budget_share)
        gdp_by_prov = np.bincount(reg.province, weights=reg.gdp, minlength=len(PROVINCES))
        self.province_budget = policy.budgets(gdp_by_prov, total_output, pol.province_budget_share)
        firms = self.firm_counts.sum(axis=0).astype(float)
        value = pol.value_of_firm * self.fields.output.sum(axis=0) / self.fields.capital.sum(axis=0)
        self.subsidies = policy.update_subsidies(
            self.subsidies, params=pol, value=value, base_utility=self.firm_base_utility(),
            scale=spec.firms.profit_scale, firms=firms, province_of_node=reg.province,
            city_budget=self.city_budget, province_budget=self.province_budget,
            coordination=pol.coordination or self.modifiers.coordination)

    def _relocate_firms(self) -> None:
        firms, n = self.firms, self.region.n
        rng = self.streams["firms"]
        idx = deciders(len(firms), self.spec.firms.revision_rate, rng)
        new = firm_rules.relocation_choices(
            firms, idx, profit_rate=self.fields.profit_rate, fixed_cost=self.office_cost(),
            compute_cost=self.fields.compute_cost,
            subsidy=self.subsidies.total(self.region.province),
            data_bonus=self.modifiers.data_bonus, sector_subsidy=self.modifiers.sector_subsidy,
            site=self.spec.firms.site_weight * self.endowments.log_size,
            pair_cost=self.firm_pair_cost, scale=self.spec.firms.profit_scale, rng=rng)
        self.firm_flows = flow_matrix(firms.node[idx], new, n)
        offset, old = self._firm_offset[idx], firms.node[idx]
        self.firm_counts = _moved(self.firm_counts, offset, old, new)
        self._productivity_sum = _moved(self._productivity_sum, offset, old, new,
                                        firms.productivity[idx])
        firms.node[idx] = new

    def _migrate_talent(self) -> None:
        talent, n = self.talent, self.region.n
        rng = self.streams["talent"]
        idx = deciders(len(talent), self.spec.talent.revision_rate, rng)
        new = talent_rules.migration_choices(talent, idx, self.talent_transition(), rng)
        self.talent_flows = flow_matrix(talent.node[idx], new, n)
        offset, old = self._talent_offset[idx], talent.node[idx]
        self.talent_counts = _moved(self.talent_counts, offset, old, new)
        self._skill_sum = _moved(self._skill_sum, offset, old, new, talent.skill[idx])
        talent.node[idx] = new

    # ------------------------------------------------------------------ observation
    def _record(self) -> None:
        f = self.fields
        firms, talent = self.firm_counts, self.talent_counts
        subsidy = self.subsidies.total(self.region.province)
        targeted = self.modifiers.sector_subsidy
        stay_f, stay_t = np.diag(self.firm_flows), np.diag(self.talent_flows)
        record = {
            "firms_soft": firms[0], "firms_hard": firms[1],
            "talent_soft": talent[0], "talent_hard": talent[1],
            "output": f.output.sum(axis=0), "output_soft": f.output[0], "output_hard": f.output[1],
            "wage_soft": f.wage[0], "wage_hard": f.wage[1], "tfp_soft": f.tfp[0],
            "tfp_hard": f.tfp[1], "rent": f.rent, "cost_of_living": f.cost_of_living,
            "market_access": f.market_access, "compute_cost": f.compute_cost,
            "subsidy": subsidy, "targeted_subsidy_soft": targeted[0],
            "targeted_subsidy_hard": targeted[1], "data_bonus": self.modifiers.data_bonus,
            "subsidy_spending": subsidy * firms.sum(axis=0) + (targeted * firms).sum(axis=0),
            "firm_inflow": self.firm_flows.sum(axis=0) - stay_f,
            "firm_outflow": self.firm_flows.sum(axis=1) - stay_f,
            "talent_inflow": self.talent_flows.sum(axis=0) - stay_t,
            "talent_outflow": self.talent_flows.sum(axis=1) - stay_t,
        }
        # every array here is new each step or never modified in place: no copies needed
        quarter = self.quarter_label(self.steps)
        check_finite(record, quarter)
        metrics = region_metrics(self, record)
        check_finite(metrics, quarter, "region metric")
        self.history.append(record)
        self.region_metrics = metrics
        self.datacollector.collect(self)

    def quarter_label(self, step: int) -> str:
        """Calendar label of a step: step 0 is the initial state (end of the year before)."""
        if step == 0:
            return f"{self.spec.start_year - 1}Q4"
        year, quarter = divmod(step - 1, 4)
        return f"{self.spec.start_year + year}Q{quarter + 1}"

    def node_table(self) -> pd.DataFrame:
        """Per-node-per-step records as a long table (one row per step and node)."""
        n = self.region.n
        steps = np.repeat(np.arange(len(self.history)), n)
        frame = pd.DataFrame({
            "step": steps,
            "quarter": [self.quarter_label(s) for s in steps],
            "node": np.tile(np.array(self.region.ids), len(self.history)),
        })
        for column in NODE_COLUMNS:
            frame[column] = np.concatenate([h[column] for h in self.history])
        return frame

    def region_table(self) -> pd.DataFrame:
        """Region metrics per step (the DataCollector's model variables)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "step", np.arange(len(frame)))
        frame.insert(1, "quarter", [self.quarter_label(s) for s in frame["step"]])
        return frame

    def run(self, steps: int | None = None, progress: bool = False) -> RegionModel:
        """Step to the horizon (or ``steps`` more quarters); returns the model."""
        remaining = self.spec.steps - self.steps if steps is None else steps
        iterator = range(max(remaining, 0))
        if progress:
            from tqdm import tqdm
            iterator = tqdm(iterator, desc=self.spec.name, unit="quarter")
        for _ in iterator:
            self.step()
        return self


def _moved(totals: np.ndarray, offset: np.ndarray, old: np.ndarray, new: np.ndarray,
           weights: np.ndarray | None = None) -> np.ndarray:
    """[S, N] counts (or sums of ``weights``) after the movers (sector offsets ``offset``) go
    from old to new nodes: O(movers) instead of a pass over every agent."""
    size = totals.size
    change = (np.bincount(offset + new, weights=weights, minlength=size)
              - np.bincount(offset + old, weights=weights, minlength=size))
    return totals + change.reshape(totals.shape)


def _offset_costs(base: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Costs plus intervention offsets, floored at zero, zero on the diagonal."""
    if not offset.any():
        return base
    cost = np.maximum(base + offset, 0.0)
    np.fill_diagonal(cost, 0.0)
    return cost


__all__ = ["NODE_COLUMNS", "RegionModel", "resolve_scenario"]
