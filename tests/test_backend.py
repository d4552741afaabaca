"""The plain numpy kernels (``model/plain.py``) give the same bits as the compiled ones, kernel
by kernel and over whole runs, so a model's choice of kernels (``model/backend.py``) changes its
cost only; a default run never imports numba."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model import backend
from model.model import RegionModel
from model.state import TOMBSTONE
from scenarios.loader import SCENARIO_DIR

ROOT = Path(__file__).resolve().parent.parent
COMPILED, PLAIN = backend.kernels(True), backend.kernels(False)


def _same(a, b) -> bool:
    """Equal bits (NaN equal to NaN), element by element, and the same dtype."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def test_every_kernel_has_both_implementations():
    assert COMPILED.compiled and not PLAIN.compiled
    for name in backend.NAMES:
        assert getattr(COMPILED, name) is not getattr(PLAIN, name), name


@pytest.mark.parametrize(("scenario", "extra"), [
    ("baseline.toml", {}),
    ("integrated.toml", {}),
    ("baseline.toml", {"init__distribution": "uniform", "metrics__basis": "talent"}),
    ("baseline.toml", {"outside__enabled": False, "growth__enabled": False,
                       "firms__revision_rate": 1.0, "talent__revision_rate": 2.0}),
], ids=["baseline", "integrated", "uniform-talent", "closed-churn"])
def test_whole_runs_are_the_same_bits(scenario, extra):
    """Every table and every agent column after 16 steps, compiled against plain."""
    runs = []
    for choice in ("compiled", "plain"):
        model = RegionModel(SCENARIO_DIR / scenario, rng=11, agent_views=False, kernels=choice,
                            scale__firm_agents=3000, scale__talent_agents=4000, **extra)
        assert model.compiled == (choice == "compiled")
        runs.append(model.run(16))
    fast, plain = runs
    for table in ("node_table", "region_table", "flow_table"):
        assert getattr(fast, table)().equals(getattr(plain, table)()), table
    for pop in ("firm_pop", "talent_pop"):
        a, b = getattr(fast, pop), getattr(plain, pop)
        for name, column in vars(a.arrays).items():
            if isinstance(column, np.ndarray):
                assert _same(column, getattr(b.arrays, name)), (pop, name)
        assert _same(a.counts, b.counts) and _same(a.sums, b.sums)


def test_region_metric_vectors_are_the_same_bits():
    model = RegionModel(rng=3, agent_views=False, kernels="plain", scale__firm_agents=2000,
                        scale__talent_agents=3000, talent__revision_rate=2.0)
    rng = np.random.default_rng(0)
    for step in range(12):
        model.step()
        w = model.network.moran_w
        n = model.region.n
        shares = rng.dirichlet(np.full(n, 0.3)) if step % 3 == 2 else (
            model.history[-1]["output"] / model.history[-1]["output"].sum())
        if step == 5:
            shares = model.pop_shares.copy()  # no spatial variation: the Moran branch
        args = (shares, model.pop_shares, model.region.province, int(model.cores[0]),
                int(model.cores[1]), model.firm_pop.ledger.flows[:n, :n],
                model.talent_pop.ledger.flows[:n, :n], model.network.border,
                model.network.axis_mask, rng.random((5, n)) + 0.01, 0.5, w.dense, w.s0,
                w.expected, w.se_norm)
        assert _same(COMPILED.region_metric_vector(*args), PLAIN.region_metric_vector(*args))


def _logit_args(rng: np.random.Generator, k: int, n: int, closed: bool):
    per_q, common = rng.normal(1, 0.5, (5, n)), rng.normal(0, 3, (5, n))
    if closed:
        common[:, -1] = -np.inf
    return (rng.lognormal(0, 0.5, k), rng.random(k), rng.integers(0, 5, k).astype(np.int8),
            rng.integers(0, n - 1, k), per_q, common, rng.random(n), rng.random(n) * 0.3,
            rng.gamma(2, 1, (n, n)), rng.random(k))


@pytest.mark.parametrize("closed", [False, True])
def test_logit_and_row_draws_are_the_same(closed):
    rng = np.random.default_rng(5)
    for k in (0, 1, 17, 5000):
        args = _logit_args(rng, k, 35, closed)
        fast, plain = COMPILED.firm_logit_draws(*args), PLAIN.firm_logit_draws(*args)
        assert _same(fast, plain) and (k == 0 or len(np.unique(plain)) > 1 or k == 1)
        weights = rng.random((5, 36, 36))
        weights[:, :, 3] = 0.0
        cumulative = np.cumsum(weights, axis=2)
        sector, origin = rng.integers(0, 5, k).astype(np.int8), rng.integers(0, 36, k)
        u = rng.random(k)
        assert _same(COMPILED.draw_rows(cumulative, sector, origin, u),
                     PLAIN.draw_rows(cumulative, sector, origin, u))


def test_row_passes_are_the_same():
    """The squeeze and the closure and retirement passes (which draw their own uniforms) over
    rows with tombstones; the books' passes are compared in tests/test_compaction.py."""
    rng = np.random.default_rng(7)
    n, size = 6, 4000
    node = rng.integers(0, n + 1, size)
    node[rng.random(size) < 0.05] = TOMBSTONE
    sector = rng.integers(0, 5, size).astype(np.int8)
    weight, d = rng.lognormal(0, 0.4, size), rng.random(size)
    profit_rate, money = rng.normal(1, 0.3, (5, n + 1)), rng.normal(-0.5, 0.5, (5, n + 1))
    compute, bonus = rng.random(n + 1), rng.random(n + 1) * 0.3
    dropped = np.flatnonzero((node == n) | (node == TOMBSTONE))
    results = []
    for impl in (COMPILED, PLAIN):
        columns = (node.copy(), sector.copy(), weight.copy())
        left = impl.squeeze_columns(columns, dropped, size)
        draws = np.random.default_rng(8)
        closing = [impl.closing_draws(node, sector, weight, d, draws, n, g, lo, profit_rate,
                                      money, compute, bonus)
                   for g, lo in ((0.01, 0.2), (0.2, 0.01), (0.05, 0.05))]
        results.append([left, *[c[:left] for c in columns], *closing,
                        impl.resident_draws(node, draws, n, 0.3), draws.random(3)])
    for i, (a, b) in enumerate(zip(*results, strict=True)):
        assert _same(a, b), i


def test_auto_choice_and_overrides(monkeypatch):
    monkeypatch.delenv(backend.ENVIRONMENT, raising=False)
    monkeypatch.setattr(backend, "loaded", lambda: False)  # as in a fresh process
    default = backend.saving(50_000, 52)   # the default scenario's run
    long = backend.saving(600_000, 120)    # full scale, 30 years
    assert default < backend.NUMBA_START / 5 < backend.NUMBA_START < long
    assert backend.use_compiled(default) is False and backend.use_compiled(long) is True
    # a full-scale run of 13 years is about where numba's start is paid back (measured)
    assert backend.saving(600_000, 52) == pytest.approx(backend.NUMBA_START, rel=0.2)
    assert backend.saving(20_000, 2000) > backend.NUMBA_START  # small but long
    assert backend.use_compiled(0.0, "compiled") is True
    assert backend.use_compiled(1e9, "plain") is False
    monkeypatch.setenv(backend.ENVIRONMENT, "Plain")
    assert backend.use_compiled(1e9) is False
    monkeypatch.setenv(backend.ENVIRONMENT, "fast")
    with pytest.raises(ValueError, match=r"CYFLOW_KERNELS.*expected one of auto, compiled, "
                                         r"plain, got 'fast'"):
        backend.use_compiled(1)


def test_a_default_run_never_imports_numba(tmp_path):
    """The default scenario is far below the size where numba pays for its start."""
    code = ("import sys, run\n"
            f"assert run.main(['--quiet', '--no-figures', '--steps', '3', '--out', "
            f"{str(tmp_path / 'out')!r}]) == 0\n"
            "print('numba' in sys.modules, 'llvmlite' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k != backend.ENVIRONMENT}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_a_batch_that_pays_for_numba_loads_it_first(monkeypatch):
    """``prepare`` loads the compiled kernels for a large batch (its models on "auto" then
    take them), and leaves a small one alone."""
    monkeypatch.delenv(backend.ENVIRONMENT, raising=False)
    monkeypatch.setattr(backend, "loaded", lambda: False)  # as in a fresh process
    asked = []
    monkeypatch.setattr(backend, "kernels", lambda compiled: asked.append(compiled))
    assert backend.prepare(backend.NUMBA_START * 0.99) is False and asked == []
    assert backend.prepare(backend.NUMBA_START) is True and asked == [True]
    from experiments.runner import RunTask, prepare_kernels
    from scenarios.loader import load_scenario

    seen = []
    monkeypatch.setattr(backend, "prepare", seen.append)
    base = load_scenario(SCENARIO_DIR / "baseline.toml")
    prepare_kernels([RunTask("a", base, 1), RunTask("b", base, 2, {"steps": 8}),
                     RunTask("c", base, 3, {"scale.firm_agents": 10})])
    agents = base.scale.firm_agents + base.scale.talent_agents
    expected = (backend.saving(agents, base.steps) + backend.saving(agents, 8)
                + backend.saving(10 + base.scale.talent_agents, base.steps))
    assert seen == [pytest.approx(expected, rel=1e-12)]
