"""Calibration: the ABC algorithm against an analytic posterior (a validation of the method with
stated tolerances), its determinism and resumption, the observed targets, the calibration file's
errors, and a small calibration run from the command line, resumed and reported, in process and
on a real Dask cluster (bit-identical)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calibration import abc
from calibration.fit import Objective
from calibration.observed import cities_in, read_observed, share_change, targets
from calibration.spec import load_calibration
from model.errors import ScenarioError
from run import main

REPO = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ the algorithm
def gaussian_distance(xbar: np.ndarray, n: int):
    """Summary = sample mean of n draws N(theta, 1) per dimension; distance to ``xbar``."""
    def distance(theta: np.ndarray, generation: int) -> np.ndarray:
        rng = np.random.default_rng([7, generation])
        s = theta + rng.standard_normal(theta.shape) / np.sqrt(n)
        return np.sqrt(np.sum((s - xbar) ** 2, axis=1))
    return distance


def test_apmc_recovers_the_analytic_gaussian_posterior():
    """Flat prior on [-10, 10]^2, data means (1.3, -2.0) of n = 25 observations: the posterior is
    N(xbar, I / n), sd 0.2 in each dimension. Tolerances: mean within 0.06 (3 standard errors
    at an effective sample of ~100) and sd within 20%."""
    xbar, n = np.array([1.3, -2.0]), 25
    settings = abc.Settings(particles=600, alpha=0.5, min_acceptance=0.03, max_generations=40,
                            seed=3)
    pop = abc.run(gaussian_distance(xbar, n), np.array([-10.0, -10.0]), np.array([10.0, 10.0]),
                  settings)
    assert pop.effective_size() > 100
    assert np.all(np.abs(pop.mean() - xbar) < 0.06)
    sd = np.sqrt(np.diag(pop.covariance()))
    assert np.all(np.abs(sd / 0.2 - 1) < 0.2), sd
    assert pop.tolerance < 0.15         # the ABC ball adds ~eps^2/4 to each variance


def test_apmc_is_deterministic_and_resumes_exactly():
    settings = abc.Settings(particles=40, alpha=0.5, min_acceptance=0.0, max_generations=4,
                            seed=9)
    low, high = np.array([-10.0]), np.array([10.0])
    dist = gaussian_distance(np.array([0.5]), 10)
    stored: list[abc.Population] = []
    full = abc.run(dist, low, high, settings, on_generation=stored.append)
    again = abc.run(dist, low, high, settings)
    assert np.array_equal(full.theta, again.theta)
    assert np.array_equal(full.raw_weights, again.raw_weights)
    resumed = abc.run(dist, low, high, settings, start=stored[1])
    assert np.array_equal(full.theta, resumed.theta)
    assert np.array_equal(full.raw_weights, resumed.raw_weights)
    assert full.generation == 3 and [p.generation for p in stored] == [0, 1, 2, 3]


def test_importance_weights_undo_the_proposal():
    """With a distance that ignores theta the posterior is the prior (uniform on [0, 1]). Start
    from particles drawn from a concentrated proposal N(0.3, 0.15) and weighted by prior /
    proposal: the weighted particles, and every later generation, keep the prior's mean and
    spread, although the proposals stay concentrated (equal weights would leave them near 0.3)."""
    rng = np.random.default_rng(1)
    low, high = np.array([0.0]), np.array([1.0])
    theta = np.clip(0.3 + 0.15 * rng.standard_normal((4000, 1)), 0.0, 1.0)
    theta = theta[(theta[:, 0] > 0) & (theta[:, 0] < 1)][:2000]
    component = abc.Component(np.array([[0.3]]), np.array([1.0]), np.array([[0.15**2]]),
                              len(theta))
    weights = abc.importance_weights(theta, [component], low, high)
    expected = 1.0 / (np.exp(-0.5 * ((theta[:, 0] - 0.3) / 0.15) ** 2)
                      / (0.15 * np.sqrt(2 * np.pi)))
    np.testing.assert_allclose(weights, expected, rtol=1e-9)
    start = abc.Population(0, theta, weights, rng.random(len(theta)), 1.0, 1.0, len(theta),
                           [component])
    settings = abc.Settings(particles=4000, alpha=0.5, min_acceptance=0.0, max_generations=3,
                            seed=4)

    def flat(theta: np.ndarray, generation: int) -> np.ndarray:
        return rng.random(len(theta))

    for pop in (start, abc.run(flat, low, high, settings, start=start)):
        assert abs(pop.mean()[0] - 0.5) < 0.05, pop.mean()
        assert abs(np.sqrt(pop.covariance()[0, 0]) - np.sqrt(1 / 12)) < 0.04


# ------------------------------------------------------------------ observations
def test_targets_are_the_observed_share_changes(region):
    obs = read_observed()
    t = targets(list(region.ids), list(region.cities["province"]))
    pop = t.block("population")
    assert len(pop) == region.n == 34
    frame = obs.set_index("id").loc[list(region.ids)]
    share10 = frame["population_2010"] / frame["population_2010"].sum()
    share20 = frame["population_2020"] / frame["population_2020"].sum()
    chengdu = float(np.log(share20["chengdu"] / share10["chengdu"]))
    assert pop.set_index("unit").loc["chengdu", "observed"] == pytest.approx(chengdu, rel=1e-12)
    assert chengdu > 0.2                    # Chengdu's share rose by a quarter in the decade
    gdp = t.block("gdp")
    both = frame["gdp_2019"].notna() & frame["gdp_2022"].notna()
    assert set(gdp["unit"]) == set(frame.index[both])
    weights = np.exp(share_change(frame.loc[both, "gdp_2019"], frame.loc[both, "gdp_2022"]))
    assert float(weights @ (frame.loc[both, "gdp_2019"] / frame.loc[both, "gdp_2019"].sum())) \
        == pytest.approx(1.0)               # shares of the block's own units


def test_the_start_region_has_the_2010_census(region):
    cities = cities_in(region.cities, 2010)
    obs = read_observed().set_index("id")
    assert np.array_equal(cities["population_2020"].to_numpy(),
                          obs.loc[list(region.ids), "population_2010"].to_numpy(float))
    assert cities.drop(columns="population_2020").equals(
        region.cities.drop(columns="population_2020"))


def test_objective_is_zero_at_the_data_and_one_scale_of_no_change(region):
    t = targets(list(region.ids), list(region.cities["province"]))
    obs = t.block("population")["observed"].to_numpy()
    sichuan = list(t.block("population").query("province == 'Sichuan'")["unit"])
    objective = Objective(t, {"population": sichuan})
    sim = {"population": np.vstack([obs, np.zeros_like(obs)]), "gdp": np.zeros((2, 3))}
    d = objective(sim)
    fit = t.block("population").set_index("unit").loc[sichuan, "observed"].to_numpy()
    assert d[0] == 0.0
    assert d[1] == pytest.approx(np.sqrt(np.mean(fit**2) / np.var(fit)))


# ------------------------------------------------------------------ the file
def calibration_file(tmp_path: Path, extra: str = "", particles: int = 8, generations: int = 2,
                     params: str | None = None) -> Path:
    path = tmp_path / "cal.toml"
    params = params if params is not None else '''
[[parameters]]
key = "talent.kappa"
range = [0.5, 3.0]
[[parameters]]
key = "talent.border_cost"
'''
    path.write_text(f'''
name = "tiny"
scenario = "{REPO / 'scenarios' / 'baseline.toml'}"
start = 2010
end = 2020
seeds = 1
seed = 5
[set]
scale.firm_agents = 1200
scale.talent_agents = 1800
[abc]
particles = {particles}
alpha = 0.5
min_acceptance = 0.0
max_generations = {generations}
[fit]
population = "sichuan"
{extra}
{params}''')
    return path


@pytest.mark.parametrize("extra, key, expected", [
    ('gdp = "everywhere"', "fit.gdp", "expected one of"),
    ('wages = "all"', "fit.wages", "unknown target block"),
    ('population = []', "fit.population", "non-empty list"),
])
def test_bad_fit_tables_name_the_key(tmp_path, extra, key, expected):
    path = calibration_file(tmp_path)
    text = path.read_text().replace('population = "sichuan"', extra)
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_calibration(path)
    assert err.value.file == str(path) and err.value.key == key
    assert expected in err.value.detail


def test_bad_parameters_and_settings_name_the_key(tmp_path):
    cases = [
        ('[[parameters]]\nkey = "talent.kapa"', "parameters[0].key", "unknown parameter"),
        ('[[parameters]]\nkey = "talent.kappa"', "parameters[0]",
         "no declared uncertainty range"),
        ('[[parameters]]\nkey = "talent.kappa"\nrange = [2.0, 1.0]', "parameters[0].range",
         "low < high"),
    ]
    for params, key, expected in cases:
        with pytest.raises(ScenarioError) as err:
            load_calibration(calibration_file(tmp_path, params=params))
        assert (err.value.key, expected in err.value.detail) == (key, True), err.value
    path = calibration_file(tmp_path, particles=3)
    with pytest.raises(ScenarioError, match="particles"):
        load_calibration(path)
    path = calibration_file(tmp_path, extra="[set]\nsteps = 4")
    with pytest.raises(ScenarioError):
        load_calibration(path)


def test_the_library_calibrations_load():
    for name in ("backcast.toml", "backcast_unbalanced.toml", "quick.toml"):
        spec = load_calibration(REPO / "calibration" / name)
        assert spec.steps == 48 and spec.fit["population"] == "sichuan"
    full = load_calibration(REPO / "calibration" / "backcast.toml")
    assert len(full.parameters) >= 6 and full.seeds >= 2
    assert full.base.init.balanced_start
    assert not load_calibration(REPO / "calibration" /
                                "backcast_unbalanced.toml").base.init.balanced_start


# ------------------------------------------------------------------ a run
def test_a_small_calibration_runs_resumes_and_reports(tmp_path, capsys):
    path = calibration_file(tmp_path)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--serial", "--quiet"]) == 0
    progress = json.loads((out / "progress.json").read_text())
    assert [p["generation"] for p in progress] == [0, 1]
    kept = pd.read_parquet(out / "generations" / "g01-kept.parquet")
    assert len(kept) == 4 and kept["weight"].sum() == pytest.approx(1.0)
    for name in ("report.md", "fit.csv", "summary.csv", "intervals.csv", "posterior.png",
                 "fit.png"):
        assert (out / name).is_file(), name
    fit = pd.read_csv(out / "fit.csv")
    assert set(fit["role"]) == {"fitted", "held out"}
    assert set(fit["block"]) == {"population"}      # GDP 2022 is after the end (2020)
    pop = fit[fit["block"] == "population"]
    assert set(pop.loc[pop["role"] == "fitted", "province"]) == {"Sichuan"}
    summary = pd.read_csv(out / "summary.csv").set_index(["block", "role"])
    held = pop[pop["role"] == "held out"]
    assert summary.loc[("population", "held out"), "rmse_no_change"] == pytest.approx(
        np.sqrt(np.mean(held["observed"] ** 2)))

    # stopped after generation 0: --resume ends with the same posterior, no run redone
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "progress.json").write_text(json.dumps(progress[:1]))
    for name in ("g01.parquet", "g01-kept.parquet"):
        (copy / "generations" / name).unlink()
    runs_before = {p.name: p.stat().st_mtime_ns for p in (copy / "runs").iterdir()}
    assert main(["calibrate", "--resume", "--out", str(copy), "--serial", "--quiet"]) == 0
    resumed = pd.read_parquet(copy / "generations" / "g01-kept.parquet")
    pd.testing.assert_frame_equal(resumed, kept)
    assert all((copy / "runs" / n).stat().st_mtime_ns == t for n, t in runs_before.items())

    # a second start into the folder is refused; a different calibration too
    assert main(["calibrate", str(path), "--out", str(out), "--serial", "--quiet"]) == 2
    (tmp_path / "other").mkdir()
    other = calibration_file(tmp_path / "other", particles=10)
    assert main(["calibrate", str(other), "--out", str(out), "--serial", "--quiet",
                 "--resume"]) == 2
    assert "different calibration" in capsys.readouterr().err


def test_calibration_on_a_dask_cluster_equals_the_serial_one(tmp_path):
    path = calibration_file(tmp_path, particles=6, generations=2)
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert main(["calibrate", str(path), "--out", str(serial), "--serial", "--quiet"]) == 0
    assert main(["calibrate", str(path), "--out", str(dask), "--workers", "2", "--quiet"]) == 0
    a = pd.read_parquet(serial / "generations" / "g01-kept.parquet")
    b = pd.read_parquet(dask / "generations" / "g01-kept.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_a_comparison_draws_calibrated_parameters_from_the_posterior(tmp_path):
    """The calibrated parameters of each draw are particles of the posterior (resampled by
    weight, shared by every scenario); the other uncertain parameters still vary."""
    from experiments.compare import Comparison
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "calibration.json").write_text(json.dumps({"parameters": [
        {"key": "talent.kappa", "range": [0.5, 3.0]},
        {"key": "talent.border_cost", "range": [6.0, 24.0]}]}))
    particles = pd.DataFrame({"talent.kappa": [1.0, 2.0, 2.5], "talent.border_cost":
                              [7.0, 8.0, 20.0], "weight": [0.0, 0.5, 0.5]})
    particles.to_csv(folder / "posterior.csv", index=False)
    cmp = Comparison([REPO / "scenarios" / "baseline.toml",
                      REPO / "scenarios" / "talent_community.toml"], reps=2, seed=4,
                     uncertain=6, posterior=folder, overrides={"steps": 2})
    draws = cmp.draws()
    pairs = set(zip(draws["talent__kappa"], draws["talent__border_cost"], strict=True))
    assert pairs <= {(2.0, 8.0), (2.5, 20.0)}            # weight 0 is never drawn
    assert draws["mechanisms__market__alpha"].nunique() == 6
    keys = [p.key for p in cmp.parameters]
    assert keys[-2:] == ["talent.kappa", "talent.border_cost"] and len(set(keys)) == len(keys)
    tasks = cmp.tasks()
    for task in tasks:
        assert (task.overrides["talent.kappa"], task.overrides["talent.border_cost"]) in pairs
