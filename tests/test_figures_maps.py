"""Region map and flow map: one marker per node, arrows above the threshold, legends, labels
that do not collide, and Chinese labels drawn with a CJK font."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from figures import fonts
from figures.flow_map import od_matrix, plot_flow_map
from figures.region_map import plot_region_map, run_map
from model.region import Region


@pytest.fixture(scope="module")
def region() -> Region:
    return Region.load()


def save(fig: plt.Figure, tmp_path: Path, name: str) -> Path:
    """Write the figure (and copy it to $CYFLOW_ARTIFACTS when set); check it is an image."""
    path = tmp_path / name
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("CYFLOW_ARTIFACTS"):
        target = Path(os.environ["CYFLOW_ARTIFACTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return path


def node_count(ax: plt.Axes) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if c.get_gid() == "nodes")


def test_region_map_has_every_node_legends_scale_and_free_labels(region, tmp_path):
    rng = np.random.default_rng(1)
    size = pd.Series(rng.uniform(1, 100, region.n), index=list(region.ids))
    change = rng.normal(0, 10, region.n)
    ax = plot_region_map(region, size, change, size_label="output", colour_label="change")
    assert node_count(ax) == region.n
    panel = next(child for child in ax.child_axes if child.get_gid() == "legend-panel")
    legends = [a for a in panel.get_children() if isinstance(a, matplotlib.legend.Legend)]
    entries = [t.get_text() for legend in legends for t in legend.get_texts()]
    for expected in ("Sichuan", "Chongqing", "high-speed rail", "rail", "expressway",
                     "Chengdu–Chongqing axis", "Cheng–De–Mian–Le belt",
                     "Chongqing–Wanzhou riverside belt"):
        assert expected in entries
    norm = ax.collections[-1].norm
    assert norm.vcenter == 0 and norm.vmin == -norm.vmax  # diverging, centred at zero
    assert any(line.get_gid() == "scale" for line in ax.lines)
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    assert len(labels) >= 25  # most of the 34 nodes fit
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:]), labels[i].get_text()
    save(ax.figure, tmp_path, "region_map.png")


def test_region_map_draws_boundaries_when_given(region, tmp_path):
    ring = np.array([[104, 29], [106, 29], [106, 31], [104, 31]], float)
    ax = plot_region_map(region, np.ones(region.n), boundaries={"Sichuan": [ring]})
    assert sum(p.get_gid() == "boundary" for p in ax.patches) == 1
    save(ax.figure, tmp_path, "region_map_boundaries.png")


def test_run_map_colours_change_since_start(region, tmp_path):
    rows = []
    for step, factor in ((0, 1.0), (4, 1.5)):
        for k, node in enumerate(region.ids):
            rows.append({"step": step, "quarter": f"Q{step}", "node": node,
                         "output": (k + 1) * (factor if k == 0 else 1.0)})
    ax = run_map(pd.DataFrame(rows), region)
    colours = np.concatenate([c.get_array() for c in ax.collections if c.get_gid() == "nodes"])
    assert sorted(np.round(colours, 6))[-1] == pytest.approx(50.0)  # first node: +50%
    assert np.count_nonzero(np.round(colours, 6)) == 1
    save(ax.figure, tmp_path, "run_map.png")


def test_flow_map_one_arrow_per_flow_above_threshold(region, tmp_path):
    flows = np.zeros((region.n, region.n))
    flows[0, 1], flows[1, 0], flows[2, 15], flows[3, 4], flows[5, 6] = 12, 7, 30, 2, 5
    flows[7, 7] = 99  # staying put is no flow
    ax = plot_flow_map(region, flows, kind="talent", threshold=5, period="2023Q1–2025Q4")
    arrows = [p for p in ax.patches if p.get_gid() == "flow"]
    assert len(arrows) == 4
    widths = sorted(a.get_linewidth() for a in arrows)
    assert widths == sorted(widths) and widths[0] < widths[-1]
    legend = ax.get_legend()
    assert legend is not None and "4 of 5 flows" in legend.get_title().get_text()
    save(ax.figure, tmp_path, "flow_map.png")


def test_od_matrix_sums_a_period(region):
    table = pd.DataFrame({"step": [1, 2, 3, 2], "origin": ["chengdu"] * 3 + ["zigong"],
                          "destination": ["deyang"] * 3 + ["chengdu"],
                          "kind": ["talent", "talent", "talent", "firm"],
                          "count": [1, 2, 4, 3]})
    talent = od_matrix(table, region, "talent", steps=(2, 3))
    assert talent[region.index["chengdu"], region.index["deyang"]] == 6
    assert talent.sum() == 6
    assert od_matrix(table, region, "firm").sum() == 3


def _cjk_texts(fig: plt.Figure) -> list:
    return [t for t in fig.findobj(matplotlib.text.Text)
            if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]


@pytest.mark.skipif(fonts.cjk_font() is None,
                    reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_chinese_labels_are_drawn_with_a_cjk_font(region, tmp_path):
    assert fonts.language("zh") == "zh"
    with plt.rc_context(fonts.rc("zh")), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = [{"step": s, "quarter": f"2023Q{s + 1}", "node": n, "output": 1.0 + k + s}
                for s in (0, 1) for k, n in enumerate(region.ids)]
        fig = run_map(pd.DataFrame(rows), region, lang="zh").figure
        path = save(fig, tmp_path, "region_map_zh.png")
        texts = _cjk_texts(fig)
        # families are resolved against the rc settings the figure was drawn with
        files = {t.get_text(): font_manager.findfont(t.get_fontproperties(),
                                                     fallback_to_default=False) for t in texts}
    assert path.exists()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert "成都" in files and "四川" in files
    for label, font_file in files.items():
        face = FT2Font(font_file)
        assert all(face.get_char_index(ord(ch)) for ch in label if ch.strip()), \
            f"{label!r} drawn with {font_file}"


def test_without_a_cjk_font_figures_fall_back_to_english(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font"):
        assert fonts.language("zh") == "en"
    assert "font.sans-serif" not in fonts.rc("en")


def test_size_legend_numbers_are_plain_digits():
    from figures.region_map import _legend_number, _round

    assert [_legend_number(_round(v)) for v in (11234.5, 3371.0, 570.2, 0.2468)] == \
        ["11,000", "3,400", "570", "0.25"]
