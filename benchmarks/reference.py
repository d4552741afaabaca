"""A plain per-agent Mesa version of the rules of ``model.model.RegionModel`` (docs/ODD.md).

Every firm and talent agent is a ``mesa.discrete_space.CellAgent`` in a cell of a
``mesa.discrete_space.Network`` over the region's nodes (ids 0..n-1, the open links). What the
production model does with arrays (population accounting by bincounts, vectorised draws, the
numba kernels) is done here one agent at a time:

- a firm or talent agent reconsiders with its own uniform; a firm computes its own utilities of
  the n + 1 alternatives (``FirmTerms.utilities``) and draws one with its own uniform; a talent
  agent draws from the transition row of its (sector, origin);
- an agent that leaves for the rest of China is removed at once; arrivals from the rest of
  China, entrants and graduates are created one by one (each arrival and graduate draws its
  node, each potential entrant its productivity and data intensity and enters when the
  discounted profit exceeds the entry cost); each firm draws its own closure, each worker its
  retirement;
- counts by (sector, node) follow each event, sums are tallied by looping over the agents,
  and the step's ledger is booked agent by agent.

Reused, not written twice: the node-level rules (``agents.firm.node_terms`` / ``FirmTerms``,
``agents.talent.utility_matrix`` / ``transition_matrix``, ``arrival_probabilities``), the node
economy (``model.economy``), the travel-time terms (``model.network``), the four mechanisms
(governments: ``model.mechanisms.policy.Governments``), the equilibrium start
(``model.equilibrium``), the initial agents (``model.initial`` with the production's named
``init_*`` streams: the same seed gives the same initial agents), the node record and the region
metrics. Per-step caches, as a competent Mesa user would keep them: the node terms and the
talent transition matrix once per step (they hold the subsidies and the annuitised move costs),
the firms' profit rows as Python floats, the two closure probabilities and the Poisson term of
the spin-offs, the cumulative transition rows by (sector, origin) as they are first needed;
counts by (sector, node) updated event by event, and the weight sums tallied in the closing
pass over the agents (closures, retirements) that the step makes anyway. ``OldReferenceModel``
is the first reference without these caches (the same histories; kept for the benchmark).
Every draw of a step comes from the Mesa model's ``random`` (per-agent uniforms, attributes)
and ``rng`` (node-level Poisson counts), so runs diverge from the production run of the same
seed after step 0; the models are compared by their distributions over seeds
(tests/test_docking.py). Interventions are not implemented.

Schedule of a step (as ``RegionModel.step``): governments set subsidies -> firms reconsider ->
talent reconsiders -> arrivals (outside open) -> entry, graduates, closures, retirements (growth
on) -> governments pay -> node fields -> record.
"""

from __future__ import annotations

import bisect
import math
import random
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Cell, CellAgent
from mesa.discrete_space import Network as CellNetwork

from agents import firm as firm_rules
from agents import talent as talent_rules
from agents.government import CityGovernment, ProvincialGovernment
from model import backend
from model.economy import Economy
from model.equilibrium import Residuals, balance_nodes, balance_outside
from model.initial import make_firms, make_talent, placement
from model.mechanisms import foundation, policy
from model.metrics.collect import REGION_METRICS, region_metrics
from model.model import resolve_scenario
from model.modifiers import Modifiers
from model.network import Network
from model.observation import node_record
from model.population import Ledger
from model.region import PROVINCES, Region
from model.state import SECTORS
from model.streams import RandomStreams
from scenarios.schema import Scenario


def probability(rate: float, dt: float) -> float:
    """Probability of an event of annual ``rate`` within a step of ``dt`` years."""
    return 1.0 - math.exp(-rate * dt)


def inverse_cdf(cumulative: list[float], u: float) -> int:
    """First index whose (unnormalised) cumulative weight reaches u x the total: the rule of
    the production kernels (``model.plain._inverse_cdf``)."""
    return min(bisect.bisect_left(cumulative, u * cumulative[-1]), len(cumulative) - 1)


def logit_draw(utilities: np.ndarray, u: float) -> int:
    """Alternative drawn from P(j) = exp(U_j) / sum_k exp(U_k) with uniform ``u``."""
    return inverse_cdf(np.cumsum(np.exp(utilities - utilities.max())).tolist(), u)


def poisson(rand: random.Random, mean: float, zero: float | None = None) -> int:
    """A Poisson count by inversion of one uniform of ``rand`` (small means: per-agent events);
    ``zero`` is exp(-mean) when the caller has it already."""
    k, term = 0, math.exp(-mean) if zero is None else zero
    total, u = term, rand.random()
    while u > total and term > 0.0:
        k += 1
        term *= mean / k
        total += term
    return k


class ReferenceFirm(CellAgent):
    """A firm: reconsiders its location, spins off potential entrants, may close."""

    def __init__(self, model: ReferenceModel, cell: Cell, sector: int, productivity: float,
                 data_intensity: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.sector = sector
        self.productivity = productivity
        self.data_intensity = data_intensity

    def utilities(self) -> np.ndarray:
        """This firm's utility of every region node and of the outside (index n)."""
        return self.model.terms.utilities(
            np.array([self.productivity]), np.array([self.data_intensity]),
            np.array([self.sector]), np.array([self.cell.coordinate]))[0]

    def choose(self, u: float) -> int:
        """The alternative this firm picks with uniform ``u``."""
        return logit_draw(self.utilities(), u)

    def profit(self) -> float:
        """Annual profit at its node (units of mean annual firm output): ``FirmTerms.profit``
        from the step's rows of Python floats (the same operations in the same order)."""
        return self.model.profit_at(self.productivity, self.data_intensity, self.sector,
                                    self.cell.coordinate)

    def reconsider(self) -> None:
        m = self.model
        if m.random.random() < m.firm_revision:
            m.move(self, self.choose(m.random.random()), m.firm_pop)

    def spin_off(self) -> None:
        """Potential entrants of this incumbent's sector at its node (Poisson, rate
        ``growth.birth_rate``); each enters if entry pays."""
        m = self.model
        for _ in range(poisson(m.random, m.spin_off_mean, m.spin_off_zero)):
            m.consider_entry(self.cell.coordinate, self.sector)

    def survive(self) -> None:
        """Close with the exit hazard (higher when the firm makes losses)."""
        m = self.model
        if m.random.random() < m.closure[self.profit() < 0]:
            m.remove_agent(self, m.firm_pop)


class ReferenceTalent(CellAgent):
    """Digital workers of one sector and skill: reconsider where to live, may retire."""

    def __init__(self, model: ReferenceModel, cell: Cell, sector: int, skill: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.sector = sector
        self.skill = skill

    def choose(self, u: float) -> int:
        """The alternative this agent picks with uniform ``u`` (its transition row)."""
        return inverse_cdf(self.model.transition_row(self.sector, self.cell.coordinate), u)

    def reconsider(self) -> None:
        m = self.model
        if m.random.random() < m.talent_revision:
            m.move(self, self.choose(m.random.random()), m.talent_pop)

    def age(self) -> None:
        """Leave the digital workforce with the retirement hazard."""
        m = self.model
        if m.random.random() < m.retirement:
            m.remove_agent(self, m.talent_pop)


class TallyBooks:
    """The accounts of one kind of agent that the shared set-up and observation code reads:
    the step's ``Ledger`` (booked agent by agent) and counts and sums of ``weight`` by (sector,
    node), tallied by looping over the agents when asked after a change (the old reference)."""

    def __init__(self, model: ReferenceModel, kind: type, weight: str) -> None:
        self.model, self.kind, self.weight = model, kind, weight
        self.ledger = Ledger.empty(model.n)
        self._tally: tuple[np.ndarray, np.ndarray] | None = None

    def new_step(self) -> None:
        self.ledger = Ledger.empty(self.model.n)

    def changed(self) -> None:
        """Everything must be tallied again (e.g. locations were replaced)."""
        self._tally = None

    def moved(self, sector: int, origin: int, destination: int) -> None:
        """An agent moved between region nodes (destination n: it left the region)."""
        self.changed()

    def added(self, sector: int, node: int) -> None:
        """An agent was created at ``node``."""
        self.changed()

    def removed(self, sector: int, node: int) -> None:
        """An agent closed or retired at ``node``."""
        self.changed()

    def tally(self) -> tuple[np.ndarray, np.ndarray]:
        """[S, n] counts and sums of the agents in the region."""
        if self._tally is None:
            n = self.model.n
            counts = [[0] * n for _ in SECTORS]
            sums = [[0.0] * n for _ in SECTORS]
            for agent in self.model.agents_by_type.get(self.kind, ()):
                j = agent.cell.coordinate
                counts[agent.sector][j] += 1
                sums[agent.sector][j] += getattr(agent, self.weight)
            self._tally = (np.array(counts, dtype=np.int64), np.array(sums, dtype=float))
        return self._tally

    def region_counts(self) -> np.ndarray:
        return self.tally()[0]

    def region_sums(self) -> np.ndarray:
        return self.tally()[1]


class Books(TallyBooks):
    """Accounts kept as a competent Mesa user would: integer counts updated event by event
    (exact), the float sums tallied only when asked after a change, or handed over by a pass
    over the agents that the step makes anyway (``set_sums``: closures, retirements)."""

    def __init__(self, model: ReferenceModel, kind: type, weight: str) -> None:
        super().__init__(model, kind, weight)
        self.changed()

    def changed(self) -> None:
        counts, self._sums = self.tally_all()
        self._counts = counts.tolist()

    def tally_all(self) -> tuple[np.ndarray, np.ndarray]:
        self._tally = None
        return super().tally()

    def moved(self, sector: int, origin: int, destination: int) -> None:
        self._counts[sector][origin] -= 1
        if destination < self.model.n:
            self._counts[sector][destination] += 1
        self._sums = None

    def added(self, sector: int, node: int) -> None:
        self._counts[sector][node] += 1
        self._sums = None

    def removed(self, sector: int, node: int) -> None:
        self._counts[sector][node] -= 1
        self._sums = None

    def set_sums(self, sums: list[list[float]]) -> None:
        """The sums by (sector, node) of the agents now in the region, from a full pass."""
        self._sums = np.array(sums, dtype=float)

    def region_counts(self) -> np.ndarray:
        return np.array(self._counts, dtype=np.int64)

    def region_sums(self) -> np.ndarray:
        if self._sums is None:
            self._sums = self.tally_all()[1]
        return self._sums


class ReferenceModel(mesa.Model):
    """The rules of ``RegionModel``, one Python object per agent (see the module docstring).

    Args:
        scenario: a ``Scenario``, a scenario TOML path, or None (the baseline).
        rng: seed (int); None uses the scenario's ``seed``.
        region: a loaded ``Region`` to reuse (default: the scenario's data files).
        agent_views: accepted for drop-in use in place of ``RegionModel``.
        **overrides: scenario keys as ``section__key=value``, as for ``RegionModel``.

    ``firm_class`` and ``talent_class`` are the agent classes (a subclass may alter a rule, e.g.
    to check that the docking test detects it).
    """

    firm_class: type[ReferenceFirm] = ReferenceFirm
    talent_class: type[ReferenceTalent] = ReferenceTalent
    books_class: type[TallyBooks] = Books

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: int | None = None,
                 region: Region | None = None, agent_views: bool = True,
                 **overrides: Any) -> None:
        spec = resolve_scenario(scenario, overrides, region, rng)
        if spec.interventions:
            raise NotImplementedError("the reference implements the rules without interventions")
        super().__init__(rng=spec.seed)
        self.spec, self.dt = spec, spec.step_years
        # the observation's kernels, chosen as the production model chooses them
        self.kernels = backend.kernels(backend.use_compiled(backend.saving(
            spec.scale.firm_agents + spec.scale.talent_agents, spec.steps)))
        data = spec.data
        reg = self.region = region if region is not None else Region.load(
            data.cities or None, data.links or None, data.sectors or None,
            data.computing or None, data.gateways or None)
        n = self.n = reg.n
        self.pop_shares = reg.population / reg.population.sum()
        self.cores = reg.node_indices(spec.metrics.cores)
        self.endowments = foundation.endowments(reg, spec.mechanisms.foundation)
        gr = spec.growth
        self.annuity_firms = 1.0 / (spec.firms.discount_rate
                                    + (gr.exit_rate if gr.enabled else 0.0))
        self.annuity_talent = 1.0 / (spec.talent.discount_rate
                                     + (gr.retirement_rate if gr.enabled else 0.0))
        self.firm_revision = probability(spec.firms.revision_rate, self.dt)
        self.talent_revision = probability(spec.talent.revision_rate, self.dt)
        self.retirement = probability(gr.retirement_rate, self.dt)
        self.spin_off_mean = gr.birth_rate * self.dt
        self.spin_off_zero = math.exp(-self.spin_off_mean)
        self.closure = (probability(gr.exit_rate, self.dt),   # indexed by "makes losses"
                        probability(gr.exit_rate + gr.loss_exit_rate, self.dt))

        # Space: one cell per node, connected by the open links.
        graph = nx.relabel_nodes(reg.graph(), reg.index)
        layout = {j: (reg.lon[j], reg.lat[j]) for j in range(n)}
        self.space = CellNetwork(graph, random=self.random, layout=layout)

        # Agents: the initial state of RegionModel (model/initial.py, its named init streams).
        init, weights = spec.init, self.endowments.placement
        streams = RandomStreams(spec.seed)
        firms = make_firms(placement(spec.scale.firm_agents, weights, init.distribution), init,
                           reg.sectors.data_intensity, streams["init_firms"])
        for j, s, q, d in zip(firms.node, firms.sector, firms.productivity,
                              firms.data_intensity, strict=True):
            self.firm_class(self, self.space[int(j)], int(s), float(q), float(d))
        talent = make_talent(placement(spec.scale.talent_agents, weights, init.distribution),
                             init, streams["init_talent"])
        for j, s, skill in zip(talent.node, talent.sector, talent.skill, strict=True):
            self.talent_class(self, self.space[int(j)], int(s), float(skill))
        self.firm_pop = self.books_class(self, self.firm_class, "productivity")
        self.talent_pop = self.books_class(self, self.talent_class, "skill")

        # The immobile local base, the economy, the governments, the network terms.
        base_weight = ((weights / weights.sum()).sum(axis=1)[:, None]
                       * self.pop_shares[None, :])
        self.economy = Economy(
            spec, reg, self.endowments,
            init.base_share * max(spec.scale.firm_agents, 1) * base_weight,
            init.base_share * max(spec.scale.talent_agents, 1) * base_weight)
        self.policy = policy.Governments(n, reg.province, len(PROVINCES), spec.mechanisms.policy)
        for i in range(n):
            CityGovernment(self, i)
        for p in range(len(PROVINCES)):
            ProvincialGovernment(self, p)
        self.modifiers = Modifiers.neutral(len(SECTORS), n)
        self.network = Network(spec, reg, self.endowments.log_size)
        self.terms: firm_rules.FirmTerms | None = None    # per-step caches (prepare_decisions)
        self.profit_rows: tuple[list, list, list, list] = ([], [], [], [])
        self.transition = np.empty(0)
        self._rows: dict[tuple[int, int], list[float]] = {}
        self._fix_units()

        self.history: list[dict[str, np.ndarray]] = []
        self.region_metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self.record()
        self.running = spec.steps > 0

    # ------------------------------------------------------------------ state
    @property
    def years(self) -> float:
        """Years since the start (at the end of the current step)."""
        return self.steps * self.dt

    @property
    def level(self) -> float:
        """The general level at the time of the current fields (money terms of decisions are
        in units of the mean annual firm output of that time)."""
        return self.economy.level(self.fields_years)

    @property
    def firm_counts(self) -> np.ndarray:
        """[S, N] firms by sector and node."""
        return self.firm_pop.region_counts()

    @property
    def talent_counts(self) -> np.ndarray:
        return self.talent_pop.region_counts()

    def agents_of(self, kind: type) -> mesa.agent.AgentSet:
        """The agents of one class (an empty set if there are none)."""
        return self.agents_by_type.get(kind, mesa.agent.AgentSet([], random=self.random))

    def _fix_units(self) -> None:
        """Model units, the outside and its pools from the initial state; the equilibrium
        start (as ``RegionModel._fix_units``)."""
        spec = self.spec
        self.fields = self.economy.fix_units(self.firm_pop.region_sums(),
                                             self.talent_pop.region_sums(), self.network,
                                             self.modifiers)
        self.outside = self.economy.outside(0.0)
        self.fields_years = 0.0
        self.pools = (spec.outside.size * self.firm_counts.sum(axis=1),
                      spec.outside.size * self.talent_counts.sum(axis=1))
        self.residuals = Residuals.zero(len(SECTORS), self.region.n)
        if spec.outside.enabled and spec.outside.equilibrium_start:
            balance_outside(self)
        if spec.init.balanced_start and spec.init.distribution == "data":
            balance_nodes(self)

    def set_locations(self, firm_nodes: np.ndarray | None = None,
                      talent_nodes: np.ndarray | None = None) -> None:
        """Move the initial agents (in creation order) to the given nodes (step 0 only); the
        units, the equilibrium start and the step-0 record are recomputed."""
        if self.steps != 0:
            raise RuntimeError("locations can only be set before the first step")
        for kind, books, nodes in ((self.firm_class, self.firm_pop, firm_nodes),
                                   (self.talent_class, self.talent_pop, talent_nodes)):
            if nodes is not None:
                for agent, j in zip(self.agents_of(kind), nodes, strict=True):
                    agent.cell = self.space[int(j)]
                books.changed()
        self._fix_units()
        self.history.clear()
        self.datacollector = mesa.DataCollector(model_reporters=REGION_METRICS)
        self.record()

    # ------------------------------------------------------------------ agents' bookkeeping
    def move(self, agent: CellAgent, j: int, books: TallyBooks) -> None:
        """Book the decision i -> j (i = j: stayed; j = n: left the region) and carry it out."""
        i = agent.cell.coordinate
        books.ledger.flows[i, j] += 1
        if j == self.n:
            agent.remove()
        elif j != i:
            agent.cell = self.space[j]
        if j != i:
            books.moved(agent.sector, i, j)

    def remove_agent(self, agent: CellAgent, books: TallyBooks) -> None:
        """A firm closes or a worker retires."""
        j = agent.cell.coordinate
        books.ledger.died[j] += 1
        agent.remove()
        books.removed(agent.sector, j)

    def firm_attributes(self, sector: int) -> tuple[float, float]:
        """Productivity and data intensity of a new firm (the distributions of
        ``model.initial.new_firms``), drawn with the model's ``random``."""
        init = self.spec.init
        sigma, c = init.productivity_sigma, init.data_concentration
        mean = min(max(float(self.region.sectors.data_intensity[sector]), 1e-3), 1 - 1e-3)
        return (self.random.lognormvariate(-0.5 * sigma**2, sigma),
                self.random.betavariate(mean * c, (1 - mean) * c))

    def add_firm(self, node: int, sector: int, productivity: float, data_intensity: float, *,
                 arrived: bool) -> None:
        """A new firm at ``node``: an arrival from the rest of China or an entrant."""
        self.firm_class(self, self.space[node], sector, productivity, data_intensity)
        self.book_entry(node, sector, self.firm_pop, arrived=arrived)

    def add_talent(self, node: int, sector: int, *, arrived: bool) -> None:
        """A new worker at ``node`` with a drawn skill (the distribution of
        ``model.initial.new_talent``): an arrival or a graduate."""
        sigma = self.spec.init.skill_sigma
        self.talent_class(self, self.space[node], sector,
                          self.random.lognormvariate(-0.5 * sigma**2, sigma))
        self.book_entry(node, sector, self.talent_pop, arrived=arrived)

    def book_entry(self, node: int, sector: int, books: TallyBooks, *, arrived: bool) -> None:
        if arrived:
            books.ledger.flows[self.n, node] += 1
        else:
            books.ledger.born[node] += 1
        books.added(sector, node)

    def consider_entry(self, node: int, sector: int) -> None:
        """A potential entrant draws its attributes and enters if the discounted profit at
        ``node`` exceeds the entry cost."""
        q, d = self.firm_attributes(sector)
        if firm_rules.enters(self.profit_at(q, d, sector, node), self.annuity_firms,
                             self.spec.growth.entry_cost):
            self.add_firm(node, sector, q, d, arrived=False)

    def profit_at(self, q: float, d: float, sector: int, node: int) -> float:
        """``FirmTerms.profit`` of one firm from the step's rows of Python floats (the same
        operations in the same order, so the same value)."""
        rate, money, compute, bonus = self.profit_rows
        return q * (1.0 + bonus[node] * d) * rate[sector][node] + money[sector][node] \
            - d * compute[node]

    def transition_row(self, sector: int, origin: int) -> list[float]:
        """Cumulative transition row of (sector, origin) (cached for the step)."""
        key = (sector, origin)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = np.cumsum(self.transition[sector, origin]).tolist()
        return row

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """One step (the schedule of the module docstring)."""
        self.firm_pop.new_step()
        self.talent_pop.new_step()
        coordination = self.govern()
        self.prepare_decisions()
        self.agents_of(self.firm_class).do("reconsider")
        self.agents_of(self.talent_class).do("reconsider")
        if self.outside.open:
            self.arrivals()
        if self.spec.growth.enabled:
            self.births_and_exits()
        self.policy.pay(self.firm_counts, self.modifiers.sector_subsidy, coordination, self.dt,
                        self.level)
        self.compute_fields()
        self.record()
        self.running = self.steps < self.spec.steps

    def govern(self) -> bool:
        """Governments set this step's subsidies for the average mobile firm they perceive;
        returns whether they coordinate."""
        pol = self.spec.mechanisms.policy
        coordination = pol.coordination or self.modifiers.coordination
        counts = self.firm_counts
        mix = counts.sum(axis=1) / max(counts.sum(), 1)
        terms = firm_rules.node_terms(self, subsidies=False)
        utility = terms.average_firm(self.region.sectors.data_intensity)
        level = self.level
        f = self.fields
        self.policy.decide(output=f.output.sum(axis=0), firms=counts.sum(axis=0).astype(float),
                           value=pol.value_of_firm * f.output.sum(axis=0)
                           / f.capital.sum(axis=0) / level,
                           base_utility=mix @ utility[:, :-1], scale=terms.scale,
                           coordination=coordination, dt=self.dt,
                           outside=float(mix @ utility[:, -1]) if self.outside.open else None,
                           level=level)
        return coordination

    def prepare_decisions(self) -> None:
        """Per-step caches: the firms' node terms (and their profit rows as Python floats)
        and the talent transition matrix."""
        terms = self.terms = firm_rules.node_terms(self)
        self.profit_rows = (terms.profit_rate.tolist(), terms.money.tolist(),
                            terms.compute.tolist(), terms.bonus.tolist())
        self.transition = talent_rules.transition_matrix(talent_rules.utility_matrix(self))
        self._rows = {}

    def births_and_exits(self) -> None:
        """Entry, graduates, then closures and retirements, agent by agent."""
        gr = self.spec.growth
        counts = self.firm_counts.astype(float)  # incumbents, arrivals included
        # potential entrants = spin-offs of each incumbent (drawn by the incumbents) + seeds
        # of the universities (drawn by node)
        seeds = firm_rules.potential_entrants(counts, self.region.universities, gr.birth_rate,
                                              gr.university_births, self.dt)
        seeds = np.maximum(seeds - self.spin_off_mean * counts, 0.0)
        self.agents_of(self.firm_class).do("spin_off")
        for s in range(len(SECTORS)):
            for j in range(self.n):
                for _ in range(self.rng.poisson(seeds[s, j])):
                    self.consider_entry(j, s)
        self.graduation()
        self.closures_and_retirements()

    def closures_and_retirements(self) -> None:
        """Each firm may close, each worker retire; the same pass tallies the weight sums of
        the survivors (in the order of a separate tally, so the same sums)."""
        for kind, books, method in ((self.firm_class, self.firm_pop, "survive"),
                                    (self.talent_class, self.talent_pop, "age")):
            sums = [[0.0] * self.n for _ in SECTORS]
            weight = books.weight
            for agent in list(self.agents_of(kind)):  # a copy: agents leave during the pass
                getattr(agent, method)()
                cell = agent.cell
                if cell is not None:
                    sums[agent.sector][cell.coordinate] += getattr(agent, weight)
            books.set_sums(sums)

    def arrivals(self) -> None:
        """Reconsidering agents of the rest of China who choose a region node: their number by
        sector is Poisson (pool x revision probability x probability of choosing the region);
        each arrival draws its node with its own uniform."""
        spec, n, terms = self.spec, self.n, self.terms
        mean_d = self.region.sectors.data_intensity
        home = terms.outside_stay(mean_d, self.outside.log_elsewhere, spec.firms.site_weight,
                                  self.network.firm_outside_cost / self.annuity_firms)
        to_region = {"firm": firm_rules.arrival_probabilities(terms, home, mean_d),
                     "talent": self.transition[:, n, :n]}
        movers = {"firm": self.pools[0] * self.firm_revision,
                  "talent": self.pools[1] * self.talent_revision}
        for s in range(len(SECTORS)):
            for kind in ("firm", "talent"):
                p = to_region[kind][s]
                cumulative = np.cumsum(p).tolist()
                for _ in range(self.rng.poisson(movers[kind][s] * cumulative[-1])):
                    node = inverse_cdf(cumulative, self.random.random())
                    if kind == "firm":
                        self.add_firm(node, s, *self.firm_attributes(s), arrived=True)
                    else:
                        self.add_talent(node, s, arrived=True)

    def graduation(self) -> None:
        """Graduates: Poisson by sector (graduation rate x the sector's talent); each is placed
        where the universities are (a small base everywhere), with its own uniform."""
        universities = self.region.universities + 0.5
        cumulative = np.cumsum(universities / universities.sum()).tolist()
        talent = self.talent_counts.sum(axis=1)
        rate = self.spec.growth.graduation_rate * self.dt
        for s in range(len(SECTORS)):
            for _ in range(self.rng.poisson(rate * talent[s])):
                self.add_talent(inverse_cdf(cumulative, self.random.random()), s, arrived=False)

    def compute_fields(self) -> None:
        """Node fields from the agents' capital and labour (tallied from the agents)."""
        self.fields_years = self.years
        self.outside = self.economy.outside(self.years)
        self.fields = self.economy.fields(self.firm_pop.region_sums(),
                                          self.talent_pop.region_sums(), self.network,
                                          self.modifiers, self.years)

    def record(self) -> None:
        """The production model's node record and region metrics of the current state."""
        record = node_record(self)
        self.region_metrics = region_metrics(self, record)
        self.history.append(record)
        self.datacollector.collect(self)

    def run(self, steps: int | None = None) -> ReferenceModel:
        """Step to the horizon (or ``steps`` more steps)."""
        remaining = self.spec.steps - self.steps if steps is None else steps
        for _ in range(max(remaining, 0)):
            self.step()
        return self


class OldReferenceFirm(ReferenceFirm):
    """The first reference's firm: its profit through ``FirmTerms`` (numpy scalars), its
    closure probability and Poisson term computed afresh at every call."""

    def profit(self) -> float:
        return float(self.model.terms.profit(self.productivity, self.data_intensity, self.sector,
                                             self.cell.coordinate))

    def spin_off(self) -> None:
        m = self.model
        for _ in range(poisson(m.random, m.spin_off_mean)):
            m.consider_entry(self.cell.coordinate, self.sector)

    def survive(self) -> None:
        m = self.model
        gr = m.spec.growth
        hazard = gr.exit_rate + (gr.loss_exit_rate if self.profit() < 0 else 0.0)
        if m.random.random() < probability(hazard, m.dt):
            m.remove_agent(self, m.firm_pop)


class OldReferenceModel(ReferenceModel):
    """The first reference (kept for the benchmark's table): the same rules and draws as
    ``ReferenceModel`` (the same histories for a seed), without its caches: counts and sums
    tallied by a loop over the agents after every change, the firms' profit through numpy
    scalars, and separate passes for closures, retirements and the tallies."""

    firm_class = OldReferenceFirm
    books_class = TallyBooks

    def profit_at(self, q: float, d: float, sector: int, node: int) -> float:
        return float(self.terms.profit(q, d, sector, node))

    def closures_and_retirements(self) -> None:
        self.agents_of(self.firm_class).do("survive")
        self.agents_of(self.talent_class).do("age")


__all__ = ["Books", "OldReferenceFirm", "OldReferenceModel", "ReferenceFirm", "ReferenceModel",
           "ReferenceTalent", "TallyBooks", "inverse_cdf", "logit_draw", "poisson"]
