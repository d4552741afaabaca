"""Array-backed state: agents are rows of numpy arrays; Mesa agent objects are views over them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SECTORS = ("soft", "hard")
SOFT, HARD = 0, 1


@dataclass
class FirmArrays:
    """One row per firm agent."""

    node: np.ndarray            # int64 node index
    sector: np.ndarray          # int8: 0 soft, 1 hard
    productivity: np.ndarray    # q_f, mean 1
    data_intensity: np.ndarray  # d_f in [0, 1]

    def __len__(self) -> int:
        return len(self.node)


@dataclass
class TalentArrays:
    """One row per talent agent."""

    node: np.ndarray    # int64 node index
    sector: np.ndarray  # int8: 0 soft, 1 hard
    skill: np.ndarray   # efficiency units, mean 1

    def __len__(self) -> int:
        return len(self.node)


@dataclass
class NodeFields:
    """Node-level quantities computed once per step from the agent arrays (S sectors x N nodes)."""

    capital: np.ndarray        # [S, N] sum of firm productivity, incl. the immobile base
    labour: np.ndarray         # [S, N] talent efficiency units, incl. the immobile base
    employment: np.ndarray     # [N] labour summed over sectors
    tfp: np.ndarray            # [S, N]
    output: np.ndarray         # [S, N] digital output
    wage: np.ndarray           # [S, N] per efficiency unit
    profit_rate: np.ndarray    # [S, N] profit per unit of firm productivity (mean-output units)
    rent: np.ndarray           # [N] digital rent index (1 at the regional mean density)
    cost_of_living: np.ndarray # [N]
    market_access: np.ndarray  # [N] knowledge access, mean 1
    compute_cost: np.ndarray   # [N] per unit of data intensity (mean-output units)
    extra: dict = field(default_factory=dict)


def sector_offset(sector: np.ndarray, n_nodes: int) -> np.ndarray:
    """sector x n_nodes per agent: added to the node index it gives the agent's (sector, node)
    cell. Sectors never change, so this is computed once."""
    return sector.astype(np.int64) * n_nodes


def sector_node_sum(cells: np.ndarray, weight: np.ndarray, n_nodes: int) -> np.ndarray:
    """Sum of ``weight`` by (sector, node) cell as an [S, N] array, via one bincount."""
    flat = np.bincount(cells, weights=weight, minlength=len(SECTORS) * n_nodes)
    return flat.astype(float, copy=False).reshape(len(SECTORS), n_nodes)  # float if empty too


def sector_node_count(cells: np.ndarray, n_nodes: int) -> np.ndarray:
    """Agent counts by (sector, node) cell as an [S, N] integer array."""
    return np.bincount(cells, minlength=len(SECTORS) * n_nodes).reshape(len(SECTORS), n_nodes)
