"""The benchmark's report and its limits section (not a timing test: no time is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.run import FIXED, random_floor, report, split
from model.model import RegionModel

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results.json"


def test_the_recorded_results_print_every_section_and_the_targets() -> None:
    results = json.loads(RESULTS.read_text())
    text = report(results)
    for section in range(1, 8):
        assert f"## {section}. " in text
    assert "## Targets" in text
    limits = text.split("## 7. ")[1].split("## Targets")[0]
    assert "ratio with a free node layer" in limits and "floor" in limits
    at_20k = next(r for r in results["compare"] if r["agents"] == 20_000)
    # the limits are derived from the timings of the same rounds, not typed in
    assert at_20k["agent_work_cpu_ms"] == pytest.approx(
        at_20k["production_cpu_ms"] - at_20k[f"{FIXED}_cpu_ms"])
    assert at_20k["ratio_free_node_layer"] == pytest.approx(
        at_20k["reference_cpu_ms"] / at_20k["agent_work_cpu_ms"])


def test_the_random_floor_counts_the_model_s_own_agents() -> None:
    model = RegionModel(rng=3, agent_views=False, steps=2, **split(2_000))
    model.run()
    floor = random_floor(model, 2_000, repeats=3)
    assert set(floor) == {"floor_uniforms_ns", "floor_deciders_ns", "floor_ns"}
    assert floor["floor_uniforms_ns"] > 0 and floor["floor_deciders_ns"] > 0
    assert floor["floor_ns"] == pytest.approx(floor["floor_uniforms_ns"]
                                              + floor["floor_deciders_ns"])
