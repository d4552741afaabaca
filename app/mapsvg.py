"""The geographic map as SVG text: nodes at their longitude and latitude (equirectangular,
corrected for latitude), links by mode, corridors, the largest moves as arrows and a legend.

Text stays text (the browser draws it with the page's CJK-capable font). Each node is a group
``<g data-node="id" data-tip="...">`` that the page's Vue component turns into a hover box and a
click that selects the node.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

import numpy as np

from app.i18n import node_name, tr, word
from figures.palette import PROVINCE_COLOURS, corridor_colours

WIDTH, MAP_HEIGHT_MAX, PAD, LEGEND_W = 700, 560, 28, 250
MODE_STYLE = {"hsr": ("#3b3b3b", 2.2), "rail": ("#7a7a7a", 1.4), "expressway": ("#b9b9b9", 1.1)}
CORRIDOR_OPACITY = 0.45
TALENT_COLOUR, FIRM_COLOUR, OPENED_COLOUR = "#1b9e77", "#7b3294", "#e08214"
FONT_SIZE, LINE_HEIGHT, ROW = 11, 13, 15  # map text (px), a wrapped line, a legend row


@dataclass(frozen=True)
class MapData:
    """Everything the map draws (arrays indexed by node)."""

    size: np.ndarray                 # the size measure (>= 0)
    size_label: str
    colour: np.ndarray | None        # change values, or None: colour by province
    colour_label: str
    colour_is_share: bool
    talent_moves: list[tuple[int, int, int]]
    firm_moves: list[tuple[int, int, int]]
    flow_quarters: int
    tips: list[str]                  # hover text of each node (lines separated by \n)
    selected: int | None = None
    label_count: int = 12


class Projection:
    """Longitude/latitude to SVG pixels."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray) -> None:
        self.kx = float(np.cos(np.deg2rad(lat.mean())))
        x, y = lon * self.kx, lat
        self.x0, self.y1 = float(x.min()), float(y.max())
        span_x, span_y = float(x.max() - self.x0), float(self.y1 - y.min())
        self.scale = min((WIDTH - LEGEND_W - 2 * PAD) / span_x, (MAP_HEIGHT_MAX - 2 * PAD) / span_y)
        self.height = int(span_y * self.scale + 2 * PAD)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (PAD + (lon * self.kx - self.x0) * self.scale, PAD + (self.y1 - lat) * self.scale)


def diverging(value: float, limit: float) -> str:
    """Blue (decline) - white - red (growth) for ``value`` in [-limit, limit]."""
    t = 0.0 if limit <= 0 else float(np.clip(value / limit, -1, 1))
    if t >= 0:
        start, end = np.array([247, 247, 247]), np.array([178, 24, 43])
    else:
        start, end, t = np.array([247, 247, 247]), np.array([33, 102, 172]), -t
    r, g, b = (start + (end - start) * t).round().astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


def _fmt_change(value: float, share: bool) -> str:
    return f"{value * 100:+.1f} pp" if share else f"{value * 100:+.1f}%"


def radii(size: np.ndarray) -> np.ndarray:
    """Circle radius: area proportional to the measure, 3 to 24 px."""
    size = np.clip(np.nan_to_num(np.asarray(size, float)), 0, None)
    top = size.max()
    return 3 + 21 * np.sqrt(size / top) if top > 0 else np.full(len(size), 3.0)


def _char_width(char: str) -> float:
    """Width of a character in em, a little above DejaVu Sans (the widest face of the page's
    stack) so that an estimate is never short: CJK 1, capitals and digits 0.68, space 0.32."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char == " ":
        return 0.32
    return 0.68 if char.isupper() or char.isdigit() else 0.6


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Estimated width (px) of ``text`` at ``size`` px (bold about 10% wider)."""
    return sum(_char_width(c) for c in text) * size * (1.1 if bold else 1.0)


def wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` px: breaks after spaces and dashes, and
    between CJK characters; a word longer than a line is cut."""
    pieces, piece = [], ""
    for char in text:
        if piece and unicodedata.east_asian_width(char) in ("W", "F"):
            pieces.append(piece)
            piece = ""
        piece += char
        if char in " –-/、，" or unicodedata.east_asian_width(char) in ("W", "F"):
            pieces.append(piece)
            piece = ""
    if piece:
        pieces.append(piece)
    lines, line = [], ""
    for piece in pieces:
        if line and text_width((line + piece).rstrip(), size, bold) > width:
            lines.append(line.rstrip())
            line = ""
        while text_width(piece.rstrip(), size, bold) > width and len(piece) > 1:
            cut = len(piece) - 1
            while cut > 1 and text_width(piece[:cut], size, bold) > width:
                cut -= 1
            lines.append(piece[:cut])
            piece = piece[cut:]
        line += piece.lstrip() if not line else piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _label_box(x: float, y: float, r: float, width: float, where: str) -> tuple[Box, str, float,
                                                                               float]:
    """The box of a node name placed ``where`` (above, below, right, left) of its circle, with
    the text's anchor and position."""
    ascent, descent, gap = 0.8 * FONT_SIZE, 0.25 * FONT_SIZE, 3
    if where == "above":
        tx, ty, anchor = x, y - r - gap - descent, "middle"
    elif where == "below":
        tx, ty, anchor = x, y + r + gap + ascent, "middle"
    elif where == "right":
        tx, ty, anchor = x + r + gap, y + 0.3 * FONT_SIZE, "start"
    else:
        tx, ty, anchor = x - r - gap, y + 0.3 * FONT_SIZE, "end"
    x0 = {"middle": tx - width / 2, "start": tx, "end": tx - width}[anchor]
    return (x0, ty - ascent, x0 + width, ty + descent), anchor, tx, ty


def _boxes_meet(a: Box, b: Box, pad: float = 1.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _box_meets_circle(box: Box, x: float, y: float, r: float) -> bool:
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (nx - x) ** 2 + (ny - y) ** 2 < r * r


def place_labels(xy: list[tuple[float, float]], r: np.ndarray, names: list[str],
                 order: list[int], bounds: Box) -> list[tuple[int, float, float, str]]:
    """Names that do not overlap: nodes in ``order`` (most important first) take the first of
    above, below, right and left of their circle that stays in ``bounds``, meets no name
    already placed and covers no other circle; failing that, the first position that meets no
    name (covering a circle); a name with no free position is left out (the first node of
    ``order`` is always named). Returns (node, x, y, anchor) of each name drawn."""
    placed: list[Box] = []
    out = []
    for rank, i in enumerate(order):
        width = text_width(names[i])
        options = [(where, *_label_box(*xy[i], r[i], width, where))
                   for where in ("above", "below", "right", "left")]
        inside = [o for o in options if bounds[0] <= o[1][0] and o[1][2] <= bounds[2]
                  and bounds[1] <= o[1][1] and o[1][3] <= bounds[3]]
        free = [o for o in inside if not any(_boxes_meet(o[1], b) for b in placed)]
        clear = [o for o in free if not any(_box_meets_circle(o[1], *xy[j], r[j])
                                            for j in range(len(r)) if j != i)]
        chosen = (clear or free or (options if rank == 0 else []))[:1]
        for _, box, anchor, tx, ty in chosen:
            placed.append(box)
            out.append((i, tx, ty, anchor))
    return out


def _arrow(x1: float, y1: float, x2: float, y2: float, r1: float, r2: float, width: float,
           colour: str, marker: str, title: str, bend: float) -> str:
    dx, dy = x2 - x1, y2 - y1
    dist = max(float(np.hypot(dx, dy)), 1e-6)
    ux, uy = dx / dist, dy / dist
    sx, sy = x1 + ux * r1, y1 + uy * r1
    ex, ey = x2 - ux * (r2 + 2), y2 - uy * (r2 + 2)
    mx, my = (sx + ex) / 2 - uy * bend * dist, (sy + ey) / 2 + ux * bend * dist
    return (f'<path class="move" d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="{width:.1f}" stroke-opacity="0.85" '
            f'marker-end="url(#{marker})"><title>{escape(title)}</title></path>')


def render(region, data: MapData, lang: str) -> str:
    """The map of ``region`` (a ``model.region.Region``) as an SVG document."""
    proj = Projection(region.lon, region.lat)
    xy = [proj(lo, la) for lo, la in zip(region.lon, region.lat, strict=True)]
    r = radii(data.size)
    links = region.links
    opened = {frozenset((a, b)) for a, b, _ in getattr(region, "extra_links", [])}
    corridors = [c for c in dict.fromkeys(links["corridor"]) if c]
    corridor_colour = corridor_colours(corridors)
    limit = float(np.nanmax(np.abs(data.colour))) if data.colour is not None and \
        len(data.colour) else 0.0
    legend, legend_bottom = _legend(data, lang, corridors, corridor_colour, limit, bool(opened))
    height = max(proj.height, 360, int(np.ceil(legend_bottom)))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
           f'width="100%" role="img" aria-label="{escape(tr("map", lang))}" '
           'style="max-width:900px;font-family:inherit">',
           '<defs>']
    for name, colour in (("talent", TALENT_COLOUR), ("firm", FIRM_COLOUR)):
        out.append(f'<marker id="head-{name}" viewBox="0 0 10 10" refX="8" refY="5" '
                   'markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append('</defs><rect width="100%" height="100%" fill="#fbfbf8"/>')

    # corridors: wide translucent bands under the links
    for a, b, corridor, status in zip(links["from"], links["to"], links["corridor"],
                                      links["status"], strict=True):
        if corridor and (status == "open" or frozenset((a, b)) in opened):
            (x1, y1), (x2, y2) = xy[region.index[a]], xy[region.index[b]]
            out.append(f'<line class="corridor" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                       f'y2="{y2:.1f}" stroke="{corridor_colour[corridor]}" stroke-width="11" '
                       f'stroke-opacity="{CORRIDOR_OPACITY}" stroke-linecap="round"/>')
    for a, b, mode, status in zip(links["from"], links["to"], links["mode"], links["status"],
                                  strict=True):
        (x1, y1), (x2, y2) = xy[region.index[a]], xy[region.index[b]]
        colour, width = MODE_STYLE.get(mode, ("#999999", 1.0))
        dash = ""
        if status != "open":
            if frozenset((a, b)) in opened:
                colour = OPENED_COLOUR
            else:
                dash = ' stroke-dasharray="5 4" stroke-opacity="0.6"'
        out.append(f'<line class="link link-{escape(mode)}" x1="{x1:.1f}" y1="{y1:.1f}" '
                   f'x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                   f'stroke-width="{width}"{dash}/>')
    for a, b, minutes in getattr(region, "extra_links", []):
        if frozenset((a, b)) in {frozenset(p) for p in zip(links["from"], links["to"],
                                                           strict=True)}:
            continue
        (x1, y1), (x2, y2) = xy[region.index[a]], xy[region.index[b]]
        out.append(f'<line class="link link-opened" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                   f'y2="{y2:.1f}" stroke="{OPENED_COLOUR}" stroke-width="2.2">'
                   f'<title>{minutes:g} min</title></line>')

    # largest moves
    top_movers = max([m for *_, m in data.talent_moves + data.firm_moves] or [1])
    for moves, colour, marker, kind, bend in (
            (data.talent_moves, TALENT_COLOUR, "head-talent", "talent_moves", 0.18),
            (data.firm_moves, FIRM_COLOUR, "head-firm", "firm_moves", -0.18)):
        for i, j, movers in moves:
            title = (f"{tr(kind, lang)}: {node_name(region.cities, i, lang)} → "
                     f"{node_name(region.cities, j, lang)}: {movers:,}")
            out.append(_arrow(*xy[i], *xy[j], r[i], r[j], 1.2 + 4.5 * movers / top_movers,
                              colour, marker, title, bend))

    # nodes, biggest first so that small ones stay on top
    provinces = list(region.cities["province"])
    for i in np.argsort(-r):
        x, y = xy[i]
        if data.colour is None:
            fill = PROVINCE_COLOURS.get(provinces[i], "#888888")
            stroke = "#ffffff"
        else:
            fill = diverging(float(data.colour[i]), limit)
            stroke = PROVINCE_COLOURS.get(provinces[i], "#555555")
        ring = ' stroke-width="3.5"' if data.selected == i else ' stroke-width="1.5"'
        if data.selected == i:
            stroke = "#111111"
        out.append(f'<g class="node" data-node="{escape(region.ids[i])}" '
                   f'data-tip="{escape(data.tips[i])}" style="cursor:pointer">'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r[i]:.1f}" fill="{fill}" '
                   f'fill-opacity="0.88" stroke="{stroke}"{ring}/></g>')
    # names of the largest nodes (the selected one first), where they overlap nothing
    order = [int(i) for i in np.argsort(-r, kind="stable")[: data.label_count]]
    if data.selected is not None:
        order = [data.selected] + [i for i in order if i != data.selected]
    names = [node_name(region.cities, i, lang) for i in range(region.n)]
    bounds = (2.0, 2.0, WIDTH - LEGEND_W + 4.0, height - 2.0)
    for i, tx, ty, anchor in place_labels(xy, r, names, order, bounds):
        out.append(f'<text class="name" x="{tx:.1f}" y="{ty:.1f}" font-size="{FONT_SIZE}" '
                   f'text-anchor="{anchor}" fill="#222" stroke="#fbfbf8" stroke-width="3" '
                   'paint-order="stroke" pointer-events="none" '
                   f'data-label="{escape(region.ids[i])}">'
                   f'{escape(names[i])}</text>')
    out.append(legend)
    out.append("</svg>")
    return "".join(out)


def _legend(data: MapData, lang: str, corridors: list[str], corridor_colour: dict[str, str],
            limit: float, opened: bool) -> tuple[str, float]:
    """The legend in the right-hand column (every text wrapped to the column) and the height
    it takes."""
    x0 = WIDTH - LEGEND_W + 8
    right = WIDTH - 4  # no legend text goes beyond this
    y = 22
    out = [f'<g class="legend" font-size="{FONT_SIZE}" fill="#222">']

    def lines(x: float, text: str, bold: bool = False) -> None:
        nonlocal y
        weight = ' font-weight="bold"' if bold else ""
        for k, line in enumerate(wrap(text, right - x, FONT_SIZE, bold)):
            y += LINE_HEIGHT if k else 0
            out.append(f'<text x="{x}" y="{y}"{weight}>{escape(line)}</text>')
        y += ROW

    def heading(text: str) -> None:
        lines(x0, text, bold=True)

    def row(symbol: str, text: str) -> None:
        out.append(symbol.format(x=x0, y=y - 4, x2=x0 + 26, cx=x0 + 13))
        lines(x0 + 32, text)

    heading(f"{tr('size_legend', lang)}: {data.size_label}")
    y += 4
    if data.colour is None:
        heading(tr("colour_by", lang))
        for prov, colour in PROVINCE_COLOURS.items():
            row(f'<circle cx="{{cx}}" cy="{{y}}" r="5" fill="{colour}"/>', tr(prov, lang))
    else:
        heading(data.colour_label)
        for k, frac in enumerate(np.linspace(-1, 1, 9)):
            out.append(f'<rect x="{x0 + k * 20}" y="{y - 10}" width="20" height="10" '
                       f'fill="{diverging(frac * limit, limit)}"/>')
        y += 12
        lo, hi = _fmt_change(-limit, data.colour_is_share), _fmt_change(limit, data.colour_is_share)
        out.append(f'<text x="{x0}" y="{y}">{escape(lo)}</text>')
        out.append(f'<text x="{x0 + 180}" y="{y}" text-anchor="end">{escape(hi)}</text>')
        y += ROW
    y += 4
    heading(tr("links", lang))
    for mode, (colour, width) in MODE_STYLE.items():
        row(f'<line x1="{{x}}" y1="{{y}}" x2="{{x2}}" y2="{{y}}" stroke="{colour}" '
            f'stroke-width="{width}"/>', tr(mode, lang))
    row('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#7a7a7a" stroke-width="1.4" '
        'stroke-dasharray="5 4"/>', tr("planned", lang))
    if opened:
        row(f'<line x1="{{x}}" y1="{{y}}" x2="{{x2}}" y2="{{y}}" stroke="{OPENED_COLOUR}" '
            'stroke-width="2.2"/>', tr("opened", lang))
    if corridors:
        y += 4
        heading(tr("corridors", lang))
        for corridor in corridors:
            row(f'<line x1="{{x}}" y1="{{y}}" x2="{{x2}}" y2="{{y}}" '
                f'stroke="{corridor_colour[corridor]}" stroke-width="9" '
                f'stroke-opacity="{CORRIDOR_OPACITY}"/>',
                word(corridor, lang))
    y += 4
    heading(tr("flows", lang))
    lines(x0, tr("moves_over", lang, k=data.flow_quarters))
    for kind, colour in (("talent_moves", TALENT_COLOUR), ("firm_moves", FIRM_COLOUR)):
        row(f'<line x1="{{x}}" y1="{{y}}" x2="{{x2}}" y2="{{y}}" stroke="{colour}" '
            'stroke-width="3"/>', tr(kind, lang))
    out.append("</g>")
    return "".join(out), y
