"""Compiled passes over the agent rows (numba): compaction, tombstones, books and hazards.

They replace numpy expressions that built several temporary arrays of agent length per step
(masks, gathered columns, copies of every column): at full scale (600,000 agents) the step
was dominated by that memory traffic (docs/PERFORMANCE.md). Removed rows are tombstones (node
beyond the outside, ``model.state.TOMBSTONE``) until ``squeeze_columns`` moves the others up
every few steps (``model.population.Population``): the row passes skip them without drawing
(``closing_draws``, ``resident_draws``), ``live_to_rows`` maps ranks among the live rows to
row numbers. Moves, additions and removals are booked in one pass each (``moved``, ``added``,
``buried``). Each gives exactly what its numpy counterpart gave (the same rows, in the same
order; sums accumulated in row order as ``np.bincount`` does, the same random numbers as
``rng.random(live rows)``), which ``tests/test_compaction.py`` checks; ``model/plain.py``
has their numpy twins.
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll

from model.jit import kernel

__all__ = ["added", "buried", "closing_draws", "live_to_rows", "merge_rows", "moved",
           "resident_draws", "squeeze_columns"]
SPARSE = 32  # squeeze_columns copies block by block when fewer than 1 row in SPARSE drops


@kernel
def squeeze_columns(columns, dropped, size):
    """Remove the rows ``dropped`` (increasing) from every column of the tuple ``columns`` (of
    any dtypes) in place, keeping the order of the others, in one call. Returns the rows left.

    Rows are copied one by one (a slice assignment would test for overlap and may copy to a
    temporary: costly for short blocks): block by block when few rows are dropped, else
    through the list of kept rows after the first dropped one (a gather per column)."""
    if dropped.shape[0] == 0:
        return size
    if dropped.shape[0] * SPARSE < size - dropped[0]:
        return _squeeze_blocks(columns, dropped, size)
    return _squeeze_gather(columns, dropped, size)


@kernel
def _squeeze_blocks(columns, dropped, size):
    """``squeeze_columns`` moving each block between two dropped rows to the front."""
    j = 0
    for column in literal_unroll(columns):
        j = dropped[0]
        for k in range(dropped.shape[0]):
            start = dropped[k] + 1
            end = dropped[k + 1] if k + 1 < dropped.shape[0] else size
            for i in range(start, end):
                column[j] = column[i]
                j += 1
    return j


@kernel
def _squeeze_gather(columns, dropped, size):
    """``squeeze_columns`` gathering the kept rows after the first dropped one (their offsets
    from it listed once, as int32: less to read per column)."""
    first = dropped[0]
    kept = np.empty(size - first - dropped.shape[0], dtype=np.int32)
    m = 0
    for k in range(dropped.shape[0]):
        end = dropped[k + 1] if k + 1 < dropped.shape[0] else size
        for i in range(dropped[k] + 1, end):
            kept[m] = i - first
            m += 1
    for column in literal_unroll(columns):
        tail = column[first:size]
        for t in range(m):
            tail[t] = tail[kept[t]]
    return first + m


@kernel
def closing_draws(node, sector, q, d, rng, n, gains, losses, profit_rate, money, compute,
                  bonus):
    """Rows of the resident firms that close (``model.plain.closing_rows``: below the smaller
    closure probability always, between the two by the sign of the firm's profit), with the
    uniforms drawn here: ``rng.random()`` once per live row in row order, the numbers (and the
    state left) of ``rng.random(live rows)``, without writing them out; tombstones skipped."""
    high = max(gains, losses)
    rows, below = np.empty(node.shape[0], dtype=np.int64), np.empty(node.shape[0])
    k = 0
    for i in range(node.shape[0]):
        j = node[i]
        if j <= n:
            x = rng.random()
            rows[k], below[k] = i, x
            k += (j < n) & (x < high)
    return _closures(rows, below, k, node, sector, q, d, gains, losses, profit_rate, money,
                     compute, bonus)


@kernel
def _closures(rows, below, k, node, sector, q, d, gains, losses, profit_rate, money, compute,
              bonus):
    """The first ``k`` candidate ``rows`` (uniforms ``below`` the larger closure probability)
    that close: below the smaller one always, else by the sign of the firm's profit."""
    low = min(gains, losses)
    m = 0
    for c in range(k):
        i, x = rows[c], below[c]
        if x < low:
            rows[m] = i
            m += 1
        elif gains != losses:
            j, s = node[i], sector[i]
            profit = (q[i] * (1.0 + bonus[j] * d[i]) * profit_rate[s, j] + money[s, j]
                      - d[i] * compute[j])
            if x < (losses if profit < 0 else gains):
                rows[m] = i
                m += 1
    return rows[:m].copy()


@kernel
def resident_draws(node, rng, n, p):
    """Rows with node < n whose uniform is below ``p`` (``model.plain.resident_below``), with
    the uniforms drawn here: ``rng.random()`` once per live row in row order, those of
    ``rng.random(live rows)``; tombstones skipped."""
    out = np.empty(node.shape[0], dtype=np.int64)
    k = 0
    for i in range(node.shape[0]):
        j = node[i]
        if j <= n:
            x = rng.random()
            out[k] = i
            k += (j < n) & (x < p)
    return out[:k].copy()


@kernel
def merge_rows(a, b):
    """The increasing union of two increasing arrays of distinct row numbers."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int64)
    i, j = 0, 0
    for k in range(out.shape[0]):
        if j == b.shape[0] or (i < a.shape[0] and a[i] < b[j]):
            out[k] = a[i]
            i += 1
        else:
            out[k] = b[j]
            j += 1
    return out


@kernel
def live_to_rows(ranks, dead):
    """Row numbers of the live rows of rank ``ranks`` (increasing) among rows with the
    tombstones ``dead`` (increasing): each rank plus the tombstones before its row (a live
    row of rank r follows the tombstone dead[k] iff the dead[k] - k live rows before it are
    at most r)."""
    out = np.empty(ranks.shape[0], dtype=np.int64)
    k = 0
    for i in range(ranks.shape[0]):
        while k < dead.shape[0] and dead[k] - k <= ranks[i]:
            k += 1
        out[i] = ranks[i] + k
    return out


@kernel
def moved(counts, sums, node, sector, weight, idx, new, cols):
    """Rows ``idx`` go to nodes ``new`` (``node`` written in place). Returns the counts and
    weight sums by cell after taking the movers out of their old cells and then adding them
    to their new ones (new flat arrays, the same bits as ``counts - np.bincount(old) +
    np.bincount(new)``: weights summed by cell in row order) and the flat [cols * cols]
    counts of the moves (origin x cols + destination)."""
    size = counts.shape[0]
    out_count, in_count = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
    out_weight, in_weight = np.zeros(size), np.zeros(size)
    flows = np.zeros(cols * cols, dtype=np.int64)
    for a in range(idx.shape[0]):
        i, to = idx[a], new[a]
        origin, base, w = node[i], sector[i] * cols, weight[i]
        out_count[base + origin] += 1
        out_weight[base + origin] += w
        in_count[base + to] += 1
        in_weight[base + to] += w
        flows[origin * cols + to] += 1
        node[i] = to
    new_counts, new_sums = np.empty(size, dtype=counts.dtype), np.empty(size)
    for c in range(size):
        new_counts[c] = counts[c] - out_count[c] + in_count[c]
        new_sums[c] = (sums[c] - out_weight[c]) + in_weight[c]
    return new_counts, new_sums, flows


@kernel
def buried(counts, sums, node, sector, weight, idx, n, cols, tombstone):
    """Rows ``idx`` leave the books: returns the counts and weight sums by cell without them
    (new flat arrays, the same bits as ``counts - np.bincount(cells)``) and their number by region
    node (node < n); their node becomes ``tombstone``."""
    by_count, by_weight, died = _tally(idx, node, sector, weight, n, cols, counts.shape[0])
    for a in range(idx.shape[0]):
        node[idx[a]] = tombstone
    new_counts, new_sums = _booked(counts, sums, by_count, by_weight, -1)
    return new_counts, new_sums, died


@kernel
def added(counts, sums, node, sector, weight, n, cols):
    """New rows enter the books: returns the counts and weight sums by cell with them (new
    flat arrays, the same bits as ``counts + np.bincount(cells)``) and their number by region node
    (node < n)."""
    rows = np.arange(node.shape[0])
    by_count, by_weight, at = _tally(rows, node, sector, weight, n, cols, counts.shape[0])
    new_counts, new_sums = _booked(counts, sums, by_count, by_weight, 1)
    return new_counts, new_sums, at


@kernel
def _tally(rows, node, sector, weight, n, cols, size):
    """Counts and weights of ``rows`` by (sector, node) cell (summed in row order, as
    ``np.bincount``) and their number by region node (node < n)."""
    by_count, by_weight = np.zeros(size, dtype=np.int64), np.zeros(size)
    per_node = np.zeros(n, dtype=np.int64)
    for a in range(rows.shape[0]):
        i = rows[a]
        j = node[i]
        cell = sector[i] * cols + j
        by_count[cell] += 1
        by_weight[cell] += weight[i]
        if j < n:
            per_node[j] += 1
    return by_count, by_weight, per_node


@kernel
def _booked(counts, sums, by_count, by_weight, sign):
    """New flat books: ``counts + sign x by_count`` and ``sums + sign x by_weight``
    (``sign`` +1 or -1: an exact negation, the same bits as subtracting)."""
    size = counts.shape[0]
    new_counts, new_sums = np.empty(size, dtype=counts.dtype), np.empty(size)
    for c in range(size):
        new_counts[c] = counts[c] + sign * by_count[c]
        new_sums[c] = sums[c] + sign * by_weight[c]
    return new_counts, new_sums
