"""Hardening of the input: files that are not regular files, nesting, extends chains, implausible
data, Python-built scenarios, numpy seeds, and messages that name the file where the mistake is."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.errors import DataError, ScenarioError, ScenarioWarning
from model.region import DATA_DIR, Region
from scenarios.loader import SCENARIO_DIR, load_scenario, with_overrides
from scenarios.schema import Scenario, TalentParams

BASELINE = SCENARIO_DIR / "baseline.toml"


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


# ---------------------------------------------------------------- 1. files that are not files
def test_fifo_and_devices_are_refused_without_opening(tmp_path):
    fifo = _fifo(tmp_path)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ScenarioError, match=r"data\.cities.*not a regular file"):
            with_overrides(BASELINE, {"data.cities": str(path)}, file="command line")
        with pytest.raises(DataError, match="not a regular file"):
            Region.load(path)
        with pytest.raises(ScenarioError, match="not a regular file"):
            load_scenario(path)
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario(tmp_path)


def test_oversized_files_are_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="larger than the limit"):
        load_scenario(big)
    cities = tmp_path / "cities.csv"
    with open(cities, "wb") as fh:
        fh.truncate(21_000_000)  # sparse: no disk used
    with pytest.raises(DataError, match="larger than the limit"):
        Region.load(cities)


def test_deep_nesting_and_long_extends_chains(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("description = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested deeper"):
        load_scenario(deep)
    dotted = tmp_path / "dotted.toml"
    dotted.write_text("a." * 3000 + "b = 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested deeper"):
        load_scenario(dotted)
    with pytest.raises(ScenarioError, match="nested deeper"):
        nested: list = [1]
        for _ in range(40):
            nested = [nested]
        with_overrides(BASELINE, {"description": nested})
    previous = "baseline.toml"
    for k in range(40):
        path = tmp_path / f"c{k}.toml"
        path.write_text(f'extends = "{previous}"\n', encoding="utf-8")
        previous = path.name
        if k == 0:
            path.write_text(f'extends = "{BASELINE.as_posix()}"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="more than 32 files in the extends chain"):
        load_scenario(tmp_path / "c39.toml")
    assert load_scenario(tmp_path / "c20.toml").name == "c20"


# ---------------------------------------------------------------- 2. nonsense accepted silently
def _write_region(tmp_path: Path, cities: pd.DataFrame) -> Path:
    path = tmp_path / "cities.csv"
    cities.to_csv(path, index=False)
    return path


def _cities() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "cities.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("column", "value", "words"), [
    ("population_2020", "1e308", "implausible value"),
    ("population_2020", "1e-300", "implausible value"),
    ("gdp_2022", "1e9", "implausible value"),
    ("gdp_2022", "1.5", "GDP per resident"),
    ("universities", "2.5", "whole number"),
    ("universities", "5000", "implausible value"),
    ("broadband_10k", "90000", "broadband users per resident"),
])
def test_implausible_data_are_refused(tmp_path, column, value, words):
    cities = _cities()
    cities.loc[4, column] = value
    with pytest.raises(DataError) as info:
        Region.load(_write_region(tmp_path, cities))
    assert f"row 6, column '{column}'" in str(info.value) and words in str(info.value)


def test_implausible_travel_time(tmp_path):
    links = pd.read_csv(DATA_DIR / "links.csv", dtype=str, keep_default_na=False)
    links.loc[2, "minutes"] = "1e-9"
    path = tmp_path / "links.csv"
    links.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"row 4, column 'minutes'.*implausible travel time"):
        Region.load(None, path)


def test_intervention_after_the_horizon_warns(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text('steps = 8\n[[interventions]]\ntype = "data_market"\nstart = "2031Q1"\n',
                    encoding="utf-8")
    from model.model import RegionModel

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = load_scenario(path)  # valid: the warning comes when a model is built
    with pytest.warns(ScenarioWarning, match=r"interventions\[0\].start.*after the last "
                      r"simulated quarter \(2024Q4, step 8\).*no effect"):
        RegionModel(spec, scale__firm_agents=100, scale__talent_agents=100)


def test_a_node_with_two_roles_is_an_error(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[[interventions]]\ntype = "differentiated_roles"\n'
                    'soft_nodes = ["chengdu", "mianyang"]\nhard_nodes = ["mianyang"]\n',
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"interventions\[0\].hard_nodes.*'mianyang' is "
                       "given two roles"):
        load_scenario(path)


def test_python_built_scenarios_are_validated():
    with pytest.raises(ScenarioError, match=r"Scenario: steps: expected a value in \[0"):
        Scenario(steps=-5)
    with pytest.raises(ScenarioError, match="TalentParams: kappa"):
        TalentParams(kappa=float("nan"))
    with pytest.raises(ScenarioError, match=r"Scenario: talent\.kappa"):
        Scenario(talent={"kappa": -1})
    with pytest.raises(ScenarioError, match="Scenario: interventions"):
        Scenario(interventions=["talent_community"])
    ok = Scenario(steps=np.int64(4), talent={"kappa": np.float32(2.0)})
    assert type(ok.steps) is int and ok.talent.kappa == 2.0


@pytest.mark.parametrize("seed", [-1, 2**63, 2**70])
def test_bad_seeds_name_the_seed(seed):
    with pytest.raises(ScenarioError, match=r"seed: expected a value in \[0, 9223372036854775807"):
        Scenario(seed=seed)
    with pytest.raises(ScenarioError, match="command line: seed"):
        with_overrides(BASELINE, {"seed": seed}, file="command line")


def test_numpy_integers_are_accepted_as_overrides():
    spec = with_overrides(BASELINE, {"steps": np.int64(3), "seed": np.uint32(7),
                                     "mechanisms.market.alpha": np.float64(0.07)})
    assert (spec.steps, spec.seed, spec.mechanisms.market.alpha) == (3, 7, 0.07)
    assert type(spec.seed) is int


# ---------------------------------------------------------------- 3. messages point at the file
def test_a_bad_key_in_a_parent_is_reported_against_the_parent(tmp_path):
    parent, child = tmp_path / "parent.toml", tmp_path / "child.toml"
    parent.write_text('[talent]\nkapa = 2\n[[interventions]]\ntype = "data_market"\n',
                      encoding="utf-8")
    child.write_text('extends = "parent.toml"\n[[interventions]]\ntype = "computing_hub"\n'
                     'hub = "chengdo"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{parent}: talent.kapa: unknown key")
    parent.write_text('[[interventions]]\ntype = "data_market"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    # the child's first intervention is the second of the merged list: named by its own index
    assert str(info.value).startswith(f"{child}: interventions[0].hub: unknown node 'chengdo'")
    parent.write_text('[[interventions]]\ntype = "data_market"\nboost = 9\n', encoding="utf-8")
    child.write_text('extends = "parent.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{parent}: interventions[0].boost")


def test_override_errors_name_their_source():
    with pytest.raises(ScenarioError) as info:
        with_overrides(BASELINE, {"talent.kappa": -3}, file="keyword overrides")
    assert str(info.value).startswith("keyword overrides: talent.kappa: expected a value")
    with pytest.raises(ScenarioError) as info:
        with_overrides(BASELINE, {"scale": 1}, file="command line")
    message = str(info.value)
    assert "is a table" in message and "scale.firm_agents" in message
    assert "unknown key" not in message


def test_a_bad_id_in_the_data_is_reported_against_the_data_file(tmp_path):
    for bad in ("Chengdu", "cheng du"):
        cities = _cities()
        cities.loc[0, "id"] = bad
        path = _write_region(tmp_path, cities)
        with pytest.raises(DataError) as info:
            with_overrides(BASELINE, {"data.cities": str(path)}, file="command line")
        assert str(info.value).startswith(f"{path}, row 2, column 'id'")


def test_a_child_without_a_name_is_named_after_its_file(tmp_path):
    child = tmp_path / "my_package.toml"
    child.write_text(f'extends = "{BASELINE.as_posix()}"\n', encoding="utf-8")
    assert load_scenario(child).name == "my_package"
    assert with_overrides(child, {"steps": 2}).name == "my_package"
    named = tmp_path / "other.toml"
    named.write_text(f'extends = "{BASELINE.as_posix()}"\nname = "chosen"\n', encoding="utf-8")
    assert load_scenario(named).name == "chosen"


def test_warnings_are_not_errors_for_the_library():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in sorted(SCENARIO_DIR.glob("*.toml")):
            load_scenario(path)


# ---------------------------------------------------------------- non-finite outputs stop a run
def test_a_non_finite_output_stops_the_run_naming_quarter_and_field(monkeypatch, tmp_path,
                                                                    capsys):
    import run
    from model.errors import SimulationError
    from model.mechanisms import market
    from model.model import RegionModel

    real = market.produce

    def broken(tfp, capital, labour, labour_share):
        output, wage, profit = real(tfp, capital, labour, labour_share)
        if broken.calls >= 3:  # the units, the start, then two good quarters
            wage = wage.copy()
            wage[1, 5] = np.nan
        broken.calls += 1
        return output, wage, profit

    broken.calls = 0
    monkeypatch.setattr(market, "produce", broken)
    model = RegionModel(scale__firm_agents=300, scale__talent_agents=300, steps=6)
    with pytest.raises(SimulationError,
                       match=r"quarter 2023Q2: node field 'wage_platforms' is nan"):
        model.run()
    broken.calls = 0
    out = tmp_path / "res"
    status = run.main(["--steps", "6", "--quiet", "--out", str(out), "--set",
                       "scale.firm_agents=300", "--set", "scale.talent_agents=300"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 3 and len(err) == 1 and "wage_platforms" in err[0] and not out.exists()


def test_python_scenario_objects_are_checked_on_entry_to_the_model():
    from model.model import RegionModel
    from scenarios.interventions import ComputingHub

    with pytest.raises(ScenarioError, match=r"interventions\[0\].hub: unknown node 'nowhere'"):
        RegionModel(Scenario(interventions=[ComputingHub(hub="nowhere")]))
    with pytest.raises(ScenarioError, match=r"keyword overrides: talent\.kappa"):
        RegionModel(talent__kappa=-3)
    with pytest.raises(ScenarioError, match=r"rng: expected a value in \[0"):
        RegionModel(rng=-1)
    model = RegionModel(rng=np.int64(5), steps=np.int64(2), scale__firm_agents=np.int32(200),
                        scale__talent_agents=200)
    assert model.spec.seed == 5 and model.run().steps == 2


def test_non_finite_region_metric_is_named():
    """Scalars only (the region metrics): the check needs no numpy and still names the field."""
    from model.checks import check_finite
    from model.errors import SimulationError

    check_finite({"gini": 0.3, "total_firms": 10**400, "moran_i": -0.1}, "2023Q1", "metric")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(SimulationError, match=r"quarter 2023Q1: metric 'theil' is"):
            check_finite({"gini": 0.3, "total_firms": 12, "theil": bad}, "2023Q1", "metric")
