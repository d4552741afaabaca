"""The node economy and prices: production, wages, profits, rents, site and compute costs, and
the outside node (the rest of China), recomputed once per step from the agents' locations.

Model units: at the start, mean output per unit of firm productivity and the mean wage are 1
(per year). National growth multiplies every sector's TFP by Z_s(t) = exp(g_s t); the outside's
wages and profit rates follow the region's start means times a premium, growing with Z_s(t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.mechanisms import foundation, innovation, market
from model.modifiers import Modifiers
from model.region import Region
from model.state import NodeFields
from scenarios.schema import Scenario


@dataclass
class Outside:
    """The rest of China as one node; [S] arrays by sector."""

    profit_rate: np.ndarray
    wage: np.ndarray
    site_cost: np.ndarray
    cost_of_living: float
    compute_cost: float
    log_size: float      # ln(size in mean-node units): the many sites a mover from the region finds
    open: bool

    @property
    def log_elsewhere(self) -> float:
        """ln of the sites of the rest of China other than one's own (for its own agents)."""
        return float(np.log(max(np.exp(self.log_size) - 1.0, 1e-12)))


class Economy:
    """Computes ``NodeFields`` and the ``Outside`` from the agents' capital and labour."""

    def __init__(self, spec: Scenario, region: Region, endowments: foundation.Endowments,
                 base_capital: np.ndarray, base_labour: np.ndarray) -> None:
        self.spec, self.region, self.endowments = spec, region, endowments
        self.base_capital, self.base_labour = base_capital, base_labour
        self.traits = region.sectors
        growth = spec.growth
        self.growth_rate = (growth.national_growth * self.traits.national_growth
                            if growth.enabled else np.zeros(len(self.traits.national_growth)))
        self.units = (1.0, 1.0)
        self.frozen: tuple[np.ndarray, np.ndarray] | None = None
        self.start_means: tuple[np.ndarray, np.ndarray] | None = None
        n_sectors = len(self.traits.national_growth)
        # multipliers of the outside's wage and profit rate (set to balance flows at the start)
        self.outside_wage_factor = np.ones(n_sectors)
        self.outside_profit_factor = np.ones(n_sectors)
        self.output_mix = np.full(len(self.traits.national_growth),
                                  1.0 / len(self.traits.national_growth))

    def growth(self, years: float) -> np.ndarray:
        """[S] national growth factor Z_s(t) since the start."""
        return np.exp(self.growth_rate * years)

    def level(self, years: float) -> float:
        """The general level zbar(t): Z_s(t) averaged with the sectors' start output shares.
        Money terms of decisions (profits, costs, subsidies) are in units of mean annual
        firm output of the time, i.e. model units / zbar, so that costs rise with the economy."""
        return float(self.output_mix @ self.growth(years))

    def fix_units(self, capital: np.ndarray, labour: np.ndarray, network, mods: Modifiers
                  ) -> NodeFields:
        """Set the model units from the initial state (docs/ODD.md §2) and return the fields."""
        self.units, self.frozen = (1.0, 1.0), None
        raw = self.fields(capital, labour, network, mods, 0.0)
        self.units = (float(raw.output.sum() / raw.capital.sum()),
                      float((raw.wage * raw.labour).sum() / raw.labour.sum()))
        fields = self.fields(capital, labour, network, mods, 0.0)
        self.output_mix = fields.output.sum(axis=1) / fields.output.sum()
        self.start_means = ((fields.profit_rate * fields.capital).sum(axis=1)
                            / fields.capital.sum(axis=1),
                            (fields.wage * fields.labour).sum(axis=1) / fields.labour.sum(axis=1))
        if not self.spec.mechanisms.market.enabled:
            self.frozen = (fields.wage.copy(), fields.profit_rate.copy())
        return fields

    def fields(self, capital: np.ndarray, labour: np.ndarray, network, mods: Modifiers,
               years: float) -> NodeFields:
        """Node fields from the agents' sums of productivity ([S, N]) and skill ([S, N])."""
        spec, reg = self.spec, self.region
        mk, fd = spec.mechanisms.market, spec.mechanisms.foundation
        capital = capital + self.base_capital
        labour = labour + self.base_labour
        employment = labour.sum(axis=0)
        access = innovation.knowledge_access(network.spillover_kernel, reg.universities,
                                             employment, spec.mechanisms.innovation)
        z = self.growth(years)
        tfp = (self.endowments.productivity * z[:, None]
               * market.agglomeration(employment, mk)[None, :]
               * innovation.productivity_factor(access, spec.mechanisms.innovation)[None, :]
               * mods.tfp)
        output, wage, profit_rate = market.produce(tfp, capital, labour, self.traits.labour_share)
        y_unit, w_unit = self.units
        output, wage, profit_rate = output / y_unit, wage / w_unit, profit_rate / y_unit
        if self.frozen is not None:  # no market: start prices, scaled by national growth only
            wage, profit_rate = self.frozen[0] * z[:, None], self.frozen[1] * z[:, None]
        rent = market.rent(employment, reg.population, mk)
        return NodeFields(
            capital=capital, labour=labour, employment=employment, tfp=tfp, output=output,
            wage=wage, profit_rate=profit_rate, rent=rent,
            cost_of_living=market.cost_of_living(rent, self.endowments.log_size, mk),
            market_access=access,
            site_cost=market.site_cost(rent, self.endowments.tariff, self.traits.land_cost,
                                       self.traits.power_cost, mk),
            compute_cost=foundation.compute_cost(self.endowments.tariff,
                                                 self._relief(network, mods), fd, mods.compute))

    def _relief(self, network, mods: Modifiers) -> np.ndarray:
        """Rack relief of the network, with the racks that interventions add."""
        if not mods.racks.any():
            return network.rack_relief
        fd = self.spec.mechanisms.foundation
        added = foundation.racks_within_reach(mods.racks, self.region.travel_hours, fd)
        return foundation.rack_relief(network.racks_within + added, fd)

    def outside(self, years: float) -> Outside:
        """The rest of China at time ``years``: start means of the region times premiums."""
        out, mk = self.spec.outside, self.spec.mechanisms.market
        profit, wage = self.start_means
        z = self.growth(years)
        col = out.cost_of_living_premium
        return Outside(
            profit_rate=out.profit_premium * self.outside_profit_factor * profit * z,
            wage=out.wage_premium * self.outside_wage_factor * wage * z,
            site_cost=(mk.land_cost * self.traits.land_cost * out.rent_premium
                       + mk.power_cost * self.traits.power_cost),
            cost_of_living=col, compute_cost=self.spec.mechanisms.foundation.compute_cost,
            log_size=float(np.log(out.size * self.region.n)), open=out.enabled)
