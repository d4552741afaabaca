"""Time series: node shares and region metrics over the quarters of a run."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def plot_shares(nodes: pd.DataFrame, *, column: str = "output", top: int = 8,
                ax: plt.Axes | None = None) -> plt.Axes:
    """Share of ``column`` over time for the ``top`` nodes of the last step."""
    ax = ax or plt.subplots(figsize=(8, 4.5))[1]
    wide = nodes.pivot(index="step", columns="node", values=column)
    shares = wide.div(wide.sum(axis=1), axis=0)
    for node in shares.iloc[-1].sort_values(ascending=False).index[:top]:
        ax.plot(shares.index, shares[node], label=node)
    ax.set_xlabel("quarter (step)")
    ax.set_ylabel(f"share of {column.replace('_', ' ')}")
    ax.legend(fontsize=7, ncol=2)
    return ax


def plot_metrics(region_table: pd.DataFrame) -> plt.Figure:
    """Two-core share and balance, Theil between/within, Moran's I, over time."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    x = region_table["step"]
    axes[0].plot(x, region_table["two_core_share"], label="two-core share")
    axes[0].plot(x, region_table["core_balance"], label="core balance")
    axes[1].stackplot(x, region_table["theil_between"], region_table["theil_within"],
                      labels=["between provinces", "within provinces"], alpha=0.8)
    axes[1].set_title("Theil index")
    axes[2].plot(x, region_table["moran_i"], label="Moran's I (travel-time weights)")
    for ax in axes:
        ax.set_xlabel("quarter (step)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
