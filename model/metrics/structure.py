"""Core structure, specialisation, depressions and the geography of flows."""

from __future__ import annotations

import numpy as np


def two_core(shares: np.ndarray, cores: np.ndarray) -> tuple[float, float, float]:
    """Two-core share S2, balance B = min/max of the two, primacy = larger core / S2."""
    a, b = shares[cores[0]], shares[cores[1]]
    s2 = float(a + b)
    balance = float(min(a, b) / max(a, b)) if max(a, b) > 0 else 1.0
    primacy = float(max(a, b) / s2) if s2 > 0 else 0.5
    return s2, balance, primacy


def krugman_index(sector_output: np.ndarray, a: int, b: int) -> float:
    """Krugman specialisation index sum_k |x_ak - x_bk| of sector shares (0 same ... 2 disjoint)."""
    xa = sector_output[:, a] / sector_output[:, a].sum()
    xb = sector_output[:, b] / sector_output[:, b].sum()
    return float(np.abs(xa - xb).sum())


def depressions(shares: np.ndarray, pop_shares: np.ndarray, threshold: float) -> int:
    """Nodes whose per-head value is below ``threshold`` x the regional mean."""
    return int(np.sum(shares / pop_shares < threshold))


def _off_diagonal(flows: np.ndarray) -> np.ndarray:
    moves = flows.astype(float).copy()
    np.fill_diagonal(moves, 0.0)
    return moves


def noncore_flow_share(flows: np.ndarray, cores: np.ndarray) -> float:
    """Share of moves between nodes that touch neither core (0 when nobody moved)."""
    moves = _off_diagonal(flows)
    total = moves.sum()
    if total == 0:
        return 0.0
    noncore = np.ones(len(flows), dtype=bool)
    noncore[cores] = False
    return float(moves[np.ix_(noncore, noncore)].sum() / total)


def flow_centralization(flows: np.ndarray) -> float:
    """Freeman degree centralisation of the weighted flow graph: 1 for a star, 0 when even.

    C = sum_i (s_max - s_i) / ((n - 2) * sum_i s_i / 2), s_i = in + out moves of node i.
    """
    moves = _off_diagonal(flows)
    strength = moves.sum(axis=0) + moves.sum(axis=1)
    n = len(strength)
    if strength.sum() == 0 or n < 3:
        return 0.0
    return float((strength.max() - strength).sum() / ((n - 2) * strength.sum() / 2))


def axis_ratio(shares: np.ndarray, pop_shares: np.ndarray, axis: np.ndarray,
               cores: np.ndarray) -> float:
    """Axis nodes' share of non-core activity divided by their share of non-core population."""
    noncore = np.ones(len(shares), dtype=bool)
    noncore[cores] = False
    on_axis = noncore & axis
    if shares[noncore].sum() == 0 or not on_axis.any():
        return 0.0
    activity = shares[on_axis].sum() / shares[noncore].sum()
    population = pop_shares[on_axis].sum() / pop_shares[noncore].sum()
    return float(activity / population)
