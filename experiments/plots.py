"""Matplotlib figures the figures package does not draw: the mean paired differences with
their 95% intervals (the intervals the comparison's verdicts use), and sensitivity indices."""

from __future__ import annotations

import math

import pandas as pd

TITLE_SIZE = 9      # points: panel titles (as figures.timeseries)
TICK_SIZE = 7       # points: tick labels
LEGEND_SIZE = 7     # points
INTERVAL_ALPHA = 0.4  # the 95% interval of the mean, over
BAND_ALPHA = 0.15     # the 10-90% band of the paired differences


def _grid(n: int, width: float = 3.2, height: float = 2.3, head: float = 0.0):
    import matplotlib.pyplot as plt
    cols = min(4, max(1, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + head),
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _ticks(ax, frame: pd.DataFrame) -> None:
    steps = frame[["step", "quarter"]].drop_duplicates().sort_values("step")
    if len(steps) > 1:
        pick = steps.iloc[:: max(1, len(steps) // 4)]
        ax.set_xticks(pick["step"], pick["quarter"], fontsize=TICK_SIZE)


def short_names(keys: list[str]) -> dict[str, str]:
    """Each dotted parameter key by its shortest dotted suffix that no other key of ``keys``
    ends with (``firms.border_cost`` and ``talent.border_cost`` stay apart, ``alpha`` of
    ``mechanisms.market.alpha`` is enough when it is the only alpha)."""
    keys = list(dict.fromkeys(keys))
    parts = {key: key.split(".") for key in keys}
    out = {}
    for key in keys:
        for k in range(1, len(parts[key]) + 1):
            suffix = parts[key][-k:]
            if not any(parts[other][-k:] == suffix for other in keys if other != key):
                break
        out[key] = ".".join(suffix)
    return out


def _figure_legend(fig, handles: list, top: float, title: str | None = None) -> float:
    """A legend at the top right, ``top`` inches below the figure's edge; returns its height
    (inches)."""
    from figures.layout import EDGE, line_height
    ncol = min(4, len(handles))
    width, height = fig.get_size_inches()
    fig.legend(handles=handles, loc="upper right", ncol=ncol, fontsize=LEGEND_SIZE,
               frameon=False, title=title, title_fontsize=LEGEND_SIZE,
               bbox_to_anchor=(1 - EDGE / width, 1 - top / height), borderaxespad=0)
    rows = math.ceil(len(handles) / ncol) + (title is not None)
    return rows * line_height(LEGEND_SIZE) * 1.25 + 0.1


def plot_differences(diffs: pd.DataFrame, labels: list[str], lang: str = "en"):
    """Mean paired difference (with its 95% interval) and the 10-90% band of the paired
    differences against the first scenario, per region metric: each scenario in its colour of
    levels.png (``figures.timeseries.PALETTE``, in scenario order), the interval darker than
    the band."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from figures.labels import metric_label
    from figures.layout import fit_grid, suptitle
    from figures.timeseries import PALETTE
    region = diffs[diffs["node"].isna()]
    metrics = list(dict.fromkeys(region["metric"]))
    if not metrics:
        return None
    fig, axes = _grid(len(metrics), head=0.9)
    colours = {label: PALETTE[k % len(PALETTE)] for k, label in enumerate(labels)}
    for ax, metric in zip(axes, metrics, strict=False):
        part = region[region["metric"] == metric]
        for label in labels[1:]:
            line = part[part["scenario"] == label].sort_values("step")
            colour = colours[label]
            ax.fill_between(line["step"], line["p10"], line["p90"], color=colour,
                            alpha=BAND_ALPHA, lw=0, gid="band")
            ax.fill_between(line["step"], line["ci_low"], line["ci_high"], color=colour,
                            alpha=INTERVAL_ALPHA, lw=0, gid="interval")
            ax.plot(line["step"], line["mean"], color=colour, lw=1.2, gid="mean")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(metric_label(str(metric), lang), fontsize=TITLE_SIZE)
        ax.tick_params(labelsize=TICK_SIZE)
        _ticks(ax, part)
    handles = [Line2D([], [], color=colours[label], lw=1.2, label=f"{label} − {labels[0]}")
               for label in labels[1:]]
    handles += [Patch(color="0.35", alpha=INTERVAL_ALPHA, lw=0,
                      label="95% interval of the mean"),
                Patch(color="0.35", alpha=BAND_ALPHA, lw=0, label="10–90% of the run pairs")]
    head = suptitle(fig, f"Paired difference against {labels[0]}: mean with its 95% "
                         "interval and the 10–90% band of the pairs")
    head += _figure_legend(fig, handles, head)
    fit_grid(fig, axes[:len(metrics)], head, title_size=TITLE_SIZE, tick_size=TICK_SIZE,
             shared_x=True)
    return fig


def plot_sensitivity(table: pd.DataFrame, method: str):
    """Bar chart per metric: Morris mu* (with its confidence interval) and sigma, or Sobol S1
    and ST (with their confidence intervals); parameters by their shortest unique name."""
    import numpy as np

    from figures.layout import fit_grid, suptitle, text_width
    metrics = list(dict.fromkeys(table["metric"]))
    names = short_names(list(table["parameter"]))
    label_width = text_width(names.values(), TICK_SIZE)
    title = f"{method} sensitivity indices (final quarter, mean over replicates)"
    fig, axes = _grid(len(metrics), width=2.4 + label_width,
                      height=0.35 * table["parameter"].nunique() + 0.8, head=0.8)
    fig.set_figwidth(max(fig.get_figwidth(), text_width([title], 12) + 0.4))  # suptitle: 12 pt
    for ax, metric in zip(axes, metrics, strict=False):
        part = table[table["metric"] == metric]
        y = np.arange(len(part))
        if method == "morris":
            ax.barh(y - 0.2, part["mu_star"], 0.4, xerr=part["mu_star_conf"], label="μ*")
            ax.barh(y + 0.2, part["sigma"], 0.4, label="σ")
        else:
            ax.barh(y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], label="S1")
            ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], label="ST")
        ax.set_yticks(y, [names[p] for p in part["parameter"]], fontsize=TICK_SIZE)
        ax.invert_yaxis()
        ax.set_title(metric, fontsize=TITLE_SIZE)
        ax.tick_params(axis="x", labelsize=TICK_SIZE)
    head = suptitle(fig, title)
    head += _figure_legend(fig, axes[0].get_legend_handles_labels()[0], head)
    fit_grid(fig, axes[:len(metrics)], head, title_size=TITLE_SIZE, tick_size=TICK_SIZE)
    return fig


def plot_morris_plane(table: pd.DataFrame, metrics: list[str] | None = None, *,
                      floors: dict[str, float] | None = None, label: int = 5):
    """The Morris (mu*, sigma) plane per metric: one point per parameter, the ``label`` largest
    mu* named, the lines sigma/mu* = 0.5 and 1 (above 1: non-linear or interacting effects;
    elementary effects that are pure noise around zero lie near sqrt(pi/2) = 1.25), and,
    when ``floors`` gives it, the metric's noise floor of mu* as a shaded band."""
    import numpy as np
    metrics = metrics or list(dict.fromkeys(table["metric"]))
    names = short_names(list(table["parameter"]))
    fig, axes = _grid(len(metrics), width=3.6, height=3.2)
    for ax, metric in zip(axes, metrics, strict=False):
        part = table[table["metric"] == metric].sort_values("mu_star", ascending=False)
        top = max(float((part["mu_star"] + part["mu_star_conf"]).max()),
                  float(part["sigma"].max()), 1e-300) * 1.08
        ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="o", ms=3.5,
                    lw=0.6, capsize=1.5)
        span = np.array([0.0, top])
        for ratio, style in ((0.5, ":"), (1.0, "--")):
            ax.plot(span, ratio * span, "k", ls=style, lw=0.6, label=f"σ/μ* = {ratio:g}")
        if floors and metric in floors:
            ax.axvspan(0, floors[metric], color="0.85", zorder=0, label="noise floor")
        for i, row in enumerate(part.head(label).itertuples()):
            ax.annotate(names[row.parameter], (row.mu_star, row.sigma), fontsize=6.5,
                        xytext=(3, 2 if i % 2 == 0 else -8), textcoords="offset points")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_title(metric, fontsize=8)
        ax.set_xlabel("μ*", fontsize=7)
        ax.set_ylabel("σ", fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, loc="upper left")
    fig.suptitle("Morris μ* (with its confidence interval) against σ (final quarter)",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_size_inches()[1]))  # room for the title
    return fig
