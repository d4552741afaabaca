"""Vectorised multinomial-logit choice: one uniform draw per deciding agent, no Python loops."""

from __future__ import annotations

import numpy as np


def softmax_rows(utility: np.ndarray) -> np.ndarray:
    """Row-wise logit probabilities exp(U_ij) / sum_k exp(U_ik), computed stably."""
    shifted = utility - utility.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def draw_from_rows(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row by inverse CDF (rows must sum to 1)."""
    return draw_from_cumulative(np.cumsum(probabilities, axis=1), rng)


def draw_from_cumulative(cumulative: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row of cumulative probabilities, by inverse CDF."""
    n = cumulative.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    u = rng.random(n) * cumulative[:, -1]
    choice = (cumulative < u[:, None]).sum(axis=1)
    return np.minimum(choice, cumulative.shape[1] - 1)


def logit_choice(utility: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one alternative per row of a utility matrix (agents x alternatives): the inverse CDF
    of the unnormalised weights exp(U - max U), so no division is needed."""
    weights = np.exp(utility - utility.max(axis=1, keepdims=True))
    return draw_from_cumulative(np.cumsum(weights, axis=1, out=weights), rng)


def deciders(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of the agents that reconsider this step, each independently with probability
    ``rate``: the gaps between successive deciders are geometric, so the cost is proportional
    to the number of deciders, not of agents."""
    if rate >= 1.0:
        return np.arange(n)
    if rate <= 0.0 or n == 0:
        return np.empty(0, dtype=np.int64)
    chunk = int(n * rate + 6.0 * np.sqrt(n * rate) + 16)
    positions = np.cumsum(rng.geometric(rate, chunk)) - 1
    while positions[-1] < n:
        more = positions[-1] + np.cumsum(rng.geometric(rate, chunk))
        positions = np.concatenate([positions, more])
    return positions[: np.searchsorted(positions, n)]


def flow_matrix(origin: np.ndarray, destination: np.ndarray, n_nodes: int) -> np.ndarray:
    """Counts of moves origin -> destination (diagonal: agents that stayed)."""
    flat = np.bincount(origin * n_nodes + destination, minlength=n_nodes * n_nodes)
    return flat.reshape(n_nodes, n_nodes)
