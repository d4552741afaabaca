"""Region map: nodes at their coordinates sized by a measure, over the transport network."""

from __future__ import annotations

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
