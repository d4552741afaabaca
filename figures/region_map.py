"""Region map: nodes sized by a measure and coloured by change (or by a difference against a
baseline, diverging colours centred at zero), over the transport network by mode, with the
three corridors marked, the province of each node, a legend, a scale bar and labels that do not
collide.

Province boundaries are drawn when given (``boundaries``: province -> list of (lon, lat)
rings); the repository holds no boundary data yet (docs/FIGURES.md), so by default the province
of each node is shown by marker shape and named in the legend.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from figures.labels import column_label, node_names, text
from figures.palette import CORRIDOR_COLOURS, PROVINCE_COLOURS, corridor_colours
from figures.tables import quarter_of
from model.region import Region

PROVINCE_STYLE = {province: (marker, PROVINCE_COLOURS[province])  # marker, colour
                  for province, marker in (("Sichuan", "o"), ("Chongqing", "s"))}
MODE_STYLE = {"hsr": ("#222222", 1.7, "-"), "rail": ("#666666", 1.1, (0, (4, 1.5))),
              "expressway": ("#a0a0a0", 0.8, "-")}
MAX_AREA = 1400.0  # points^2 of the largest marker
KM_PER_DEGREE = 111.32


def _values(values: pd.Series | Sequence[float] | np.ndarray | None, region: Region
            ) -> np.ndarray | None:
    """Values in region order (a Series is matched on node ids)."""
    if values is None:
        return None
    if isinstance(values, pd.Series):
        return values.reindex(list(region.ids)).to_numpy(float)
    out = np.asarray(values, float)
    if out.shape != (region.n,):
        raise ValueError(f"expected {region.n} values (one per node), got shape {out.shape}")
    return out


def marker_areas(size: np.ndarray) -> np.ndarray:
    """Marker areas (points^2) proportional to ``size`` (negative or missing: smallest)."""
    size = np.nan_to_num(np.clip(size, 0, None))
    top = size.max() if size.max() > 0 else 1.0
    return 12.0 + MAX_AREA * size / top


def _draw_network(ax: plt.Axes, region: Region, lang: str) -> list:
    """Corridors under the links, links by mode; returns legend handles."""
    handles = []
    corridors = [c for c in dict.fromkeys(region.links["corridor"]) if c]
    colours = corridor_colours(corridors)
    for _, link in region.links.iterrows():
        a, b = region.index[link["from"]], region.index[link["to"]]
        xs, ys = [region.lon[a], region.lon[b]], [region.lat[a], region.lat[b]]
        if link["corridor"] and link["status"] == "open":
            ax.plot(xs, ys, color=colours[link["corridor"]], lw=7, alpha=0.35,
                    solid_capstyle="round", zorder=1)
        colour, width, style = MODE_STYLE[link["mode"]]
        if link["status"] != "open":
            style, colour = (0, (1, 1.5)), "#555555"
        ax.plot(xs, ys, color=colour, lw=width, ls=style, zorder=2, alpha=0.9)
    for mode, (colour, width, style) in MODE_STYLE.items():
        if (region.links["mode"] == mode).any():
            handles.append(Line2D([], [], color=colour, lw=width, ls=style, label=text(mode, lang)))
    if (region.links["status"] != "open").any():
        handles.append(Line2D([], [], color="#555555", lw=1.2, ls=(0, (1, 1.5)),
                              label=text("planned", lang)))
    for name in corridors:
        label = text(name, lang) if name in CORRIDOR_COLOURS else name.replace("_", " ")
        handles.append(Line2D([], [], color=colours[name], lw=7, alpha=0.35, label=label))
    return handles


def _draw_boundaries(ax: plt.Axes, boundaries: Mapping[str, Sequence[np.ndarray]]) -> None:
    for province, rings in boundaries.items():
        colour = PROVINCE_STYLE.get(province, ("o", "#888888"))[1]
        for ring in rings:
            ax.add_patch(Polygon(np.asarray(ring, float), closed=True, facecolor=colour,
                                 alpha=0.07, edgecolor=colour, lw=1.4, zorder=0, gid="boundary"))


def _scale_bar(ax: plt.Axes, lat: float, lang: str) -> None:
    """A scale bar (km) in the lower left corner, and a north arrow above it."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = KM_PER_DEGREE * np.cos(np.deg2rad(lat))
    target = (x1 - x0) * km_per_deg / 5
    length = max(k for k in (10, 20, 25, 50, 100, 200, 250, 500) if k <= max(target, 10))
    width = length / km_per_deg
    x, y = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + width], [y, y], color="black", lw=3, solid_capstyle="butt", zorder=6,
            gid="scale")
    ax.plot([x, x], [y - 0.01 * (y1 - y0), y + 0.01 * (y1 - y0)], color="black", lw=1, zorder=6)
    ax.plot([x + width] * 2, [y - 0.01 * (y1 - y0), y + 0.01 * (y1 - y0)], color="black", lw=1,
            zorder=6)
    ax.text(x + width / 2, y + 0.015 * (y1 - y0), f"{length} {text('km', lang)}", ha="center",
            va="bottom", fontsize=8, zorder=6)
    ax.annotate(text("north", lang), xy=(x, y + 0.16 * (y1 - y0)),
                xytext=(x, y + 0.08 * (y1 - y0)), ha="center", va="center", fontsize=8,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1}, zorder=6)


def _overlaps(box, boxes: list) -> bool:
    return any(box.overlaps(other) for other in boxes)


def place_labels(ax: plt.Axes, x: np.ndarray, y: np.ndarray, names: Sequence[str],
                 areas: np.ndarray, order: Sequence[int], fontsize: float = 7) -> list:
    """Label the nodes in ``order`` (most important first), each at the first of eight
    positions around its marker where it collides with no placed label, no other marker and
    stays in the axes; a label with no free position is left out. Returns the texts drawn."""
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    to_display = ax.transData.transform
    centres = to_display(np.column_stack([x, y]))
    radius = np.sqrt(areas) / 2 * fig.dpi / 72  # marker half-width in pixels
    from matplotlib.transforms import Bbox

    markers = [Bbox.from_extents(cx - r, cy - r, cx + r, cy + r)
               for (cx, cy), r in zip(centres, radius, strict=True)]
    frame = ax.get_window_extent(renderer)
    directions = [(1, 0, "left", "center"), (-1, 0, "right", "center"),
                  (0, 1, "center", "bottom"), (0, -1, "center", "top"),
                  (0.75, 0.75, "left", "bottom"), (-0.75, 0.75, "right", "bottom"),
                  (0.75, -0.75, "left", "top"), (-0.75, -0.75, "right", "top")]
    placed, drawn = [], []
    for i in order:
        r_points = np.sqrt(areas[i]) / 2
        label = ax.annotate(names[i], (x[i], y[i]), fontsize=fontsize, zorder=5, gid="label",
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                  "alpha": 0.6})
        for reach in (1.0, 2.2):
            for dx, dy, ha, va in directions:
                pad = r_points + 2 + (reach - 1) * 8
                label.set_position((dx * pad, dy * pad))
                label.set_anncoords("offset points")
                label.set_ha(ha)
                label.set_va(va)
                box = label.get_window_extent(renderer)
                others = [m for j, m in enumerate(markers) if j != i]
                if (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                        and not _overlaps(box, placed) and not _overlaps(box, others)):
                    placed.append(box)
                    drawn.append(label)
                    break
            else:
                continue
            break
        else:
            label.remove()
    return drawn


def plot_region_map(region: Region, size: pd.Series | np.ndarray, colour=None, *,
                    diverging: bool = True, size_label: str = "", colour_label: str = "",
                    title: str = "", lang: str = "en", labels: int | None = None,
                    boundaries: Mapping[str, Sequence[np.ndarray]] | None = None,
                    ax: plt.Axes | None = None) -> plt.Axes:
    """The region map. ``size`` (one value per node, a Series on node ids or an array in region
    order) sets marker areas; ``colour`` (same form) colours the nodes, with a diverging scale
    centred at zero when ``diverging`` (else sequential); without ``colour`` nodes take their
    province's colour. ``labels`` caps how many nodes are labelled (default: all that fit)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 7.2))
        fig.subplots_adjust(left=0.06, right=0.66, bottom=0.12, top=0.94)
    size_values = _values(size, region)
    colour_values = _values(colour, region)
    areas = marker_areas(size_values)
    if boundaries:
        _draw_boundaries(ax, boundaries)
    network = _draw_network(ax, region, lang)
    provinces = region.cities["province"].to_numpy()
    mappable = None
    if colour_values is not None:
        finite = colour_values[np.isfinite(colour_values)]
        if diverging:
            bound = max(float(np.abs(finite).max()) if finite.size else 1.0, 1e-12)
            norm = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
            cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#cccccc")
        else:
            norm = plt.Normalize(*(finite.min(), finite.max()) if finite.size else (0, 1))
            cmap = plt.get_cmap("viridis").with_extremes(bad="#cccccc")
    for province, (marker, province_colour) in PROVINCE_STYLE.items():
        mask = provinces == province
        if not mask.any():
            continue
        kwargs = {"c": province_colour} if colour_values is None else {
            "c": colour_values[mask], "cmap": cmap, "norm": norm, "plotnonfinite": True}
        collection = ax.scatter(region.lon[mask], region.lat[mask], s=areas[mask], marker=marker,
                                edgecolors="#222222", linewidths=0.7, alpha=0.9, zorder=4,
                                gid="nodes", **kwargs)
        if colour_values is not None:
            mappable = collection
    _frame(ax, region)
    shown = np.argsort(-np.nan_to_num(size_values, nan=-np.inf), kind="stable")
    place_labels(ax, region.lon, region.lat, node_names(region.cities, lang), areas,
                 shown[:labels] if labels is not None else shown)
    _scale_bar(ax, float(np.mean(region.lat)), lang)
    _legends(ax, network, size_values, size_label, lang, boundaries is not None)
    if mappable is not None:
        bar = ax.figure.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.04,
                                 pad=0.08, aspect=40)
        bar.set_label(colour_label)
    ax.set_title(title)
    return ax


def _frame(ax: plt.Axes, region: Region) -> None:
    pad_x = 0.08 * np.ptp(region.lon) + 0.1
    pad_y = 0.1 * np.ptp(region.lat) + 0.1
    ax.set_xlim(region.lon.min() - pad_x, region.lon.max() + pad_x)
    ax.set_ylim(region.lat.min() - pad_y, region.lat.max() + pad_y)
    ax.set_aspect(1 / np.cos(np.deg2rad(region.lat.mean())))
    ax.tick_params(labelsize=7)
    ax.grid(color="#eeeeee", lw=0.5, zorder=0)


def _legends(ax: plt.Axes, network: list, size: np.ndarray, size_label: str, lang: str,
             has_boundaries: bool) -> None:
    """Provinces, network and corridors, and marker sizes, in a panel beside the map."""
    panel = ax.inset_axes([1.03, 0.0, 0.5, 1.0])
    panel.set_axis_off()
    panel.set_gid("legend-panel")
    provinces = [Line2D([], [], ls="", marker=marker, markersize=8, markerfacecolor="white",
                        markeredgecolor=colour, markeredgewidth=1.6, label=text(name, lang))
                 for name, (marker, colour) in PROVINCE_STYLE.items()]
    title = text("province", lang)
    if not has_boundaries:
        title += "\n" + textwrap.fill(f"({text('province_by_shape', lang)})",
                                      width=30 if lang == "en" else 16)
    kwargs = {"loc": "upper left", "fontsize": 8, "title_fontsize": 8, "frameon": False,
              "alignment": "left"}
    first = panel.legend(handles=provinces, title=title, bbox_to_anchor=(0.0, 1.0), **kwargs)
    panel.add_artist(first)
    second = panel.legend(handles=network, title=text("links", lang),
                          bbox_to_anchor=(0.0, _below(panel, first)), **kwargs)
    panel.add_artist(second)
    finite = size[np.isfinite(size) & (size > 0)]
    if finite.size:
        top = float(finite.max())
        refs = sorted({_round(top * f) for f in (1.0, 0.3, 0.05)} - {0.0}, reverse=True)
        handles = [Line2D([], [], ls="", marker="o", markerfacecolor="#dddddd",
                          markeredgecolor="#222222",
                          markersize=float(np.sqrt(marker_areas(np.array([v, top]))[0])),
                          label=_legend_number(v)) for v in refs]
        panel.legend(handles=handles, title=size_label or text("size", lang),
                     bbox_to_anchor=(0.0, min(0.30, _below(panel, second))),
                     labelspacing=1.8, borderpad=1.0, handletextpad=1.6, **kwargs)


def _legend_number(value: float) -> str:
    """A rounded legend value in plain digits with thousands separators (11,000, 3,400, 0.25),
    never in exponent notation."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.3g}"


def _below(panel: plt.Axes, legend) -> float:
    """The panel height (axes fraction) just below ``legend``."""
    renderer = panel.figure.canvas.get_renderer()
    box = legend.get_window_extent(renderer).transformed(panel.transAxes.inverted())
    return float(box.y0) - 0.02


def _round(value: float) -> float:
    """``value`` rounded to two significant digits."""
    if value <= 0:
        return 0.0
    digits = -int(np.floor(np.log10(value))) + 1
    return float(round(value, digits))


def run_map(nodes: pd.DataFrame, region: Region, *, column: str = "output", lang: str = "en",
            boundaries: Mapping[str, Sequence[np.ndarray]] | None = None,
            ax: plt.Axes | None = None) -> plt.Axes:
    """The map of one run: ``column`` at the last step as marker area, its change since the
    first step (percent) as colour."""
    first, last = int(nodes["step"].min()), int(nodes["step"].max())
    wide = nodes.pivot_table(index="node", columns="step", values=column, aggfunc="first")
    start, end = wide[first], wide[last]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (end / start.where(start > 0) - 1) * 100
    measure = column_label(column, lang)
    quarter, start_quarter = quarter_of(nodes, last), quarter_of(nodes, first)
    since = text("change_since", lang, start=start_quarter)
    return plot_region_map(region, end, change, size_label=f"{measure}, {quarter}",
                           colour_label=f"{measure}: {since} (%)",
                           title=text("map_title", lang, measure=measure, quarter=quarter),
                           lang=lang, boundaries=boundaries, ax=ax)
