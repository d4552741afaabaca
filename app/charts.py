"""Live charts of the region metrics as SVG text: one small panel per chosen metric with the
scenario, the baseline when comparing, and replicate bands when there are some.

Drawn directly (a few milliseconds per redraw, where matplotlib takes ~0.15-0.3 s for six
panels); text stays text, so the browser draws Chinese with the page's CJK font.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

import numpy as np
import pandas as pd

from app.compare import Bands
from app.i18n import metric_label, tr

SCENARIO_COLOUR, BASELINE_COLOUR = "#c4453c", "#3b75af"
PANEL_W, PANEL_H, COLS = 330, 170, 2
LEFT, RIGHT, TOP, BOTTOM = 48, 14, 24, 24


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 10_000 or magnitude < 0.001:
        return f"{value:.2g}"
    return f"{value:.4g}"


def _points(xs: np.ndarray, ys: np.ndarray, fx: Callable, fy: Callable) -> str:
    return " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in zip(xs, ys, strict=True)
                    if np.isfinite(y))


def _panel(x0: float, y0: float, title: str, series: list[tuple[np.ndarray, np.ndarray, str,
           str]], band_list: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]],
           horizon: int, xticks: list[tuple[int, str]]) -> str:
    values = [y[np.isfinite(y)] for _, y, _, _ in series]
    values += [b[np.isfinite(b)] for _, lo, hi, _ in band_list for b in (lo, hi)]
    values = [v for v in values if len(v)]
    if values:
        lo, hi = min(float(v.min()) for v in values), max(float(v.max()) for v in values)
    else:
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        pad = max(abs(hi) * 0.05, 1e-6)
        lo, hi = lo - pad, hi + pad
    span = hi - lo
    lo, hi = lo - 0.05 * span, hi + 0.05 * span
    plot_w, plot_h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM

    def fx(x: float) -> float:
        return x0 + LEFT + plot_w * x / max(horizon, 1)

    def fy(y: float) -> float:
        return y0 + TOP + plot_h * (hi - y) / (hi - lo)

    out = [f'<text x="{x0 + 6}" y="{y0 + 15}" font-size="12" font-weight="bold">'
           f'{escape(title)}</text>']
    for tick in nice_ticks(lo, hi):
        y = fy(tick)
        out.append(f'<line x1="{fx(0):.1f}" x2="{fx(horizon):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#e4e4e4"/>')
        out.append(f'<text x="{fx(0) - 4:.1f}" y="{y + 3.5:.1f}" text-anchor="end" '
                   f'font-size="9.5" fill="#555">{_fmt(tick)}</text>')
    for step, label in xticks:
        x = fx(step)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{fy(lo):.1f}" y2="{fy(lo) + 3:.1f}" '
                   'stroke="#888"/>')
        out.append(f'<text x="{x:.1f}" y="{fy(lo) + 14:.1f}" text-anchor="middle" '
                   f'font-size="9.5" fill="#555">{escape(label)}</text>')
    out.append(f'<line x1="{fx(0):.1f}" x2="{fx(horizon):.1f}" y1="{fy(lo):.1f}" '
               f'y2="{fy(lo):.1f}" stroke="#888"/>')
    for steps, low, high, colour in band_list:
        upper = _points(steps, high, fx, fy)
        lower = _points(steps[::-1], low[::-1], fx, fy)
        out.append(f'<polygon class="band" points="{upper} {lower}" fill="{colour}" '
                   'fill-opacity="0.18" stroke="none"/>')
    for steps, ys, colour, dash in series:
        if len(steps) == 1:
            out.append(f'<circle cx="{fx(steps[0]):.1f}" cy="{fy(ys[0]):.1f}" r="2.5" '
                       f'fill="{colour}"/>')
        else:
            out.append(f'<polyline points="{_points(steps, ys, fx, fy)}" fill="none" '
                       f'stroke="{colour}" stroke-width="1.8"{dash}/>')
    steps, ys, colour, _ = series[-1]
    if len(ys) and np.isfinite(ys[-1]):
        out.append(f'<text class="last" x="{fx(steps[-1]) + 3:.1f}" y="{fy(ys[-1]) - 4:.1f}" '
                   f'font-size="9.5" fill="{colour}">{_fmt(float(ys[-1]))}</text>')
    return "".join(out)


def render(table: pd.DataFrame, metrics: list[str], lang: str, *, horizon: int,
           quarter_label: Callable[[int], str], baseline: pd.DataFrame | None = None,
           bands: Bands | None = None) -> str:
    """SVG of the chosen metrics over the quarters of the whole horizon."""
    if not metrics:
        return ""
    cols = min(COLS, len(metrics))
    rows = -(-len(metrics) // cols)
    legend_h = 20 if baseline is not None or bands is not None else 0
    width, height = cols * PANEL_W, rows * PANEL_H + legend_h
    every = 4 if horizon <= 16 else 8 if horizon <= 40 else 16 if horizon <= 80 else 40
    xticks = [(t, quarter_label(t)) for t in range(0, horizon + 1, every)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="100%" style="max-width:{width * 1.4:.0f}px;font-family:inherit" '
           f'role="img" aria-label="{escape(tr("charts", lang))}">']
    steps = table["step"].to_numpy()
    for k, metric in enumerate(metrics):
        x0, y0 = (k % cols) * PANEL_W, legend_h + (k // cols) * PANEL_H
        series, band_list = [], []
        if bands is not None and metric in bands.metrics:
            band_list = [(bands.steps, bands.low[v][metric], bands.high[v][metric], c)
                         for v, c in (("baseline", BASELINE_COLOUR), ("scenario", SCENARIO_COLOUR))]
        if baseline is not None and metric in baseline:
            series.append((baseline["step"].to_numpy(), baseline[metric].to_numpy(float),
                           BASELINE_COLOUR, ' stroke-dasharray="5 3"'))
        series.append((steps, table[metric].to_numpy(float), SCENARIO_COLOUR, ""))
        out.append(f'<g class="panel" data-metric="{escape(metric)}">')
        out.append(_panel(x0, y0, metric_label(metric, lang), series, band_list, horizon,
                          xticks))
        out.append("</g>")
    if legend_h:
        items = [(SCENARIO_COLOUR, "", tr("scenario_curve", lang)),
                 (BASELINE_COLOUR, ' stroke-dasharray="5 3"', tr("baseline_curve", lang))]
        x = 8
        for colour, dash, label in items:
            out.append(f'<line x1="{x}" x2="{x + 24}" y1="10" y2="10" stroke="{colour}" '
                       f'stroke-width="2"{dash}/><text x="{x + 30}" y="14" font-size="11">'
                       f'{escape(label)}</text>')
            x += 40 + 8 * len(label)
    out.append("</svg>")
    return "".join(out)
