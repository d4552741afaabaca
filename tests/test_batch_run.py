"""mesa.batch_run runs the model as it is, in two processes, and returns rows of region metrics."""

from __future__ import annotations

import mesa

from model.model import RegionModel


def test_batch_run_two_processes():
    rows = mesa.batch_run(
        RegionModel,
        parameters={"mechanisms__market__alpha": [0.0, 0.08], "scale__firm_agents": 1000,
                    "scale__talent_agents": 1500, "agent_views": False},
        number_processes=2, rng=[1, 2], max_steps=8, data_collection_period=-1,
        display_progress=False)
    assert len(rows) == 4
    for row in rows:
        assert row["Step"] == 8
        assert 0 < row["two_core_share"] < 1
        assert row["total_firms"] > 0 and row["total_talent"] > 0
    alphas = sorted(row["mechanisms__market__alpha"] for row in rows)
    assert alphas == [0.0, 0.0, 0.08, 0.08]
