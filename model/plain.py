"""The per-step kernels in plain numpy: the same bits as the compiled ones, without numba.

Twin of ``model/kernels.py`` and ``model/compaction.py``, function for function, with the same
signatures. Sums are taken in the compiled loops' order (left to right: ``np.cumsum``, never
numpy's pairwise ``sum``), logarithms and ``erfc`` by ``math`` (the C library's, as numba's), and
the logit weights by ``np.exp`` in both. ``tests/test_backend.py`` checks bit equality.
A model uses these when numba would cost more to start than it saves (``model/backend.py``).
"""

from __future__ import annotations

import math

import numpy as np

from agents.firm import annual_profit

# Order of the values returned by region_metric_vector.
KERNEL_METRICS = (
    "two_core_share", "core_balance", "primacy", "top_share", "gini", "theil",
    "theil_between", "theil_within", "cv", "moran_i", "moran_p", "krugman_cores",
    "depressions", "noncore_flow_share", "flow_centralization", "axis_ratio", "firm_movers",
    "talent_movers", "cross_province_firm_moves", "cross_province_talent_moves",
)


def _sum(values: np.ndarray) -> float:
    """Left-to-right sum from 0.0, as a compiled loop ``c = 0.0; c += v`` gives."""
    return float(np.cumsum(values)[-1]) + 0.0 if values.size else 0.0


def _gini(pop: np.ndarray, y: np.ndarray, mean: float) -> float:
    pairs = pop[:, None] * pop[None, :] * np.abs(y[:, None] - y[None, :])
    return 0.5 * _sum(pairs.ravel()) / mean


def _theil(shares: np.ndarray, pop: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Theil index and its between-group part (groups 0 and 1)."""
    positive = shares > 0
    terms = np.zeros(len(shares))
    terms[positive] = [s * math.log(r) for s, r in
                       zip(shares[positive].tolist(), (shares / pop)[positive].tolist(),
                           strict=True)]
    total = _sum(terms)
    between = 0.0
    for k in range(2):
        mine = groups == k
        group_s, group_p = _sum(shares[mine]), _sum(pop[mine])
        if group_s > 0:
            between += group_s * math.log(group_s / group_p)
    return total, between


def _moran(y: np.ndarray, w_dense: np.ndarray, s0: float, expected_i: float,
           se_norm: float) -> tuple[float, float]:
    if y.max() - y.min() <= 1e-12 * max(1.0, np.abs(y).max()):
        return 0.0, 1.0
    n = len(y)
    z = y - _sum(y) / n
    lag = np.cumsum(w_dense * z[None, :], axis=1)[:, -1] + 0.0
    moran_i = n / s0 * _sum(z * lag) / _sum(z * z)
    return moran_i, math.erfc(abs((moran_i - expected_i) / se_norm) / math.sqrt(2.0))


def _flows(firm_flows: np.ndarray, talent_flows: np.ndarray, border: np.ndarray,
           core_a: int, core_b: int) -> tuple[float, ...]:
    """Non-core share of the moves, centralisation, movers and cross-border moves (integer
    counts: exact in any order)."""
    n = len(firm_flows)
    off = ~np.eye(n, dtype=bool)
    both = (firm_flows + talent_flows) * off
    moves = float(both.sum())
    noncore = np.ones(n, dtype=bool)
    noncore[[core_a, core_b]] = False
    inner = float(both[np.ix_(noncore, noncore)].sum())
    strength = (both.sum(axis=1) + both.sum(axis=0)).astype(float)
    total_strength = float(strength.sum())
    centralization = (float((strength.max() - strength).sum()) / ((n - 2) * total_strength / 2)
                      if total_strength > 0 and n >= 3 else 0.0)
    return (inner / moves if moves > 0 else 0.0, centralization,
            float((firm_flows * off).sum()), float((talent_flows * off).sum()),
            float((firm_flows * border).sum()), float((talent_flows * border).sum()))


def region_metric_vector(shares, pop, groups, core_a, core_b, firm_flows, talent_flows, border,
                         axis, sector_output, threshold, w_dense, s0, expected_i, se_norm):
    """The region metrics of one state, in the order of ``KERNEL_METRICS``."""
    out = np.empty(len(KERNEL_METRICS))
    a, b = shares[core_a], shares[core_b]
    s2 = a + b
    out[0] = s2
    out[1] = min(a, b) / max(a, b) if max(a, b) > 0 else 1.0
    out[2] = max(a, b) / s2 if s2 > 0 else 0.5
    out[3] = shares.max()
    y = shares / pop
    mean = _sum(pop * y)
    out[4] = _gini(pop, y, mean)
    total, between = _theil(shares, pop, groups)
    out[5], out[6], out[7] = total, between, total - between
    out[8] = math.sqrt(_sum(pop * (y - mean) ** 2)) / mean
    out[9], out[10] = _moran(y, w_dense, s0, expected_i, se_norm)
    col_a, col_b = _sum(sector_output[:, core_a]), _sum(sector_output[:, core_b])
    out[11] = _sum(np.abs(sector_output[:, core_a] / col_a - sector_output[:, core_b] / col_b))
    out[12] = np.count_nonzero(y < threshold)
    flows = _flows(firm_flows, talent_flows, border, core_a, core_b)
    out[13], out[14] = flows[0], flows[1]
    rest = np.ones(len(shares), dtype=bool)
    rest[[core_a, core_b]] = False
    on = rest & (axis != 0)
    rest_s, rest_p = _sum(shares[rest]), _sum(pop[rest])
    out[15] = ((_sum(shares[on]) / rest_s) / (_sum(pop[on]) / rest_p)
               if rest_s > 0 and on.any() else 0.0)
    out[16:20] = flows[2:]
    return out


def firm_logit_draws(q, d, sector, origin, per_q, common, compute, bonus, pair, u):
    """Logit draws of the deciding firms: U_j = q (1 + bonus_j d) per_q[s, j] + common[s, j]
    - d compute_j - pair[o, j]; the first j whose cumulative weight exp(U - max U) reaches
    u x the total."""
    q, d = q[:, None], d[:, None]
    values = (q * (1.0 + bonus[None, :] * d) * per_q[sector] + common[sector]
              - d * compute[None, :] - pair[origin])
    values -= values.max(axis=1, keepdims=True)
    np.exp(values, out=values)
    return _inverse_cdf(np.cumsum(values, axis=1, out=values), u)


def _inverse_cdf(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row a: the first index whose cumulative weight reaches u[a] x the row's total."""
    chosen = (cumulative < (u * cumulative[:, -1])[:, None]).sum(axis=1)
    return np.minimum(chosen, cumulative.shape[1] - 1).astype(np.int64)


def draw_rows(cumulative, sector, origin, u):
    """Inverse-CDF draw of each decider from row cumulative[sector, origin] (unnormalised)."""
    return _inverse_cdf(cumulative[sector, origin], u)


# ---------------------------------------------------------------- rows (model/compaction.py)
def squeeze_columns(columns, dropped, size):
    """Remove the rows ``dropped`` from every column of ``columns`` in place (order kept);
    returns the rows left."""
    if len(dropped) == 0:
        return size
    keep = np.ones(size, dtype=bool)
    keep[dropped] = False
    for column in columns:
        kept = column[:size][keep]
        column[: len(kept)] = kept
    return size - len(dropped)


def closing_rows(node, sector, q, d, u, n, gains, losses, profit_rate, money, compute, bonus):
    """Rows of the resident firms that close with uniforms ``u``, one per live row (as the
    compiled pass: tombstones, node > n, skipped; the profit decides between the two closure
    probabilities)."""
    low, high = min(gains, losses), max(gains, losses)
    alive = np.flatnonzero(node <= n)[: len(u)]
    here = node[alive] < n
    if gains == losses:
        return alive[here & (u < low)]
    at = np.flatnonzero(here & (u < high))
    between = u[at] >= low
    mid = alive[at[between]]
    profit = annual_profit(q[mid], d[mid], sector[mid], node[mid], profit_rate, money, compute,
                           bonus)
    keep = np.ones(len(at), dtype=bool)
    keep[between] = u[at[between]] < np.where(profit < 0, losses, gains)
    return alive[at[keep]]


def resident_below(node, u, n, p):
    """Rows with node < n whose uniform is below ``p`` (one uniform per live row; tombstones,
    node > n, skipped)."""
    alive = np.flatnonzero(node <= n)[: len(u)]
    return alive[(node[alive] < n) & (u < p)]


def closing_draws(node, sector, q, d, rng, n, gains, losses, profit_rate, money, compute,
                  bonus):
    """``closing_rows`` with ``rng.random(live rows)`` as the uniforms."""
    u = rng.random(np.count_nonzero(node <= n))
    return closing_rows(node, sector, q, d, u, n, gains, losses, profit_rate, money, compute,
                        bonus)


def resident_draws(node, rng, n, p):
    """``resident_below`` with ``rng.random(live rows)`` as the uniforms."""
    return resident_below(node, rng.random(np.count_nonzero(node <= n)), n, p)


def merge_rows(a, b):
    """The increasing union of two increasing arrays of distinct row numbers."""
    out = np.concatenate([a, b]).astype(np.int64)
    out.sort()
    return out


def live_to_rows(ranks, dead):
    """Row numbers of the live rows of rank ``ranks`` among rows with the tombstones
    ``dead``: each rank plus the tombstones before its row."""
    keys = np.asarray(dead, dtype=np.int64) - np.arange(len(dead))
    return ranks + np.searchsorted(keys, ranks, side="right")


def moved(counts, sums, node, sector, weight, idx, new, cols):
    """Rows ``idx`` go to nodes ``new``: counts and sums out of the old cells then into the
    new ones, the flat counts of the moves; ``node`` written in place."""
    origin, base, w = node[idx], sector[idx].astype(np.int64) * cols, weight[idx]
    size = len(counts)
    new_counts = (counts - np.bincount(base + origin, minlength=size)
                  + np.bincount(base + new, minlength=size))
    new_sums = (sums - np.bincount(base + origin, weights=w, minlength=size)
                + np.bincount(base + new, weights=w, minlength=size))
    flows = np.bincount(origin * cols + new, minlength=cols * cols)
    node[idx] = new
    return new_counts, new_sums, flows


def buried(counts, sums, node, sector, weight, idx, n, cols, tombstone):
    """Rows ``idx`` leave the books (counts, sums, their number by region node) and their
    node becomes ``tombstone``."""
    j = node[idx]
    cells = sector[idx].astype(np.int64) * cols + j
    size = len(counts)
    new_counts = counts - np.bincount(cells, minlength=size)
    new_sums = sums - np.bincount(cells, weights=weight[idx], minlength=size)
    died = np.bincount(j[j < n], minlength=n)
    node[idx] = tombstone
    return new_counts, new_sums, died


def added(counts, sums, node, sector, weight, n, cols):
    """New rows enter the books: counts and sums with them, their number by region node."""
    cells = sector.astype(np.int64) * cols + node
    size = len(counts)
    return (counts + np.bincount(cells, minlength=size),
            sums + np.bincount(cells, weights=weight, minlength=size),
            np.bincount(node[node < n], minlength=n))
