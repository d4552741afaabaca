"""The row passes (compiled, ``model/compaction.py``; plain, ``model/plain.py``) and the growable
rows of ``model.state._Rows`` give exactly what their numpy definitions give."""

from __future__ import annotations

import pickle
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from model import compaction, plain
from model.compaction import buried, live_to_rows, merge_rows, moved, squeeze_columns
from model.initial import new_firms
from model.model import RegionModel
from model.plain import closing_rows, resident_below
from model.population import Population
from model.state import TOMBSTONE, FirmArrays
from scenarios.schema import InitParams


def _firms(size: int, n: int, rng: np.random.Generator) -> FirmArrays:
    rows = new_firms(rng.integers(0, n + 1, size), rng.integers(0, 5, size).astype(np.int8),
                     InitParams(), np.full(5, 0.4), rng)
    rows.uid = np.arange(size, dtype=np.int64)
    return rows


def test_squeeze_column_equals_a_boolean_mask():
    rng = np.random.default_rng(1)
    for size, rate in ((0, 0.1), (50, 0.0), (1000, 0.03), (5000, 0.02), (5000, 0.05),
                       (1000, 0.9), (7, 1.0)):
        drop = rng.random(size) < rate
        for dtype in (np.int64, np.int8, np.float64):
            column = rng.integers(-100, 100, size).astype(dtype)
            expected = column[~drop]
            kept = squeeze_columns((column,), np.flatnonzero(drop), size)
            assert kept == len(expected) and np.array_equal(column[:kept], expected)
        columns = (np.arange(size), np.arange(size).astype(np.int8), rng.random(size))
        expected_all = [c[~drop] for c in columns]
        kept = squeeze_columns(columns, np.flatnonzero(drop), size)
        for column, values in zip(columns, expected_all, strict=True):
            assert kept == len(values) and np.array_equal(column[:kept], values)


def test_closing_rows_and_retirements_equal_numpy():
    rng = np.random.default_rng(3)
    n, size = 5, 20000
    rows = _firms(size, n, rng)
    u = rng.random(size)
    profit_rate, money = rng.normal(1, 0.3, (5, n + 1)), rng.normal(-0.5, 0.5, (5, n + 1))
    compute, bonus = rng.random(n + 1), rng.random(n + 1) * 0.2
    gains, losses = 0.012, 0.13
    profit = (rows.productivity * (1.0 + bonus[rows.node] * rows.data_intensity)
              * profit_rate[rows.sector, rows.node] + money[rows.sector, rows.node]
              - rows.data_intensity * compute[rows.node])
    expected = np.flatnonzero((rows.node < n) & (u < np.where(profit < 0, losses, gains)))
    got = closing_rows(rows.node, rows.sector, rows.productivity, rows.data_intensity, u, n,
                       gains, losses, profit_rate, money, compute, bonus)
    assert np.array_equal(got, expected)
    assert np.array_equal(resident_below(rows.node, u, n, 0.3),
                          np.flatnonzero((rows.node < n) & (u < 0.3)))


def test_rows_grow_in_place_squeeze_and_pickle():
    rng = np.random.default_rng(4)
    rows, more = _firms(3000, 4, rng), _firms(500, 4, rng)
    expected = {name: np.concatenate([getattr(rows, name), getattr(more, name)])
                for name in ("uid", "node", "sector", "productivity", "data_intensity")}
    rows.append(more)
    buffer = rows.node.base
    rows.append(_firms(0, 4, rng))
    assert rows.node.base is buffer  # room to spare: no new buffer
    for name, values in expected.items():
        assert np.array_equal(getattr(rows, name), values)
    dropped = np.flatnonzero(rng.random(len(rows)) < 0.1)
    keep = np.ones(len(rows), dtype=bool)
    keep[dropped] = False
    rows.squeeze(dropped)
    for name, values in expected.items():
        assert np.array_equal(getattr(rows, name), values[keep])
    copy = pickle.loads(pickle.dumps(rows))
    assert "_buffers" not in copy.__dict__
    copy.append(more)
    assert np.array_equal(copy.uid[-len(more):], more.uid)
    assert np.array_equal(copy.node[: len(rows)], rows.node)


def test_model_rows_stay_consistent_with_the_counts():
    model = RegionModel(rng=7, agent_views=False, steps=6, scale__firm_agents=2000,
                        scale__talent_agents=3000).run()
    for pop in (model.firm_pop, model.talent_pop):
        before = pop.counts.copy()
        pop.recount()
        assert np.array_equal(before, pop.counts)
        assert np.all(np.diff(pop.arrays.uid) > 0)


def shifted(counts: np.ndarray, sums: np.ndarray, cells: np.ndarray, weights: np.ndarray,
            sign: int) -> tuple[np.ndarray, np.ndarray]:
    """The books' definition: ``sign`` x the agents in ``cells`` added to the counts, and
    their weights (summed by cell in row order, by ``np.bincount``) to the sums."""
    size = len(counts)
    return (counts + sign * np.bincount(cells, minlength=size),
            sums + sign * np.bincount(cells, weights=weights, minlength=size))


def test_rows_removed_mid_step_survive_a_pickle():
    model = RegionModel(rng=8, agent_views=False, steps=2, scale__firm_agents=1500,
                        scale__talent_agents=2000).run()
    pop = model.firm_pop
    _ = pop.arrays  # tombstones squeezed: rows are the rows of arrays
    pop.remove(np.array([3, 10, 11, 500]))
    pop.move(np.array([20, 30]), np.array([pop.n, 1]))
    copy = pickle.loads(pickle.dumps(pop))
    assert copy.tombstones == pop.tombstones == 4
    pop.drop_departed()
    copy.drop_departed()
    assert np.array_equal(copy.arrays.uid, pop.arrays.uid)
    assert np.array_equal(copy.counts, pop.counts)


def test_a_model_pickled_with_tombstones_continues_identically():
    a = RegionModel(rng=13, agent_views=False, steps=8, scale__firm_agents=2000,
                    scale__talent_agents=2500)
    a.run(4)
    assert a.firm_pop.tombstones and a.talent_pop.tombstones  # not squeezed yet
    b = pickle.loads(pickle.dumps(a))
    a.run()
    b.run()
    pd.testing.assert_frame_equal(a.node_table(), b.node_table(), check_exact=True)
    _assert_same_rows(a, b)


def _with_tombstones(node: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    node = node.copy()
    node[rng.random(len(node)) < rate] = TOMBSTONE
    return node


@pytest.mark.parametrize(("closing", "retiring"), [(plain.closing_rows, plain.resident_below)],
                         ids=["plain"])
def test_closing_rows_skip_tombstones_without_a_uniform(closing, retiring):
    """The closure pass over rows with tombstones closes the same firms, with the same
    uniforms, as over the live rows alone."""
    rng = np.random.default_rng(9)
    n, size = 5, 20000
    rows = _firms(size, n, rng)
    profit_rate, money = rng.normal(1, 0.3, (5, n + 1)), rng.normal(-0.5, 0.5, (5, n + 1))
    compute, bonus = rng.random(n + 1), rng.random(n + 1) * 0.2
    for rate in (0.0, 0.1, 0.6):
        node = _with_tombstones(rows.node, rng, rate)
        node[-3:] = TOMBSTONE  # tombstones after the last live row
        live = np.flatnonzero(node != TOMBSTONE)
        u = rng.random(len(live))
        for gains, losses in ((0.012, 0.13), (0.2, 0.01), (0.05, 0.05)):
            args = (rows.sector, rows.productivity, rows.data_intensity, u, n, gains, losses,
                    profit_rate, money, compute, bonus)
            expected = live[closing_rows(node[live], *(a[live] if i < 3 else a
                                                       for i, a in enumerate(args)))]
            assert np.array_equal(closing(node, *args), expected)
        assert np.array_equal(retiring(node, u, n, 0.3), live[(node[live] < n) & (u < 0.3)])
    assert len(closing(np.full(4, TOMBSTONE), rows.sector[:4], rows.productivity[:4],
                       rows.data_intensity[:4], np.empty(0), n, 0.1, 0.2, profit_rate, money,
                       compute, bonus)) == 0
    assert len(retiring(np.full(4, TOMBSTONE), np.empty(0), n, 0.3)) == 0


def test_live_rows_and_merges_equal_numpy():
    rng = np.random.default_rng(10)
    for size, rate in ((0, 0.1), (100, 0.0), (5000, 0.01), (5000, 0.3), (50, 1.0)):
        dead = np.flatnonzero(rng.random(size) < rate)
        more = np.setdiff1d(np.flatnonzero(rng.random(size) < 0.05), dead)
        assert np.array_equal(merge_rows(dead, more), np.union1d(dead, more))
        assert np.array_equal(merge_rows(more, dead), np.union1d(dead, more))
        live = np.setdiff1d(np.arange(size), dead)
        ranks = np.flatnonzero(rng.random(len(live)) < 0.2)
        assert np.array_equal(live_to_rows(ranks, dead), live[ranks])


def _assert_same_rows(a: RegionModel, b: RegionModel) -> None:
    for name in ("firms", "talent"):
        rows, other = getattr(a, name), getattr(b, name)
        for column in fields(rows):
            assert np.array_equal(getattr(rows, column.name), getattr(other, column.name))


def _tombstone_free(pop: Population) -> None:
    rows = pop.arrays
    assert pop.tombstones == 0 and len(rows) == pop.live
    assert not (rows.node == TOMBSTONE).any() and np.all(np.diff(rows.uid) > 0)


def test_deferred_compaction_gives_the_arrays_of_immediate_compaction(monkeypatch):
    """Squeezing the tombstones out every step, at the default share, or only at the end
    (never by share) gives the same histories and the same arrays at every step."""
    kwargs = dict(rng=11, agent_views=False, steps=12, scale__firm_agents=3000,
                  scale__talent_agents=4000)
    runs = {}
    for share in (0.0, Population.COMPACT_AT, 2.0):
        monkeypatch.setattr(Population, "COMPACT_AT", share)
        model, arrays = RegionModel(**kwargs), []
        for _ in range(12):
            model.step()
            if share == 2.0:  # tombstones pile up: compare their live rows without squeezing
                pop = model.firm_pop
                alive = pop.rows.node != TOMBSTONE
                assert alive.sum() == pop.live and pop.tombstones == (~alive).sum() > 0
                arrays.append(pop.rows.uid[alive].copy())
            else:
                arrays.append(model.firm_pop.arrays.uid.copy())
        for pop in (model.firm_pop, model.talent_pop):
            _tombstone_free(pop)
        runs[share] = model, arrays
    (a, ua), (b, ub), (c, uc) = runs.values()
    for other, uids in ((b, ub), (c, uc)):
        pd.testing.assert_frame_equal(a.node_table(), other.node_table(), check_exact=True)
        pd.testing.assert_frame_equal(a.region_table(), other.region_table(),
                                      check_exact=True)
        _assert_same_rows(a, other)
        assert all(np.array_equal(x, y) for x, y in zip(ua, uids, strict=True))


def test_arrays_mid_step_show_the_live_rows_and_keep_the_departed_count():
    """Reading ``arrays`` between a move and the end of the step squeezes the tombstones out
    and keeps the rows that are leaving (renumbered), which the end of the step drops."""
    model = RegionModel(rng=12, agent_views=False, steps=3, scale__firm_agents=2000,
                        scale__talent_agents=2500).run()
    pop = model.firm_pop
    pop.COMPACT_AT = 2.0
    rows = pop.arrays
    size, n = len(rows), pop.n
    pop.remove(np.array([1, 5, 6, 40]))
    pop.move(np.array([2, 3, 50, 51]), np.array([n, 0, n, n]))
    uids = rows.uid[[2, 50, 51]].copy()
    assert pop.tombstones == 4 and pop.live == size - 4
    view = pop.arrays  # squeezes mid-step
    assert len(view) == size - 4 and not (view.node == TOMBSTONE).any()
    assert np.array_equal(view.uid[view.node == n], uids)
    pop.drop_departed()
    assert len(pop.arrays) == size - 7 and not np.isin(uids, pop.arrays.uid).any()
    before = pop.counts.copy()
    pop.recount()
    assert np.array_equal(before, pop.counts) and not pop.counts[:, n].any()


@pytest.mark.parametrize("impl", [compaction, plain], ids=["compiled", "plain"])
def test_passes_that_draw_their_uniforms_equal_rng_random_of_the_live_rows(impl):
    """``closing_draws`` and ``resident_draws`` give the rows of ``closing_rows`` and
    ``resident_below`` with ``rng.random(live rows)`` and leave the generator where it
    leaves it."""
    rng = np.random.default_rng(14)
    n, size = 5, 20000
    rows = _firms(size, n, rng)
    node = _with_tombstones(rows.node, rng, 0.07)
    live = int((node != TOMBSTONE).sum())
    terms = (rng.normal(1, 0.3, (5, n + 1)), rng.normal(-0.5, 0.5, (5, n + 1)),
             rng.random(n + 1), rng.random(n + 1) * 0.2)
    columns = (rows.sector, rows.productivity, rows.data_intensity)
    for gains, losses in ((0.012, 0.13), (0.2, 0.01), (0.05, 0.05)):
        a, b = np.random.default_rng(15), np.random.default_rng(15)
        got = impl.closing_draws(node, *columns, a, n, gains, losses, *terms)
        expected = closing_rows(node, *columns, b.random(live), n, gains, losses, *terms)
        assert np.array_equal(got, expected) and a.random() == b.random()
    a, b = np.random.default_rng(16), np.random.default_rng(16)
    assert np.array_equal(impl.resident_draws(node, a, n, 0.05),
                          resident_below(node, b.random(live), n, 0.05))
    assert a.random() == b.random()


def test_moved_equals_two_shifts_and_a_bincount():
    rng = np.random.default_rng(17)
    n, size = 6, 3000
    cols = n + 1
    rows = _firms(size, n, rng)
    counts, sums = rng.integers(0, 900, 5 * cols), rng.random(5 * cols) * 500
    idx = np.flatnonzero(rng.random(size) < 0.1)
    new = rng.integers(0, cols, len(idx))
    old = rows.node[idx].copy()
    cells_old = rows.sector[idx].astype(np.int64) * cols + old
    cells_new = rows.sector[idx].astype(np.int64) * cols + new
    weights = rows.productivity[idx]
    mid = shifted(counts, sums, cells_old, weights, -1)
    expected = shifted(*mid, cells_new, weights, +1)
    node = rows.node.copy()
    got_counts, got_sums, flows = moved(counts, sums, node, rows.sector, rows.productivity, idx,
                                        new, cols)
    assert np.array_equal(got_counts, expected[0]) and np.array_equal(got_sums, expected[1])
    assert np.array_equal(flows, np.bincount(old * cols + new, minlength=cols * cols))
    assert np.array_equal(node[idx], new) and np.array_equal(np.delete(node, idx),
                                                             np.delete(rows.node, idx))


def test_buried_equals_a_shift_and_a_bincount():
    rng = np.random.default_rng(18)
    n, size = 6, 3000
    cols = n + 1
    rows = _firms(size, n, rng)
    counts, sums = rng.integers(0, 900, 5 * cols), rng.random(5 * cols) * 500
    idx = np.flatnonzero(rng.random(size) < 0.1)
    cells = rows.sector[idx].astype(np.int64) * cols + rows.node[idx]
    expected = shifted(counts, sums, cells, rows.productivity[idx], -1)
    node = rows.node.copy()
    got_counts, got_sums, died = buried(counts, sums, node, rows.sector, rows.productivity,
                                        idx, n, cols, TOMBSTONE)
    assert np.array_equal(got_counts, expected[0]) and np.array_equal(got_sums, expected[1])
    nodes = rows.node[idx]
    assert np.array_equal(died, np.bincount(nodes[nodes < n], minlength=n))
    assert (node[idx] == TOMBSTONE).all() and np.array_equal(np.delete(node, idx),
                                                             np.delete(rows.node, idx))


def test_added_equals_a_shift_and_a_bincount():
    rng = np.random.default_rng(20)
    n, cols = 6, 7
    rows = _firms(500, n - 1, rng)
    counts, sums = rng.integers(0, 900, 5 * cols), rng.random(5 * cols) * 500
    cells = rows.sector.astype(np.int64) * cols + rows.node
    expected = shifted(counts, sums, cells, rows.productivity, +1)
    for impl in (compaction, plain):
        got = impl.added(counts, sums, rows.node, rows.sector, rows.productivity, n, cols)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
        assert np.array_equal(got[2], np.bincount(rows.node, minlength=n))


def test_the_tombstone_kernels_have_plain_twins_with_the_same_bits():
    rng = np.random.default_rng(19)
    n, size = 6, 4000
    cols = n + 1
    rows = _firms(size, n, rng)
    dead = np.flatnonzero(rng.random(size) < 0.05)
    more = np.setdiff1d(np.flatnonzero(rng.random(size) < 0.02), dead)
    ranks = np.flatnonzero(rng.random(size - len(dead)) < 0.1)
    counts, sums = rng.integers(0, 900, 5 * cols), rng.random(5 * cols) * 500
    idx = np.setdiff1d(np.flatnonzero(rng.random(size) < 0.1), dead)
    new = rng.integers(0, cols, len(idx))
    results = []
    for impl in (compaction, plain):
        node_a, node_b = rows.node.copy(), rows.node.copy()
        results.append([impl.merge_rows(dead, more), impl.live_to_rows(ranks, dead),
                        *impl.moved(counts, sums, node_a, rows.sector, rows.productivity, idx,
                                    new, cols), node_a,
                        *impl.buried(counts, sums, node_b, rows.sector, rows.productivity, idx,
                                     n, cols, TOMBSTONE), node_b])
    for i, (a, b) in enumerate(zip(*results, strict=True)):
        assert a.dtype == b.dtype and np.array_equal(a, b), i
