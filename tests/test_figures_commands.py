"""``run.py plot``: the figures of a run, of a comparison (the docs/FIGURES.md contract) and of
a folder of them; the charts' contents; the results-folder whitelist."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import run
from figures import commands
from figures.comparison import node_differences, plot_dot_whisker
from figures.distribution import gini, lorenz, plot_distribution
from figures.sectors import location_quotients, plot_specialisation
from figures.timeseries import plot_bands, plot_paired_differences
from model.region import Region
from model.results import RESULT_FILES
from model.simulation import Simulation
from scenarios.loader import load_scenario, save_scenario

SECTORS = ("alpha", "beta", "gamma")  # any names: sectors are read from the columns
METRICS = ("spread_index", "mover_count")
SMALL = {"steps": 4, "scale__firm_agents": 300, "scale__talent_agents": 300}


def keep(paths: list[Path], label: str) -> None:
    """Copy test artefacts to $CYFLOW_ARTIFACTS/<label> when that is set."""
    if os.environ.get("CYFLOW_ARTIFACTS"):
        target = Path(os.environ["CYFLOW_ARTIFACTS"]) / label
        target.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, target / path.name)


def write_comparison(folder: Path, region: Region, reps: int = 6) -> Path:
    """A comparison folder in the contract: 'baseline', 'policy' (spread_index +0.05 in every
    replicate, Chengdu's output +10) and 'placebo' (no effect), with node tables."""
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)
    metric_rows, node_rows = [], []
    base_noise = rng.normal(0, 0.01, (reps, 5))
    for scenario, effect in (("baseline", 0.0), ("policy", 0.05), ("placebo", 0.0)):
        for rep in range(reps):
            for step in range(5):
                quarter = f"2023Q{step}" if step else "2022Q4"
                shift = effect * step / 4
                noise = rng.normal(0, 0.002)
                metric_rows.append((scenario, rep, step, quarter, METRICS[0],
                                    0.3 + base_noise[rep, step] + shift + noise))
                metric_rows.append((scenario, rep, step, quarter, METRICS[1],
                                    float(rng.integers(0, 10))))
                for k, node in enumerate(region.ids):
                    out = {s: (k % 5 + 1) * (j + 1) for j, s in enumerate(SECTORS)}
                    if node == "chengdu":
                        out["alpha"] += 10 * effect / 0.05 * step / 4
                    node_rows += [(scenario, rep, step, node, f"output_{s}", float(v))
                                  for s, v in out.items()]
                    node_rows.append((scenario, rep, step, node, "output",
                                      float(sum(out.values()))))
    pd.DataFrame(metric_rows, columns=["scenario", "replicate", "step", "quarter", "metric",
                                       "value"]).to_parquet(folder / "comparison.parquet")
    pd.DataFrame(node_rows, columns=["scenario", "replicate", "step", "node", "column",
                                     "value"]).to_parquet(folder / "comparison_nodes.parquet")
    (folder / "scenarios").mkdir(exist_ok=True)
    save_scenario(load_scenario(Path("scenarios/talent_community.toml")),
                  folder / "scenarios" / "policy.toml")
    return folder


@pytest.fixture(scope="module")
def region() -> Region:
    return Region.load()


@pytest.fixture(scope="module")
def comparison(region, tmp_path_factory) -> Path:
    return write_comparison(tmp_path_factory.mktemp("comparison") / "cmp", region)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "small"
    Simulation.from_scenario(None, **SMALL).run().save(out)
    return out


def test_plot_a_run_folder_draws_every_run_figure(run_folder, capsys):
    assert run.main(["plot", str(run_folder)]) == 0
    printed = capsys.readouterr().out.split()
    names = {Path(p).name for p in printed}
    # the run records its moves between nodes (flows.parquet): the two flow maps too
    assert names == {f"{s}.png" for s in ("map", "shares", "metrics", "distribution",
                                          "sectors", "flows_firm", "flows_talent")}
    for name in names:
        assert (run_folder / name).stat().st_size > 10_000
    keep([run_folder / n for n in names], "run")


def test_flows_parquet_adds_flow_maps(run_folder, region, tmp_path):
    folder = tmp_path / "with_flows"
    shutil.copytree(run_folder, folder)
    pd.DataFrame({"step": [1, 2, 2], "origin": ["chengdu", "zigong", "chengdu"],
                  "destination": ["deyang", "chengdu", "deyang"],
                  "kind": ["talent", "firm", "talent"],
                  "count": [3, 2, 4]}).to_parquet(folder / "flows.parquet")
    nodes = pd.read_parquet(folder / "nodes.parquet")
    flows = commands.flows_of_folder(folder, region, nodes)
    assert set(flows) == {"talent", "firm"}
    assert flows["talent"][0][region.index["chengdu"], region.index["deyang"]] == 7
    makers = commands.run_figures(nodes, pd.read_parquet(folder / "region.parquet"), region,
                                  flows=flows)
    files = commands.render({"flows_talent": makers["flows_talent"]}, folder, "en")
    assert [f.name for f in files] == ["flows_talent.png"] and files[0].stat().st_size > 10_000


def test_every_figure_a_run_writes_is_a_known_result_file(run_folder):
    for stem in commands.RUN_FIGURES:
        for lang in ("en", "zh"):
            assert commands.file_name(stem, lang) in RESULT_FILES


def test_plot_a_comparison_folder(comparison, capsys):
    assert run.main(["plot", str(comparison)]) == 0
    names = {Path(p).name for p in capsys.readouterr().out.split()}
    assert names == {"bands.png", "scenarios.png", "differences.png", "distribution.png",
                     "sectors.png", "difference_map_policy.png", "difference_map_placebo.png"}
    keep([comparison / n for n in names], "comparison")


def test_plot_refuses_a_folder_without_results(tmp_path, capsys):
    assert run.main(["plot", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error:")
    assert run.main(["plot", str(tmp_path / "missing")]) == 2


def test_default_run_leaves_its_figures(tmp_path):
    out = tmp_path / "default"
    assert run.main(["--steps", "2", "--set", "scale.firm_agents=200", "--set",
                     "scale.talent_agents=200", "--out", str(out), "--quiet"]) == 0
    assert (out / "map.png").is_file() and (out / "metrics.png").is_file()


def test_bands_and_paired_differences(comparison):
    long = pd.read_parquet(comparison / "comparison.parquet")
    fig = plot_bands(long, baseline="baseline")
    first = fig.axes[0]
    assert sum(line.get_gid() == "median" for line in first.lines) == 3
    assert sum(c.get_gid() == "band" for c in first.collections) == 3
    plt.close(fig)
    fig = plot_paired_differences(long, "baseline", metrics=[METRICS[0]])
    medians = {line.get_label(): line.get_ydata() for line in fig.axes[0].lines
               if line.get_gid() == "median"}
    assert set(medians) == {"policy", "placebo"}
    assert medians["policy"][-1] == pytest.approx(0.05, abs=0.005)
    assert abs(medians["placebo"][-1]) < 0.005
    plt.close(fig)


def test_dot_whisker_one_dot_and_whisker_per_scenario_and_metric(comparison):
    long = pd.read_parquet(comparison / "comparison.parquet")
    fig = plot_dot_whisker(long, baseline="baseline")
    for ax in fig.axes[:len(METRICS)]:
        assert sum(line.get_gid() == "dot" for line in ax.lines) == 3
        assert sum(line.get_gid() == "whisker" for line in ax.lines) == 3
    plt.close(fig)


def test_node_differences_are_paired(comparison):
    nodes = pd.read_parquet(comparison / "comparison_nodes.parquet")
    diff = node_differences(nodes, "output", "baseline", "policy")
    assert diff["chengdu"] == pytest.approx(10.0)
    assert (diff.drop("chengdu") == 0).all()


def test_lorenz_gini_and_distribution_figure():
    x, y = lorenz(np.array([1.0, 1.0, 1.0, 1.0]))
    assert np.allclose(x, y) and gini(np.ones(4)) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    fig = plot_distribution({"2022Q4": np.arange(1.0, 35.0), "2035Q4": np.arange(1.0, 35.0) ** 2})
    left, right = fig.axes
    assert sum(line.get_gid() == "rank-size" for line in left.lines) == 2
    assert sum(line.get_gid() == "lorenz" for line in right.lines) == 2
    assert "Gini" in right.get_legend().get_texts()[0].get_text()
    plt.close(fig)


def test_location_quotients_and_heat_map():
    table = pd.DataFrame({"node": ["a", "b"], "output_x": [3.0, 1.0], "output_y": [1.0, 3.0],
                          "output": [4.0, 4.0], "firms_x": [1, 1]})
    lq = location_quotients(table)
    assert list(lq.columns) == ["x", "y"]
    assert lq.loc["a", "x"] == pytest.approx(1.5) and lq.loc["b", "x"] == pytest.approx(0.5)
    fig = plot_specialisation(lq, names=["A", "B"], quarter="2035Q4")
    image = next(im for im in fig.axes[0].images if im.get_gid() == "lq")
    assert image.get_array().shape == (2, 2)
    assert image.norm(1.0) == pytest.approx(0.5)  # LQ 1 sits in the middle of the colours
    plt.close(fig)
    # each side of 1 spans its own range: the largest LQ is the deepest red, the smallest the
    # deepest blue, whatever the other side's range
    skewed = pd.DataFrame({"x": [4.9, 0.01], "y": [1.0, 2.0]}, index=["a", "b"])
    fig = plot_specialisation(skewed)
    norm = next(im for im in fig.axes[0].images if im.get_gid() == "lq").norm
    assert [float(norm(v)) for v in (0.01, 0.1, 1.0, 2.0, 4.9)] == pytest.approx(
        [0.0, 0.25, 0.5, 0.5 + 0.5 * np.log(2) / np.log(4.9), 1.0])
    plt.close(fig)


def test_cropped_keeps_the_content_and_a_pad_and_declines_at_an_edge():
    from figures.layout import cropped

    image = np.full((50, 60, 4), 255, np.uint8)
    image[10:20, 30:35, :3] = 0
    out = cropped(image, pad=2)
    assert out.shape[:2] == (14, 9) and (out[2:12, 2:7, :3] == 0).all()
    image[0, 40, :3] = 0  # content reaching the top edge may go beyond it
    assert cropped(image, pad=2) is None


def test_every_region_metric_has_a_label_in_both_languages():
    from figures.labels import METRICS as LABELS
    from model.metrics.collect import METRIC_NAMES

    missing = [name for name in METRIC_NAMES if name not in LABELS]
    assert not missing, f"region metrics without an English and Chinese label: {missing}"
    assert all(en and zh and en != zh for en, zh in LABELS.values())


SWEEP = f'''name = "tiny"
scenario = "{(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml").as_posix()}"
design = "grid"
replicates = 2
seed = 3
[set]
steps = 3
"scale.firm_agents" = 200
"scale.talent_agents" = 300
[[parameters]]
key = "mechanisms.market.alpha"
values = [0.02, 0.1]
[[parameters]]
key = "talent.border_cost"
values = [6.0, 18.0]
'''


def test_plot_a_sweep_folder_draws_each_metric_against_each_parameter(tmp_path, capsys):
    from experiments.execution import Execution
    from experiments.storage import load_results
    from experiments.sweep import Sweep

    spec = tmp_path / "tiny.toml"
    spec.write_text(SWEEP, encoding="utf-8")
    folder = tmp_path / "sweep"
    Sweep.from_file(spec).run(folder, execution=Execution(serial=True, progress=False))
    assert commands.kind_of(folder) == "sweep"
    assert run.main(["plot", str(folder)]) == 0
    names = {Path(p).name for p in capsys.readouterr().out.split()}
    assert names == {f"response_{m}.png" for m in
                     ("two_core_share", "siphon", "axis_premium", "region_growth")}
    keep([folder / n for n in names], "sweep")
    # the line is the mean over the runs of each level, computed here from the run tables
    from figures.sweep import final_values, plot_response

    final, keys = final_values(folder)
    assert keys == ["mechanisms__market__alpha", "talent__border_cost"] and len(final) == 8
    long = load_results(folder, metric="siphon")
    last = long[long["step"] == long["step"].max()]
    fig = plot_response(final, keys, "siphon")
    for ax, key in zip(fig.axes, keys, strict=True):
        line = next(artist for artist in ax.lines if artist.get_gid() == "mean")
        expected = last.groupby(key)["value"].mean()
        assert np.allclose(line.get_xdata(), expected.index.to_numpy())
        assert np.allclose(line.get_ydata(), expected.to_numpy())
    plt.close(fig)


def test_plot_names_a_file_given_as_folder_or_as_out(run_folder, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert run.main(["plot", str(afile)]) == 2
    assert "is a file; expected a results folder" in capsys.readouterr().err
    assert run.main(["plot", str(run_folder), "--out", str(afile)]) == 2
    assert "--out" in capsys.readouterr().err and afile.read_text() == "x"


def test_events_of_a_step_and_rates_since_the_start_are_drawn_from_step_one():
    from figures.timeseries import plot_metrics

    region = pd.DataFrame({"step": [0, 1, 2], "quarter": ["2022Q4", "2023Q1", "2023Q2"],
                           "two_core_share": [0.8, 0.81, 0.82], "firm_movers": [0, 120, 130],
                           "region_growth": [0.0, 0.11, 0.12]})
    fig = plot_metrics(region)
    first = {ax.get_title(): next(line for line in ax.lines if line.get_gid() == "series")
             .get_xdata()[0] for ax in fig.axes}
    assert first == {"two-core share": 0, "firm moves": 1, "region growth rate": 1}
    plt.close(fig)
    long = pd.DataFrame({"scenario": "baseline", "replicate": 0, "step": [0, 1, 0, 1],
                         "metric": ["firm_movers", "firm_movers", "gini", "gini"],
                         "value": [0.0, 5.0, 0.6, 0.61]})
    fig = plot_bands(long)
    steps = {ax.get_title(): list(ax.lines[0].get_xdata()) for ax in fig.axes}
    assert steps["firm moves"] == [1] and len(steps[next(t for t in steps if "Gini" in t)]) == 2
    plt.close(fig)


def test_the_report_of_a_sweep_folder_says_what_to_do_instead(tmp_path, capsys):
    (tmp_path / "sweep.json").write_text("{}")
    assert run.main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds a sweep" in err and "run.py plot" in err
