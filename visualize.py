#!/usr/bin/env python
"""Figures of a run: a map of the region, node shares over time, region metrics over time.

  python visualize.py results/baseline        writes map.png, shares.png, metrics.png there

Functions take the tables a run writes (``nodes.parquet``, ``region.parquet``) so that they work
on saved results and on a live model (``model.node_table()``, ``model.region_table()``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from model.region import Region

PROVINCE_COLOURS = {"Sichuan": "#1f77b4", "Chongqing": "#d62728"}
MODE_STYLES = {"hsr": ("#444444", 1.6), "rail": ("#777777", 1.0), "expressway": ("#bbbbbb", 0.8)}


def plot_map(nodes: pd.DataFrame, region: Region, *, column: str = "output",
             step: int | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Nodes at their coordinates, area proportional to their share of ``column`` at ``step``
    (default: the last), over the open network (planned links dashed)."""
    ax = ax or plt.subplots(figsize=(8, 6.5))[1]
    step = int(nodes["step"].max()) if step is None else step
    at = nodes[nodes["step"] == step].set_index("node").reindex(region.ids)
    share = at[column].to_numpy(float) / at[column].sum()
    for _, link in region.links.iterrows():
        a, b = region.index[link["from"]], region.index[link["to"]]
        colour, width = MODE_STYLES[link["mode"]]
        style = "-" if link["status"] == "open" else "--"
        ax.plot([region.lon[a], region.lon[b]], [region.lat[a], region.lat[b]], style,
                color=colour, lw=width, zorder=1, alpha=0.8 if style == "-" else 0.5)
    colours = [PROVINCE_COLOURS[p] for p in region.cities["province"]]
    ax.scatter(region.lon, region.lat, s=4000 * share + 8, c=colours, alpha=0.75,
               edgecolors="white", zorder=2)
    for i in np.argsort(-share)[:10]:
        ax.annotate(f"{region.cities['name_en'][i]}\n{share[i]:.1%}",
                    (region.lon[i], region.lat[i]), fontsize=7, ha="center", va="bottom",
                    xytext=(0, 6), textcoords="offset points", zorder=3)
    quarter = at["quarter"].iloc[0] if "quarter" in at else step
    ax.set_title(f"Share of {column.replace('_', ' ')}, {quarter}")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1 / np.cos(np.deg2rad(region.lat.mean())))
    return ax


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


def save_figures(results: Path, region: Region | None = None) -> list[Path]:
    """Write map.png, shares.png and metrics.png into a results folder."""
    nodes = pd.read_parquet(results / "nodes.parquet")
    region_table = pd.read_parquet(results / "region.parquet")
    region = region or Region.load()
    files = []
    ax = plot_map(nodes, region)
    files.append(results / "map.png")
    ax.figure.savefig(files[-1], dpi=120, bbox_inches="tight")
    ax = plot_shares(nodes)
    files.append(results / "shares.png")
    ax.figure.savefig(files[-1], dpi=120, bbox_inches="tight")
    fig = plot_metrics(region_table)
    files.append(results / "metrics.png")
    fig.savefig(files[-1], dpi=120, bbox_inches="tight")
    plt.close("all")
    return files


def main(argv: list[str] | None = None) -> int:
    matplotlib.use("Agg")  # files only, no window
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="a results folder written by run.py")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    if not (folder / "nodes.parquet").is_file():
        print(f"error: {folder}: no nodes.parquet (run run.py first)", file=sys.stderr)
        return 2
    for path in save_figures(folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
