"""Colours shared by the static figures and the browser app (no matplotlib import here, so the
app's start does not pay for it)."""

from __future__ import annotations

PROVINCE_COLOURS = {"Sichuan": "#3b6ea8", "Chongqing": "#b8433a"}
CORRIDOR_COLOURS = {"chengyu_axis": "#f0a030", "chengdemianle_belt": "#4aa36b",
                    "yuwan_riverside_belt": "#7a6cc8"}
EXTRA_COLOURS = ("#d4668f", "#3fb0c0", "#a5882c")


def corridor_colours(corridors: list[str]) -> dict[str, str]:
    """A colour for each corridor: the named corridors keep theirs, others take the spare
    colours in order of first appearance (cycling when there are more than the spares)."""
    colours = {c: CORRIDOR_COLOURS[c] for c in corridors if c in CORRIDOR_COLOURS}
    others = [c for c in corridors if c not in colours]
    for k, name in enumerate(others):
        colours[name] = EXTRA_COLOURS[k % len(EXTRA_COLOURS)]
    return colours
