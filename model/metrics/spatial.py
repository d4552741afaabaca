"""Moran's I with travel-time weights w_ij = exp(-t_ij / tau), row-standardised (PySAL esda).

The weights and their moments (E[I], s.e. of I under normality) depend only on the network, so
``MoranWeights`` asks esda for them once per network; each step then costs one quadratic form.
``moran`` gives exactly esda's ``Moran(y, w, permutations=0)`` ``I`` and ``p_norm`` (tested).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from esda.moran import Moran
from libpysal.weights import W, full2W


class MoranWeights:
    """A row-standardised libpysal ``W`` with esda's normal-approximation moments cached."""

    def __init__(self, weights: W) -> None:
        self.w = weights
        self.dense = weights.full()[0]
        self.n = weights.n
        self.s0 = float(weights.s0)
        probe = Moran(np.arange(self.n, dtype=float), weights, permutations=0)
        self.expected = float(probe.EI)
        self.se_norm = float(probe.seI_norm)


def moran_weights(travel_hours: np.ndarray, tau_hours: float) -> MoranWeights:
    """Row-standardised weights exp(-t/tau) from all-pairs travel times (no self-weights)."""
    full = np.exp(-travel_hours / tau_hours)
    np.fill_diagonal(full, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = full2W(full)
    weights.transform = "r"
    return MoranWeights(weights)


def moran(values: np.ndarray, weights: MoranWeights | W) -> tuple[float, float]:
    """(I, two-sided p under normality). Constant values have no autocorrelation: (0, 1)."""
    values = np.asarray(values, dtype=float)
    if np.ptp(values) <= 1e-12 * max(1.0, np.abs(values).max()):
        return 0.0, 1.0
    if not isinstance(weights, MoranWeights):
        result = Moran(values, weights, permutations=0)
        return float(result.I), float(result.p_norm)
    z = values - values.mean()
    moran_i = weights.n / weights.s0 * float(z @ weights.dense @ z) / float(z @ z)
    z_norm = (moran_i - weights.expected) / weights.se_norm
    return moran_i, math.erfc(abs(z_norm) / math.sqrt(2.0))
