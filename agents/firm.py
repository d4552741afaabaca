"""Firms relocate by expected profit net of a relocation cost (multinomial logit over nodes).

U_fj = beta_f [q_f (1 + b_j d_f) pi_{j,s} - o r_j P_j - d_f c_j + s_j + s_{j,s}]
       + w_site ln size_j
       - (F_firm + border_f 1[prov_i != prov_j] + delta_f t_ij) 1[j != i]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.choice import logit_choice
from model.state import SECTORS, FirmArrays

if TYPE_CHECKING:
    from model.model import RegionModel


class Firm(mesa.Agent):
    """A digital-economy firm (stands for ``scale.real_firms / scale.firm_agents`` real firms).

    A view over row ``index`` of ``model.firms``: reading an attribute reads the array.
    """

    def __init__(self, model: RegionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def node(self) -> int:
        """Index of the node where the firm is located."""
        return int(self.model.firms.node[self.index])

    @property
    def node_id(self) -> str:
        return self.model.region.ids[self.node]

    @property
    def sector(self) -> str:
        """'soft' (software, platforms, digital services) or 'hard' (electronics, vehicles...)."""
        return SECTORS[self.model.firms.sector[self.index]]

    @property
    def productivity(self) -> float:
        return float(self.model.firms.productivity[self.index])

    @property
    def data_intensity(self) -> float:
        return float(self.model.firms.data_intensity[self.index])


def relocation_choices(firms: FirmArrays, idx: np.ndarray, *, profit_rate: np.ndarray,
                       fixed_cost: np.ndarray, compute_cost: np.ndarray, subsidy: np.ndarray,
                       data_bonus: np.ndarray, sector_subsidy: np.ndarray, site: np.ndarray,
                       pair_cost: np.ndarray, scale: float,
                       rng: np.random.Generator) -> np.ndarray:
    """New node of each deciding firm ``idx`` (one logit draw each, all at once).

    The node terms common to all firms of a sector are combined first ([S, N]), so the
    (deciders x nodes) matrix takes few passes.
    """
    if len(idx) == 0:
        return np.empty(0, dtype=np.int64)
    sector = firms.sector[idx]
    q = firms.productivity[idx, None]
    d = firms.data_intensity[idx, None]
    if data_bonus.any():
        q = q * (1.0 + d * data_bonus)
    per_q = scale * profit_rate                                  # [S, N]
    common = scale * (subsidy - fixed_cost + sector_subsidy) + site  # [S, N]
    utility = q * per_q[sector]
    utility += common[sector]
    utility -= (scale * d) * compute_cost
    utility -= pair_cost[firms.node[idx]]
    return logit_choice(utility, rng)


def pair_costs(travel_hours: np.ndarray, border: np.ndarray, *, relocation: float,
               border_cost: float, travel_decay: float) -> np.ndarray:
    """Cost of relocating from i to j (zero for staying)."""
    cost = relocation + border_cost * border + travel_decay * travel_hours
    np.fill_diagonal(cost, 0.0)
    return cost
