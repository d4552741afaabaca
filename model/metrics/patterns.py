"""Spatial patterns as continuous measures, all reported every step and none exclusive.

  dual cores       two-core share and balance (metrics.structure.two_core)
  axis expansion   axis_premium: among non-core nodes, the OLS coefficient of a corridor dummy
                   in  ln(Y_j(t) / Y_j(0)) = a + b axis_j + c t_j  (t_j: hours to the nearest
                   core), i.e. the extra growth of corridor nodes over comparable off-corridor
                   nodes at the same distance from a core
  clusters         non-core nodes with a sector whose location quotient is at least
                   ``cluster_lq`` and higher than at the start
  siphon           the cores' gain in output share minus the change in share of the non-core
                   nodes within ``siphon_hours`` of a core (positive: the near periphery loses
                   as the cores gain)
  homogenisation   Krugman index between the cores, and its mean over pairs of the nodes that
                   were clusters at the start (lower: more alike)
"""

from __future__ import annotations

import numpy as np


def location_quotients(sector_output: np.ndarray) -> np.ndarray:
    """[S, N] LQ_{s,j} = (Y_sj / Y_j) / (Y_s / Y)."""
    node = sector_output.sum(axis=0)
    sector = sector_output.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        lq = (sector_output / node[None, :]) / (sector / sector.sum())[:, None]
    return np.nan_to_num(lq)


def axis_premium(growth: np.ndarray, axis: np.ndarray, hours_to_core: np.ndarray,
                 noncore: np.ndarray) -> float:
    """OLS coefficient of the corridor dummy (0 when corridor and off-corridor nodes do not
    both exist among the non-core nodes)."""
    g, a, h = growth[noncore], axis[noncore].astype(float), hours_to_core[noncore]
    if a.min() == a.max() or len(g) < 4:
        return 0.0
    x = np.column_stack([np.ones_like(g), a, h])
    coef, *_ = np.linalg.lstsq(x, g, rcond=None)
    return float(coef[1])


def clusters(lq: np.ndarray, lq_start: np.ndarray, noncore: np.ndarray,
             threshold: float) -> np.ndarray:
    """[N] True for non-core nodes with a sector at LQ >= threshold and above its start LQ."""
    rising = (lq >= threshold) & (lq > lq_start + 1e-12)
    return rising.any(axis=0) & noncore


def siphon(shares: np.ndarray, start_shares: np.ndarray, cores: np.ndarray,
           near: np.ndarray) -> float:
    """Cores' gain in share minus the near periphery's change in share."""
    return float((shares[cores].sum() - start_shares[cores].sum())
                 - (shares[near].sum() - start_shares[near].sum()))


def mean_krugman(sector_output: np.ndarray, nodes: np.ndarray) -> float:
    """Mean Krugman specialisation index over pairs of ``nodes`` (0 with fewer than two)."""
    idx = np.flatnonzero(nodes)
    if len(idx) < 2:
        return 0.0
    mix = sector_output[:, idx] / np.maximum(sector_output[:, idx].sum(axis=0), 1e-300)
    diff = np.abs(mix[:, :, None] - mix[:, None, :]).sum(axis=0)
    upper = np.triu_indices(len(idx), k=1)
    return float(diff[upper].mean())


def pattern_measures(*, output: np.ndarray, output_start: np.ndarray,
                     sector_output: np.ndarray, sector_output_start: np.ndarray,
                     cores: np.ndarray, axis: np.ndarray, hours_to_core: np.ndarray,
                     siphon_hours: float, cluster_lq: float, years: float) -> dict[str, float]:
    """Every pattern measure of one state against the start."""
    n = len(output)
    noncore = np.ones(n, dtype=bool)
    noncore[cores] = False
    near = noncore & (hours_to_core <= siphon_hours)
    shares, start = output / output.sum(), output_start / output_start.sum()
    growth = np.log(np.maximum(output, 1e-300) / np.maximum(output_start, 1e-300))
    lq, lq0 = location_quotients(sector_output), location_quotients(sector_output_start)
    cluster = clusters(lq, lq0, noncore, cluster_lq)
    start_clusters = noncore & (lq0 >= cluster_lq).any(axis=0)
    total = float(np.log(output.sum() / output_start.sum()))
    return {
        "axis_premium": axis_premium(growth, axis, hours_to_core, noncore),
        "clusters": float(cluster.sum()),
        "siphon": siphon(shares, start, cores, near),
        "near_periphery_share": float(shares[near].sum()),
        "krugman_clusters": mean_krugman(sector_output, start_clusters),
        "noncore_growing": float((growth[noncore] > 0).sum()),
        "noncore_gaining": float((shares[noncore] > start[noncore]).sum()),
        "region_growth": total / years if years > 0 else 0.0,
    }
