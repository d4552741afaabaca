"""The map's text and colours: the legend stays inside the picture, node names do not overlap,
and corridors have the colours of the static maps (``figures.region_map``)."""

from __future__ import annotations

import re
import unicodedata
from html import unescape

import pytest

from app import mapsvg
from app.drawing import MapOptions, map_svg
from app.measures import node_measures
from figures.palette import CORRIDOR_COLOURS, EXTRA_COLOURS

SELECTED = 5  # a small node: named only because it is selected
TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")


def _attr(attrs: str, name: str, default: str = "") -> str:
    found = re.search(rf'\b{name}="([^"]*)"', attrs)
    return found.group(1) if found else default


def _width(text: str, size: float = 11) -> float:
    """This test's own estimate of a text's width: DejaVu Sans (the page's Latin face here)
    averages ~0.59 em a character in these names; a CJK character is 1 em."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.59
                      for c in text)


def _boxes(svg: str, cls: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, box) of the ``<text>`` elements of class ``cls`` (``name``) or of the legend."""
    if cls == "legend":
        svg = svg[svg.index('<g class="legend"'):]
    out = []
    for attrs, text in TEXT.findall(svg):
        if cls == "name" and 'class="name"' not in attrs:
            continue
        text = unescape(text)
        x, y = float(_attr(attrs, "x")), float(_attr(attrs, "y"))
        width = _width(text) * (1.08 if "bold" in attrs else 1.0)
        anchor = _attr(attrs, "text-anchor", "start")
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        out.append((text, (x0, y - 8.5, x0 + width, y + 2.5)))
    return out


@pytest.fixture(scope="module")
def maps():
    """(id of the selected node, maps): the map of a small session after 2 quarters, in both
    languages, for every total measure and two sector shares (long size labels), without and
    with a selected node."""
    from app.session import AppSession
    from tests.app.conftest import SMALL

    session = AppSession(fixed=dict(SMALL))
    session.step(2)
    measures = list(node_measures(session.model.history[-1]))
    chosen = ["output", "firms", "talent", *[m for m in measures if m.startswith("share_")][:2]]
    return session.model.region.ids[SELECTED], {
        (m, lang, selected): map_svg(session, MapOptions(measure=m, selected=selected), lang)
        for m in chosen for lang in ("en", "zh") for selected in (None, SELECTED)}


def test_legend_text_stays_inside_the_picture(maps):
    _, maps = maps
    for key, svg in maps.items():
        for text, box in _boxes(svg, "legend"):
            assert box[2] <= mapsvg.WIDTH, (key, text, box)
    legend = _boxes(maps["output", "en", None], "legend")
    belt = " ".join(t for t, _ in legend if t.startswith(("Chengdu–Deyang", "belt")))
    assert "Chengdu–Deyang–Mianyang–Leshan" in belt and "belt" in belt  # wrapped, all of it


def test_node_names_do_not_overlap(maps):
    _, maps = maps
    for key, svg in maps.items():
        boxes = _boxes(svg, "name")
        assert len(boxes) >= 6, key
        for k, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[k + 1:]:
                apart = (box_a[2] <= box_b[0] or box_b[2] <= box_a[0]
                         or box_a[3] <= box_b[1] or box_b[3] <= box_a[1])
                assert apart, (key, a, b)
            assert box_a[2] <= mapsvg.WIDTH - mapsvg.LEGEND_W + 8, (key, a)  # not in the legend


def test_the_selected_node_is_always_named(maps):
    selected_id, maps = maps
    for (measure, lang, selected), svg in maps.items():
        if selected is not None:
            assert f'data-label="{selected_id}"' in svg, (measure, lang)


def test_corridors_have_the_colours_of_the_static_maps(small_session):
    svg = map_svg(small_session, MapOptions(), "en")
    links = small_session.model.region.links
    open_corridors = links[(links["corridor"] != "") & links["corridor"].notna()
                           & (links["status"] == "open")]
    bands = re.findall(r'<line class="corridor"[^>]*stroke="(#[0-9a-f]{6})"', svg)
    assert bands == [CORRIDOR_COLOURS[c] for c in open_corridors["corridor"]]
    for corridor, colour in CORRIDOR_COLOURS.items():
        label = {"chengyu_axis": "Chengdu–Chongqing axis",
                 "yuwan_riverside_belt": "Chongqing–Wanzhou"}.get(corridor)
        assert colour in svg[svg.index('<g class="legend"'):]
        if label:
            assert label in svg


def test_corridor_colours_follow_the_figures_rule():
    colours = mapsvg.corridor_colours(["new_belt", "chengyu_axis", "other_belt"])
    assert colours["chengyu_axis"] == CORRIDOR_COLOURS["chengyu_axis"]
    assert [colours["new_belt"], colours["other_belt"]] == list(EXTRA_COLOURS[:2])


@pytest.mark.parametrize("text, width", [
    ("Chengdu–Deyang–Mianyang–Leshan belt", 206),
    ("Chengdu–Deyang–Mianyang–Leshan belt", 60),
    ("最近 4 个季度的迁移", 40),
    ("short", 200),
    ("", 100),
])
def test_wrap_keeps_every_character_within_the_width(text, width):
    lines = mapsvg.wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(mapsvg.text_width(line) <= width or len(line) == 1 for line in lines)
    assert len(lines) == 1 or all(lines)
