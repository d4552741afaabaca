"""The Mesa model of the Chengdu-Chongqing region: the schedule of a step and its records.

One step is ``step_years`` (default a quarter). The step reads like the ODD schedule
(docs/ODD.md, process overview):
  0. interventions set this step's modifiers (and open links)
  1. governments set subsidies within their budgets (policy drive)
  2. a share of firms reconsider: stay, relocate, or leave for the rest of China
  3. a share of talent reconsider: stay, migrate, or leave
  4. the open region: firms and talent arrive from the rest of China, firms enter, graduates
     join; firms with persistent losses close, workers retire
  5. governments pay the subsidies and book their budgets
  6. node fields (economy and prices) are recomputed; the step is recorded
Firms and talent decide on the fields of the start of the step (simultaneous moves). The rules
live in agents/ (firms, talent), model/economy.py (production and prices), model/network.py
(travel-time terms), model/population.py (accounting) and model/mechanisms/ (the four forces).
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
from agents.choice import deciders
from model import backend
from model.checks import check_finite
from model.economy import Economy
from model.equilibrium import Residuals, balance_nodes, balance_outside
from model.errors import ScenarioError
from model.initial import make_firms, make_talent, new_firms, new_talent, placement
from model.mechanisms import foundation, policy
from model.metrics.collect import REGION_METRICS, region_metrics
from model.modifiers import InterventionView, Modifiers
from model.network import Network
from model.observation import node_record
from model.population import Population
from model.region import PROVINCES, Region
from model.state import SECTORS, FirmArrays, NodeFields
from model.streams import RandomStreams
from scenarios.loader import SCENARIO_DIR, load_scenario, with_overrides
from scenarios.references import (
    check_references,
    index_of_region,
    region_of_files,
    warn_inactive,
)
from scenarios.schema import Scenario

OUTSIDE = "outside"  # the name of node n, the rest of China


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
    """Digital-economy factor flows between the nodes of the Chengdu-Chongqing region and the
    rest of China.

    Args:
        scenario: a ``Scenario``, a path to a scenario TOML file, or None for the baseline. A
            Mesa scenario (``mesa.experimental.scenarios.Scenario``, what SolaraViz's Reset
            passes as ``scenario=``) means the baseline with the Mesa scenario's parameters as
            overrides and its ``rng`` (an integer seed) as ``rng``.
        rng: seed (int); None uses the scenario's ``seed``.
        region: a ``Region`` to use instead of the scenario's data files.
        agent_views: make Mesa agent objects (views over the arrays) available; they are
            created (and kept in step with births, closures and departures) when
            ``model.agents``, ``agents_by_type`` or ``agent_types`` is read, so a run that
            never inspects single agents does not pay for them.
        kernels: "compiled" (numba), "plain" (numpy) or "auto" (default, or
            ``$CYFLOW_KERNELS``): which implementation of the per-step kernels runs; the
            results are the same bits (model/backend.py).
        **overrides: scenario keys as ``section__key=value`` (what ``mesa.batch_run`` passes).

    A model pickles at any step, and an unpickled model continues exactly as the original
    would (tests/test_pickle.py).
    """

    def __init__(self, scenario: Scenario | MesaScenario | str | Path | None = None, *,
                 rng: int | None = None, region: Region | None = None,
                 agent_views: bool = True, kernels: str | None = None,
                 **overrides: Any) -> None:
        mesa_scenario: MesaScenario | None = None
        if isinstance(scenario, MesaScenario):
            params, rng = _mesa_scenario_parameters(scenario, rng)
            overrides = {**params, **overrides}
            spec = resolve_scenario(None, overrides, region, rng)
            mesa_scenario = type(scenario)(**params, rng=spec.seed)
        else:
            spec = resolve_scenario(scenario, overrides, region, rng)
        super().__init__(rng=spec.seed, scenario=mesa_scenario)
        self.spec = spec
        self.dt = spec.step_years
        self.streams = RandomStreams(spec.seed)
        scale = spec.scale
        self.compiled = backend.use_compiled(
            backend.saving(scale.firm_agents + scale.talent_agents, spec.steps), kernels)
        data = spec.data
        self.region = region if region is not None else _load_region(data)
        reg = self.region
        n = reg.n
        self.pop_shares = reg.population / reg.population.sum()
        self.cores = reg.node_indices(spec.metrics.cores)
        self.endowments = foundation.endowments(reg, spec.mechanisms.foundation)
        growth = spec.growth
        hazard_f = growth.exit_rate if growth.enabled else 0.0
        hazard_t = growth.retirement_rate if growth.enabled else 0.0
        self.annuity_firms = 1.0 / (spec.firms.discount_rate + hazard_f)
        self.annuity_talent = 1.0 / (spec.talent.discount_rate + hazard_t)

        init = spec.init
        weights = self.endowments.placement
        self.firm_pop = Population(make_firms(
            placement(spec.scale.firm_agents, weights, init.distribution), init,
            reg.sectors.data_intensity, self.streams["init_firms"]), "productivity", n,
            self.compiled)
        self.talent_pop = Population(make_talent(
            placement(spec.scale.talent_agents, weights, init.distribution), init,
            self.streams["init_talent"]), "skill", n, self.compiled)
        mix = weights / weights.sum()
        base_weight = mix.sum(axis=1)[:, None] * self.pop_shares[None, :]
        self.base_capital = init.base_share * max(spec.scale.firm_agents, 1) * base_weight
        self.base_labour = init.base_share * max(spec.scale.talent_agents, 1) * base_weight
        self.economy = Economy(spec, reg, self.endowments, self.base_capital, self.base_labour)
        self.policy = policy.Governments(n, reg.province, len(PROVINCES), spec.mechanisms.policy)
        self.interventions = list(spec.interventions)
        self.modifiers = Modifiers.neutral(len(SECTORS), n)
        self._opened_links: set[tuple[str, str, float]] = set()
        self.network: Network | None = None
        self._fix_units()

        self._views_pending = agent_views
        self._views: dict[type, dict[int, mesa.Agent]] = {Firm: {}, Talent: {}}
        for i in range(n):
            CityGovernment(self, i)
        for p in range(len(PROVINCES)):
            ProvincialGovernment(self, p)

        self.history: list[dict[str, np.ndarray]] = []
        self.flow_history: list[tuple[np.ndarray, np.ndarray]] = []
        self.region_metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self._record()
        self.running = spec.steps > 0

    # ------------------------------------------------------------------ state
    @property
    def kernels(self) -> backend.Kernels:
        """The per-step kernels this model uses (compiled or plain: the same results)."""
        return backend.kernels(self.compiled)

    @property
    def firms(self):
        """The firm arrays (one row per firm agent)."""
        return self.firm_pop.arrays

    @property
    def talent(self):
        """The talent arrays (one row per talent agent)."""
        return self.talent_pop.arrays

    @property
    def firm_counts(self) -> np.ndarray:
        """[S, N] firms by sector and region node."""
        return self.firm_pop.region_counts()

    @property
    def talent_counts(self) -> np.ndarray:
        return self.talent_pop.region_counts()

    @property
    def firm_flows(self) -> np.ndarray:
        """[N, N] firm moves between region nodes decided in the last step (diagonal: stayers)."""
        n = self.region.n
        return self.firm_pop.ledger.flows[:n, :n]

    @property
    def talent_flows(self) -> np.ndarray:
        """[N, N] talent moves between region nodes decided in the last step."""
        n = self.region.n
        return self.talent_pop.ledger.flows[:n, :n]

    @property
    def border(self) -> np.ndarray:
        """[N, N] 1 where two nodes lie in different provinces."""
        return self.network.border

    @property
    def years(self) -> float:
        """Years since the start (at the end of the current step)."""
        return self.steps * self.dt

    def node_name(self, node: int) -> str:
        """Node id, or 'outside' for the rest of China."""
        return OUTSIDE if node == self.region.n else self.region.ids[node]

    def set_locations(self, firm_nodes: np.ndarray | None = None,
                      talent_nodes: np.ndarray | None = None) -> None:
        """Replace the initial locations (step 0 only), e.g. for a custom starting distribution;
        the node fields and the step-0 record are recomputed."""
        if self.steps != 0:
            raise RuntimeError("locations can only be set before the first step")
        for pop, nodes in ((self.firm_pop, firm_nodes), (self.talent_pop, talent_nodes)):
            if nodes is None:
                continue
            nodes = np.asarray(nodes, dtype=np.int64)
            if nodes.shape != pop.arrays.node.shape or nodes.min(initial=0) < 0 or \
                    nodes.max(initial=0) >= self.region.n:
                raise ValueError("expected one valid node index per agent")
            pop.arrays.node[:] = nodes
            pop.recount()
        self._fix_units()
        self.history.clear()
        self.flow_history.clear()
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self._record()

    def _fix_units(self) -> None:
        """Model units from the initial state (docs/ODD.md §2), and the fields in them."""
        self._refresh_network()
        self.fields = self.economy.fix_units(self.firm_pop.region_sums(),
                                             self.talent_pop.region_sums(), self.network,
                                             self.modifiers)
        self.outside = self.economy.outside(0.0)
        self.fields_years = 0.0
        self.start_output = float(self.fields.output.sum())
        self.pools = (self.spec.outside.size * self.firm_pop.region_counts().sum(axis=1),
                      self.spec.outside.size * self.talent_pop.region_counts().sum(axis=1))
        self.residuals = Residuals.zero(len(SECTORS), self.region.n)
        if self.spec.outside.enabled and self.spec.outside.equilibrium_start:
            balance_outside(self)
        if self.spec.init.balanced_start and self.spec.init.distribution == "data":
            balance_nodes(self)  # a uniform start is a thought experiment, not data

    def _refresh_network(self) -> None:
        if self.network is None or self.network.version != self.region.network_version:
            self.network = Network(self.spec, self.region, self.endowments.log_size)

    def _compute_fields(self) -> NodeFields:
        """Node fields and the outside at the current time (``fields_years``)."""
        self._refresh_network()
        self.fields_years = self.years
        self.outside = self.economy.outside(self.years)
        return self.economy.fields(self._capital(), self.talent_pop.region_sums(),
                                   self.network, self.modifiers, self.years)

    def _capital(self) -> np.ndarray:
        """[S, N] firm productivity by cell, q (1 + b_j d) with a data bonus (an intervention
        makes productivity depend on the node: summed afresh), else the running sums."""
        bonus = self.modifiers.data_bonus
        if not bonus.any():
            return self.firm_pop.region_sums()
        firms, n = self.firms, self.region.n
        here = firms.node < n
        q = firms.productivity[here] * (1.0 + bonus[firms.node[here]]
                                         * firms.data_intensity[here])
        cells = firms.sector[here].astype(np.int64) * n + firms.node[here]
        return np.bincount(cells, weights=q, minlength=len(SECTORS) * n).reshape(-1, n)

    @property
    def level(self) -> float:
        """The general level zbar at the time of the current fields: money terms of decisions
        are in units of the mean annual firm output of that time."""
        return self.economy.level(self.fields_years)

    # ------------------------------------------------------------------ agent views
    def _materialize_views(self) -> None:
        """Keep the Firm and Talent views in step with the arrays (created on first read)."""
        if self.__dict__.get("_views_pending") is None:
            return
        if self._views_pending:
            self._views_pending = False
        elif not self._views[Firm] and not self._views[Talent]:
            return
        for cls, arrays in ((Firm, self.firms), (Talent, self.talent)):
            views = self._views[cls]
            alive = set(arrays.uid.tolist())
            for uid in [u for u in views if u not in alive]:
                views.pop(uid).remove()
            for uid in arrays.uid.tolist():
                if uid not in views:
                    views[uid] = cls(self, uid)

    @property
    def agents(self):
        """All agents (Mesa ``AgentSet``), with the firm and talent views up to date."""
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

    def open_links(self, links: list[tuple[str, str, float]]) -> None:
        """Open links (persistently); travel-time terms are recomputed on the next update."""
        new = [link for link in links if link not in self._opened_links]
        if new:
            self._opened_links.update(new)
            self.region = self.region.with_links(new)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one step (the schedule of the module docstring)."""
        self.firm_pop.new_step()
        self.talent_pop.new_step()
        if self.interventions:
            self._apply_interventions()
        coordination = self._govern()
        terms = firm_rules.node_terms(self)
        transition = talent_rules.transition_matrix(talent_rules.utility_matrix(self))
        self._relocate_firms(terms)
        self._migrate_talent(transition)
        if self.outside.open:
            self._arrivals(terms, transition)
        if self.spec.growth.enabled:
            self._births_and_exits(terms)
        self.policy.pay(self.firm_counts, self.modifiers.sector_subsidy, coordination, self.dt,
                        self.level, programmes=self.modifiers.spending)
        self.firm_pop.drop_departed()
        self.talent_pop.drop_departed()
        self.fields = self._compute_fields()
        self._record()
        self.running = self.steps < self.spec.steps

    def _apply_interventions(self) -> None:
        """Set this step's modifiers from the active interventions (before anyone decides)."""
        mods = Modifiers.neutral(len(SECTORS), self.region.n)
        view = self._intervention_view()
        for item in self.interventions:
            strength = item.strength(self.steps, self.spec.start_year, self.dt)
            if strength > 0:
                item.apply(view, mods, strength)
        self.open_links(mods.links)
        network_changed = self.network.version != self.region.network_version
        if network_changed or not mods.same_as(self.modifiers):
            self.modifiers = mods
            self.fields = self._compute_fields()

    def _intervention_view(self) -> InterventionView:
        """What interventions may read this step (copies)."""
        firms, n = self.firms, self.region.n
        here = firms.node < n
        demand = np.bincount(firms.node[here], weights=(firms.productivity
                                                        * firms.data_intensity)[here],
                             minlength=n)
        return InterventionView(
            region=self.region, spec=self.spec, log_size=self.endowments.log_size.copy(),
            border=self.network.border.copy(), employment=self.fields.employment.copy(),
            data_demand=demand, yuan_per_unit=self.spec.scale.real_output / self.start_output,
            step_years=self.dt, step=self.steps)

    def _govern(self) -> bool:
        """Step 1: subsidies for this step; returns whether governments coordinate."""
        pol = self.spec.mechanisms.policy
        coordination = pol.coordination or self.modifiers.coordination
        f = self.fields
        counts = self.firm_counts
        mix = counts.sum(axis=1) / max(counts.sum(), 1)
        terms = firm_rules.node_terms(self, subsidies=False)
        mean_d = self.region.sectors.data_intensity
        u = terms.average_firm(mean_d)                      # [S, N+1]
        base = mix @ u[:, :-1]
        outside = float(mix @ u[:, -1]) if self.outside.open else None
        level = self.level
        value = pol.value_of_firm * f.output.sum(axis=0) / f.capital.sum(axis=0) / level
        self.policy.decide(output=f.output.sum(axis=0), firms=counts.sum(axis=0).astype(float),
                           value=value, base_utility=base, scale=terms.scale,
                           coordination=coordination, dt=self.dt, outside=outside, level=level)
        return coordination

    def _relocate_firms(self, terms: firm_rules.FirmTerms) -> None:
        """Step 2: reconsidering firms stay, relocate or leave (node n)."""
        rng, pop = self.streams["firms"], self.firm_pop
        idx = pop.live_rows(deciders(pop.live, _probability(self.spec.firms.revision_rate,
                                                            self.dt), rng))
        pop.move(idx, firm_rules.relocation_choices(pop.rows, idx, terms, rng, self.kernels))

    def _migrate_talent(self, transition: np.ndarray) -> None:
        """Step 3: reconsidering talent stays, migrates or leaves (node n)."""
        rng, pop = self.streams["talent"], self.talent_pop
        idx = pop.live_rows(deciders(pop.live, _probability(self.spec.talent.revision_rate,
                                                            self.dt), rng))
        pop.move(idx, talent_rules.migration_choices(pop.rows, idx, transition, rng,
                                                     self.kernels))

    def _arrivals(self, terms: firm_rules.FirmTerms, transition: np.ndarray) -> None:
        """Step 4a: firms and talent of the rest of China that reconsider and pick a region
        node (Poisson counts from the untracked pools; fresh attributes)."""
        spec, n, dt = self.spec, self.region.n, self.dt
        traits = self.region.sectors
        rng = self.streams["open_region"]
        stay = terms.outside_stay(
            traits.data_intensity, self.outside.log_elsewhere, spec.firms.site_weight,
            self.network.firm_outside_cost / self.annuity_firms)
        p_firm = firm_rules.arrival_probabilities(terms, stay, traits.data_intensity)
        moving = self.pools[0] * _probability(spec.firms.revision_rate, dt)
        node, sector = _draw_cells(rng, moving[:, None] * p_firm)
        self.firm_pop.add(new_firms(node, sector, spec.init, traits.data_intensity, rng),
                          arrived=True)
        moving = self.pools[1] * _probability(spec.talent.revision_rate, dt)
        node, sector = _draw_cells(rng, moving[:, None] * transition[:, n, :n])
        self.talent_pop.add(new_talent(node, sector, spec.init, rng), arrived=True)

    def _births_and_exits(self, terms: firm_rules.FirmTerms) -> None:
        """Step 4b: entry, graduates, closures, retirements."""
        spec, n, dt = self.spec, self.region.n, self.dt
        gr, init = spec.growth, spec.init
        traits = self.region.sectors
        rng = self.streams["open_region"]
        # entry: potential entrants (spin-offs of incumbents, university seeds) enter where the
        # discounted profit of their draw exceeds the entry cost
        potential = firm_rules.potential_entrants(
            self.firm_counts.astype(float), self.region.universities, gr.birth_rate,
            gr.university_births, dt)
        node, sector = _draw_cells(rng, potential)
        born = new_firms(node, sector, init, traits.data_intensity, rng)
        born.keep(firm_rules.enters(
            terms.profit(born.productivity, born.data_intensity, sector, node),
            self.annuity_firms, gr.entry_cost))
        self.firm_pop.add(born, arrived=False)
        # graduates, where the universities are (a small base everywhere), in the region's mix
        talent = self.talent_counts.astype(float)
        mix = talent.sum(axis=1) / max(talent.sum(), 1.0)
        where = (self.region.universities + 0.5) / (self.region.universities + 0.5).sum()
        graduates = gr.graduation_rate * dt * talent.sum() * mix[:, None] * where[None, :]
        node, sector = _draw_cells(rng, graduates)
        self.talent_pop.add(new_talent(node, sector, init, rng), arrived=False)
        # closures and retirements (agents in the region; the departed left already)
        # (one uniform per live row, drawn in the passes; the tombstones of rows are skipped)
        self.firm_pop.remove(_closing(self.kernels, self.firm_pop.rows, terms, n, gr.exit_rate,
                                      gr.loss_exit_rate, dt, rng))
        self.talent_pop.remove(self.kernels.resident_draws(
            self.talent_pop.rows.node, rng, n, _probability(gr.retirement_rate, dt)))

    # ------------------------------------------------------------------ observation
    def _record(self) -> None:
        record = node_record(self)
        quarter = self.quarter_label(self.steps)
        check_finite(record, quarter)
        metrics = region_metrics(self, record)
        check_finite(metrics, quarter, "region metric")
        self.history.append(record)
        self.flow_history.append((_moves(self.firm_flows), _moves(self.talent_flows)))
        self.region_metrics = metrics
        self.datacollector.collect(self)

    def quarter_label(self, step: int) -> str:
        """Calendar label of a step's end: step 0 is the initial state (end of the year
        before); quarters as 'YYYYQn' when a step is a quarter, else decimal years."""
        if self.dt == 0.25:
            if step == 0:
                return f"{self.spec.start_year - 1}Q4"
            year, quarter = divmod(step - 1, 4)
            return f"{self.spec.start_year + year}Q{quarter + 1}"
        return f"{self.spec.start_year + step * self.dt:.3f}"

    def node_table(self) -> pd.DataFrame:
        """Per-node-per-step records as a long table (one row per step and node)."""
        n = self.region.n
        steps = np.repeat(np.arange(len(self.history)), n)
        frame = pd.DataFrame({
            "step": steps,
            "quarter": [self.quarter_label(s) for s in steps],
            "node": np.tile(np.array(self.region.ids), len(self.history)),
        })
        for column in self.history[0]:
            frame[column] = np.concatenate([h[column] for h in self.history])
        return frame

    def flow_table(self) -> pd.DataFrame:
        """Moves between region nodes per step, one row per non-zero (step, origin,
        destination, kind) with kind 'firm' or 'talent' (moves to and from the rest of China
        are in the node table: firms_left, firms_arrived, talent_left, talent_arrived)."""
        ids = np.array(self.region.ids)
        parts = [(step, kind, rows) for step, pair in enumerate(self.flow_history)
                 for kind, rows in zip(("firm", "talent"), pair, strict=True) if len(rows)]
        if not parts:
            return pd.DataFrame({"step": [], "quarter": [], "origin": [], "destination": [],
                                 "kind": [], "count": []})
        sizes = [len(rows) for _, _, rows in parts]
        steps = np.repeat([step for step, _, _ in parts], sizes)
        labels = np.array([self.quarter_label(step) for step, _, _ in parts], dtype=object)
        rows = np.concatenate([rows for _, _, rows in parts])
        return pd.DataFrame({
            "step": steps.astype(np.int64), "quarter": np.repeat(labels, sizes),
            "origin": ids[rows[:, 0]], "destination": ids[rows[:, 1]],
            "kind": np.repeat(np.array([kind for _, kind, _ in parts], dtype=object), sizes),
            "count": rows[:, 2]})

    def region_table(self) -> pd.DataFrame:
        """Region metrics per step (the DataCollector's model variables)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "step", np.arange(len(frame)))
        frame.insert(1, "quarter", [self.quarter_label(s) for s in frame["step"]])
        return frame

    def run(self, steps: int | None = None, progress: bool = False) -> RegionModel:
        """Step to the horizon (or ``steps`` more steps); returns the model."""
        remaining = self.spec.steps - self.steps if steps is None else steps
        iterator = range(max(remaining, 0))
        if progress:
            from tqdm import tqdm
            iterator = tqdm(iterator, desc=self.spec.name, unit="step")
        for _ in iterator:
            self.step()
        return self


def _closing(kernels: backend.Kernels, firms: FirmArrays, terms: firm_rules.FirmTerms, n: int,
             exit_rate: float, loss_exit_rate: float, dt: float,
             rng: np.random.Generator) -> np.ndarray:
    """Rows of the resident firms that close, with one uniform of ``rng`` per live row (the
    tombstones among ``firms`` are skipped): hazard ``exit_rate``, plus ``loss_exit_rate``
    for a firm with losses. A firm's profit decides only when its uniform falls between the
    two closure probabilities, so it is computed there only (one compiled pass that also
    draws the uniforms, ``closing_draws`` of the model's kernels)."""
    gains, losses = 1.0 - np.exp(-np.array([exit_rate, exit_rate + loss_exit_rate]) * dt)
    return kernels.closing_draws(firms.node, firms.sector, firms.productivity,
                                 firms.data_intensity, rng, n, float(gains), float(losses),
                                 terms.profit_rate, terms.money, terms.compute, terms.bonus)


def _load_region(data: Any) -> Region:
    """The region of the scenario's data files (the one loaded to check the scenario's node
    ids, when the sectors, computing and gateways files are those beside the cities file)."""
    if data.sectors or data.computing or data.gateways:
        return Region.load(data.cities or None, data.links or None, data.sectors or None,
                           data.computing or None, data.gateways or None)
    return region_of_files(data.cities, data.links)


def _moves(flows: np.ndarray) -> np.ndarray:
    """(k, 3) origin, destination, count of the non-zero off-diagonal cells of a flow matrix."""
    origin, destination = np.nonzero(flows)
    keep = origin != destination
    origin, destination = origin[keep], destination[keep]
    return np.column_stack([origin, destination, flows[origin, destination]]).astype(np.int64)


def _probability(rate: float, dt: float) -> float:
    """Probability of an event of annual ``rate`` within a step of ``dt`` years."""
    return float(1.0 - np.exp(-rate * dt))


def _draw_cells(rng: np.random.Generator, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts for every (sector, node) cell of ``expected``; (node, sector) per draw."""
    counts = rng.poisson(np.maximum(expected, 0.0))
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    n = expected.shape[1]
    return (cells % n).astype(np.int64), (cells // n).astype(np.int8)


__all__ = ["OUTSIDE", "RegionModel", "resolve_scenario"]
