"""Shared fixtures: the real region, small scenarios, synthetic regions for validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.region import Region


@pytest.fixture(scope="session")
def region() -> Region:
    return Region.load()


def synthetic_region(n: int = 16, minutes: float = 30.0) -> Region:
    """``n`` identical nodes in one province on a ring of equal links (validation tests)."""
    cities = pd.DataFrame({
        "id": [f"n{i:02d}" for i in range(n)], "name_en": [f"Node {i}" for i in range(n)],
        "name_zh": ["节点"] * n, "province": ["Sichuan"] * n,
        "lat": 30 + 0.1 * np.cos(2 * np.pi * np.arange(n) / n),
        "lon": 105 + 0.1 * np.sin(2 * np.pi * np.arange(n) / n),
        "population_2020": [1_000_000] * n, "gdp_2022": [500.0] * n,
        "secondary_2022": [200.0] * n, "tertiary_2022": [250.0] * n,
        "universities": [2] * n, "broadband_10k": [40.0] * n, "source": ["synthetic"] * n,
        "estimated": [""] * n,
    })
    links = pd.DataFrame({
        "from": [f"n{i:02d}" for i in range(n)], "to": [f"n{(i + 1) % n:02d}" for i in range(n)],
        "mode": ["expressway"] * n, "line": ["ring"] * n, "minutes": [minutes] * n,
        "status": ["open"] * n, "corridor": [""] * n, "source": ["synthetic"] * n,
        "estimated": [""] * n,
    })
    return Region.from_frames(cities, links, name="synthetic")


SMALL = {"scale__firm_agents": 3000, "scale__talent_agents": 4500, "steps": 12}
