"""sweeps/screening.toml (the Morris screening of docs/SENSITIVITY.md) loads and validates through
the sweep machinery, screens only parameters with a declared uncertainty range (over that range)
and plans the documented number of runs. Nothing is simulated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from experiments.design import point_count
from experiments.spec import column_name
from experiments.sweep import Sweep
from scenarios.loader import read_toml, uncertain_parameters

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "sweeps" / "screening.toml"


@pytest.fixture(scope="module")
def sweep() -> Sweep:
    return Sweep.from_file(FILE)


def test_screening_is_a_morris_design_of_many_declared_parameters(sweep):
    spec = sweep.spec
    assert spec.design == "morris"
    assert spec.replicates == 2 and spec.output.quarters == "final"
    keys = [p.key for p in spec.parameters]
    assert len(keys) >= 14 and len(set(keys)) == len(keys)
    declared = uncertain_parameters()
    for param in spec.parameters:
        assert param.key in declared, f"{param.key} has no declared uncertainty range"
        assert (param.low, param.high) == pytest.approx(declared[param.key]), param.key
    # the file gives no range: every range comes from the schema
    assert all(set(entry) == {"key"} for entry in read_toml(FILE)["parameters"])


def test_screening_plans_r_times_d_plus_one_points_with_common_seeds(sweep):
    spec = sweep.spec
    d = len(spec.parameters)
    assert point_count(spec) == spec.samples * (d + 1)
    points = sweep.points()
    assert len(points) == spec.samples * (d + 1)
    plan = sweep.plan()
    assert len(plan) == spec.samples * (d + 1) * spec.replicates
    assert plan["run_id"].is_unique
    # common random numbers: a replicate has one seed at every point
    assert plan.groupby("replicate")["seed"].nunique().eq(1).all()
    assert plan["seed"].nunique() == spec.replicates
    # the design stays inside the declared ranges; each step of a trajectory moves one parameter
    for param in spec.parameters:
        column = plan[column_name(param.key)]
        assert column.between(param.low, param.high).all(), param.key
    frame = pd.DataFrame(points)
    steps = frame.diff().ne(0).sum(axis=1).to_numpy().reshape(spec.samples, d + 1)
    assert (steps[:, 1:] == 1).all()


def test_screening_points_make_valid_scenarios(sweep):
    sweep.check()  # metric names and every design point as a scenario; raises on a problem
