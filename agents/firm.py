"""Firms relocate by expected profit net of a relocation cost (multinomial logit over nodes).

U_fj = beta_f [q_f (1 + b_j d_f) pi_{j,s} - o r_j P_j - d_f c_j + s_j + s_{j,s}]
       + w_site ln size_j
       - (F_firm + border_f 1[prov_i != prov_j] + delta_f t_ij) 1[j != i]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.kernels import firm_logit_draws
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


def _node_terms(profit_rate: np.ndarray, fixed_cost: np.ndarray, subsidy: np.ndarray,
                sector_subsidy: np.ndarray, site: np.ndarray,
                scale: float) -> tuple[np.ndarray, np.ndarray]:
    """[S, N] terms shared by all firms of a sector: per unit of productivity, and the rest."""
    return scale * profit_rate, scale * (subsidy - fixed_cost + sector_subsidy) + site


def relocation_utilities(firms: FirmArrays, idx: np.ndarray, *, profit_rate: np.ndarray,
                         fixed_cost: np.ndarray, compute_cost: np.ndarray,
                         subsidy: np.ndarray, data_bonus: np.ndarray,
                         sector_subsidy: np.ndarray, site: np.ndarray, pair_cost: np.ndarray,
                         scale: float) -> np.ndarray:
    """(deciders x nodes) utilities U_fj of the deciding firms ``idx`` (the rule, in numpy)."""
    per_q, common = _node_terms(profit_rate, fixed_cost, subsidy, sector_subsidy, site, scale)
    sector = firms.sector[idx]
    q = firms.productivity[idx, None]
    d = firms.data_intensity[idx, None]
    return (q * (1.0 + data_bonus * d) * per_q[sector] + common[sector]
            - (scale * d) * compute_cost - pair_cost[firms.node[idx]])


def relocation_choices(firms: FirmArrays, idx: np.ndarray, *, profit_rate: np.ndarray,
                       fixed_cost: np.ndarray, compute_cost: np.ndarray, subsidy: np.ndarray,
                       data_bonus: np.ndarray, sector_subsidy: np.ndarray, site: np.ndarray,
                       pair_cost: np.ndarray, scale: float,
                       rng: np.random.Generator) -> np.ndarray:
    """New node of each deciding firm ``idx``: one logit draw each from
    ``relocation_utilities``, computed by a compiled kernel (one uniform per decider)."""
    if len(idx) == 0:
        return np.empty(0, dtype=np.int64)
    per_q, common = _node_terms(profit_rate, fixed_cost, subsidy, sector_subsidy, site, scale)
    u = rng.random(len(idx))
    return firm_logit_draws(firms.productivity[idx], firms.data_intensity[idx],
                            firms.sector[idx], firms.node[idx], per_q, common,
                            scale * compute_cost, data_bonus, pair_cost, u)


def pair_costs(travel_hours: np.ndarray, border: np.ndarray, *, relocation: float,
               border_cost: float, travel_decay: float) -> np.ndarray:
    """Cost of relocating from i to j (zero for staying)."""
    cost = relocation + border_cost * border + travel_decay * travel_hours
    np.fill_diagonal(cost, 0.0)
    return cost
