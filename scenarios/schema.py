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
    firm_agents: int = param(20_000, 0, 50_000_000, doc="firm agents in the run")
    talent_agents: int = param(30_000, 0, 50_000_000, doc="talent agents in the run")
    real_firms: float = param(
        300_000.0, 1, 1e8, doc="digital-economy firms in the region that the firm agents stand for",
        source="estimate, order of magnitude; see docs/ODD.md (input data)")
    real_workers: float = param(
        3_000_000.0, 1, 1e9, doc="digital-economy workers that the talent agents stand for",
        source="estimate, order of magnitude; see docs/ODD.md (input data)")


@dataclass(frozen=True)
class InitParams(_Validated):
    distribution: str = param("data", doc="initial placement: 'data' (by value added) or "
                              "'uniform' (equal agents in every node)", choices=("data", "uniform"))
    productivity_sigma: float = param(0.5, 0, 3, doc="s.d. of log firm productivity q",
                                      source="convention (firm productivity dispersion)")
    skill_sigma: float = param(0.4, 0, 3, doc="s.d. of log talent skill")
    data_intensity_soft: float = param(0.6, 0, 1, doc="mean data intensity of soft firms")
    data_intensity_hard: float = param(0.3, 0, 1, doc="mean data intensity of hard firms")
    base_share: float = param(0.02, 1e-4, 0.5, doc="immobile local digital base, as a share of "
                              "the mobile totals, spread by population")


@dataclass(frozen=True)
class PolicyParams(_Validated):
    enabled: bool = param(True, doc="policy drive: subsidies under budgets")
    coordination: bool = param(False, doc="governments maximise the joint objective instead of "
                               "competing by best response")
    value_of_firm: float = param(0.5, 0, 10, uncertain=(0.2, 1.0),
                                 doc="value to a government of one firm, per unit of "
                                 "its output (fiscal + tournament value)",
                                 source="convention; GDP tournament: Li & Zhou 2005")
    city_budget_share: float = param(0.05, 0, 1, doc="city budget per quarter as a share of its "
                                     "GDP share of regional digital output")
    province_budget_share: float = param(0.02, 0, 1, doc="provincial budget per quarter, same "
                                         "basis")
    adjustment: float = param(0.5, 0, 1, doc="partial adjustment of subsidies toward the best "
                              "response each quarter")
    max_subsidy: float = param(1.0, 0, 10, doc="upper bound of a per-firm subsidy (units of "
                               "mean firm output)")


@dataclass(frozen=True)
class MarketParams(_Validated):
    enabled: bool = param(True, doc="market endogeneity: agglomeration, wages, rents")
    alpha: float = param(0.05, 0, 0.5, uncertain=(0.02, 0.12),
                         doc="productivity elasticity to local digital employment",
                         source="Ciccone & Hall 1996 (0.06); Combes et al. 2008 (0.03); "
                         "Combes, Demurger & Li 2015 (China, 0.10)")
    labour_share: float = param(0.6, 0.05, 0.95, doc="labour share beta of digital output",
                                source="convention; China labour share ~0.5-0.6 (NBS)")
    rent_elasticity: float = param(0.8, 0, 3, doc="eta: rent elasticity to local digital density",
                                   source="Combes, Duranton & Gobillon 2019 (land price vs "
                                   "population ~0.82)")
    housing_share: float = param(0.24, 0, 1, doc="housing share of talent's cost of living",
                                 source="NBS 2022 household consumption: housing ~24%")
    urban_cost_elasticity: float = param(0.04, 0, 0.5, doc="cost of living elasticity to city "
                                         "population", source="Combes, Duranton & Gobillon "
                                         "2019, REStud (0.04)")
    office_cost: float = param(0.10, 0, 2, doc="office rent per firm at the regional mean rent "
                               "(units of mean firm output)")


@dataclass(frozen=True)
class FoundationParams(_Validated):
    enabled: bool = param(True, doc="industrial foundation: endowments and path dependence")
    endowment_elasticity: float = param(0.5, 0, 3, uncertain=(0.25, 1.0),
                                        doc="sector productivity elasticity to "
                                        "sector value added per head")
    amenity_elasticity: float = param(0.3, 0, 3, uncertain=(0.1, 0.6),
                                      doc="amenity elasticity to tertiary value "
                                      "added per head (public services proxy)")
    relocation_cost: float = param(2.0, 0, 20, uncertain=(0.5, 4.0),
                                   doc="firm relocation cost (utility units): sunk "
                                   "capital, customers", source="convention; path dependence")
    compute_cost: float = param(0.15, 0, 2, uncertain=(0.05, 0.3),
                                doc="compute cost of a fully data-intensive firm at "
                                "mean digital infrastructure (units of mean firm output)",
                                source="convention: computing and cloud spending of data-"
                                "intensive firms, ~10-20% of revenue")


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
class FirmParams(_Validated):
    revision_rate: float = param(0.02, 0, 1, doc="share of firms reconsidering location per "
                                 "quarter")
    profit_scale: float = param(4.0, 0, 100, uncertain=(1.0, 8.0),
                                doc="logit scale on profit (per unit of mean firm "
                                "output)", source="convention; estimable by PPML on firm counts "
                                "(Guimaraes, Figueiredo & Woodward 2003)")
    border_cost: float = param(0.5, 0, 20, doc="extra cost of relocating across the province "
                               "border (standards, licences)")
    travel_decay: float = param(0.2, 0, 10, doc="relocation cost per hour of travel time")
    site_weight: float = param(1.0, 0, 3, doc="weight of log city size (number of sites)",
                               source="aggregated alternatives: Ben-Akiva & Lerman 1985")


@dataclass(frozen=True)
class TalentParams(_Validated):
    revision_rate: float = param(0.05, 0, 1, doc="share of talent reconsidering per quarter")
    kappa: float = param(1.5, 0, 20, doc="income elasticity of migration",
                         source="Tombe & Zhu 2019, AER (~1.5)")
    travel_decay: float = param(0.3, 0, 10, doc="migration cost per hour of travel time",
                                source="prior from Zhang & Zhao (IZA); calibrate by PPML")
    border_cost: float = param(1.0, 0, 20, uncertain=(0.5, 2.0),
                               doc="province-border cost (Sichuan vs Chongqing)",
                               source="Poncet 2003 (strong provincial border effects)")
    fixed_cost: float = param(2.0, 0, 20, uncertain=(1.0, 3.0),
                              doc="fixed cost of any move",
                              source="Kennan & Walker 2011 (large fixed moving costs)")
    settlement_cost: float = param(0.5, 0, 10, uncertain=(0.0, 1.0),
                                   doc="settlement (hukou) cost per log of "
                                   "destination size above the mean",
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


@dataclass(frozen=True)
class DataParams(_Validated):
    cities: str = param("", doc="cities CSV, absolute or relative to the working directory "
                        "(empty: the repository's data/cities.csv)")
    links: str = param("", doc="links CSV, absolute or relative to the working directory "
                       "(empty: the repository's data/links.csv)")


@dataclass(frozen=True)
class Scenario:
    """A whole scenario. Every instance is validated when built, whatever its origin (a file,
    an override or Python code), so the model never runs on an unchecked value."""

    name: str = param("baseline", doc="scenario name")
    description: str = param("", doc="what the scenario is for")
    seed: int = param(20221231, 0, 2**63 - 1, doc="master seed")
    steps: int = param(52, 0, 100_000, doc="quarters to simulate (52: 2023Q1-2035Q4)")
    start_year: int = param(2023, 1900, 2200, doc="calendar year of step 1 (quarter 1)")
    scale: ScaleParams = field(default_factory=ScaleParams)
    init: InitParams = field(default_factory=InitParams)
    mechanisms: MechanismParams = field(default_factory=MechanismParams)
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
