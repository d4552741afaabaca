"""Sweep and comparison files: validation errors (file, key path, expectation), the shipped
examples, designs from the libraries' samplers and common-random-number seeds."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from experiments.design import point_count, sample
from experiments.runner import RunTask, apply_overrides, metric_columns, model_columns
from experiments.seeds import run_seed
from experiments.spec import is_comparison_file, load_comparison, load_sweep
from model.errors import ScenarioError
from scenarios.loader import load_scenario, uncertain_parameters

REPO = Path(__file__).resolve().parent.parent
SWEEPS = REPO / "sweeps"
BASELINE = REPO / "scenarios" / "baseline.toml"

GOOD = f'''
scenario = "{BASELINE}"
design = "lhs"
samples = 5
replicates = 2
seed = 7
[set]
steps = 4
[[parameters]]
key = "mechanisms.market.alpha"
range = [0.02, 0.1]
'''


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(SWEEPS.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_examples_load(path):
    if is_comparison_file(path):
        spec = load_comparison(path)
        assert len(spec.scenarios) >= 2 and spec.uncertain_samples > 0
        return
    spec = load_sweep(path)
    runs = point_count(spec) * spec.replicates
    assert len(sample(spec)) == point_count(spec)
    assert 10 <= runs <= 400, runs  # each example finishes in about a minute here


def test_one_example_per_design():
    designs = {load_sweep(p).design for p in SWEEPS.glob("*.toml") if not is_comparison_file(p)}
    assert designs == {"grid", "lhs", "morris", "sobol"}


@pytest.mark.parametrize("edit, key, expected", [
    (("design = \"lhs\"", "design = \"lsh\""), "design", "did you mean 'lhs'"),
    (("samples = 5", "samples = 0"), "samples", "[1, "),
    (("samples = 5", "samples = 2.5"), "samples", "an integer"),
    (("replicates = 2", "replicats = 2"), "replicats", "did you mean 'replicates'"),
    (("range = [0.02, 0.1]", "range = [0.02, 0.9]"), "parameters[0].range[1]", "[0, 0.5]"),
    (("range = [0.02, 0.1]", "range = [0.1, 0.02]"), "parameters[0].range", "low < high"),
    (("range = [0.02, 0.1]", "values = [0.02, 0.1]"), "parameters[0].values", "range"),
    (("key = \"mechanisms.market.alpha\"", "key = \"mechanisms.market.alpah\""),
     "parameters[0].key", "did you mean 'mechanisms.market.alpha'"),
    (("key = \"mechanisms.market.alpha\"",
      "key = \"interventions.talent_community.amenity_boost\""),
     "parameters[0].key", "no 'talent_community' intervention"),
    (("steps = 4", "stesp = 4"), "stesp", "did you mean 'steps'"),
    (("seed = 7", "seed = 7\n[output]\nquarters = \"last\""), "output.quarters", "\"final\""),
])
def test_bad_sweep_files_name_file_key_and_expectation(tmp_path, edit, key, expected):
    path = write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert str(path) in str(info.value) and key in str(info.value), str(info.value)
    assert expected in str(info.value), str(info.value)


def test_sobol_needs_power_of_two_and_morris_continuous(tmp_path):
    with pytest.raises(ScenarioError, match="power of 2"):
        load_sweep(write(tmp_path, GOOD.replace("\"lhs\"", "\"sobol\"")))
    text = GOOD.replace("\"lhs\"", "\"morris\"").replace(
        "key = \"mechanisms.market.alpha\"\nrange = [0.02, 0.1]",
        "key = \"scale.firm_agents\"\nrange = [100, 200]")
    with pytest.raises(ScenarioError, match=r"parameters\[0\]\.key: a morris design needs "
                       r"continuous"):
        load_sweep(write(tmp_path, text))


def test_files_are_data_not_executed_and_guarded(tmp_path):
    with pytest.raises(ScenarioError, match="invalid TOML"):
        load_sweep(write(tmp_path, "import os\nos.system('touch x')\n"))
    assert not (tmp_path / "x").exists()
    with pytest.raises(ScenarioError, match="is a folder"):
        load_sweep(tmp_path)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_sweep(fifo)
    big = write(tmp_path, "# " + "x" * 1_100_000, "big.toml")
    with pytest.raises(ScenarioError, match="larger than the limit"):
        load_sweep(big)


def test_grid_is_every_combination_and_ranges_use_declared_uncertainty(tmp_path):
    text = GOOD.replace("design = \"lhs\"\nsamples = 5", "design = \"grid\"").replace(
        "range = [0.02, 0.1]", "values = [0.0, 0.05, 0.1]") + \
        "[[parameters]]\nkey = \"talent.border_cost\"\nlevels = 3\n"
    spec = load_sweep(write(tmp_path, text))
    points = sample(spec)
    lo, hi = uncertain_parameters()["talent.border_cost"]
    assert len(points) == 9 == point_count(spec)
    assert {p["talent.border_cost"] for p in points} == {lo, (lo + hi) / 2, hi}
    assert {p["mechanisms.market.alpha"] for p in points} == {0.0, 0.05, 0.1}


def test_designs_are_seeded_and_within_ranges(tmp_path):
    spec = load_sweep(write(tmp_path, GOOD))
    a, b = sample(spec), sample(spec)
    assert a == b and len(a) == 5
    values = np.array([p["mechanisms.market.alpha"] for p in a])
    assert values.min() >= 0.02 and values.max() <= 0.1
    # Latin hypercube: one point in each fifth of the range
    assert sorted(((values - 0.02) / 0.08 * 5).astype(int)) == [0, 1, 2, 3, 4]


def test_run_seeds_are_common_across_scenarios_and_distinct_across_replicates():
    seeds = [run_seed(1, r) for r in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**63 for s in seeds)
    assert run_seed(1, 3) == run_seed(1, 3) != run_seed(2, 3)
    assert run_seed(1, 3, draw=1) != run_seed(1, 3, draw=0)


def test_intervention_overrides_apply_to_every_intervention_of_the_type():
    spec = load_scenario(REPO / "scenarios" / "talent_community.toml")
    changed = apply_overrides(spec, {"interventions.talent_community.settlement_reduction": 0.9,
                                     "talent.kappa": 2.0})
    assert [i.settlement_reduction for i in changed.interventions
            if i.type == "talent_community"] == [0.9]
    assert changed.talent.kappa == 2.0
    with pytest.raises(ScenarioError, match=r"interventions\.talent_community\.settlement_"
                       r"reduction.*\[0, 1\]"):
        apply_overrides(spec, {"interventions.talent_community.settlement_reduction": 3.0})


def test_metric_columns_come_from_the_model_tables():
    spec = load_scenario(BASELINE)
    region, nodes = model_columns(apply_overrides(spec, {"scale.firm_agents": 300,
                                                         "scale.talent_agents": 450}))
    assert region and nodes and "step" not in region and "node" not in nodes
    assert "quarter" not in region
    assert RunTask("x", spec, 1).output.nodes == ()
    import pandas as pd
    assert metric_columns(pd.DataFrame({"step": [1], "a": [1.0], "b": ["t"], "c": [True]})) \
        == ["a"]
