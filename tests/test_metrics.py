"""Region metrics against values computed by hand on small inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from model.metrics import (
    axis_ratio,
    depressions,
    flow_centralization,
    gini,
    krugman_index,
    moran,
    moran_weights,
    noncore_flow_share,
    theil,
    two_core,
    williamson_cv,
)
from model.metrics.patterns import (
    axis_premium,
    clusters,
    location_quotients,
    mean_krugman,
    pattern_measures,
    siphon,
)


def test_gini_two_equal_populations():
    # per head y = (0.5, 1.5): 1/2 * 2 * 0.25 * 1 / 1 = 0.25
    assert gini(np.array([0.25, 0.75]), np.array([0.5, 0.5])) == pytest.approx(0.25)


def test_gini_zero_when_proportional():
    p = np.array([0.2, 0.3, 0.5])
    assert gini(p.copy(), p) == pytest.approx(0.0)
    assert williamson_cv(p.copy(), p) == pytest.approx(0.0)
    assert theil(p.copy(), p, np.array([0, 0, 1]))[0] == pytest.approx(0.0)


def test_theil_and_decomposition_by_hand():
    s = np.array([0.5, 0.2, 0.2, 0.1])
    p = np.array([0.25, 0.25, 0.25, 0.25])
    groups = np.array([0, 0, 1, 1])
    total, between, within = theil(s, p, groups)
    expected = 0.5 * math.log(2) + 0.2 * math.log(0.8) * 2 + 0.1 * math.log(0.4)
    assert total == pytest.approx(expected)
    b = 0.7 * math.log(0.7 / 0.5) + 0.3 * math.log(0.3 / 0.5)
    assert between == pytest.approx(b)
    w = 0.7 * ((5 / 7) * math.log((5 / 7) / 0.5) + (2 / 7) * math.log((2 / 7) / 0.5)) + \
        0.3 * ((2 / 3) * math.log((2 / 3) / 0.5) + (1 / 3) * math.log((1 / 3) / 0.5))
    assert within == pytest.approx(w)
    assert between + within == pytest.approx(total)


def test_williamson_cv_by_hand():
    # y = (0.5, 1.5), mean 1, variance 0.25 -> CV 0.5
    assert williamson_cv(np.array([0.25, 0.75]), np.array([0.5, 0.5])) == pytest.approx(0.5)


def test_two_core_and_krugman():
    s = np.array([0.4, 0.1, 0.3, 0.2])
    s2, balance, primacy = two_core(s, np.array([0, 2]))
    assert (s2, balance, primacy) == pytest.approx((0.7, 0.75, 0.4 / 0.7))
    sector_output = np.array([[3.0, 1.0], [1.0, 3.0]])  # node 0: 75% soft, node 1: 25% soft
    assert krugman_index(sector_output, 0, 1) == pytest.approx(1.0)
    assert krugman_index(np.array([[1.0, 2.0], [1.0, 2.0]]), 0, 1) == pytest.approx(0.0)


def test_depressions():
    s = np.array([0.5, 0.3, 0.15, 0.05])
    p = np.full(4, 0.25)
    # per head relative: 2, 1.2, 0.6, 0.2 -> below 0.5: one node; below 0.7: two
    assert depressions(s, p, 0.5) == 1
    assert depressions(s, p, 0.7) == 2


def test_flow_metrics_by_hand():
    flows = np.zeros((4, 4))
    flows[0, 1] = 6   # touches core 0
    flows[2, 3] = 2   # touches no core
    flows[3, 3] = 50  # stayers are ignored
    assert noncore_flow_share(flows, np.array([0, 1])) == pytest.approx(0.25)
    star = np.zeros((5, 5))
    star[0, 1:] = 1
    assert flow_centralization(star) == pytest.approx(1.0)
    ring = np.roll(np.eye(5), 1, axis=1)
    assert flow_centralization(ring) == pytest.approx(0.0)
    assert noncore_flow_share(np.diag([5, 5, 5]), np.array([0, 1])) == 0.0


def test_axis_ratio_by_hand():
    s = np.array([0.5, 0.2, 0.2, 0.1])
    p = np.full(4, 0.25)
    axis = np.array([True, True, False, False])
    # non-core: nodes 1..3; axis non-core node 1 has 0.2/0.5 = 0.4 of activity, 1/3 of population
    assert axis_ratio(s, p, axis, np.array([0, 3])) == pytest.approx(0.2 / 0.4 / 0.5)
    assert axis_ratio(s, p, axis, np.array([0, 2])) == pytest.approx((0.2 / 0.3) / (1 / 2))


def test_moran_against_formula():
    rng = np.random.default_rng(1)
    hours = rng.uniform(0.5, 3, (6, 6))
    hours = (hours + hours.T) / 2
    np.fill_diagonal(hours, 0)
    y = rng.normal(size=6)
    w = np.exp(-hours / 1.0)
    np.fill_diagonal(w, 0)
    w = w / w.sum(axis=1, keepdims=True)
    z = y - y.mean()
    expected = (len(y) / w.sum()) * (z @ w @ z) / (z @ z)
    weights = moran_weights(hours, 1.0)
    value, p = moran(y, weights)
    assert value == pytest.approx(expected)
    assert 0 <= p <= 1
    assert moran(np.ones(6), weights) == (0.0, 1.0)


def _esda_moran(y: np.ndarray, full: np.ndarray):
    """PySAL's Moran (the oracle; not imported by the model) with row-standardised ``full``."""
    import warnings

    from esda.moran import Moran
    from libpysal.weights import full2W
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = full2W(full)
    w.transform = "r"
    return w, Moran(y, w, permutations=0)


@pytest.mark.parametrize(("n", "tau", "seed"), [(6, 1.0, 1), (20, 1.0, 5), (34, 0.5, 9)])
def test_closed_form_moran_equals_esda(n: int, tau: float, seed: int):
    """Our closed-form weights, moments, I, z and p against esda's Moran on travel-time
    weights (one with a pair of nodes without links: weight 0)."""
    rng = np.random.default_rng(seed)
    hours = rng.uniform(0.2, 4, (n, n))
    hours = (hours + hours.T) / 2
    hours[0, 1] = hours[1, 0] = np.inf
    np.fill_diagonal(hours, 0)
    weights = moran_weights(hours, tau)
    full = np.exp(-hours / tau)
    np.fill_diagonal(full, 0.0)
    for _ in range(10):
        y = rng.lognormal(size=n)
        w, reference = _esda_moran(y, full)
        np.testing.assert_array_equal(weights.dense, w.full()[0])
        assert (weights.s0, weights.s1, weights.s2) == pytest.approx((w.s0, w.s1, w.s2),
                                                                     rel=1e-14)
        assert weights.expected == pytest.approx(float(reference.EI), abs=1e-15)
        assert weights.se_norm ** 2 == pytest.approx(float(reference.VI_norm), rel=1e-12)
        value, p = moran(y, weights)
        assert value == pytest.approx(float(reference.I), abs=1e-12)
        z = (value - weights.expected) / weights.se_norm
        assert z == pytest.approx(float(reference.z_norm), abs=1e-10)
        assert p == pytest.approx(float(reference.p_norm), abs=1e-12)


def test_run_does_not_import_pysal():
    """esda and libpysal are the tests' oracle only: building and stepping a model does not
    import them (nor scikit-learn)."""
    import subprocess
    import sys
    code = ("import sys; from model.model import RegionModel; "
            "RegionModel(agent_views=False, scale__firm_agents=200, scale__talent_agents=300"
            ").step(); print(sorted(m for m in ('esda', 'libpysal', 'sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip().splitlines()[-1] == "[]"


# ---------------------------------------------------------------- continuous pattern measures
def test_location_quotients_by_hand():
    # node 0: 3 software 1 electronics; node 1: 1 and 3 -> region 50/50
    lq = location_quotients(np.array([[3.0, 1.0], [1.0, 3.0]]))
    np.testing.assert_allclose(lq, [[1.5, 0.5], [0.5, 1.5]])


def test_axis_premium_recovers_the_corridor_effect_net_of_distance():
    rng = np.random.default_rng(0)
    hours = rng.uniform(0.5, 3.0, 20)
    axis = np.arange(20) % 2 == 0
    noncore = np.ones(20, dtype=bool)
    noncore[:2] = False
    growth = 0.1 + 0.25 * axis - 0.2 * hours
    assert axis_premium(growth, axis, hours, noncore) == pytest.approx(0.25)
    # corridor nodes grow more only because they are nearer a core: no premium
    near_axis_hours = np.where(axis, hours * 0.5, hours)
    assert axis_premium(0.1 - 0.2 * near_axis_hours, axis, near_axis_hours, noncore) == \
        pytest.approx(0.0, abs=1e-12)
    assert axis_premium(growth, np.zeros(20, dtype=bool), hours, noncore) == 0.0


def test_clusters_count_high_and_rising_noncore_specialisations():
    noncore = np.array([False, True, True, True, True])
    lq0 = np.array([[2.0, 1.0, 1.4, 2.0, 2.0], [0.5, 1.0, 1.0, 0.5, 0.5]])
    lq = np.array([[2.5, 1.3, 1.2, 2.3, 2.1], [0.4, 1.0, 1.0, 0.4, 0.4]])
    # node 0 is a core; node 1 rises to 1.3 >= 1.25 (+30%); node 2 falls below 1.25; node 3
    # rises by 15%; node 4 by 5%: a cluster only when any rise counts
    np.testing.assert_array_equal(clusters(lq, lq0, noncore, 1.25, 0.10),
                                  [False, True, False, True, False])
    np.testing.assert_array_equal(clusters(lq, lq0, noncore, 1.25, 0.0),
                                  [False, True, False, True, True])
    assert not clusters(lq0.copy(), lq0, noncore, 1.25, 0.0).any()  # high but not rising


def test_siphon_is_the_cores_gain_against_the_near_periphery():
    cores, near = np.array([0, 1]), np.array([False, False, True, True, False])
    start = np.array([0.2, 0.2, 0.2, 0.2, 0.2])
    end = np.array([0.25, 0.25, 0.15, 0.15, 0.2])
    assert siphon(end, start, cores, near) == pytest.approx(0.2)
    spread = np.array([0.25, 0.25, 0.2, 0.2, 0.1])  # the far periphery pays: no siphon nearby
    assert siphon(spread, start, cores, near) == pytest.approx(0.1)


def test_mean_krugman_of_identical_and_disjoint_mixes():
    same = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert mean_krugman(same, np.array([True, True, True])) == pytest.approx(0.0)
    disjoint = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert mean_krugman(disjoint, np.array([True, True])) == pytest.approx(2.0)
    assert mean_krugman(disjoint, np.array([True, False])) == 0.0


def test_pattern_measures_growth_and_counts():
    out0 = np.array([4.0, 4.0, 1.0, 1.0])
    out1 = np.array([8.0, 8.0, 1.5, 0.5])
    sec0 = np.vstack([out0 / 2, out0 / 2])
    sec1 = np.vstack([out1 / 2, out1 / 2])
    m = pattern_measures(output=out1, output_start=out0, sector_output=sec1,
                         sector_output_start=sec0, cores=np.array([0, 1]),
                         axis=np.array([True, True, True, False]),
                         hours_to_core=np.array([0.0, 0.0, 1.0, 1.0]), siphon_hours=2.0,
                         cluster_lq=1.25, cluster_rise=0.10, years=2.0)
    assert m["region_growth"] == pytest.approx(np.log(18.0 / 10.0) / 2.0)
    assert m["noncore_growing"] == 1 and m["noncore_gaining"] == 0
    assert m["siphon"] == pytest.approx((16 / 18 - 0.8) - (2 / 18 - 0.2))
