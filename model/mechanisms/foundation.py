"""Industrial foundation: endowments from the data and path dependence through relocation costs.

Sector productivity  A_{j,s} = (v_{j,s} / mean v_s)^e,  v = value added per head of the sector's
proxy (soft: tertiary, hard: secondary); amenity ln a_j = e_a ln(tertiary per head / mean);
digital infrastructure infra_j = broadband users per head / regional mean. Switched off, every node
has A = 1, ln a = 0, infra = 1 and firms relocate without a fixed cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.region import Region
from scenarios.schema import FoundationParams


@dataclass
class Endowments:
    productivity: np.ndarray  # [S, N] A_{j,s}
    log_amenity: np.ndarray   # [N]
    infrastructure: np.ndarray  # [N] mean 1 (population weighted)
    log_size: np.ndarray      # [N] ln(population / mean population)
    sector_weight: np.ndarray  # [S, N] value added by sector proxy, for initial placement


def _relative_per_head(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    per_head = values / population
    return per_head / (values.sum() / population.sum())


def endowments(region: Region, params: FoundationParams) -> Endowments:
    """Endowments of every node; neutral values when the mechanism is off."""
    pop = region.population
    sector_weight = np.vstack([region.tertiary, region.secondary])
    log_size = np.log(pop / pop.mean())
    if not params.enabled:
        n = region.n
        return Endowments(np.ones((2, n)), np.zeros(n), np.ones(n), log_size, sector_weight)
    e = params.endowment_elasticity
    productivity = np.vstack([_relative_per_head(region.tertiary, pop) ** e,
                              _relative_per_head(region.secondary, pop) ** e])
    log_amenity = params.amenity_elasticity * np.log(_relative_per_head(region.tertiary, pop))
    infrastructure = _relative_per_head(region.broadband, pop)
    return Endowments(productivity, log_amenity, infrastructure, log_size, sector_weight)


def compute_cost(infrastructure: np.ndarray, params: FoundationParams,
                 modifier: np.ndarray | None = None) -> np.ndarray:
    """Compute cost per unit of data intensity: c / infra_j (times an intervention modifier)."""
    cost = params.compute_cost / infrastructure
    return cost if modifier is None else cost * modifier


def relocation_cost(params: FoundationParams) -> float:
    """Fixed cost of a firm relocation (zero without path dependence)."""
    return params.relocation_cost if params.enabled else 0.0
