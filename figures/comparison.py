"""Scenario comparison: final metrics per scenario with their intervals (dot and whisker), and
a per-node difference map against the baseline.

Inputs are the long tables of a comparison folder: ``comparison.parquet`` (scenario, replicate,
step, quarter, metric, value) and ``comparison_nodes.parquet`` (scenario, replicate, step, node,
column, value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from figures.labels import column_label, metric_label, text
from figures.layout import fit_grid, suptitle
from figures.region_map import plot_region_map
from figures.tables import (
    long_metrics,
    paired_differences,
    quarter_of,
    scenarios_in_order,
    summarise,
)
from model.region import Region

PALETTE = plt.get_cmap("tab10").colors
X_BINS = 4  # at most this many intervals between x ticks: six-digit labels side by side fit


def final_step(long: pd.DataFrame) -> int:
    """The last step every scenario reached."""
    return int(long.groupby("scenario")["step"].max().min())


def plot_dot_whisker(long: pd.DataFrame, *, metrics: Sequence[str] | None = None,
                     baseline: str | None = None, step: int | None = None,
                     lang: str = "en") -> plt.Figure:
    """One panel per metric: each scenario's median at ``step`` (default: the final step) as a
    dot, its 10-90% interval over replicates as a whisker; the baseline's median as a line."""
    step = final_step(long) if step is None else step
    metrics = list(metrics) if metrics is not None else long_metrics(long)
    at = long[(long["step"] == step) & long["metric"].isin(metrics)]
    stats = summarise(at, ["scenario", "metric"])
    names = scenarios_in_order(long, baseline)
    ncols = min(4, max(1, len(metrics)))
    nrows = math.ceil(len(metrics) / ncols)
    fig = plt.figure(figsize=(3.4 * ncols, 0.35 * len(names) * nrows + 1.1 * nrows + 0.6))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    positions = np.arange(len(names))[::-1]
    for ax, metric in zip(axes.flat, metrics, strict=False):
        rows = stats[stats["metric"] == metric].set_index("scenario").reindex(names)
        for y, name in zip(positions, names, strict=True):
            row = rows.loc[name]
            if not np.isfinite(row["median"]):
                continue
            k = names.index(name)
            colour = PALETTE[k % len(PALETTE)]
            ax.plot([row["low"], row["high"]], [y, y], color=colour, lw=2, gid="whisker")
            ax.plot(row["median"], y, "o", color=colour, ms=5, gid="dot")
        if baseline in rows.index and np.isfinite(rows.loc[baseline, "median"]):
            ax.axvline(rows.loc[baseline, "median"], color="#888888", lw=0.8, ls="--")
        ax.set_yticks(positions, names if ax in axes[:, 0] else [""] * len(names), fontsize=8)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.set_title(metric_label(metric, lang), fontsize=9, y=1.0)  # fixed: no top ticks
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(X_BINS, steps=(1, 2, 2.5, 5, 10)))
        ax.grid(axis="x", color="#eeeeee")
    head = suptitle(fig, f"{text('final_title', lang, quarter=quarter_of(long, step))} — "
                         f"{text('interval', lang)}")
    fit_grid(fig, list(axes.flat[:len(metrics)]), head)
    return fig


def node_differences(nodes_long: pd.DataFrame, column: str, baseline: str, scenario: str,
                     step: int | None = None) -> pd.Series:
    """Median over replicates of the paired difference ``scenario`` - ``baseline`` in
    ``column`` at ``step`` (default: the final step), per node."""
    step = final_step(nodes_long) if step is None else step
    rows = nodes_long[(nodes_long["column"] == column) & (nodes_long["step"] == step)
                      & nodes_long["scenario"].isin([baseline, scenario])]
    diffs = paired_differences(rows, baseline, ["node"])
    return diffs.groupby("node")["value"].median()


def plot_difference_map(nodes_long: pd.DataFrame, region: Region, *, baseline: str,
                        scenario: str, column: str = "output", step: int | None = None,
                        lang: str = "en", ax: plt.Axes | None = None) -> plt.Axes:
    """Map of the per-node difference in ``column`` (diverging colours centred at zero);
    marker area: the baseline's median ``column``."""
    step = final_step(nodes_long) if step is None else step
    base = nodes_long[(nodes_long["scenario"] == baseline) & (nodes_long["column"] == column)
                      & (nodes_long["step"] == step)].groupby("node")["value"].median()
    diff = node_differences(nodes_long, column, baseline, scenario, step)
    measure = column_label(column, lang)
    quarter = quarter_of(nodes_long, step)
    versus = text("difference_vs", lang, scenario=scenario, baseline=baseline)
    return plot_region_map(
        region, base, diff, diverging=True, size_label=f"{measure} ({baseline}), {quarter}",
        colour_label=f"{measure}: {versus}",
        title=text("difference_map_title", lang, measure=measure, quarter=quarter,
                   scenario=scenario, baseline=baseline),
        lang=lang, ax=ax)
