"""A sweep's responses: a region metric at the sweep's last quarter against each swept
parameter, one panel per parameter (every run a dot; the mean per level, or per decile of a
continuous design, as a line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from figures.labels import metric_label, text
from figures.layout import fit_grid, suptitle
from figures.timeseries import PALETTE, _grid, _small_panel
from model.errors import CyflowError

RESPONSE_METRICS = ("two_core_share", "siphon", "axis_premium", "region_growth")
MAX_LEVELS = 12  # more distinct values than this: a continuous design, means by decile


def final_values(folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """One row per finished run: the swept parameters' columns and each region metric at the
    last quarter the sweep kept; and the parameter columns, in the sweep's order."""
    from experiments.spec import column_name
    from experiments.storage import SPEC_FILE, load_results
    from experiments.sweep import stored_spec

    try:
        keys = [column_name(p["key"]) for p in (stored_spec(folder) or {})["parameters"]]
    except (KeyError, TypeError) as exc:
        raise CyflowError(f"{folder / SPEC_FILE}: cannot be read as a sweep (no {exc})") from None
    long = load_results(folder)
    region = long[long["node"].isna()] if "node" in long else long
    last = region[region["step"] == region["step"].max()]
    wide = last.pivot_table(index=["run_id", *keys], columns="metric", values="value",
                            aggfunc="first").reset_index()
    quarter = str(last["quarter"].iloc[0]) if "quarter" in last and len(last) else ""
    wide.attrs["quarter"] = quarter
    return wide, keys


def response_metrics(final: pd.DataFrame, keys: list[str]) -> list[str]:
    """The headline metrics the sweep kept, or its first four metrics when it kept none."""
    kept = [c for c in final.columns if c not in ("run_id", *keys)]
    chosen = [m for m in RESPONSE_METRICS if m in kept]
    return chosen or kept[:4]


def plot_response(final: pd.DataFrame, keys: list[str], metric: str, *,
                  lang: str = "en") -> plt.Figure:
    """``metric`` at the horizon against each swept parameter."""
    fig, axes = _grid(len(keys))
    for ax, key in zip(axes, keys, strict=True):
        x = final[key].to_numpy(dtype=float)
        y = final[metric].to_numpy(dtype=float)
        ax.scatter(x, y, s=9, alpha=0.45, color=PALETTE[0], lw=0, gid="runs")
        levels = np.unique(x)
        if len(levels) <= MAX_LEVELS:
            centres = levels
            means = np.array([y[x == v].mean() for v in levels])
        else:
            edges = np.quantile(x, np.linspace(0, 1, 11))
            bins = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
            filled = [b for b in range(10) if (bins == b).any()]
            centres = np.array([x[bins == b].mean() for b in filled])
            means = np.array([y[bins == b].mean() for b in filled])
        ax.plot(centres, means, color=PALETTE[1], lw=1.6, marker="o", ms=3, gid="mean")
        _small_panel(ax, key.replace("__", "."), None)
    title = text("response_title", lang, metric=metric_label(metric, lang),
                 quarter=final.attrs.get("quarter", ""))
    fit_grid(fig, axes, suptitle(fig, title))
    return fig


def sweep_figures(folder: Path, lang: str = "en") -> dict[str, Callable]:
    """Figure makers of a sweep by file stem: ``response_<metric>`` per headline metric."""
    final, keys = final_values(folder)
    return {f"response_{metric}": (lambda m=metric: plot_response(final, keys, m, lang=lang))
            for metric in response_metrics(final, keys)}
