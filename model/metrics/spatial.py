"""Moran's I with travel-time weights w_ij = exp(-t_ij / tau), row-standardised.

The weights and their moments under normality depend only on the network, so ``MoranWeights``
computes them once per network, in closed form (Cliff & Ord 1981; the formulas of PySAL's
``esda.Moran``, which the tests use as the oracle):
    S0 = sum_ij w_ij,  S1 = 1/2 sum_ij (w_ij + w_ji)^2,  S2 = sum_i (w_i. + w_.i)^2,
    E[I] = -1 / (n - 1),
    Var[I] = (n^2 S1 - n S2 + 3 S0^2) / ((n - 1)(n + 1) S0^2) - E[I]^2;
each step then costs one quadratic form. ``moran`` gives esda's ``Moran(y, w,
permutations=0)`` ``I`` and ``p_norm`` (tests/test_metrics.py), without importing esda and
libpysal (with scipy and scikit-learn, about a second) at run time.
"""

from __future__ import annotations

import math

import numpy as np


class MoranWeights:
    """Row-standardised spatial weights (dense [n, n], zero diagonal) and the moments of
    Moran's I under normality."""

    def __init__(self, weights: np.ndarray) -> None:
        """``weights``: non-negative [n, n] weights (zero: not neighbours); each row is divided
        by its sum (a row without neighbours stays zero)."""
        full = np.asarray(weights, dtype=float)
        n = self.n = len(full)
        dense = np.zeros_like(full)
        for i in range(n):
            neighbours = np.flatnonzero(full[i])
            row = full[i, neighbours]
            if len(row):  # numpy scalars summed one by one, as PySAL does
                dense[i, neighbours] = row / (sum(list(row)) * 1.0)
        self.dense = dense
        nonzero = dense != 0
        self.s0 = float(dense[nonzero].sum())
        both = dense + dense.T
        s1 = float((both * both)[both != 0].sum()) / 2.0
        s2 = float(((dense.sum(axis=1) + dense.sum(axis=0)) ** 2).sum())
        self.s1, self.s2 = s1, s2
        self.expected = -1.0 / (n - 1)
        s02 = self.s0 * self.s0
        variance = (n * n * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) \
            - (1.0 / (n - 1)) ** 2
        self.se_norm = variance ** (1 / 2.0)


def moran_weights(travel_hours: np.ndarray, tau_hours: float) -> MoranWeights:
    """Row-standardised weights exp(-t/tau) from all-pairs travel times (no self-weights)."""
    full = np.exp(-travel_hours / tau_hours)
    np.fill_diagonal(full, 0.0)
    return MoranWeights(full)


def moran(values: np.ndarray, weights: MoranWeights) -> tuple[float, float]:
    """(I, two-sided p under normality). Constant values have no autocorrelation: (0, 1)."""
    values = np.asarray(values, dtype=float)
    if np.ptp(values) <= 1e-12 * max(1.0, np.abs(values).max()):
        return 0.0, 1.0
    z = values - values.mean()
    moran_i = weights.n / weights.s0 * float(z @ weights.dense @ z) / float(z @ z)
    z_norm = (moran_i - weights.expected) / weights.se_norm
    return moran_i, math.erfc(abs(z_norm) / math.sqrt(2.0))
