"""Talent migrates by wage and amenity net of travel time, settlement and border costs.

V_ij = kappa ln(w_{j,s} / P_j) + ln a_j + w_size ln size_j
       - (delta_t t_ij + b 1[prov_i != prov_j] + F + h_j) 1[j != i],
h_j = settlement cost x max(0, ln size_j). Each quarter a share of agents reconsiders and
draws from P(j | i, s) = exp(V_ij) / sum_k exp(V_ik).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.choice import softmax_rows
from model.kernels import draw_rows
from model.state import SECTORS, TalentArrays

if TYPE_CHECKING:
    from model.model import RegionModel


class Talent(mesa.Agent):
    """Digital workers of one skill and sector (stands for ``real_workers / talent_agents``).

    A view over row ``index`` of ``model.talent``.
    """

    def __init__(self, model: RegionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def node(self) -> int:
        return int(self.model.talent.node[self.index])

    @property
    def node_id(self) -> str:
        return self.model.region.ids[self.node]

    @property
    def sector(self) -> str:
        return SECTORS[self.model.talent.sector[self.index]]

    @property
    def skill(self) -> float:
        return float(self.model.talent.skill[self.index])


def destination_utility(wage: np.ndarray, cost_of_living: np.ndarray, log_amenity: np.ndarray,
                        log_size: np.ndarray, *, kappa: float, size_weight: float) -> np.ndarray:
    """[S, N] utility of living and working in each node, by sector."""
    return (kappa * (np.log(wage) - np.log(cost_of_living)) + log_amenity
            + size_weight * log_size)


def pair_costs(travel_hours: np.ndarray, border: np.ndarray, log_size: np.ndarray, *,
               fixed_cost: float, border_cost: float, travel_decay: float,
               settlement_cost: float) -> np.ndarray:
    """[N, N] cost of moving from i to j (zero for staying)."""
    settle = settlement_cost * np.maximum(log_size, 0.0)
    cost = fixed_cost + border_cost * border + travel_decay * travel_hours + settle[None, :]
    np.fill_diagonal(cost, 0.0)
    return cost


def transition_matrix(utility: np.ndarray, pair_cost: np.ndarray) -> np.ndarray:
    """[S, N, N]: P(j | i, s) for an agent that reconsiders."""
    return softmax_rows(utility[:, None, :] - pair_cost[None, :, :])


def migration_choices(talent: TalentArrays, idx: np.ndarray, transition: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """New node of each deciding agent ``idx``: rows of the transition matrix, drawn at once
    (the cumulative sums are taken once per (sector, origin), not once per agent)."""
    cumulative = np.cumsum(transition, axis=2)
    return draw_rows(cumulative, talent.sector[idx], talent.node[idx], rng.random(len(idx)))
