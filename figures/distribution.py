"""Distribution of digital output over the nodes: rank-size plot and Lorenz curve, the first
step against the last."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from figures.labels import column_label, text
from figures.layout import Margins, place

START_END_COLOURS = ("#8c8c8c", "#c0392b")
# inches around and between the two panels: room for tick labels, axis labels and titles
# (the saved figure is cropped to what is drawn)
MARGINS, GAP = Margins(left=0.9, right=0.2, top=0.45, bottom=0.75), 0.8


def lorenz(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve points (cumulative share of nodes, cumulative share of ``values``), from
    (0, 0), nodes in ascending order."""
    values = np.sort(np.clip(np.asarray(values, float), 0, None))
    total = values.sum()
    y = np.concatenate([[0.0], np.cumsum(values) / total if total > 0 else np.zeros(len(values))])
    return np.linspace(0.0, 1.0, len(values) + 1), y


def gini(values: np.ndarray) -> float:
    """Gini coefficient of ``values`` (unweighted, nodes as units): 1 - twice the area under
    the Lorenz curve."""
    x, y = lorenz(values)
    return float(1 - np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))


def plot_distribution(values: dict[str, np.ndarray], *, measure: str = "output",
                      lang: str = "en") -> plt.Figure:
    """Rank-size (log-log) and Lorenz curves of each labelled set of node values (e.g. the
    first and the last quarter); the legend gives each set's Gini coefficient."""
    fig = plt.figure(figsize=(10, 4.3))
    left, right = fig.subplots(1, 2)
    place(fig, MARGINS, (1, 2), (GAP, 0.0))
    label = column_label(measure, lang)
    colours = dict(zip(values, [*START_END_COLOURS, *plt.get_cmap("tab10").colors], strict=False))
    for name, series in values.items():
        series = np.asarray(series, float)
        positive = np.sort(series[series > 0])[::-1]
        left.loglog(np.arange(1, positive.size + 1), positive, "o-", ms=3.5, lw=1,
                    color=colours[name], gid="rank-size",
                    label=text("start_end", lang, quarter=name, gini=gini(series)))
        x, y = lorenz(series)
        right.plot(x, y, color=colours[name], lw=1.6, gid="lorenz",
                   label=text("start_end", lang, quarter=name, gini=gini(series)))
    right.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label=text("equality", lang))
    left.set_xlabel(text("rank", lang))
    left.set_ylabel(label)
    left.set_title(text("rank_size_title", lang, measure=label))
    right.set_xlabel(text("cum_nodes", lang))
    right.set_ylabel(text("cum_measure", lang, measure=label))
    right.set_title(text("lorenz_title", lang, measure=label))
    right.set_aspect("equal", anchor="W")  # square, beside the gap (the rest is cropped)
    for ax in (left, right):
        ax.legend(fontsize=8, frameon=False)
        ax.grid(color="#eeeeee", which="both")
    return fig


def start_end(nodes: pd.DataFrame, column: pd.Series | str = "output") -> dict[str, np.ndarray]:
    """Node values at the first and the last step, keyed by their quarter labels."""
    values = nodes[column] if isinstance(column, str) else column
    out = {}
    for step in (nodes["step"].min(), nodes["step"].max()):
        mask = nodes["step"] == step
        key = str(nodes.loc[mask, "quarter"].iloc[0]) if "quarter" in nodes else f"step {step}"
        out[key] = values[mask].to_numpy(float)
    return out
