"""Comparison statistics and sensitivity analysis: identical scenarios differ by exactly zero,
uncertainty draws are shared by every scenario, SALib indices rank a known function right, and
the compare / analyze commands write their folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.compare import Comparison
from experiments.design import problem
from experiments.execution import Execution
from experiments.sensitivity import morris_indices, sobol_indices
from experiments.spec import Parameter
from run import main as cli

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.toml"
TALENT = REPO / "scenarios" / "talent_community.toml"
TINY = {"steps": 8, "scale.firm_agents": 300, "scale.talent_agents": 450}
SERIAL = Execution(serial=True, progress=False)


def test_identical_scenarios_give_paired_differences_of_exactly_zero():
    cmp = Comparison([BASELINE, BASELINE], reps=3, seed=5, overrides=TINY).run(SERIAL)
    assert cmp.labels == ["baseline", "baseline-2"]
    diffs = cmp.differences()
    assert len(diffs) > 0 and (diffs["n"] == 3).all()
    for column in ("mean", "ci_low", "ci_high", "median", "p10", "p90"):
        assert (diffs[column] == 0).all(), column
    effects = cmp.effects()
    assert not effects["clear"].any()
    assert "clearly non-zero: none" in cmp.summary()
    assert "exactly zero in every pair" in cmp.summary()


def test_common_random_numbers_and_shared_uncertainty_draws():
    cmp = Comparison([BASELINE, TALENT], reps=2, seed=9, uncertain=3, overrides=TINY)
    keys = [p.key for p in cmp.parameters]
    assert "interventions.talent_community.settlement_reduction" in keys
    assert not any(k.startswith("interventions.") and "talent_community" not in k for k in keys)
    tasks = cmp.tasks()
    by_pair: dict[tuple[int, int], list] = {}
    for task in tasks:
        by_pair.setdefault((task.point, task.replicate), []).append(task)
    assert len(by_pair) == 6
    for pair in by_pair.values():  # same seed and same draw for both scenarios
        assert len({t.seed for t in pair}) == 1
        assert len({tuple(sorted(t.overrides.items())) for t in pair}) == 1
    assert len({t.seed for t in tasks}) == 6
    cmp.run(SERIAL)
    diffs = cmp.differences()
    assert (diffs["n"] == 3).all()  # the unit is the draw
    eff = cmp.effects()
    assert set(eff["depends_on"].dropna()) <= set(keys)


def test_compare_command_writes_one_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    status = cli(["compare", str(BASELINE), str(TALENT), "--reps", "2", "--serial", "--quiet",
                  "--out", str(out), "--csv", "--set", "steps=8",
                  "--set", "scale.firm_agents=300", "--set", "scale.talent_agents=450"])
    assert status == 0
    names = {p.name for p in out.iterdir()}
    assert {"comparison.parquet", "summary.parquet", "summary.csv", "effects.parquet",
            "summary.txt", "levels.png", "paired_differences.png", "runs", "runs.parquet",
            "comparison.json", "scenarios"} <= names
    # the comparison contract of docs/FIGURES.md (read by run.py plot / report)
    long = pd.read_parquet(out / "comparison.parquet")
    assert {"scenario", "replicate", "step", "quarter", "metric", "value"} <= set(long.columns)
    seeds = long.groupby(["scenario", "replicate"])["seed"].first().unstack("scenario")
    assert (seeds.nunique(axis=1) == 1).all()  # a replicate number pairs equal seeds
    assert sorted((out / "scenarios").iterdir()) == [out / "scenarios" / "baseline.toml",
                                                    out / "scenarios" / "talent_community.toml"]
    tidy = pd.read_parquet(out / "summary.parquet")
    assert set(tidy["kind"]) == {"level", "difference"}
    assert (tidy.loc[tidy["kind"] == "level", "p10"]
            <= tidy.loc[tidy["kind"] == "level", "p90"]).all()
    assert "talent_community - baseline" in capsys.readouterr().out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    # a folder of someone else's files is refused before anything runs
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    assert cli(["compare", str(BASELINE), "--reps", "1", "--serial", "--quiet",
                "--out", str(other)]) == 2
    assert "not results of this command" in capsys.readouterr().err


def linear(x: np.ndarray) -> np.ndarray:
    return 10 * x[:, 0] + 3 * x[:, 1] + 0.0 * x[:, 2] + x[:, 0] * x[:, 1]


def test_salib_morris_and_sobol_rank_a_known_function():
    from SALib.sample import morris, sobol
    params = [Parameter(k, float, low=0.0, high=1.0) for k in ("a", "b", "c")]
    prob = problem(params)
    x = morris.sample(prob, N=20, num_levels=4, seed=1)
    m = morris_indices(prob, x, linear(x), levels=4, seed=1)
    assert list(m.sort_values("mu_star", ascending=False)["parameter"]) == ["a", "b", "c"]
    assert m.loc[m["parameter"] == "c", "mu_star"].item() == pytest.approx(0.0)
    x = sobol.sample(prob, N=256, calc_second_order=False, seed=1)
    s = sobol_indices(prob, linear(x), seed=1)
    assert list(s.sort_values("ST", ascending=False)["parameter"]) == ["a", "b", "c"]
    assert s.loc[s["parameter"] == "a", "S1"].item() > 0.8
    assert abs(s.loc[s["parameter"] == "c", "ST"].item()) < 0.01
    assert (s["ST_conf"] >= 0).all() and (s["S1_conf"] >= 0).all()


def test_sweep_then_analyze_writes_table_and_chart(tmp_path, capsys):
    sweep = tmp_path / "m.toml"
    sweep.write_text(f'''
scenario = "{BASELINE}"
design = "morris"
samples = 3
replicates = 1
seed = 2
[set]
steps = 6
scale.firm_agents = 300
scale.talent_agents = 450
[[parameters]]
key = "mechanisms.market.alpha"
[[parameters]]
key = "talent.border_cost"
[output]
quarters = "final"
''')
    out = tmp_path / "out"
    assert cli(["sweep", str(sweep), "--out", str(out), "--serial", "--quiet"]) == 0
    assert cli(["analyze", str(out), "--csv"]) == 0
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert {"metric", "parameter", "mu_star", "sigma", "mu_star_conf"} <= set(table.columns)
    assert set(table["parameter"]) == {"mechanisms.market.alpha", "talent.border_cost"}
    assert (out / "sensitivity.png").stat().st_size > 1000
    capsys.readouterr()
    grid = tmp_path / "g.toml"
    grid.write_text(sweep.read_text().replace('design = "morris"\nsamples = 3',
                                              'design = "grid"').replace(
        'key = "talent.border_cost"', 'key = "talent.border_cost"\nvalues = [1.0]').replace(
        'key = "mechanisms.market.alpha"', 'key = "mechanisms.market.alpha"\nvalues = [0.05]'))
    assert cli(["sweep", str(grid), "--out", str(tmp_path / "g"), "--serial", "--quiet"]) == 0
    assert cli(["analyze", str(tmp_path / "g")]) == 2
    assert "need a morris or sobol design" in capsys.readouterr().err


def test_an_effect_never_depends_on_an_absent_intervention():
    """With a hub scenario in the comparison, the computing hub's uncertain parameters are
    drawn, but the talent community's effects cannot depend on them (excluded, not chance)."""
    hub = BASELINE.parent / "computing_hub.toml"
    cmp = Comparison([BASELINE, TALENT, hub], reps=1, seed=3, uncertain=4, overrides=TINY)
    keys = [p.key for p in cmp.parameters]
    assert any(k.startswith("interventions.computing_hub.") for k in keys)
    cmp.run(SERIAL)
    eff = cmp.effects()
    talent = eff[eff["scenario"] == "talent_community"]["depends_on"].dropna()
    assert len(talent) > 0
    assert not any(k.startswith("interventions.computing_hub.") for k in talent)


def test_compare_warns_once_of_an_intervention_after_the_horizon(tmp_path, capsys):
    """The talent community starts in 2024Q1, after a 4-quarter horizon: one warning line for
    the comparison (not one per run); and 2 replicates are said to be too few."""
    assert cli(["compare", str(BASELINE), str(TALENT), "--reps", "2", "--serial", "--quiet",
                "--out", str(tmp_path / "cmp"), "--set", "steps=4",
                "--set", "scale.firm_agents=300", "--set", "scale.talent_agents=450"]) == 0
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("warning: scenario 'talent_community': interventions[0]") == 1
    assert "warning: only 2 replicates" in captured.out
