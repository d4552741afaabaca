"""The scenario schema: every key a scenario file may set, with its default, range and source.

One dataclass per TOML table. Field metadata carries the valid range (``lo``/``hi``), allowed
``choices``, a one-line ``doc`` and the ``source`` of the default (literature or "convention").
The loader (``scenarios.loader``) validates files against these definitions, so this file is the
single place where a parameter is declared. Equations: ``docs/ODD.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scenarios.validate import validate_instance

REQUIRED = object()  # a parameter without default: the loader reports it when missing


def param(default: Any, lo: float | None = None, hi: float | None = None, *, doc: str,
          source: str = "convention", choices: tuple[str, ...] | None = None,
          uncertain: tuple[float, float] | None = None) -> Any:
    """A scenario parameter with its default (or ``REQUIRED``), valid range and documentation.
    ``uncertain`` declares the parameter uncertain with the range of plausible values that
    comparisons draw from (``--uncertain``) and calibration takes as its prior."""
    meta = {"lo": lo, "hi": hi, "doc": doc, "source": source, "choices": choices,
            "uncertain": uncertain}
    if default is REQUIRED:
        return field(metadata=meta)
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class _Validated:
    """Base of the parameter tables: fields are checked (and numpy scalars made plain) when an
    instance is built, including in Python code."""

    def __post_init__(self) -> None:
        validate_instance(self)


@dataclass(frozen=True)
class ScaleParams(_Validated):
    firm_agents: int = param(20_000, 0, 50_000_000, doc="firm agents in the region at the start")
    talent_agents: int = param(30_000, 0, 50_000_000, doc="talent agents in the region at the "
                               "start")
    real_firms: float = param(
        300_000.0, 1, 1e8, doc="digital-economy firms in the region that the firm agents stand for",
        source="estimate, order of magnitude; see docs/ODD.md (input data)")
    real_output: float = param(
        6_000.0, 1, 1e7, uncertain=(4_000.0, 9_000.0),
        doc="annual digital output of the region at the start that the model's output stands "
        "for (100 million yuan): converts budgets in yuan (interventions) to model units",
        source="estimate: core digital-economy value added of Sichuan and Chongqing, order of "
        "magnitude (Chengdu alone 2,581 in 2021: data/observed_digital.csv)")
    real_workers: float = param(
        3_000_000.0, 1, 1e9, doc="digital-economy workers that the talent agents stand for",
        source="estimate, order of magnitude; see docs/ODD.md (input data)")


@dataclass(frozen=True)
class InitParams(_Validated):
    distribution: str = param("data", doc="initial placement: 'data' (by sector endowment x "
                              "population) or 'uniform' (equal agents in every node)",
                              choices=("data", "uniform"))
    productivity_sigma: float = param(0.5, 0, 3, doc="s.d. of log firm productivity q",
                                      source="convention (firm productivity dispersion)")
    skill_sigma: float = param(0.4, 0, 3, doc="s.d. of log talent skill")
    data_concentration: float = param(10.0, 0.1, 1000, doc="Beta concentration of firm data "
                                      "intensity around its sector mean")
    base_share: float = param(0.02, 1e-4, 0.5, doc="immobile local digital base, as a share of "
                              "the mobile totals, spread by population")
    balanced_start: bool = param(True, doc="solve residual location preferences of talent "
                                 "and firms by (sector, node) so that the start is a stationary "
                                 "state of the relocation rules (the data's distribution is "
                                 "what the rules would keep); change then comes from the forces "
                                 "only. A 'uniform' start is never balanced (it is a thought "
                                 "experiment, not data)",
                                 source="model inversion of quantitative spatial economics: "
                                 "Redding & Rossi-Hansberg 2017; Allen & Arkolakis 2014; "
                                 "chosen by the calibration (docs/VALIDATION.md Part 3)")


@dataclass(frozen=True)
class PolicyParams(_Validated):
    enabled: bool = param(True, doc="policy drive: subsidies paid from local tax revenue")
    coordination: bool = param(False, doc="governments maximise the joint objective instead of "
                               "competing by best response")
    value_of_firm: float = param(0.5, 0, 10, uncertain=(0.2, 1.0),
                                 doc="value to a government of one firm, per unit of its "
                                 "annual output (fiscal + tournament value)",
                                 source="convention; GDP tournament: Li & Zhou 2005")
    tax_rate: float = param(0.06, 0, 0.5, uncertain=(0.03, 0.1),
                            doc="local tax revenue per unit of digital output (VAT and income "
                            "taxes retained by cities and provinces)",
                            source="estimate: ~13% VAT + 25% CIT on profits, about half "
                            "retained locally (State Council 2016 No. 26 VAT split 50/50)")
    province_share: float = param(0.3, 0, 1, doc="share of local tax revenue that goes to the "
                                  "provincial government", source="convention")
    subsidy_budget_share: float = param(0.5, 0, 1, doc="share of revenue a government may spend "
                                        "on firm subsidies")
    debt_limit: float = param(0.5, 0, 5, doc="largest debt a government may carry, in years of "
                              "its subsidy revenue (bounded borrowing)")
    fund_share: float = param(0.1, 0, 1, doc="under coordination: share of subsidy revenue paid "
                              "into the joint fund of the coordination committee")
    adjustment: float = param(0.5, 0, 1, doc="partial adjustment of subsidies toward the target "
                              "each quarter")
    max_subsidy: float = param(0.3, 0, 10, doc="upper bound of a per-firm subsidy (units of "
                               "mean annual firm output); targeted subsidies included")


@dataclass(frozen=True)
class MarketParams(_Validated):
    enabled: bool = param(True, doc="market endogeneity: agglomeration, wages, rents, congestion")
    alpha: float = param(0.096, 0, 0.5, uncertain=(0.02, 0.12),
                         doc="productivity elasticity to local digital employment",
                         source="calibrated: posterior median of the 2010-2020 backcast "
                         "(90%: 0.041-0.117; docs/VALIDATION.md Part 3); literature: Ciccone & "
                         "Hall 1996 (0.06); Combes et al. 2008 (0.03); Combes, Demurger & Li "
                         "2015 (China, 0.10)")
    rent_elasticity: float = param(0.8, 0, 3, doc="eta: rent elasticity to local density of "
                                   "digital activity", source="Combes, Duranton & Gobillon 2019 "
                                   "(land price vs population ~0.82)")
    housing_share: float = param(0.24, 0, 1, doc="housing share of talent's cost of living",
                                 source="NBS 2022 household consumption: housing ~24%")
    urban_cost_elasticity: float = param(0.04, 0, 0.5, doc="cost of living elasticity to city "
                                         "population", source="Combes, Duranton & Gobillon "
                                         "2019, REStud (0.04)")
    land_cost: float = param(1.0, 0, 10, uncertain=(0.5, 2.0),
                             doc="scale of the sectors' land and office cost shares (data/"
                             "sector_traits.csv land_cost) at the regional mean rent")
    power_cost: float = param(1.0, 0, 10, uncertain=(0.5, 2.0),
                              doc="scale of the sectors' electricity cost shares (power_cost) "
                              "at the regional mean tariff")


@dataclass(frozen=True)
class FoundationParams(_Validated):
    enabled: bool = param(True, doc="industrial foundation: endowments and path dependence")
    endowment_elasticity: float = param(0.5, 0, 3, uncertain=(0.25, 1.0),
                                        doc="sector productivity elasticity to the node's sector "
                                        "endowment index (data/sectors.csv)")
    amenity_elasticity: float = param(0.3, 0, 3, uncertain=(0.1, 0.6),
                                      doc="amenity elasticity to tertiary value added per head "
                                      "(public services proxy)")
    relocation_cost: float = param(1.0, 0, 20, uncertain=(0.5, 3.0),
                                   doc="one-off firm relocation cost (units of mean annual "
                                   "firm output): sunk capital, customers",
                                   source="convention; path dependence")
    compute_cost: float = param(0.15, 0, 2, uncertain=(0.05, 0.3),
                                doc="compute cost of a fully data-intensive firm at the "
                                "regional mean (units of mean annual firm output)",
                                source="convention: computing and cloud spending of data-"
                                "intensive firms, ~10-20% of revenue")
    rack_relief: float = param(0.3, 0, 1, doc="largest reduction of compute cost by "
                               "data-centre racks within reach (data/computing.csv)")
    rack_reach_hours: float = param(1.0, 0, 24, doc="travel time within which racks serve firms")
    rack_half: float = param(20_000.0, 1, 1e7, uncertain=(5_000.0, 80_000.0),
                             doc="data-centre racks within reach that give half the largest "
                             "relief: relief = rack_relief x R / (R + rack_half)",
                             source="convention: a national hub's start area holds 10^4-10^5 "
                             "racks (data/computing.csv)")


@dataclass(frozen=True)
class InnovationParams(_Validated):
    enabled: bool = param(True, doc="innovation-network synergy: knowledge spillovers")
    gamma: float = param(0.125, 0, 1, doc="productivity elasticity to knowledge access",
                         source="Ahlfeldt & Feddersen 2018, JEG (~0.125)")
    half_life_hours: float = param(0.5, 0.05, 10, uncertain=(0.5, 3.0),
                                   doc="travel time over which spillovers halve",
                                   source="Ahlfeldt & Feddersen 2018 (halves every 30 min)")
    university_weight: float = param(0.5, 0, 1, doc="weight of universities (vs digital "
                                     "employment) among knowledge sources")


@dataclass(frozen=True)
class MechanismParams(_Validated):
    policy: PolicyParams = field(default_factory=PolicyParams)
    market: MarketParams = field(default_factory=MarketParams)
    foundation: FoundationParams = field(default_factory=FoundationParams)
    innovation: InnovationParams = field(default_factory=InnovationParams)


@dataclass(frozen=True)
class GrowthParams(_Validated):
    enabled: bool = param(True, doc="a growing region: entry, exit, graduates, retirement, "
                          "national sector growth (off: no births or exits; moves to and from "
                          "the rest of China follow outside.enabled)")
    national_growth: float = param(1.0, 0, 3, uncertain=(0.5, 1.5),
                                   doc="scale of the national growth of each sector's "
                                   "productivity and demand (data/sector_traits.csv)")
    birth_rate: float = param(0.12, 0, 5, uncertain=(0.06, 0.25),
                              doc="potential entrants per incumbent firm and year (spin-offs)",
                              source="convention; China's firm entry rates ~10-15%/yr "
                              "(Brandt, Van Biesebroeck & Zhang 2012)")
    university_births: float = param(0.1, 0, 10, doc="potential entrants seeded by universities, "
                                     "as a share of the sector's regional incumbents, spread by "
                                     "the nodes' university counts (times birth_rate)")
    entry_cost: float = param(2.0, 0, 20, uncertain=(1.0, 4.0),
                              doc="one-off cost of entry (units of mean annual firm output): "
                              "a potential entrant enters when the discounted profit of its "
                              "productivity draw exceeds it",
                              source="convention; order of the capital-output ratio of "
                              "China, ~3 (Penn World "
                              "Table 10), less the capital a relocating firm keeps")
    exit_rate: float = param(0.05, 0, 1, doc="exogenous annual exit hazard of firms",
                             source="convention; Chinese firm exit ~5-10%/yr (Brandt et al. "
                             "2012)")
    loss_exit_rate: float = param(0.5, 0, 10, doc="extra annual exit hazard of a firm whose "
                                  "annual profit is negative")
    graduation_rate: float = param(0.04, 0, 1, doc="new digital talent per year from the "
                                   "region's universities, as a share of the region's talent",
                                   source="convention, declared uncertain: ~0.3 M ICT graduates "
                                   "a year in Sichuan and Chongqing against ~3 M digital "
                                   "workers (MOE) give 0.10 if every graduate took a digital "
                                   "job in the region; 0.04 assumes about 40% do (the share "
                                   "was not found)", uncertain=(0.02, 0.10))
    retirement_rate: float = param(0.03, 0, 1, doc="annual hazard of leaving the digital "
                                   "workforce (retirement, career change)")


@dataclass(frozen=True)
class OutsideParams(_Validated):
    enabled: bool = param(True, doc="the rest of China as an outside node that talent and firms "
                          "can leave to and arrive from (off: a closed region)")
    equilibrium_start: bool = param(True, doc="scale the outside's wages and profit rates "
                                    "(by sector) so that the expected flows between the region "
                                    "and the rest of China balance at the start: the region of "
                                    "2022 as a spatial equilibrium (Rosen 1979; Roback 1982); "
                                    "false: use the premiums as given")
    size: float = param(11.0, 1, 100, uncertain=(6.0, 20.0),
                        doc="digital economy of the rest of China relative to the region's",
                        source="CAICT 2023: China 50.2 trillion yuan (2022); Sichuan 2.3 and "
                        "Chongqing 1.9 trillion (provincial reports): ratio ~11")
    wage_premium: float = param(1.25, 0.2, 5, uncertain=(1.0, 1.6),
                                doc="outside wage relative to the region's mean at the start "
                                "(before the equilibrium scaling)",
                                source="estimate: NBS 2022 average wage in software and IT "
                                "services, national vs Sichuan/Chongqing")
    profit_premium: float = param(1.0, 0.2, 5, uncertain=(0.8, 1.3),
                                  doc="outside profit rate relative to the region's mean at the "
                                  "start")
    cost_of_living_premium: float = param(1.3, 0.2, 5, uncertain=(1.0, 1.6),
                                          doc="outside cost of living relative to the region's "
                                          "mean (coastal housing)")
    rent_premium: float = param(3.0, 0.2, 20, uncertain=(1.5, 4.5),
                                doc="office and land rent in the rest of China's digital hubs "
                                "relative to the region's mean",
                                source="estimate: prime office rents of Shanghai, Shenzhen and "
                                "Beijing ~2.5-3.5x those of Chengdu and Chongqing (2022 "
                                "commercial real-estate market reports)")
    city_size: float = param(5.0, 1, 100, uncertain=(2.0, 8.0),
                             doc="size of a typical destination city in the rest of China "
                             "relative to the region's mean node (its settlement cost)",
                             source="estimate: coastal digital hubs of 10-20 million residents "
                             "vs the region's mean node of 2.8 million (7th census)")
    distance_cost: float = param(24.0, 0, 200, uncertain=(12.0, 36.0),
                                 doc="extra one-off cost of a move of talent between the region "
                                 "and the rest of China (utility-years: distance beyond the "
                                 "gateway, family ties)", source="convention; to calibrate on "
                                 "migration flows")
    firm_distance_cost: float = param(6.0, 0, 50, uncertain=(3.0, 10.0),
                                      doc="extra one-off cost of a firm's move between the "
                                      "region and the rest of China (mean annual firm output: "
                                      "customers, suppliers, registration)",
                                      source="convention; to calibrate on firm flows")
    internal_hours: float = param(4.0, 0, 48, doc="typical travel time between two places in "
                                  "the rest of China (the cost of moving elsewhere there)",
                                  source="convention: HSR times between provincial capitals")
    gateway_hours: float = param(3.0, 0, 48, doc="travel time from every node to the rest of "
                                 "China when the region has no gateways file (data/gateways.csv "
                                 "gives it through the nearest gateway otherwise)")


@dataclass(frozen=True)
class FirmParams(_Validated):
    revision_rate: float = param(0.08, 0, 100, doc="annual rate at which a firm reconsiders its "
                                 "location (0.08: ~2% per quarter)")
    profit_scale: float = param(4.0, 0, 100, uncertain=(1.0, 8.0),
                                doc="logit scale on annual profit (per unit of mean annual firm "
                                "output)", source="convention; estimable by PPML on firm counts "
                                "(Guimaraes, Figueiredo & Woodward 2003)")
    discount_rate: float = param(0.08, 0.001, 1, doc="annual discount rate of firms",
                                 source="convention: cost of capital of private firms in China "
                                 "~8%")
    border_cost: float = param(0.3, 0, 20, doc="extra one-off cost of relocating across the "
                               "province border (standards, licences; mean annual output)")
    travel_decay: float = param(0.1, 0, 10, doc="one-off relocation cost per hour of travel time")
    site_weight: float = param(1.0, 0, 3, doc="weight of log city size (number of sites)",
                               source="aggregated alternatives: Ben-Akiva & Lerman 1985")


@dataclass(frozen=True)
class TalentParams(_Validated):
    revision_rate: float = param(0.2, 0, 100, doc="annual rate at which talent reconsiders "
                                 "(0.2: ~5% per quarter)")
    kappa: float = param(1.08, 0, 20, doc="income elasticity of migration",
                         source="calibrated: posterior median of the 2010-2020 backcast (90%: "
                         "0.58-2.49; docs/VALIDATION.md Part 3); Tombe & Zhu 2019, AER (~1.5)")
    discount_rate: float = param(0.05, 0.001, 1, doc="annual discount rate of talent",
                                 source="convention")
    travel_decay: float = param(4.0, 0, 100, doc="one-off migration cost per hour of travel "
                                "time (utility-years)", source="prior from Zhang & Zhao (IZA); "
                                "calibrate by PPML")
    border_cost: float = param(12.0, 0, 200, uncertain=(6.0, 24.0),
                               doc="one-off province-border cost (utility-years; Sichuan vs "
                               "Chongqing vs the rest of China)",
                               source="Poncet 2003 (strong provincial border effects)")
    fixed_cost: float = param(25.0, 0, 200, uncertain=(12.0, 40.0),
                              doc="one-off fixed cost of any move (utility-years)",
                              source="Kennan & Walker 2011 (large fixed moving costs)")
    settlement_cost: float = param(6.0, 0, 100, uncertain=(0.0, 12.0),
                                   doc="one-off settlement (hukou) cost per log of destination "
                                   "size above the mean (utility-years)",
                                   source="convention; State Council 2014 No. 51 size tiers")
    size_weight: float = param(1.0, 0, 3, doc="weight of log city size (number of jobs, homes)",
                               source="aggregated alternatives: Ben-Akiva & Lerman 1985")


@dataclass(frozen=True)
class MetricParams(_Validated):
    cores: list[str] = param(["chengdu", "chongqing_central"], doc="the two core nodes "
                             "(metrics only; no behaviour names them)")
    basis: str = param("output", doc="quantity whose node shares the region metrics use",
                       choices=("output", "talent", "firms"))
    depression_threshold: float = param(0.5, 0, 1, doc="a digital depression has output per head "
                                        "below this fraction of the regional mean")
    moran_tau_hours: float = param(1.0, 0.05, 20, doc="decay of the Moran weights exp(-t/tau)")
    siphon_hours: float = param(2.0, 0, 24, doc="the periphery of the siphon measure: non-core "
                                "nodes within this travel time of a core",
                                source="the plan's 'one-hour/two-hour' commuting circles")
    cluster_lq: float = param(1.25, 1, 10, doc="a cluster: a non-core node whose sector "
                              "location quotient is at least this", source="convention "
                              "(LQ > 1.25: Miller et al. 2001 cluster mapping)")
    cluster_rise: float = param(0.10, 0, 10, doc="a cluster's LQ must have risen by at least "
                                "this fraction of its start value", source="convention: above "
                                "the quarter-to-quarter noise of high LQs at the default scale "
                                "(90th percentile 0.07, median 0.018; docs/VALIDATION.md)")


@dataclass(frozen=True)
class DataParams(_Validated):
    cities: str = param("", doc="cities CSV, absolute or relative to the working directory "
                        "(empty: the repository's data/cities.csv)")
    links: str = param("", doc="links CSV, absolute or relative to the working directory "
                       "(empty: the repository's data/links.csv)")
    sectors: str = param("", doc="sector endowments CSV (empty: data/sectors.csv beside the "
                         "cities file, or neutral endowments if there is none)")
    computing: str = param("", doc="electricity tariffs and data-centre racks CSV (empty: "
                           "data/computing.csv beside the cities file, or neutral values)")
    gateways: str = param("", doc="gateways to the rest of China CSV (empty: data/gateways.csv "
                          "beside the cities file, or outside.gateway_hours from every node)")


@dataclass(frozen=True)
class Scenario:
    """A whole scenario. Every instance is validated when built, whatever its origin (a file,
    an override or Python code), so the model never runs on an unchecked value."""

    name: str = param("baseline", doc="scenario name")
    description: str = param("", doc="what the scenario is for")
    seed: int = param(20221231, 0, 2**63 - 1, doc="master seed")
    steps: int = param(52, 0, 100_000, doc="steps to simulate (52 quarters: 2023Q1-2035Q4)")
    step_years: float = param(0.25, 0.01, 1, doc="length of a step in years (0.25: a quarter); "
                              "rates are annual, so a shorter step changes nothing material")
    start_year: int = param(2023, 1900, 2200, doc="calendar year of step 1")
    scale: ScaleParams = field(default_factory=ScaleParams)
    init: InitParams = field(default_factory=InitParams)
    mechanisms: MechanismParams = field(default_factory=MechanismParams)
    growth: GrowthParams = field(default_factory=GrowthParams)
    outside: OutsideParams = field(default_factory=OutsideParams)
    firms: FirmParams = field(default_factory=FirmParams)
    talent: TalentParams = field(default_factory=TalentParams)
    metrics: MetricParams = field(default_factory=MetricParams)
    data: DataParams = field(default_factory=DataParams)
    interventions: list = param([], doc="[[interventions]] tables: timed changes to the rules "
                                "(see docs/ODD.md, section 7.6)")

    def __post_init__(self) -> None:
        validate_instance(self)
        from scenarios.interventions.base import Intervention
        from scenarios.registry import validate_interventions

        items = self.interventions
        if not isinstance(items, list) or not all(isinstance(i, Intervention) for i in items):
            items = validate_interventions(items, type(self).__name__)
        object.__setattr__(self, "interventions", list(items))
