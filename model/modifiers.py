"""The narrow interface of interventions: what they may read, and the modifiers they return.

Each step the model starts from neutral modifiers (factors 1, offsets 0, no new links); every
active intervention reads an ``InterventionView`` (the region, the scenario, a few node
quantities: copies, never the model) and adjusts the modifiers, scaled by its strength; the
mechanisms and decision rules read them, and the model opens the links they ask for.
Neutral modifiers leave every computation bit-identical to a run without interventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.region import Region
    from scenarios.schema import Scenario


@dataclass(frozen=True)
class InterventionView:
    """What an intervention may read (arrays are copies)."""

    region: Region                # nodes, links, travel times (the network of this step)
    spec: Scenario                # the scenario's parameters
    log_size: np.ndarray          # [N] ln(population / mean population)
    border: np.ndarray            # [N, N] 1 where two nodes lie in different provinces
    employment: np.ndarray        # [N] digital employment (efficiency units) at the step's start
    data_demand: np.ndarray       # [N] sum of firm productivity x data intensity by node
    yuan_per_unit: float          # 100 million yuan per model output unit (for budgets in yuan)
    step_years: float             # length of a step
    step: int                     # the current step (1 = the first simulated one)

    def node_mask(self, ids: list[str]) -> np.ndarray:
        """Boolean mask of the given node ids (an empty list selects every node)."""
        if not ids:
            return np.ones(self.region.n, dtype=bool)
        mask = np.zeros(self.region.n, dtype=bool)
        mask[self.region.node_indices(ids)] = True
        return mask


@dataclass
class Modifiers:
    tfp: np.ndarray             # [S, N] productivity factor
    compute: np.ndarray         # [N] compute-cost factor
    data_bonus: np.ndarray      # [N] productivity gain per unit of data intensity
    amenity: np.ndarray         # [N] offset to log amenity
    talent_cost: np.ndarray     # [N, N] offset to talent move costs (negative: cheaper)
    firm_cost: np.ndarray       # [N, N] offset to firm relocation costs
    sector_subsidy: np.ndarray  # [S, N] targeted per-firm subsidy by sector
    racks: np.ndarray = None    # [N] data-centre racks added
    spending: np.ndarray = None  # [N] what interventions cost each city government, per year
    #                              (model units; paid from its subsidy account)
    coordination: bool = False  # governments use the joint objective
    links: list = field(default_factory=list)  # (from, to, minutes) links to open (persistent)

    @classmethod
    def neutral(cls, n_sectors: int, n_nodes: int) -> Modifiers:
        return cls(tfp=np.ones((n_sectors, n_nodes)), compute=np.ones(n_nodes),
                   data_bonus=np.zeros(n_nodes), amenity=np.zeros(n_nodes),
                   talent_cost=np.zeros((n_nodes, n_nodes)),
                   firm_cost=np.zeros((n_nodes, n_nodes)),
                   sector_subsidy=np.zeros((n_sectors, n_nodes)), racks=np.zeros(n_nodes),
                   spending=np.zeros(n_nodes))

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
