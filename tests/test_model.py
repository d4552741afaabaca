"""The model: determinism, invariants over varied parameters, agent views, tables."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from agents import CityGovernment, Firm, ProvincialGovernment, Talent
from model.model import NODE_COLUMNS, RegionModel
from scenarios.loader import SCENARIO_DIR
from tests.conftest import SMALL


def _digest(model: RegionModel) -> str:
    nodes = model.node_table()
    region = model.region_table()
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(nodes, index=False).values.tobytes())
    h.update(pd.util.hash_pandas_object(region.astype(str), index=False).values.tobytes())
    h.update(model.firms.node.tobytes() + model.talent.node.tobytes())
    return h.hexdigest()


def test_same_seed_identical_different_seed_differs():
    a = RegionModel(rng=11, **SMALL).run()
    b = RegionModel(rng=11, **SMALL).run()
    c = RegionModel(rng=12, **SMALL).run()
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    pd.testing.assert_frame_equal(a.node_table(), b.node_table())


DIGEST_SCRIPT = """
import hashlib, sys
sys.path.insert(0, ".")
from tests.test_model import _digest
from scenarios.loader import SCENARIO_DIR
from tests.conftest import SMALL
from model.model import RegionModel
print(_digest(RegionModel(rng=11, **SMALL).run()))
"""


def test_identical_in_another_process():
    here = _digest(RegionModel(rng=11, **SMALL).run())
    out = subprocess.run([sys.executable, "-c", DIGEST_SCRIPT], capture_output=True, text=True,
                         check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.strip() == here


VARIANTS = [
    {},
    {"mechanisms__market__enabled": False},
    {"mechanisms__innovation__enabled": False, "mechanisms__foundation__enabled": False},
    {"mechanisms__policy__coordination": True},
    {"mechanisms__policy__enabled": False, "mechanisms__market__alpha": 0.12},
    {"init__distribution": "uniform", "talent__revision_rate": 1.0, "firms__revision_rate": 1.0},
    {"talent__fixed_cost": 0.0, "talent__border_cost": 0.0, "firms__profit_scale": 20.0},
    {"scale__firm_agents": 0, "scale__talent_agents": 500},
]


SCENARIOS = ["baseline", "integrated", "transport_link"]


@pytest.mark.parametrize(("scenario", "variant"),
                         [("baseline", v) for v in VARIANTS]
                         + [(name, {"steps": 30}) for name in SCENARIOS[1:]])
def test_invariants(scenario, variant):
    params = {**SMALL, **variant}
    model = RegionModel(SCENARIO_DIR / f"{scenario}.toml", rng=3, **params)
    n_firms, n_talent = len(model.firms), len(model.talent)
    firm_prod = np.sort(model.firms.productivity.copy())
    model.run()
    assert len(model.firms) == n_firms == params["scale__firm_agents"]
    assert len(model.talent) == n_talent == params["scale__talent_agents"]
    np.testing.assert_array_equal(np.sort(model.firms.productivity), firm_prod)
    for arr in (model.firms.node, model.talent.node):
        assert arr.min(initial=0) >= 0 and arr.max(initial=0) < model.region.n
    nodes, region = model.node_table(), model.region_table()
    numeric = nodes[list(NODE_COLUMNS)].to_numpy(float)
    assert np.isfinite(numeric).all()
    per_step = nodes.groupby("step")[["firms_soft", "firms_hard"]].sum().sum(axis=1)
    assert (per_step == n_firms).all()
    per_step = nodes.groupby("step")[["talent_soft", "talent_hard"]].sum().sum(axis=1)
    assert (per_step == n_talent).all()
    for _, group in nodes.groupby("step"):
        shares = group["output"] / group["output"].sum()
        assert shares.sum() == pytest.approx(1.0)
        assert (group["firm_inflow"].sum() == group["firm_outflow"].sum())
    metrics = region.drop(columns=["quarter", "pattern"]).to_numpy(float)
    assert np.isfinite(metrics).all()
    assert len(region) == params["steps"] + 1
    assert (region["theil_between"] + region["theil_within"]).to_numpy() == \
        pytest.approx(region["theil"].to_numpy())


def test_agent_views_read_the_arrays():
    model = RegionModel(rng=5, **SMALL)
    firms = model.agents_by_type[Firm]
    talent = model.agents_by_type[Talent]
    assert len(firms) == len(model.firms) and len(talent) == len(model.talent)
    assert len(model.agents_by_type[CityGovernment]) == model.region.n
    assert len(model.agents_by_type[ProvincialGovernment]) == 2
    firm = next(iter(firms))
    model.run()
    assert firm.node == model.firms.node[firm.index]
    assert firm.node_id == model.region.ids[firm.node]
    assert firm.sector in ("soft", "hard") and firm.productivity > 0
    gov = next(iter(model.agents_by_type[CityGovernment]))
    assert gov.subsidy == model.subsidies.city[gov.index] and gov.budget >= 0


def test_subsidies_respect_budgets_and_coordination_spends_less():
    compete = RegionModel(rng=2, **SMALL).run()
    joint = RegionModel(rng=2, mechanisms__policy__coordination=True, **SMALL).run()
    before = compete.history[-2]  # firm counts when the last subsidies were set
    firms = before["firms_soft"] + before["firms_hard"]
    assert (compete.subsidies.city * firms <= compete.city_budget + 1e-9).all()
    by_province = np.bincount(compete.region.province, weights=firms)
    assert (compete.subsidies.province * by_province <= compete.province_budget + 1e-9).all()
    assert compete.region_metrics["total_subsidy"] > 0
    assert joint.region_metrics["total_subsidy"] < compete.region_metrics["total_subsidy"]


def test_quarter_labels():
    model = RegionModel(rng=1, **SMALL)
    assert model.quarter_label(0) == "2022Q4"
    assert model.quarter_label(1) == "2023Q1"
    assert model.quarter_label(52) == "2035Q4"


def test_no_behavioural_rule_names_a_core():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    files = list((root / "agents").glob("*.py"))
    files += list((root / "model" / "mechanisms").glob("*.py"))
    files += [root / "model" / "model.py", root / "model" / "initial.py"]
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        for node_id in ("chengdu", "chongqing_central"):
            for quote in ("'", '"'):
                assert f"{quote}{node_id}{quote}" not in text, (path, node_id)


def _numeric_parameters() -> dict[str, tuple[type, float, float]]:
    """Every numeric scenario parameter with its declared range (upper ends capped at 50)."""
    import dataclasses
    from typing import get_type_hints

    from scenarios.schema import Scenario
    out = {}

    def walk(cls, prefix=""):
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            kind = hints[f.name]
            if dataclasses.is_dataclass(kind):
                walk(kind, f"{prefix}{f.name}.")
            elif kind in (int, float) and f.metadata.get("lo") is not None:
                out[prefix + f.name] = (kind, f.metadata["lo"], min(f.metadata["hi"], 50))
    walk(Scenario)
    for key in ("seed", "steps", "start_year", "scale.firm_agents", "scale.talent_agents",
                "scale.real_firms", "scale.real_workers"):
        out.pop(key)
    return out


@pytest.mark.filterwarnings("error")
def test_random_parameters_at_their_bounds_stay_finite():
    """40 random scenarios drawing each parameter at its lower bound, upper bound or between,
    with mechanisms randomly switched: no warning (division by zero, overflow), no NaN/inf."""
    import random
    rnd = random.Random(2026)
    params = _numeric_parameters()
    switches = ["mechanisms.policy.enabled", "mechanisms.market.enabled",
                "mechanisms.foundation.enabled", "mechanisms.innovation.enabled",
                "mechanisms.policy.coordination"]
    for k in range(40):
        over = {}
        for key, (kind, lo, hi) in params.items():
            if rnd.random() < 0.5:
                value = rnd.choice([lo, hi, lo + (hi - lo) * rnd.random()])
                over[key.replace(".", "__")] = kind(value)
        for key in switches:
            if rnd.random() < 0.3:
                over[key.replace(".", "__")] = rnd.random() < 0.5
        model = RegionModel(rng=k, agent_views=False, steps=5,
                            scale__firm_agents=rnd.choice([0, 60, 600]),
                            scale__talent_agents=rnd.choice([0, 60, 900]),
                            init__distribution=rnd.choice(["data", "uniform"]), **over).run()
        nodes, region = model.node_table(), model.region_table()
        assert np.isfinite(nodes[list(NODE_COLUMNS)].to_numpy(float)).all(), over
        assert np.isfinite(region.drop(columns=["quarter", "pattern"]).to_numpy(float)).all(), over


def test_units_fixed_at_the_start_after_set_locations():
    model = RegionModel(rng=1, agent_views=False, **SMALL)
    rng = np.random.default_rng(0)
    model.set_locations(rng.integers(0, model.region.n, len(model.firms)),
                        rng.integers(0, model.region.n, len(model.talent)))
    f = model.fields
    assert f.output.sum() / f.capital.sum() == pytest.approx(1.0)
    assert (f.wage * f.labour).sum() / f.labour.sum() == pytest.approx(1.0)


def test_coordination_stops_provincial_top_ups_at_once():
    from model.mechanisms.policy import SubsidyState, update_subsidies
    from scenarios.schema import PolicyParams
    state = SubsidyState(np.zeros(3), np.array([0.3, 0.2]))
    new = update_subsidies(state, params=PolicyParams(), value=np.ones(3),
                           base_utility=np.zeros(3), scale=4.0, firms=np.ones(3),
                           province_of_node=np.array([0, 0, 1]), city_budget=np.ones(3),
                           province_budget=np.ones(2), coordination=True)
    assert (new.province == 0).all()


def test_counts_and_sums_kept_move_by_move_equal_a_recount():
    from model.state import sector_node_count
    model = RegionModel(SCENARIO_DIR / "integrated.toml", rng=8, agent_views=False,
                        **{**SMALL, "steps": 20, "firms__revision_rate": 0.3})
    model.run()
    n = model.region.n
    cells_f = model.firms.sector.astype(np.int64) * n + model.firms.node
    cells_t = model.talent.sector.astype(np.int64) * n + model.talent.node
    np.testing.assert_array_equal(model.firm_counts, sector_node_count(cells_f, n))
    np.testing.assert_array_equal(model.talent_counts, sector_node_count(cells_t, n))
    from model.state import sector_node_sum
    np.testing.assert_allclose(model._productivity_sum,
                               sector_node_sum(cells_f, model.firms.productivity, n), rtol=1e-12)
    np.testing.assert_allclose(model._skill_sum,
                               sector_node_sum(cells_t, model.talent.skill, n), rtol=1e-12)
