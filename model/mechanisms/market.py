"""Market endogeneity: agglomeration economies, local labour markets, rents and congestion.

Per node j and sector s (Cobb-Douglas in firm capital Q and talent efficiency units L, with the
sector's labour share beta_s from data/sector_traits.csv):
  Y_{s,j} = TFP_{s,j} Q^{1-beta_s} L^{beta_s},
  TFP_{s,j} = A_{s,j} Z_s(t) (E_j / mean E)^alpha * spillovers
  w_{s,j} = beta_s Y / L,   gross profit per unit of q: (1 - beta_s) Y / Q
  rent_j = (z_j / z)^eta,  z_j = E_j / pop_j  (density of digital activity; regional mean z)
  cost of living P_j = (pop_j / mean pop)^eps_u * rent_j^h
  site cost of a firm c_{s,j} = land_s * rent_j + power_s * tariff_j   (mean-output units)
Switched off: alpha = 0, rent = 1, and the wages and profit rates that agents see stay at their
initial values (no endogenous prices; national growth still scales them).
"""

from __future__ import annotations

import numpy as np

from scenarios.schema import MarketParams


def agglomeration(employment: np.ndarray, params: MarketParams) -> np.ndarray:
    """(E_j / mean E)^alpha, or 1 when the mechanism is off."""
    if not params.enabled or params.alpha == 0:
        return np.ones_like(employment)
    return (employment / employment.mean()) ** params.alpha


def produce(tfp: np.ndarray, capital: np.ndarray, labour: np.ndarray,
            labour_share: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output, wage per efficiency unit, and gross profit per unit of firm productivity."""
    beta = labour_share[:, None]
    output = tfp * capital ** (1 - beta) * labour ** beta
    return output, beta * output / labour, (1 - beta) * output / capital


def rent(employment: np.ndarray, population: np.ndarray, params: MarketParams) -> np.ndarray:
    """Rent index: relative density of digital activity to the power eta (1 when off)."""
    if not params.enabled:
        return np.ones_like(employment)
    density = employment / population
    return (density / (employment.sum() / population.sum())) ** params.rent_elasticity


def cost_of_living(rent_index: np.ndarray, log_size: np.ndarray,
                   params: MarketParams) -> np.ndarray:
    """Cost of living: urban costs rising with population, times rent^housing share."""
    return np.exp(params.urban_cost_elasticity * log_size) * rent_index ** params.housing_share


def site_cost(rent_index: np.ndarray, tariff: np.ndarray, land_share: np.ndarray,
              power_share: np.ndarray, params: MarketParams) -> np.ndarray:
    """[S, N] land, office and electricity cost of a firm per year (mean-output units)."""
    return (params.land_cost * land_share[:, None] * rent_index[None, :]
            + params.power_cost * power_share[:, None] * tariff[None, :])
