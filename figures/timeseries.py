"""Time series: node shares and region metrics of a run; for a comparison, the median and the
10-90% band over replicates per scenario, and the paired differences against the baseline.

Comparison functions take the long table of ``comparison.parquet`` (scenario, replicate, step,
quarter, metric, value); one replicate draws a line without a band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from figures.labels import column_label, metric_label, text
from figures.layout import fit_grid, line_height, suptitle
from figures.tables import long_metrics, paired_differences, scenarios_in_order, summarise
from figures.tables import metrics as region_metrics
from model.metrics.collect import NOT_AT_START

PALETTE = plt.get_cmap("tab10").colors
TITLE_SIZE = 9  # points, panel titles
TICK_SIZE = 7  # points, tick labels
Ticks = tuple[np.ndarray, np.ndarray] | None  # tick positions and labels
Y_BINS, Y_STEPS = 5, (1, 2, 2.5, 5, 10)  # a few y ticks, at round steps, in a small panel


def _grid(count: int, ncols: int = 4, height: float = 2.2) -> tuple[plt.Figure, np.ndarray]:
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    fig = plt.figure(figsize=(3.3 * ncols, height * nrows + 0.6))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes.flat[:count]


def _without_step_zero_events(long: pd.DataFrame) -> pd.DataFrame:
    """A long table without the step-0 rows of the metrics that count a step's events or are
    rates since the start (0 there by construction: the initial state has had no step)."""
    return long[~(long["metric"].isin(NOT_AT_START) & (long["step"] == 0))]


def _small_panel(ax: plt.Axes, title: str, ticks: Ticks) -> None:
    """Title, quarter ticks and a few y ticks of one panel of a grid."""
    ax.set_title(title, fontsize=TITLE_SIZE, y=1.0)  # a fixed position: no top ticks to avoid
    if ticks is not None:
        ax.set_xticks(*ticks, fontsize=TICK_SIZE)
    ax.yaxis.set_major_locator(MaxNLocator(Y_BINS, steps=Y_STEPS))
    ax.tick_params(labelsize=TICK_SIZE)


def quarter_ticks(table: pd.DataFrame) -> Ticks:
    """A few steps of ``table`` and their quarter labels (None without quarters)."""
    if "quarter" not in table:
        return None
    pairs = table[["step", "quarter"]].drop_duplicates("step").sort_values("step")
    if len(pairs) < 2:
        return None
    picks = pairs.iloc[np.linspace(0, len(pairs) - 1, min(4, len(pairs))).round().astype(int)]
    return picks["step"].to_numpy(), picks["quarter"].astype(str).to_numpy()


def _quarter_ticks(ax: plt.Axes, table: pd.DataFrame) -> None:
    """Label a few steps by their quarter."""
    ticks = quarter_ticks(table)
    if ticks is not None:
        ax.set_xticks(*ticks, fontsize=TICK_SIZE)


def plot_shares(nodes: pd.DataFrame, *, column: str = "output", top: int = 8,
                lang: str = "en", names: dict[str, str] | None = None,
                ax: plt.Axes | None = None) -> plt.Axes:
    """Share of ``column`` over time for the ``top`` nodes of the last step."""
    ax = ax or plt.subplots(figsize=(8, 4.5))[1]
    wide = nodes.pivot_table(index="step", columns="node", values=column, aggfunc="first")
    shares = wide.div(wide.sum(axis=1), axis=0)
    for node in shares.iloc[-1].sort_values(ascending=False).index[:top]:
        ax.plot(shares.index, shares[node], label=(names or {}).get(node, node))
    measure = column_label(column, lang)
    ax.set_title(text("shares_title", lang, measure=measure, top=top))
    ax.set_ylabel(text("share_of", lang, measure=measure))
    _quarter_ticks(ax, nodes)
    ax.legend(fontsize=7, ncol=2, frameon=False)
    return ax


def plot_metrics(region: pd.DataFrame, *, metrics: Sequence[str] | None = None,
                 lang: str = "en") -> plt.Figure:
    """Every region metric over time, one small panel each."""
    metrics = list(metrics) if metrics is not None else region_metrics(region)
    fig, axes = _grid(len(metrics))
    ticks = quarter_ticks(region)
    for ax, metric in zip(axes, metrics, strict=True):
        rows = region[region["step"] > 0] if metric in NOT_AT_START else region
        ax.plot(rows["step"], rows[metric], color=PALETTE[0], lw=1.4, gid="series")
        _small_panel(ax, metric_label(metric, lang), ticks)
    fit_grid(fig, axes, suptitle(fig, text("metrics_title", lang)), shared_x=True)
    return fig


def _median_panels(axes, stats: pd.DataFrame, names: list[str], metrics: list[str],
                   long: pd.DataFrame, lang: str, first_colour: int) -> None:
    """One panel per metric: each scenario's median line, with its 10-90% band when it has
    several replicates (colours from ``first_colour`` on, so a baseline keeps its colour)."""
    ticks = quarter_ticks(long)
    groups = dict(list(stats.groupby(["scenario", "metric"], sort=False)))
    for ax, metric in zip(axes, metrics, strict=True):
        for k, name in enumerate(names, start=first_colour):
            rows = groups.get((name, metric), stats.iloc[:0])
            colour = PALETTE[k % len(PALETTE)]
            ax.plot(rows["step"], rows["median"], color=colour, lw=1.4, label=name, gid="median")
            if (rows["n"] > 1).any():
                ax.fill_between(rows["step"], rows["low"], rows["high"], color=colour, alpha=0.2,
                                lw=0, gid="band")
        _small_panel(ax, metric_label(metric, lang), ticks)


def plot_bands(long: pd.DataFrame, *, metrics: Sequence[str] | None = None,
               baseline: str | None = None, lang: str = "en") -> plt.Figure:
    """Per metric, each scenario's median over replicates with its 10-90% band."""
    metrics = list(metrics) if metrics is not None else long_metrics(long)
    long = _without_step_zero_events(long)
    stats = summarise(long[long["metric"].isin(metrics)], ["scenario", "metric", "step"])
    names = scenarios_in_order(long, baseline)
    fig, axes = _grid(len(metrics))
    _median_panels(axes, stats, names, metrics, long, lang, first_colour=0)
    head = suptitle(fig, text("bands_title", lang))
    fit_grid(fig, axes, head + _shared_legend(fig, axes, lang, head), shared_x=True)
    return fig


def plot_paired_differences(long: pd.DataFrame, baseline: str, *,
                            metrics: Sequence[str] | None = None,
                            lang: str = "en") -> plt.Figure:
    """Per metric, each scenario minus the baseline replicate with the same seed: median and
    10-90% band over the pairs, with the zero line."""
    metrics = list(metrics) if metrics is not None else long_metrics(long)
    long = _without_step_zero_events(long)
    diffs = paired_differences(long[long["metric"].isin(metrics)], baseline, ["metric", "step"])
    stats = summarise(diffs, ["scenario", "metric", "step"])
    names = [n for n in scenarios_in_order(long, baseline) if n != baseline]
    fig, axes = _grid(len(metrics))
    for ax in axes:
        ax.axhline(0, color="black", lw=0.8)
    _median_panels(axes, stats, names, metrics, long, lang, first_colour=1)
    head = suptitle(fig, text("paired_difference", lang, baseline=baseline))
    fit_grid(fig, axes, head + _shared_legend(fig, axes, lang, head), shared_x=True)
    return fig


def _shared_legend(fig: plt.Figure, axes: Sequence[plt.Axes], lang: str, top: float) -> float:
    """The scenarios' legend at the right, ``top`` inches below the figure's top edge; returns
    the height it takes (inches)."""
    handles, labels = axes[0].get_legend_handles_labels() if len(axes) else ([], [])
    if not handles:
        return 0.0
    ncol = min(4, len(handles))
    width, height = fig.get_size_inches()
    fig.legend(handles, labels, loc="upper right", ncol=ncol, fontsize=8, frameon=False,
               title=f"{text('median', lang)} · {text('band', lang)}", title_fontsize=8,
               bbox_to_anchor=(1 - 0.1 / width, 1 - top / height), borderaxespad=0)
    rows = math.ceil(len(handles) / ncol) + 1  # and the title
    return rows * line_height(8) * 1.25 + 0.1
