"""Sectors: specialisation of each node by sector, as a heat map of location quotients.

LQ(node, sector) = (x[node, sector] / x[node]) / (X[sector] / X), with x the ``output_<sector>``
columns of the node table; sectors are read from the columns present.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import FuncNorm
from matplotlib.ticker import NullFormatter

from figures.labels import column_label, sector_label, text
from figures.layout import EDGE, TICK_PAD, Margins, line_height, place, text_width
from figures.tables import sectors as sector_names


def location_quotients(table: pd.DataFrame, prefix: str = "output_") -> pd.DataFrame:
    """Location quotients of one step's node table (rows: nodes in table order, columns:
    sectors); a node without output has NaN."""
    found = sector_names(table, prefix)
    if not found:
        raise KeyError(f"no '{prefix}<sector>' columns in the node table")
    x = table[[f"{prefix}{s}" for s in found]].to_numpy(float)
    x = np.clip(x, 0, None)
    node_total = x.sum(axis=1, keepdims=True)
    sector_share = x.sum(axis=0) / x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (x / node_total) / sector_share
    return pd.DataFrame(lq, index=table["node"].to_numpy(), columns=found)


def plot_specialisation(lq: pd.DataFrame, *, names: Sequence[str] | None = None,
                        quarter: str = "", measure: str = "output", lang: str = "en"
                        ) -> plt.Figure:
    """Heat map of location quotients (nodes as rows, sectors as columns): colours diverge at
    1 on a log scale (red: more specialised than the region, blue: less), values written in
    the cells."""
    values = lq.to_numpy(float)
    rows = list(names) if names is not None else [str(n) for n in lq.index]
    columns = [sector_label(s, lang) for s in lq.columns]
    fig = plt.figure(figsize=(1.1 * lq.shape[1] + 3.2, 0.24 * lq.shape[0] + 1.6))
    ax = fig.subplots()
    _fit(fig, rows, columns)
    finite = values[np.isfinite(values) & (values > 0)]
    low = min(float(finite.min()), 0.95) if finite.size else 0.5
    high = max(float(finite.max()), 1.05) if finite.size else 2.0
    norm = diverging_log_norm(low, high)
    shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
    image = ax.imshow(shown, cmap=plt.get_cmap("RdBu_r").with_extremes(bad="#eeeeee"),
                      norm=norm, aspect="auto", gid="lq")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5,
                    color="white" if abs(norm(max(value, 1e-9)) - 0.5) > 0.3 else "black")
    ax.set_xticks(range(lq.shape[1]), columns, fontsize=8, rotation=30, ha="right")
    ax.set_yticks(range(lq.shape[0]), rows, fontsize=7)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    ticks = [t for t in LQ_TICKS if norm.vmin <= t <= norm.vmax]
    bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
    bar.ax.yaxis.set_minor_formatter(NullFormatter())
    bar.set_label(text("lq", lang))
    ax.set_title(text("lq_title", lang, measure=column_label(measure, lang), quarter=quarter),
                 fontsize=9)
    return fig


LQ_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0, 100.0)


def diverging_log_norm(low: float, high: float) -> FuncNorm:
    """Colours for location quotients from ``low`` (< 1) to ``high`` (> 1): logarithmic on each
    side of 1, which sits in the middle; each side spans its own range, so the largest LQ is
    the deepest red and the smallest the deepest blue."""
    down, up = -np.log(low), np.log(high)

    def forward(v: np.ndarray) -> np.ndarray:
        x = np.log(np.clip(v, low, high))
        return np.where(x < 0, 0.5 + 0.5 * x / down, 0.5 + 0.5 * x / up)

    def inverse(y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, float)
        return np.exp(np.where(y < 0.5, (y - 0.5) * 2 * down, (y - 0.5) * 2 * up))

    return FuncNorm((forward, inverse), vmin=low, vmax=high)


def _fit(fig: plt.Figure, rows: Sequence[str], columns: Sequence[str]) -> None:
    """Margins for the node names (left), the sector names at 30 degrees (below), the title and
    the colour bar with its label (right; the bar takes its room from the heat map)."""
    slanted = text_width(columns, 8) * 0.5 + line_height(8) * 0.87
    place(fig, Margins(left=text_width(rows, 7) + TICK_PAD + EDGE, right=0.9,
                       top=line_height(9) + 0.2, bottom=slanted + TICK_PAD + EDGE))
