"""Vectorised choice kernels: draws follow the logit probabilities; deciders are Bernoulli."""

from __future__ import annotations

import numpy as np
import pytest

from agents.choice import draw_from_rows, flow_matrix, logit_choice, softmax_rows


def test_softmax_rows_stable_and_normalised():
    u = np.array([[1000.0, 1000.0, 999.0], [-5.0, 0.0, 5.0]])
    p = softmax_rows(u)
    assert np.isfinite(p).all() and p.sum(axis=1) == pytest.approx([1, 1])
    assert p[0, 0] == pytest.approx(np.e / (2 * np.e + 1))


def test_draws_match_probabilities():
    from scipy import stats
    rng = np.random.default_rng(3)
    utility = np.tile(np.array([0.0, 1.0, -1.0, 2.0]), (200_000, 1))
    choice = logit_choice(utility, rng)
    expected = softmax_rows(utility[:1])[0] * len(choice)
    assert stats.chisquare(np.bincount(choice, minlength=4), expected).pvalue > 0.001
    rows = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert list(draw_from_rows(rows, rng)) == [1, 0]


def test_flow_matrix():
    flows = flow_matrix(np.array([0, 0, 2]), np.array([1, 0, 1]), 3)
    assert flows.tolist() == [[1, 1, 0], [0, 0, 0], [0, 1, 0]]


def test_deciders_are_independent_bernoulli():
    from scipy import stats

    from agents.choice import deciders
    rng = np.random.default_rng(0)
    n, rate, reps = 1000, 0.03, 2000
    counts = np.zeros(n)
    sizes = []
    for _ in range(reps):
        idx = deciders(n, rate, rng)
        assert (np.diff(idx) > 0).all() and idx.min(initial=0) >= 0 and idx.max(initial=0) < n
        counts[idx] += 1
        sizes.append(len(idx))
    # the number of deciders is Binomial(n, rate); every agent decides with probability rate
    assert np.mean(sizes) == pytest.approx(n * rate, rel=0.02)
    assert np.var(sizes) == pytest.approx(n * rate * (1 - rate), rel=0.1)
    assert stats.chisquare(counts).pvalue > 0.001
    assert len(deciders(50, 1.0, rng)) == 50 and len(deciders(50, 0.0, rng)) == 0
