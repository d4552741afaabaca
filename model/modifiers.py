"""Modifiers: how active interventions change the rules in one quarter.

Each quarter the model starts from neutral modifiers (factors 1, offsets 0); every active
intervention adjusts them, scaled by its strength; the mechanisms and decision rules read them.
Neutral modifiers leave every computation bit-identical to a run without interventions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class Modifiers:
    tfp: np.ndarray             # [S, N] productivity factor
    compute: np.ndarray         # [N] compute-cost factor
    data_bonus: np.ndarray      # [N] productivity gain per unit of data intensity
    amenity: np.ndarray         # [N] offset to log amenity
    talent_cost: np.ndarray     # [N, N] offset to talent move costs (negative: cheaper)
    firm_cost: np.ndarray       # [N, N] offset to firm relocation costs
    sector_subsidy: np.ndarray  # [S, N] targeted per-firm subsidy by sector
    coordination: bool = False  # governments use the joint objective

    @classmethod
    def neutral(cls, n_sectors: int, n_nodes: int) -> Modifiers:
        return cls(tfp=np.ones((n_sectors, n_nodes)), compute=np.ones(n_nodes),
                   data_bonus=np.zeros(n_nodes), amenity=np.zeros(n_nodes),
                   talent_cost=np.zeros((n_nodes, n_nodes)),
                   firm_cost=np.zeros((n_nodes, n_nodes)),
                   sector_subsidy=np.zeros((n_sectors, n_nodes)))

    def same_as(self, other: Modifiers | None) -> bool:
        """True when both modifiers have identical values."""
        if other is None:
            return False
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray):
                if not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True
