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

from figures.labels import column_label, metric_label, text
from figures.tables import long_metrics, paired_differences, scenarios_in_order, summarise
from figures.tables import metrics as region_metrics

PALETTE = plt.get_cmap("tab10").colors


def _grid(count: int, ncols: int = 4, height: float = 2.2) -> tuple[plt.Figure, np.ndarray]:
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, height * nrows + 0.6),
                             squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes.flat[:count]


def _quarter_ticks(ax: plt.Axes, table: pd.DataFrame) -> None:
    """Label a few steps by their quarter."""
    if "quarter" not in table:
        return
    pairs = table[["step", "quarter"]].drop_duplicates("step").sort_values("step")
    if len(pairs) < 2:
        return
    picks = pairs.iloc[np.linspace(0, len(pairs) - 1, min(4, len(pairs))).round().astype(int)]
    ax.set_xticks(picks["step"].to_numpy(), picks["quarter"].astype(str).to_numpy(), fontsize=7)


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
    for ax, metric in zip(axes, metrics, strict=True):
        ax.plot(region["step"], region[metric], color=PALETTE[0], lw=1.4, gid="series")
        ax.set_title(metric_label(metric, lang), fontsize=9)
        _quarter_ticks(ax, region)
        ax.tick_params(labelsize=7)
    fig.suptitle(text("metrics_title", lang))
    fig.tight_layout()
    return fig


def _median_panels(axes, stats: pd.DataFrame, names: list[str], metrics: list[str],
                   long: pd.DataFrame, lang: str, first_colour: int) -> None:
    """One panel per metric: each scenario's median line, with its 10-90% band when it has
    several replicates (colours from ``first_colour`` on, so a baseline keeps its colour)."""
    for ax, metric in zip(axes, metrics, strict=True):
        for k, name in enumerate(names, start=first_colour):
            rows = stats[(stats["scenario"] == name) & (stats["metric"] == metric)]
            colour = PALETTE[k % len(PALETTE)]
            ax.plot(rows["step"], rows["median"], color=colour, lw=1.4, label=name, gid="median")
            if (rows["n"] > 1).any():
                ax.fill_between(rows["step"], rows["low"], rows["high"], color=colour, alpha=0.2,
                                lw=0, gid="band")
        ax.set_title(metric_label(metric, lang), fontsize=9)
        _quarter_ticks(ax, long)
        ax.tick_params(labelsize=7)


def plot_bands(long: pd.DataFrame, *, metrics: Sequence[str] | None = None,
               baseline: str | None = None, lang: str = "en") -> plt.Figure:
    """Per metric, each scenario's median over replicates with its 10-90% band."""
    metrics = list(metrics) if metrics is not None else long_metrics(long)
    stats = summarise(long[long["metric"].isin(metrics)], ["scenario", "metric", "step"])
    names = scenarios_in_order(long, baseline)
    fig, axes = _grid(len(metrics))
    _median_panels(axes, stats, names, metrics, long, lang, first_colour=0)
    _shared_legend(fig, axes, lang)
    fig.suptitle(text("bands_title", lang))
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def plot_paired_differences(long: pd.DataFrame, baseline: str, *,
                            metrics: Sequence[str] | None = None,
                            lang: str = "en") -> plt.Figure:
    """Per metric, each scenario minus the baseline replicate with the same seed: median and
    10-90% band over the pairs, with the zero line."""
    metrics = list(metrics) if metrics is not None else long_metrics(long)
    diffs = paired_differences(long[long["metric"].isin(metrics)], baseline, ["metric", "step"])
    stats = summarise(diffs, ["scenario", "metric", "step"])
    names = [n for n in scenarios_in_order(long, baseline) if n != baseline]
    fig, axes = _grid(len(metrics))
    for ax in axes:
        ax.axhline(0, color="black", lw=0.8)
    _median_panels(axes, stats, names, metrics, long, lang, first_colour=1)
    _shared_legend(fig, axes, lang)
    fig.suptitle(text("paired_difference", lang, baseline=baseline))
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def _shared_legend(fig: plt.Figure, axes: Sequence[plt.Axes], lang: str) -> None:
    handles, labels = axes[0].get_legend_handles_labels() if len(axes) else ([], [])
    if handles:
        fig.legend(handles, labels, loc="upper right", ncol=min(4, len(handles)), fontsize=8,
                   frameon=False, title=f"{text('median', lang)} · {text('band', lang)}",
                   title_fontsize=8)
