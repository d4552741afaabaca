"""Matplotlib figures the figures package does not draw: the mean paired differences with
their 95% intervals (the intervals the comparison's verdicts use), and sensitivity indices."""

from __future__ import annotations

import math

import pandas as pd


def _grid(n: int, width: float = 3.2, height: float = 2.3):
    import matplotlib.pyplot as plt
    cols = min(4, max(1, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _ticks(ax, frame: pd.DataFrame) -> None:
    steps = frame[["step", "quarter"]].drop_duplicates().sort_values("step")
    if len(steps) > 1:
        pick = steps.iloc[:: max(1, len(steps) // 4)]
        ax.set_xticks(pick["step"], pick["quarter"], fontsize=7)


def plot_differences(diffs: pd.DataFrame, labels: list[str]):
    """Mean paired difference (with its interval) and the 10-90% band of the paired
    differences against the first scenario, per region metric."""
    region = diffs[diffs["node"].isna()]
    metrics = list(dict.fromkeys(region["metric"]))
    if not metrics:
        return None
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics, strict=False):
        part = region[region["metric"] == metric]
        for label in labels[1:]:
            line = part[part["scenario"] == label].sort_values("step")
            ax.plot(line["step"], line["mean"], lw=1.2, label=f"{label} - {labels[0]}")
            ax.fill_between(line["step"], line["p10"], line["p90"], alpha=0.15)
            ax.fill_between(line["step"], line["ci_low"], line["ci_high"], alpha=0.35)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(metric, fontsize=8)
        ax.tick_params(labelsize=7)
        _ticks(ax, part)
    axes[0].legend(fontsize=7)
    fig.suptitle("paired differences: mean with 95% interval, 10-90% band", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_size_inches()[1]))  # room for the title
    return fig


def plot_sensitivity(table: pd.DataFrame, method: str):
    """Bar chart per metric: Morris mu* (with its confidence interval) and sigma, or Sobol S1
    and ST (with their confidence intervals)."""
    import numpy as np
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = _grid(len(metrics), width=3.6, height=0.35 * table["parameter"].nunique() + 1.4)
    for ax, metric in zip(axes, metrics, strict=False):
        part = table[table["metric"] == metric]
        y = np.arange(len(part))
        names = [p.split(".")[-1] if p.count(".") < 2 else ".".join(p.split(".")[-2:])
                 for p in part["parameter"]]
        if method == "morris":
            ax.barh(y - 0.2, part["mu_star"], 0.4, xerr=part["mu_star_conf"], label="μ*")
            ax.barh(y + 0.2, part["sigma"], 0.4, label="σ")
        else:
            ax.barh(y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], label="S1")
            ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], label="ST")
        ax.set_yticks(y, names, fontsize=7)
        ax.invert_yaxis()
        ax.set_title(metric, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{method} sensitivity indices (final quarter, mean over replicates)",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_size_inches()[1]))  # room for the title
    return fig


def plot_morris_plane(table: pd.DataFrame, metrics: list[str] | None = None, *,
                      floors: dict[str, float] | None = None, label: int = 5):
    """The Morris (mu*, sigma) plane per metric: one point per parameter, the ``label`` largest
    mu* named, the lines sigma/mu* = 0.5 and 1 (above 1: non-linear or interacting effects;
    elementary effects that are pure noise around zero lie near sqrt(pi/2) = 1.25), and,
    when ``floors`` gives it, the metric's noise floor of mu* as a shaded band."""
    import numpy as np
    metrics = metrics or list(dict.fromkeys(table["metric"]))
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
            ax.annotate(row.parameter.split(".")[-1], (row.mu_star, row.sigma), fontsize=6.5,
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
