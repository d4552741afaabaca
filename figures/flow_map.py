"""Flow map: moves of firms or talent between nodes over a period, as arrows whose width follows
the flow, with a threshold below which flows are not drawn, and a legend of widths.

The flows are an [N, N] matrix (origin row, destination column, in region order), e.g. the
model's ``firm_flows`` / ``talent_flows`` of one step, or ``od_matrix`` of a results folder's
``flows.parquet`` (step, origin, destination, kind, count) summed over a period.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from figures.labels import text
from figures.region_map import PROVINCE_STYLE, _frame, _scale_bar, place_labels
from model.region import Region

MAX_WIDTH = 7.0  # points, the largest flow
MIN_WIDTH = 0.6
FLOW_COLOURS = {"firm": "#c0392b", "talent": "#2471a3"}


def od_matrix(flows: pd.DataFrame, region: Region, kind: str,
              steps: tuple[int, int] | None = None) -> np.ndarray:
    """Sum of ``count`` per (origin, destination) of one ``kind`` over ``steps`` (inclusive;
    default: all) from a long table with columns step, origin, destination, kind, count."""
    rows = flows[flows["kind"] == kind]
    if steps is not None:
        rows = rows[rows["step"].between(*steps)]
    out = np.zeros((region.n, region.n))
    known = rows["origin"].isin(region.index) & rows["destination"].isin(region.index)
    rows = rows[known]
    np.add.at(out, (rows["origin"].map(region.index).to_numpy(int),
                    rows["destination"].map(region.index).to_numpy(int)),
              rows["count"].to_numpy(float))
    return out


def default_threshold(matrix: np.ndarray, shown: int = 40) -> float:
    """The smallest flow among the ``shown`` largest (at least 1): keeps the map readable."""
    values = np.sort(matrix[matrix > 0])[::-1]
    if values.size == 0:
        return 1.0
    return float(max(1.0, values[min(shown, values.size) - 1]))


def width(count: np.ndarray | float, top: float) -> np.ndarray:
    """Arrow line width (points) for a flow of ``count`` when the largest is ``top``."""
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * np.sqrt(np.asarray(count, float) / top)


def plot_flow_map(region: Region, flows: np.ndarray, *, kind: str = "talent",
                  threshold: float | None = None, period: str = "", lang: str = "en",
                  ax: plt.Axes | None = None) -> plt.Axes:
    """Arrows from origin to destination for every flow of at least ``threshold`` moves
    (default: ``default_threshold``); width grows with the square root of the flow, so areas
    compare. Opposite flows between two nodes curve apart. Each arrow has gid ``"flow"``."""
    flows = np.asarray(flows, float)
    if flows.shape != (region.n, region.n):
        raise ValueError(f"expected a {region.n}x{region.n} flow matrix, got {flows.shape}")
    flows = flows.copy()
    np.fill_diagonal(flows, 0.0)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 7.2))
        fig.subplots_adjust(left=0.06, right=0.7, bottom=0.08, top=0.94)
    threshold = default_threshold(flows) if threshold is None else float(threshold)
    colour = FLOW_COLOURS.get(kind, "#555555")
    for _, link in region.links[region.links["status"] == "open"].iterrows():
        a, b = region.index[link["from"]], region.index[link["to"]]
        ax.plot([region.lon[a], region.lon[b]], [region.lat[a], region.lat[b]], color="#dddddd",
                lw=0.8, zorder=1)
    provinces = region.cities["province"].to_numpy()
    for province, (marker, province_colour) in PROVINCE_STYLE.items():
        mask = provinces == province
        ax.scatter(region.lon[mask], region.lat[mask], s=28, marker=marker, c="white",
                   edgecolors=province_colour, linewidths=1.4, zorder=4, gid="nodes")
    origins, destinations = np.nonzero(flows >= threshold)
    top = float(flows.max()) if flows.max() > 0 else 1.0
    order = np.argsort(flows[origins, destinations])  # small under large
    for k in order:
        i, j = origins[k], destinations[k]
        count = flows[i, j]
        arrow = FancyArrowPatch((region.lon[i], region.lat[i]), (region.lon[j], region.lat[j]),
                                connectionstyle="arc3,rad=0.18", arrowstyle="-|>",
                                mutation_scale=6 + float(width(count, top)) * 1.5,
                                lw=float(width(count, top)), color=colour, alpha=0.6,
                                shrinkA=4, shrinkB=5, zorder=3, gid="flow")
        ax.add_patch(arrow)
    _frame(ax, region)
    involved = np.unique(np.concatenate([origins, destinations])) if origins.size else []
    names = list(region.cities["name_zh" if lang == "zh" else "name_en"])
    volume = flows.sum(axis=0) + flows.sum(axis=1)
    order_nodes = sorted(involved, key=lambda n: -volume[n])
    place_labels(ax, region.lon, region.lat, names, np.full(region.n, 28.0), order_nodes)
    _scale_bar(ax, float(np.mean(region.lat)), lang)
    total = int((flows > 0).sum())
    shown = int(origins.size)
    refs = sorted({v for v in (top, top / 4, threshold) if v >= threshold}, reverse=True)
    handles = [Line2D([], [], color=colour, alpha=0.6, lw=float(width(v, top)),
                      label=f"{v:,.0f} {text('flow_count', lang)}") for v in refs]
    title = text("flows_shown", lang, shown=shown, total=total, threshold=threshold)
    if shown == 0:
        title += f"\n{text('no_flows', lang)}"
    ax.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              fontsize=8, title_fontsize=8, frameon=False, labelspacing=1.2, alignment="left")
    label = text("firm" if kind == "firm" else "talent", lang) if kind in FLOW_COLOURS else kind
    ax.set_title(text("flow_title", lang, kind=label.capitalize() if lang == "en" else label,
                      period=period).strip(", "))
    return ax
