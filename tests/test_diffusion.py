"""Diffusion and polarisation on constructed regions, where the answer is known in advance.

A core ``c`` (8 million residents, strong endowments) has two neighbours 20 minutes away, ``a``
on a tagged corridor and ``b`` off it, and three far nodes 3 hours away. With strong dispersion
(rents that rise steeply with density, land-hungry sectors) the near nodes must gain share from
the core: diffusion, a negative siphon. With no dispersion and strong agglomeration they must
lose share to it: polarisation, a positive siphon. The corridor tag itself changes no rule, so
``a`` and ``b`` grow alike and the axis premium (growth net of distance to the core) is ~0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.model import RegionModel
from model.region import Region
from model.sectors import SECTORS

NODES = ["c", "a", "b", "d", "e", "f"]


def constructed_region() -> Region:
    n = len(NODES)
    pop = [8_000_000] + [1_000_000] * (n - 1)
    cities = pd.DataFrame({
        "id": NODES, "name_en": NODES, "name_zh": NODES,
        "province": ["Sichuan"] * n, "lat": [30.0, 30.1, 29.9, 31.5, 28.5, 30.0],
        "lon": [104.0, 104.1, 103.9, 104.0, 104.0, 106.0], "population_2020": pop,
        "gdp_2022": [p * 8e-5 for p in pop], "secondary_2022": [p * 3e-5 for p in pop],
        "tertiary_2022": [p * 4e-5 for p in pop], "universities": [20, 2, 2, 2, 2, 2],
        "broadband_10k": [p * 4e-5 for p in pop], "source": ["constructed"] * n,
        "estimated": [""] * n,
    })
    edges = [("c", "a", 20, "axis"), ("c", "b", 20, ""), ("c", "d", 180, ""),
             ("c", "e", 180, ""), ("c", "f", 180, "")]
    links = pd.DataFrame({
        "from": [e[0] for e in edges], "to": [e[1] for e in edges],
        "mode": ["expressway"] * len(edges), "line": ["x"] * len(edges),
        "minutes": [e[2] for e in edges], "status": ["open"] * len(edges),
        "corridor": [e[3] for e in edges], "source": ["constructed"] * len(edges),
        "estimated": [""] * len(edges),
    })
    sectors = pd.DataFrame({"id": NODES, **{s: [3.0, 1.0, 1.0, 1.0, 1.0, 1.0]
                                              for s in SECTORS}})
    return Region.from_frames(cities, links, sectors=sectors, name="constructed",
                              traits=Region.load().sectors)


DISPERSION = {"mechanisms__market__rent_elasticity": 2.5, "mechanisms__market__land_cost": 6.0,
              "mechanisms__market__alpha": 0.02}
AGGLOMERATION = {"mechanisms__market__rent_elasticity": 0.0, "mechanisms__market__land_cost": 0.0,
                 "mechanisms__market__power_cost": 0.0, "mechanisms__market__alpha": 0.15}


def _shares(params: dict, seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    model = RegionModel(rng=seed, region=constructed_region(), agent_views=False, steps=40,
                        init__balanced_start=False,
                        scale__firm_agents=3000, scale__talent_agents=4500,
                        metrics__cores=["c", "d"], firms__revision_rate=0.4,
                        talent__revision_rate=0.6, **params).run()
    start, end = model.history[0]["output"], model.history[-1]["output"]
    return start / start.sum(), end / end.sum(), model.region_metrics


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_nodes_gain_under_dispersion_and_lose_under_agglomeration(seed):
    a, b, c = NODES.index("a"), NODES.index("b"), NODES.index("c")
    start, end, _metrics = _shares(DISPERSION, seed)
    assert end[a] > start[a] and end[b] > start[b], (start, end)  # diffusion to the corridor
    assert end[c] < start[c]
    start, end, _metrics_agg = _shares(AGGLOMERATION, seed)
    assert end[a] < start[a] and end[b] < start[b], (start, end)  # the core siphons
    assert end[c] > start[c]


def test_the_corridor_tag_alone_changes_nothing():
    """a and b are alike but for the tag: over seeds their growth is the same, and the axis
    premium (which compares corridor with off-corridor nodes at equal distance) is ~0."""
    a, b = NODES.index("a"), NODES.index("b")
    gaps, premiums = [], []
    for seed in range(6):
        start, end, metrics = _shares(DISPERSION, seed)
        gaps.append(np.log(end[a] / start[a]) - np.log(end[b] / start[b]))
        premiums.append(metrics["axis_premium"])
    assert abs(np.mean(gaps)) < 0.05, gaps
    assert abs(np.mean(premiums)) < 0.05, premiums
