"""Talent migrates by wage and amenity net of annuitised moving costs, to and from the rest of
China; graduates join where the universities are; workers retire.

Flow utility of sector-s talent at node j (a region node or the outside, index n):
    V_{s,j} = kappa ln(w_{s,j} / P_j) + ln a_j + w_size ln size_j + xi_{s,j}
A reconsidering agent at i picks j with P(j | i, s) = exp(V_{s,j} - C_ij / A_t) / sum_k (...),
xi: the residual preference of a balanced start (``model.equilibrium.balance_nodes``; 0
otherwise). A_t = 1 / (r_t + retirement): the one-off cost C_ij (fixed, border, travel time,
settlement) annuitised at the discount rate plus the exit hazard. A worker of the rest of
China chooses between home (V without the many-sites term: its own city), the other places
there (the many-sites term, at the cost of a move between places there) and the region's
nodes; both ways of staying count as staying outside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.choice import softmax_rows
from model.backend import Kernels, kernels
from model.network import move_costs
from model.state import SECTORS, TalentArrays

if TYPE_CHECKING:
    from model.model import RegionModel


class Talent(mesa.Agent):
    """Digital workers of one skill and sector (stands for ``real_workers / talent_agents``):
    a view over the row of ``model.talent`` that holds agent ``uid``."""

    def __init__(self, model: RegionModel, uid: int) -> None:
        super().__init__(model)
        self.uid = uid

    @property
    def row(self) -> int:
        return self.model.talent.row_of(self.uid)

    @property
    def node(self) -> int:
        return int(self.model.talent.node[self.row])

    @property
    def node_id(self) -> str:
        return self.model.node_name(self.node)

    @property
    def sector(self) -> str:
        return SECTORS[self.model.talent.sector[self.row]]

    @property
    def skill(self) -> float:
        return float(self.model.talent.skill[self.row])


def destination_utility(wage: np.ndarray, cost_of_living: np.ndarray, log_amenity: np.ndarray,
                        log_size: np.ndarray, *, kappa: float, size_weight: float) -> np.ndarray:
    """[S, K] flow utility of living and working at each of K alternatives, by sector."""
    return (kappa * (np.log(wage) - np.log(cost_of_living))[...] + log_amenity
            + size_weight * log_size)


def utility_matrix(model: RegionModel) -> np.ndarray:
    """[S, N+1, N+1]: U[s, i, j] = V_{s,j} - C_ij / A_t (row n: a worker of the rest of China,
    who stays home with V_home)."""
    f, out, tl, mods = model.fields, model.outside, model.spec.talent, model.modifiers
    n = model.region.n
    wage = np.column_stack([f.wage, out.wage])
    living = np.append(f.cost_of_living, out.cost_of_living)
    amenity = np.append(model.endowments.log_amenity + mods.amenity, 0.0)
    size = np.append(model.endowments.log_size, out.log_size)
    value = destination_utility(wage, living, amenity, size, kappa=tl.kappa,
                                size_weight=tl.size_weight)
    value[:, :n] += model.residuals.talent
    cost = move_costs(model.network.talent_move_cost, mods.talent_cost) / model.annuity_talent
    utility = value[:, None, :] - cost[None, :, :]
    # a worker of the rest of China stays there: at home, or elsewhere there at a move cost
    home = value[:, n] - tl.size_weight * out.log_size
    elsewhere = (home + tl.size_weight * out.log_elsewhere
                 - model.network.talent_outside_cost / model.annuity_talent)
    utility[:, n, n] = np.logaddexp(home, elsewhere)
    if not out.open:
        utility[:, :, n] = -np.inf
        utility[:, n, n] = 0.0
    return utility


def transition_matrix(utility: np.ndarray) -> np.ndarray:
    """[S, N+1, N+1]: P(j | i, s) for an agent that reconsiders."""
    return softmax_rows(utility)


def migration_choices(talent: TalentArrays, idx: np.ndarray, transition: np.ndarray,
                      rng: np.random.Generator, using: Kernels | None = None) -> np.ndarray:
    """New node of each deciding agent ``idx``: rows of the transition matrix, drawn at once
    (the cumulative sums are taken once per (sector, origin), not once per agent)."""
    cumulative = np.cumsum(transition, axis=2)
    using = using or kernels(compiled=False)
    return using.draw_rows(cumulative, talent.sector[idx], talent.node[idx],
                           rng.random(len(idx)))
