"""Moran's I with travel-time weights w_ij = exp(-t_ij / tau), row-standardised (PySAL esda)."""

from __future__ import annotations

import warnings

import numpy as np
from esda.moran import Moran
from libpysal.weights import full2W


def moran_weights(travel_hours: np.ndarray, tau_hours: float):
    """A row-standardised libpysal ``W`` from all-pairs travel times (no self-weights)."""
    full = np.exp(-travel_hours / tau_hours)
    np.fill_diagonal(full, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = full2W(full)
    weights.transform = "r"
    return weights


def moran(values: np.ndarray, weights) -> tuple[float, float]:
    """(I, two-sided p under normality). Constant values have no autocorrelation: (0, 1)."""
    values = np.asarray(values, dtype=float)
    if np.ptp(values) <= 1e-12 * max(1.0, np.abs(values).max()):
        return 0.0, 1.0
    result = Moran(values, weights, permutations=0)
    return float(result.I), float(result.p_norm)
