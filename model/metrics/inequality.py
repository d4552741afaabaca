"""Population-weighted inequality of node shares s_i against population shares p_i."""

from __future__ import annotations

import numpy as np


def _per_head(shares: np.ndarray, pop_shares: np.ndarray) -> np.ndarray:
    return shares / pop_shares


def gini(shares: np.ndarray, pop_shares: np.ndarray) -> float:
    """Population-weighted Gini of per-head values: 1/2 sum_ij p_i p_j |y_i - y_j| / mean y."""
    y = _per_head(shares, pop_shares)
    mean = float(pop_shares @ y)
    diff = np.abs(y[:, None] - y[None, :])
    return float(0.5 * pop_shares @ diff @ pop_shares / mean)


def _theil_terms(shares: np.ndarray, pop_shares: np.ndarray) -> float:
    mask = shares > 0
    return float(np.sum(shares[mask] * np.log(shares[mask] / pop_shares[mask])))


def theil(shares: np.ndarray, pop_shares: np.ndarray,
          groups: np.ndarray) -> tuple[float, float, float]:
    """Theil T = sum s_i ln(s_i / p_i) and its exact decomposition into between-group
    sum_g s_g ln(s_g / p_g) and within-group sum_g s_g T_g (which equals T - between)."""
    total = _theil_terms(shares, pop_shares)
    n_groups = int(groups.max()) + 1
    s_g = np.bincount(groups, weights=shares, minlength=n_groups)
    p_g = np.bincount(groups, weights=pop_shares, minlength=n_groups)
    between = _theil_terms(s_g, p_g)
    return total, between, total - between


def williamson_cv(shares: np.ndarray, pop_shares: np.ndarray) -> float:
    """Williamson's population-weighted coefficient of variation of per-head values."""
    y = _per_head(shares, pop_shares)
    mean = float(pop_shares @ y)
    return float(np.sqrt(pop_shares @ (y - mean) ** 2) / mean)
