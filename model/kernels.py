"""Compiled kernels (numba) for the fixed per-step work that numpy does in many small calls.

Each kernel has a plain numpy twin in ``model/plain.py`` that gives the same bits (sums in the
same order, the same ``exp`` and ``log``; ``tests/test_backend.py``), and a definition in the
model's own functions against which both are tested (``tests/test_kernels.py``):
``region_metric_vector`` <-> the functions of ``model/metrics/``; ``firm_logit_draws`` <->
``agents.firm.FirmTerms.utilities`` + ``agents.choice.logit_choice``; ``draw_rows`` <->
``agents.choice.draw_from_cumulative``. They exist for speed only (docs/PERFORMANCE.md);
``model/backend.py`` decides when a model uses them.
"""

from __future__ import annotations

import math

import numpy as np

from model.jit import kernel
from model.plain import KERNEL_METRICS


@kernel
def region_metric_vector(shares, pop, groups, core_a, core_b, firm_flows, talent_flows, border,
                         axis, sector_output, threshold, w_dense, s0, expected_i, se_norm):
    """The region metrics of one state, in the order of ``KERNEL_METRICS``."""
    n = shares.shape[0]
    out = np.empty(len(KERNEL_METRICS))
    a, b = shares[core_a], shares[core_b]
    s2 = a + b
    out[0] = s2
    out[1] = min(a, b) / max(a, b) if max(a, b) > 0 else 1.0
    out[2] = max(a, b) / s2 if s2 > 0 else 0.5
    out[3] = shares.max()
    y = shares / pop
    mean = (pop * y).sum()
    g = 0.0
    for i in range(n):
        for j in range(n):
            g += pop[i] * pop[j] * abs(y[i] - y[j])
    out[4] = 0.5 * g / mean
    total = 0.0
    group_s = np.zeros(2)
    group_p = np.zeros(2)
    for i in range(n):
        if shares[i] > 0:
            total += shares[i] * math.log(shares[i] / pop[i])
        group_s[groups[i]] += shares[i]
        group_p[groups[i]] += pop[i]
    between = 0.0
    for k in range(2):
        if group_s[k] > 0:
            between += group_s[k] * math.log(group_s[k] / group_p[k])
    out[5], out[6], out[7] = total, between, total - between
    var = 0.0
    for i in range(n):
        var += pop[i] * (y[i] - mean) ** 2
    out[8] = math.sqrt(var) / mean
    if y.max() - y.min() <= 1e-12 * max(1.0, np.abs(y).max()):
        out[9], out[10] = 0.0, 1.0
    else:
        z = y - y.mean()
        quad = 0.0
        for i in range(n):
            lag = 0.0
            for j in range(n):
                lag += w_dense[i, j] * z[j]
            quad += z[i] * lag
        moran_i = n / s0 * quad / (z * z).sum()
        out[9] = moran_i
        out[10] = math.erfc(abs((moran_i - expected_i) / se_norm) / math.sqrt(2.0))
    krugman = 0.0
    col_a = sector_output[:, core_a].sum()
    col_b = sector_output[:, core_b].sum()
    for k in range(sector_output.shape[0]):
        krugman += abs(sector_output[k, core_a] / col_a - sector_output[k, core_b] / col_b)
    out[11] = krugman
    count = 0
    for i in range(n):
        if y[i] < threshold:
            count += 1
    out[12] = count
    moves = 0.0
    noncore = 0.0
    firm_moves = 0.0
    talent_moves = 0.0
    cross_firm = 0.0
    cross_talent = 0.0
    strength = np.zeros(n)
    for i in range(n):
        for j in range(n):
            cross_firm += firm_flows[i, j] * border[i, j]
            cross_talent += talent_flows[i, j] * border[i, j]
            if i == j:
                continue
            m = firm_flows[i, j] + talent_flows[i, j]
            moves += m
            firm_moves += firm_flows[i, j]
            talent_moves += talent_flows[i, j]
            if i != core_a and i != core_b and j != core_a and j != core_b:
                noncore += m
            strength[i] += m
            strength[j] += m
    out[13] = noncore / moves if moves > 0 else 0.0
    total_strength = strength.sum()
    out[14] = ((strength.max() - strength).sum() / ((n - 2) * total_strength / 2)
               if total_strength > 0 and n >= 3 else 0.0)
    rest_s = 0.0
    rest_p = 0.0
    axis_s = 0.0
    axis_p = 0.0
    on_axis = False
    for i in range(n):
        if i != core_a and i != core_b:
            rest_s += shares[i]
            rest_p += pop[i]
            if axis[i]:
                on_axis = True
                axis_s += shares[i]
                axis_p += pop[i]
    out[15] = (axis_s / rest_s) / (axis_p / rest_p) if rest_s > 0 and on_axis else 0.0
    out[16], out[17], out[18], out[19] = firm_moves, talent_moves, cross_firm, cross_talent
    return out


@kernel
def _inverse_cdf(cumulative, u):
    """First index whose (unnormalised) cumulative weight reaches u x the total."""
    n = cumulative.shape[0]
    target = u * cumulative[n - 1]
    chosen = 0
    for j in range(n):
        if cumulative[j] < target:
            chosen += 1
    return min(chosen, n - 1)


@kernel
def firm_logit_values(q, d, sector, origin, per_q, common, compute, bonus, pair):
    """[k, n] U_j - max U of the deciding firms: U_j = q (1 + bonus_j d) per_q[s, j] +
    common[s, j] - d compute_j - pair[o, j] (``compute`` already times the logit scale)."""
    k = q.shape[0]
    n = per_q.shape[1]
    out = np.empty((k, n))
    for a in range(k):
        s, o = sector[a], origin[a]
        top = -np.inf
        for j in range(n):
            value = (q[a] * (1.0 + bonus[j] * d[a]) * per_q[s, j] + common[s, j]
                     - d[a] * compute[j] - pair[o, j])
            out[a, j] = value
            top = max(top, value)
        for j in range(n):
            out[a, j] -= top
    return out


@kernel
def cumulative_draws(weights, u):
    """Row a's choice: the first j whose cumulative weight (summed in place, left to right)
    reaches u[a] x the row's total."""
    out = np.empty(weights.shape[0], dtype=np.int64)
    for a in range(weights.shape[0]):
        row = weights[a]
        for j in range(1, row.shape[0]):
            row[j] += row[j - 1]
        out[a] = _inverse_cdf(row, u[a])
    return out


def firm_logit_draws(q, d, sector, origin, per_q, common, compute, bonus, pair, u):
    """Logit draws of the deciding firms (``firm_logit_values``): weights exp(U - max U) by
    numpy's ``exp`` (the plain twin's, and faster than a scalar loop), then the first j whose
    cumulative weight reaches u x the total."""
    weights = firm_logit_values(q, d, sector, origin, per_q, common, compute, bonus, pair)
    np.exp(weights, out=weights)
    return cumulative_draws(weights, u)


@kernel
def draw_rows(cumulative, sector, origin, u):
    """Inverse-CDF draw of each decider from row cumulative[sector, origin] (unnormalised)."""
    k = sector.shape[0]
    out = np.empty(k, dtype=np.int64)
    for a in range(k):
        out[a] = _inverse_cdf(cumulative[sector[a], origin[a]], u[a])
    return out
