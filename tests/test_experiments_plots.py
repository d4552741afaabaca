"""Figures of experiments/plots.py: each scenario's bands in its line's colour (the colours of
levels.png), readable metric titles, unique parameter names and a title clear of the panels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from experiments.plots import plot_differences, plot_sensitivity, short_names
from figures.labels import metric_label
from figures.layout import save_png
from figures.timeseries import PALETTE


def _diffs() -> pd.DataFrame:
    rows = []
    for k, scenario in enumerate(("a", "b"), start=1):
        for metric in ("flow_centralization", "total_talent"):
            for step in range(4):
                mean = 0.01 * k * step
                rows.append({"scenario": scenario, "reference": "base", "metric": metric,
                             "node": None, "step": step, "quarter": f"2023Q{step + 1}",
                             "n": 4, "mean": mean, "ci_low": mean - 0.01,
                             "ci_high": mean + 0.01, "median": mean, "p10": mean - 0.02,
                             "p90": mean + 0.02, "sign_agreement": 1.0})
    return pd.DataFrame(rows)


def test_paired_differences_bands_take_their_line_colour(tmp_path):
    fig = plot_differences(_diffs(), ["base", "a", "b"])
    try:
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in panels] == [metric_label("flow_centralization"),
                                                     metric_label("total_talent")]
        for ax in panels:
            lines = [line for line in ax.get_lines() if line.get_gid() == "mean"]
            bands = [c for c in ax.collections if c.get_gid() in ("band", "interval")]
            assert len(lines) == 2 and len(bands) == 4
            for k, line in enumerate(lines, start=1):  # the colours of levels.png
                assert to_rgb(line.get_color()) == pytest.approx(PALETTE[k])
                mine = [c for c in bands
                        if np.allclose(c.get_facecolor()[0][:3], to_rgb(line.get_color()))]
                assert sorted(c.get_gid() for c in mine) == ["band", "interval"]
                alphas = {c.get_gid(): c.get_facecolor()[0][3] for c in mine}
                assert alphas["interval"] > alphas["band"]
        legend = fig.legends[0]
        texts = [t.get_text() for t in legend.get_texts()]
        assert any("95%" in t for t in texts) and any("10–90%" in t for t in texts)
        assert any(t.startswith("a ") for t in texts) and any(t.startswith("b ") for t in texts)
        save_png(fig, tmp_path / "d.png", 110)
    finally:
        plt.close(fig)


def test_short_names_are_unique_dotted_suffixes():
    keys = ["firms.border_cost", "talent.border_cost", "firms.profit_scale",
            "mechanisms.market.alpha", "a.x.cost", "b.x.cost"]
    assert short_names(keys) == {"firms.border_cost": "firms.border_cost",
                                 "talent.border_cost": "talent.border_cost",
                                 "firms.profit_scale": "profit_scale",
                                 "mechanisms.market.alpha": "alpha",
                                 "a.x.cost": "a.x.cost", "b.x.cost": "b.x.cost"}


@pytest.mark.parametrize("metrics", [["total_output"], ["total_output", "gini"],
                                     ["total_output", "gini", "cv", "theil", "primacy"]])
def test_sensitivity_figure_names_parameters_apart_and_keeps_its_title_clear(metrics):
    params = ["firms.border_cost", "talent.border_cost", "mechanisms.market.alpha"]
    table = pd.DataFrame([{"metric": m, "parameter": p, "mu": 0.1, "mu_star": 0.1 * (i + 1),
                           "mu_star_conf": 0.02, "sigma": 0.05 * (i + 1)}
                          for m in metrics for i, p in enumerate(params)])
    fig = plot_sensitivity(table, "morris")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        panels = [ax for ax in fig.axes if ax.get_visible()]
        names = [t.get_text() for t in panels[0].get_yticklabels()]
        assert names == ["firms.border_cost", "talent.border_cost", "alpha"]
        title = fig._suptitle.get_window_extent(renderer)
        width, height = fig.get_size_inches() * fig.dpi
        assert title.x0 >= 0 and title.x1 <= width and title.y1 <= height  # inside the figure
        for ax in panels:
            box = ax.title.get_window_extent(renderer)
            assert box.y1 < title.y0, ax.get_title()  # below the figure's title
            for legend in fig.legends:  # and below the legend
                assert box.y1 < legend.get_window_extent(renderer).y0 + 1
    finally:
        plt.close(fig)
