"""The model: determinism, invariants over varied parameters, agent views, tables."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from agents import CityGovernment, Firm, ProvincialGovernment, Talent
from model.model import RegionModel
from model.state import SECTORS
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
from model.state import SECTORS
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
    {"init__distribution": "uniform", "talent__revision_rate": 4.0, "firms__revision_rate": 4.0},
    {"talent__fixed_cost": 0.0, "talent__border_cost": 0.0, "firms__profit_scale": 20.0},
    {"scale__firm_agents": 0, "scale__talent_agents": 500},
    {"growth__enabled": False},
    {"outside__enabled": False},
    {"growth__enabled": False, "outside__enabled": False},
]


SCENARIOS = ["baseline", "integrated", "transport_link"]


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    return frame.drop(columns=["quarter", "node"], errors="ignore").to_numpy(float)


@pytest.mark.parametrize(("scenario", "variant"),
                         [("baseline", v) for v in VARIANTS]
                         + [(name, {"steps": 30}) for name in SCENARIOS[1:]])
def test_invariants(scenario, variant):
    params = {**SMALL, **variant}
    model = RegionModel(SCENARIO_DIR / f"{scenario}.toml", rng=3, **params)
    n = model.region.n
    model.run()
    for arr in (model.firms.node, model.talent.node):
        assert arr.min(initial=0) >= 0 and arr.max(initial=n - 1) < n  # departed rows dropped
    nodes, region = model.node_table(), model.region_table()
    assert np.isfinite(_numeric(nodes)).all() and np.isfinite(_numeric(region)).all()
    last = nodes[nodes["step"] == nodes["step"].max()]
    assert last["firms"].sum() == len(model.firms) == region["total_firms"].iloc[-1]
    assert last["talent"].sum() == len(model.talent) == region["total_talent"].iloc[-1]
    for _, group in nodes.groupby("step"):
        shares = group["output"] / group["output"].sum()
        assert shares.sum() == pytest.approx(1.0)
    closed = not model.spec.outside.enabled
    fixed = closed and not model.spec.growth.enabled
    if fixed:  # a closed region without births or exits keeps every agent
        assert (region["total_firms"] == params["scale__firm_agents"]).all()
        assert (region["total_talent"] == params["scale__talent_agents"]).all()
    if closed:
        assert region[["firms_arrived", "firms_left", "talent_arrived",
                       "talent_left"]].to_numpy().sum() == 0
    if not model.spec.growth.enabled:
        assert region[["firms_born", "firms_closed", "graduates",
                       "retired"]].to_numpy().sum() == 0
    assert len(region) == params["steps"] + 1
    assert (region["theil_between"] + region["theil_within"]).to_numpy() == \
        pytest.approx(region["theil"].to_numpy())


def test_agent_views_read_the_arrays_and_follow_births_and_departures():
    model = RegionModel(rng=5, **SMALL)
    firms = model.agents_by_type[Firm]
    talent = model.agents_by_type[Talent]
    assert len(firms) == len(model.firms) and len(talent) == len(model.talent)
    assert len(model.agents_by_type[CityGovernment]) == model.region.n
    assert len(model.agents_by_type[ProvincialGovernment]) == 2
    model.run()
    firms = model.agents_by_type[Firm]
    assert len(firms) == len(model.firms) and len(model.agents_by_type[Talent]) == len(model.talent)
    assert {f.uid for f in firms} == set(model.firms.uid.tolist())
    firm = next(iter(firms))
    assert firm.node == model.firms.node[firm.row]
    assert firm.node_id == model.region.ids[firm.node]
    assert firm.sector in SECTORS and firm.productivity > 0
    gov = next(iter(model.agents_by_type[CityGovernment]))
    assert gov.subsidy == model.policy.subsidies.city[gov.index]
    assert gov.budget == model.policy.budgets.city[gov.index]


def test_subsidies_are_paid_from_budgets_and_coordination_spends_less():
    compete = RegionModel(rng=2, **SMALL).run()
    joint = RegionModel(rng=2, mechanisms__policy__coordination=True, **SMALL).run()
    pol = compete.spec.mechanisms.policy
    for model in (compete, joint):
        income = model.policy.revenue[0] + model.policy.transfers  # after the joint fund
        # bounded borrowing: no city below -debt_limit x its subsidy income of the step
        assert (model.policy.budgets.city >= -pol.debt_limit * income - 1e-9).all()
        assert (model.policy.budgets.province
                >= -pol.debt_limit * model.policy.revenue[1] - 1e-9).all()
        assert (model.policy.per_firm() <= pol.max_subsidy + 1e-12).all()
        total = model.policy.per_firm()[None, :] + model.policy.targeted
        assert (total <= pol.max_subsidy + 1e-12).all()
    assert compete.region_metrics["total_subsidy"] > 0
    assert joint.region_metrics["total_subsidy"] < compete.region_metrics["total_subsidy"]
    # the joint fund moves money between members and creates none
    assert abs(joint.policy.transfers.sum()) < 1e-9 * max(joint.policy.revenue[0].sum(), 1)
    assert np.abs(joint.policy.transfers).sum() > 0


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
                "mechanisms.policy.coordination", "growth.enabled", "outside.enabled",
                "outside.equilibrium_start"]
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
        assert np.isfinite(_numeric(nodes)).all(), over
        assert np.isfinite(_numeric(region)).all(), over


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
    from model.state import sector_node_count, sector_node_sum
    model = RegionModel(SCENARIO_DIR / "integrated.toml", rng=8, agent_views=False,
                        **{**SMALL, "steps": 20, "firms__revision_rate": 1.2})
    model.run()
    cols = model.region.n + 1
    for pop, weight in ((model.firm_pop, "productivity"), (model.talent_pop, "skill")):
        cells = pop.arrays.sector.astype(np.int64) * cols + pop.arrays.node
        np.testing.assert_array_equal(pop.counts, sector_node_count(cells, cols))
        np.testing.assert_allclose(pop.sums, sector_node_sum(cells, getattr(pop.arrays, weight),
                                                              cols), rtol=1e-9, atol=1e-9)
