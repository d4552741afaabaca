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
    n = probabilities.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(n) * cumulative[:, -1]
    choice = (cumulative < u[:, None]).sum(axis=1)
    return np.minimum(choice, probabilities.shape[1] - 1)


def logit_choice(utility: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one alternative per row of a utility matrix (agents x alternatives)."""
    return draw_from_rows(softmax_rows(utility), rng)


def deciders(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of the agents that reconsider this step (each with probability ``rate``)."""
    if rate >= 1.0:
        rng.random(n)  # keep the stream's position independent of the rate
        return np.arange(n)
    return np.flatnonzero(rng.random(n) < rate)


def flow_matrix(origin: np.ndarray, destination: np.ndarray, n_nodes: int) -> np.ndarray:
    """Counts of moves origin -> destination (diagonal: agents that stayed)."""
    flat = np.bincount(origin * n_nodes + destination, minlength=n_nodes * n_nodes)
    return flat.reshape(n_nodes, n_nodes)
