"""Industrial foundation: endowments from the data and path dependence through relocation costs.

Sector productivity  A_{s,j} = I_{s,j}^e,  I = the node's sector endowment index
(data/sectors.csv: its share of the region's activity in the sector over its population share);
amenity ln a_j = e_a ln(tertiary value added per head / regional mean); electricity tariffs and
data-centre racks (data/computing.csv) set the cost of power and compute. Switched off, every
node has A = 1, ln a = 0, the mean tariff, no rack relief, and firms relocate without a fixed
cost (the path dependence of sunk relocation costs is part of this force).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.region import Region
from scenarios.schema import FoundationParams


@dataclass
class Endowments:
    productivity: np.ndarray   # [S, N] A_{s,j}
    log_amenity: np.ndarray    # [N]
    log_size: np.ndarray       # [N] ln(population / mean population)
    tariff: np.ndarray         # [N] electricity tariff relative to the population-weighted mean
    placement: np.ndarray      # [S, N] initial placement weights (endowment index x population)


def _relative_per_head(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    per_head = values / population
    return per_head / (values.sum() / population.sum())


def endowments(region: Region, params: FoundationParams) -> Endowments:
    """Endowments of every node; neutral values when the mechanism is off. The initial
    placement follows the data either way (it is the region as it is, not a force)."""
    pop = region.population
    index = region.nodes.sector_index
    placement = index * pop[None, :]
    log_size = np.log(pop / pop.mean())
    n = region.n
    if not params.enabled:
        return Endowments(np.ones_like(index), np.zeros(n), log_size, np.ones(n), placement)
    tariff = region.nodes.electricity / np.average(region.nodes.electricity, weights=pop)
    return Endowments(index ** params.endowment_elasticity,
                      params.amenity_elasticity * np.log(_relative_per_head(region.tertiary,
                                                                            pop)),
                      log_size, tariff, placement)


def racks_within_reach(racks: np.ndarray, travel_hours: np.ndarray,
                       params: FoundationParams) -> np.ndarray:
    """[N] data-centre racks within ``rack_reach_hours`` of each node."""
    return (travel_hours <= params.rack_reach_hours) @ racks


def rack_relief(within: np.ndarray, params: FoundationParams) -> np.ndarray:
    """[N] share of compute cost saved by the racks within reach R: rack_relief x R / (R +
    rack_half), saturating (0 when the mechanism is off)."""
    if not params.enabled:
        return np.zeros_like(within, dtype=float)
    return params.rack_relief * within / (within + params.rack_half)


def compute_cost(tariff: np.ndarray, relief: np.ndarray, params: FoundationParams,
                 modifier: np.ndarray | None = None) -> np.ndarray:
    """Compute cost per unit of data intensity: c x tariff x (1 - relief) x modifier."""
    cost = params.compute_cost * tariff * (1.0 - relief)
    return cost if modifier is None else cost * modifier


def relocation_cost(params: FoundationParams) -> float:
    """One-off cost of a firm relocation (zero without path dependence)."""
    return params.relocation_cost if params.enabled else 0.0
