"""Spatial patterns as continuous measures, all reported every step and none exclusive.

  dual cores       two-core share and balance (metrics.structure.two_core)
  axis expansion   axis_premium: among non-core nodes, the OLS coefficient of a corridor dummy
                   in  ln(Y_j(t) / Y_j(0)) = a + b axis_j + c t_j  (t_j: hours to the nearest
                   core), i.e. the extra growth of corridor nodes over comparable off-corridor
                   nodes at the same distance from a core
  clusters         non-core nodes with a sector whose location quotient is at least
                   ``cluster_lq`` and has risen by at least ``cluster_rise`` (a fraction) of
                   its start value
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
             threshold: float, rise: float) -> np.ndarray:
    """[N] True for non-core nodes with a sector at LQ >= threshold that rose by at least
    ``rise`` times its start LQ (and by more than rounding when ``rise`` is 0)."""
    rising = (lq >= threshold) & (lq >= lq_start * (1.0 + rise)) & (lq > lq_start + 1e-12)
    return rising.any(axis=0) & noncore


def siphon(shares: np.ndarray, start_shares: np.ndarray, cores: np.ndarray,
           near: np.ndarray) -> float:
    """Cores' gain in share minus the near periphery's change in share."""
    return float((shares[cores].sum() - start_shares[cores].sum())
                 - (shares[near].sum() - start_shares[near].sum()))


def mean_krugman(sector_output: np.ndarray, nodes: np.ndarray,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """Mean Krugman specialisation index over pairs of ``nodes`` (0 with fewer than two);
    ``pairs``: the upper triangle of the pairs, ``np.triu_indices(nodes.sum(), k=1)``, if
    already known."""
    idx = np.flatnonzero(nodes)
    if len(idx) < 2:
        return 0.0
    mix = sector_output[:, idx] / np.maximum(sector_output[:, idx].sum(axis=0), 1e-300)
    diff = np.abs(mix[:, :, None] - mix[:, None, :]).sum(axis=0)
    upper = np.triu_indices(len(idx), k=1) if pairs is None else pairs
    return float(diff[upper].mean())


class PatternStart:
    """What the pattern measures compare against, computed once per run (and network): the
    start's shares, location quotients and clusters, the non-core and near-periphery masks."""

    def __init__(self, *, output_start: np.ndarray, sector_output_start: np.ndarray,
                 cores: np.ndarray, axis: np.ndarray, hours_to_core: np.ndarray,
                 siphon_hours: float, cluster_lq: float, cluster_rise: float) -> None:
        n = len(output_start)
        noncore = np.ones(n, dtype=bool)
        noncore[cores] = False
        self.noncore, self.cores, self.axis, self.hours = noncore, cores, axis, hours_to_core
        self.near = noncore & (hours_to_core <= siphon_hours)
        self.output_start = output_start
        self.start_total = output_start.sum()
        self.start = output_start / self.start_total
        self.log_start = np.maximum(output_start, 1e-300)
        self.lq0 = location_quotients(sector_output_start)
        self.cluster_lq, self.cluster_rise = cluster_lq, cluster_rise
        self.start_clusters = noncore & (self.lq0 >= cluster_lq).any(axis=0)
        self.cluster_pairs = np.triu_indices(int(self.start_clusters.sum()), k=1)

    def measures(self, output: np.ndarray, sector_output: np.ndarray,
                 years: float) -> dict[str, float]:
        """Every pattern measure of one state against the start."""
        noncore, near, start = self.noncore, self.near, self.start
        shares = output / output.sum()
        growth = np.log(np.maximum(output, 1e-300) / self.log_start)
        cluster = clusters(location_quotients(sector_output), self.lq0, noncore,
                           self.cluster_lq, self.cluster_rise)
        total = float(np.log(output.sum() / self.start_total))
        return {
            "axis_premium": axis_premium(growth, self.axis, self.hours, noncore),
            "clusters": float(cluster.sum()),
            "siphon": siphon(shares, start, self.cores, near),
            "near_periphery_share": float(shares[near].sum()),
            "krugman_clusters": mean_krugman(sector_output, self.start_clusters,
                                             self.cluster_pairs),
            "noncore_growing": float((growth[noncore] > 0).sum()),
            "noncore_gaining": float((shares[noncore] > start[noncore]).sum()),
            "region_growth": total / years if years > 0 else 0.0,
        }


def pattern_measures(*, output: np.ndarray, output_start: np.ndarray,
                     sector_output: np.ndarray, sector_output_start: np.ndarray,
                     cores: np.ndarray, axis: np.ndarray, hours_to_core: np.ndarray,
                     siphon_hours: float, cluster_lq: float, cluster_rise: float,
                     years: float) -> dict[str, float]:
    """Every pattern measure of one state against the start."""
    return PatternStart(output_start=output_start, sector_output_start=sector_output_start,
                        cores=cores, axis=axis, hours_to_core=hours_to_core,
                        siphon_hours=siphon_hours, cluster_lq=cluster_lq,
                        cluster_rise=cluster_rise).measures(output, sector_output, years)
