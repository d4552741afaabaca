"""Fixed figure layouts: margins and gaps in inches, set once when a figure is made.

``tight_layout`` and ``savefig(bbox_inches="tight")`` each lay out every tick label of every
panel again, which costs more than drawing the figure; the makers place their axes with these
helpers instead, measuring only the few texts (tick labels, names) whose width varies.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

POINTS = 72.0  # points per inch
PNG_LEVEL = 3  # zlib level: as small as level 6 within a few percent, in two thirds the time
TICK_PAD = 0.1  # inches: tick length and pad beside tick labels (3.5 + 3.5 points)
MEASURE_DPI = 130  # text widths are measured at the dpi figures are saved at
EDGE = 0.1  # inches between the outermost texts and the figure's edge


@dataclass(frozen=True)
class Margins:
    """Space around the axes, in inches."""

    left: float
    right: float
    top: float
    bottom: float


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cycle collector paused: drawing makes many objects, and each of its passes
    walks every object the process holds (tables, a model) for little garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@cache
def _renderer() -> RendererAgg:
    return RendererAgg(1, 1, MEASURE_DPI)


def text_width(labels: Iterable[str], size: float) -> float:
    """Width in inches of the widest of ``labels`` at ``size`` points (the current rc font),
    with some slack: hinting makes small text a little wider or narrower at other dpi."""
    prop = FontProperties(size=size)
    widths = [_renderer().get_text_width_height_descent(str(s), prop, False)[0]
              for s in labels if str(s)]
    return max(widths, default=0.0) / MEASURE_DPI * 1.05


def ytick_width(ax: Axes) -> float:
    """Width in inches of the y tick labels ``ax`` will draw (as its locator places them)."""
    axis = ax.yaxis
    low, high = sorted(ax.get_ylim())
    locations = [v for v in axis.get_majorticklocs() if low <= v <= high]
    labels = axis.get_major_formatter().format_ticks(locations)
    size = axis.get_major_ticks()[0].label1.get_fontsize() if locations else 7
    return text_width(labels, size)


def place(fig: Figure, margins: Margins, shape: tuple[int, int] = (1, 1),
          gaps: tuple[float, float] = (0.0, 0.0)) -> None:
    """Place the figure's subplot grid of ``shape`` (rows, columns) with ``margins`` and
    ``gaps`` (between columns, between rows) in inches."""
    width, height = fig.get_size_inches()
    nrows, ncols = shape
    panel_w = (width - margins.left - margins.right - gaps[0] * (ncols - 1)) / ncols
    panel_h = (height - margins.top - margins.bottom - gaps[1] * (nrows - 1)) / nrows
    fig.subplots_adjust(left=margins.left / width, right=1 - margins.right / width,
                        bottom=margins.bottom / height, top=1 - margins.top / height,
                        wspace=gaps[0] / max(panel_w, 1e-3), hspace=gaps[1] / max(panel_h, 1e-3))


def line_height(size: float, lines: int = 1) -> float:
    """Height in inches of ``lines`` lines of text at ``size`` points (1.2 line spacing)."""
    return 1.2 * size * lines / POINTS


def widest_ytick(axes: Sequence[Axes]) -> float:
    """The widest y tick labels of ``axes``, in inches."""
    return max((ytick_width(ax) for ax in axes), default=0.0)


def suptitle(fig: Figure, title: str) -> float:
    """The figure's title at its top edge; returns the height it takes (inches)."""
    text = fig.suptitle(title, y=1 - EDGE / fig.get_size_inches()[1], va="top")
    return EDGE + line_height(text.get_fontsize()) + 0.1


def fit_grid(fig: Figure, axes: Sequence[Axes], head: float, title_size: float = 9,
             tick_size: float = 7, shared_x: bool = False) -> None:
    """Fixed layout of a grid of panels with titles: room for the y tick labels of the first
    column (left margin) and of the others (gaps), the panel titles and the x tick labels, and
    ``head`` inches above the panels for the figure's title and legend. With ``shared_x`` (the
    same x axis in every panel) only the lowest panel of each column keeps its x tick labels."""
    spec = axes[0].get_subplotspec().get_gridspec()
    if shared_x:
        for ax in axes[:max(len(axes) - spec.ncols, 0)]:
            ax.tick_params(labelbottom=False)
    first = [ax for ax in axes if ax.get_subplotspec().is_first_col()]
    others = [ax for ax in axes if not ax.get_subplotspec().is_first_col()]
    title = line_height(title_size) + rcParams["axes.titlepad"] / POINTS
    labels = line_height(tick_size) + TICK_PAD
    place(fig, Margins(left=widest_ytick(first) + TICK_PAD + EDGE, right=EDGE + 0.1,
                       top=head + title, bottom=labels + EDGE), (spec.nrows, spec.ncols),
          gaps=(widest_ytick(others) + TICK_PAD + 0.25,
                (0.0 if shared_x else labels) + title + 0.12))


def _inked(image: np.ndarray) -> np.ndarray:
    """Pixels that differ from the corner (the background), as booleans (rows, columns)."""
    pixels = np.ascontiguousarray(image).view(np.uint32)[..., 0]  # one word per RGBA pixel
    return pixels != pixels[0, 0]


def cropped(image: np.ndarray, pad: int) -> np.ndarray | None:
    """``image`` (rows, columns, RGBA) without its blank border, ``pad`` pixels kept around the
    content (what ``bbox_inches="tight"`` gives, from the drawn pixels instead of a second
    layout of every text); None when the content reaches an edge (it may go beyond)."""
    inked = _inked(image)
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    if rows.size == 0:
        return image
    if rows[0] == 0 or cols[0] == 0 or rows[-1] == len(inked) - 1 or cols[-1] == inked.shape[1] - 1:
        return None
    top, bottom = max(rows[0] - pad, 0), min(rows[-1] + 1 + pad, image.shape[0])
    left, right = max(cols[0] - pad, 0), min(cols[-1] + 1 + pad, image.shape[1])
    return image[top:bottom, left:right]


def save_png(fig: Figure, target: str | Path | BinaryIO, dpi: float, pad: float = 0.1) -> None:
    """Draw ``fig`` once at ``dpi`` and write it as an RGB PNG (the figure is opaque), cropped
    to its content with ``pad`` inches around it; content that reaches the figure's edge is
    saved with matplotlib's tight bounding box instead (slower: it lays the figure out again,
    but grows the canvas to what lies beyond)."""
    from PIL import Image

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
    canvas.draw()
    image = cropped(np.asarray(canvas.buffer_rgba()), round(pad * dpi))
    if image is None:
        fig.savefig(target, format="png", dpi=dpi, bbox_inches="tight", pad_inches=pad)
        return
    Image.fromarray(image[..., :3]).save(target, format="png", dpi=(dpi, dpi),
                                         compress_level=PNG_LEVEL)
