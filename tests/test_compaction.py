"""The compiled row passes (``model/compaction.py``) and the growable rows of
``model.state._Rows`` give exactly what their numpy definitions give."""

from __future__ import annotations

import pickle

import numpy as np

from model.compaction import (
    closing_rows,
    mark_departed,
    resident_below,
    shifted,
    squeeze_column,
    squeeze_columns,
)
from model.initial import new_firms
from model.model import RegionModel
from model.state import FirmArrays
from scenarios.schema import InitParams


def _firms(size: int, n: int, rng: np.random.Generator) -> FirmArrays:
    rows = new_firms(rng.integers(0, n + 1, size), rng.integers(0, 5, size).astype(np.int8),
                     InitParams(), np.full(5, 0.4), rng)
    rows.uid = np.arange(size, dtype=np.int64)
    return rows


def test_squeeze_column_equals_a_boolean_mask():
    rng = np.random.default_rng(1)
    for size, rate in ((0, 0.1), (50, 0.0), (1000, 0.03), (1000, 0.9), (7, 1.0)):
        drop = rng.random(size) < rate
        for dtype in (np.int64, np.int8, np.float64):
            column = rng.integers(-100, 100, size).astype(dtype)
            expected = column[~drop]
            kept = squeeze_column(column, np.flatnonzero(drop), size)
            assert kept == len(expected) and np.array_equal(column[:kept], expected)
        columns = (np.arange(size), np.arange(size).astype(np.int8), rng.random(size))
        expected_all = [c[~drop] for c in columns]
        kept = squeeze_columns(columns, np.flatnonzero(drop), size)
        for column, values in zip(columns, expected_all, strict=True):
            assert kept == len(values) and np.array_equal(column[:kept], values)


def test_mark_departed_equals_bincount_and_clears_the_marks():
    rng = np.random.default_rng(2)
    n, size = 6, 5000
    rows = _firms(size, n, rng)
    drop = (rng.random(size) < 0.05).astype(np.uint8)
    drop[rows.node == n] = 0
    marked = drop.astype(bool)
    cols = n + 1
    counts, sums = np.zeros(5 * cols, dtype=np.int64), np.zeros(5 * cols)
    dropped = np.empty(size, dtype=np.int64)
    k, departed = mark_departed(drop, rows.node, rows.sector, rows.productivity, n, cols,
                                counts, sums, dropped)
    out = rows.node == n
    cells = rows.sector[out].astype(np.int64) * cols + rows.node[out]
    assert departed == out.sum()
    assert np.array_equal(counts, np.bincount(cells, minlength=5 * cols))
    assert np.array_equal(sums, np.bincount(cells, weights=rows.productivity[out],
                                            minlength=5 * cols))
    assert np.array_equal(dropped[:k], np.flatnonzero(out | marked))
    assert not drop.any()


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


def test_shifted_equals_counts_plus_bincount():
    rng = np.random.default_rng(5)
    counts, sums = rng.integers(0, 50, 35), rng.random(35) * 40
    cells, weights = rng.integers(0, 35, 400), rng.lognormal(0, 0.5, 400)
    for sign in (-1, 1):
        new_counts, new_sums = shifted(counts, sums, cells, weights, sign)
        assert np.array_equal(new_counts, counts + sign * np.bincount(cells, minlength=35))
        assert np.array_equal(new_sums, sums + sign * np.bincount(cells, weights=weights,
                                                                    minlength=35))


def test_rows_removed_mid_step_survive_a_pickle():
    model = RegionModel(rng=8, agent_views=False, steps=2, scale__firm_agents=1500,
                        scale__talent_agents=2000).run()
    pop = model.firm_pop
    pop.remove(np.array([3, 10, 11, 500]))
    copy = pickle.loads(pickle.dumps(pop))
    pop.drop_departed()
    copy.drop_departed()
    assert np.array_equal(copy.arrays.uid, pop.arrays.uid)
    assert np.array_equal(copy.counts, pop.counts)
    assert "_scratch" not in pop.__getstate__()
