"""Market endogeneity: agglomeration economies, local labour markets, rents and congestion.

Per node j and sector s (Cobb-Douglas in firm capital Q and talent efficiency units L):
  Y_{j,s} = TFP_{j,s} Q^{1-beta} L^beta,   TFP = A_{j,s} (E_j / mean E)^alpha * spillovers
  w_{j,s} = beta Y / L,   profit per unit of q: (1 - beta) Y / Q
  rent_j = (z_j / z)^eta,  z_j = E_j / pop_j  (digital density, regional mean z)
  cost of living P_j = (pop_j / mean pop)^eps_u * rent_j^h
Switched off: alpha = 0, rent = 1, and the wages and profit rates that agents see stay at their
initial values (no endogenous prices).
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
            params: MarketParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output, wage per efficiency unit, and profit per unit of firm productivity."""
    beta = params.labour_share
    output = tfp * capital ** (1 - beta) * labour ** beta
    wage = beta * output / labour
    profit_rate = (1 - beta) * output / capital
    return output, wage, profit_rate


def rent(employment: np.ndarray, population: np.ndarray, params: MarketParams) -> np.ndarray:
    """Digital rent index: relative digital density to the power eta (1 when off)."""
    if not params.enabled:
        return np.ones_like(employment)
    density = employment / population
    return (density / (employment.sum() / population.sum())) ** params.rent_elasticity


def cost_of_living(rent_index: np.ndarray, log_size: np.ndarray,
                   params: MarketParams) -> np.ndarray:
    """Cost of living: urban costs rising with population, times rent^housing share."""
    return np.exp(params.urban_cost_elasticity * log_size) * rent_index ** params.housing_share
