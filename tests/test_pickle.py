"""A RegionModel pickles at any step and an unpickled model continues bit-identically,
in this process and in a fresh one."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from agents import CityGovernment, Firm, Talent
from model.model import RegionModel
from scenarios.loader import SCENARIO_DIR

ROOT = Path(__file__).resolve().parent.parent
TINY = {"scale__firm_agents": 600, "scale__talent_agents": 800}
# transport_link opens the Chengdu-Chongqing central line in 2028Q1 (step 21): with 24 steps,
# k = 20 pickles before the network changes and k = 22 after it.
CASES = {
    "baseline": (None, 8, (0, 3, 8)),
    "integrated": (SCENARIO_DIR / "integrated.toml", 10, (0, 4, 10)),
    "transport_link": (SCENARIO_DIR / "transport_link.toml", 24, (20, 22)),
}


def _model(name: str, *, views: bool = False) -> RegionModel:
    path, steps, _ = CASES[name]
    model = RegionModel(path, rng=5, steps=steps, **TINY)
    if views:
        _ = model.agents  # materialise the Firm and Talent views
    return model


def _assert_same(a: RegionModel, b: RegionModel) -> None:
    pd.testing.assert_frame_equal(a.node_table(), b.node_table(), check_exact=True)
    pd.testing.assert_frame_equal(a.region_table(), b.region_table(), check_exact=True)
    assert (a.firms.node == b.firms.node).all() and (a.talent.node == b.talent.node).all()


@pytest.fixture(scope="module")
def uninterrupted() -> dict[str, RegionModel]:
    return {name: _model(name).run() for name in CASES}


@pytest.mark.parametrize("views", [False, True], ids=["lazy-views", "views"])
@pytest.mark.parametrize(("name", "k"), [(name, k) for name, case in CASES.items()
                                         for k in case[2]])
def test_unpickled_model_continues_identically(name, k, views, uninterrupted):
    a = _model(name, views=views)
    a.run(k)
    b = pickle.loads(pickle.dumps(a))
    assert b is not a and b.steps == a.steps == k and b.time == a.time
    assert b.running == a.running
    a.run()
    b.run()
    assert b.steps == CASES[name][1]
    _assert_same(a, b)
    _assert_same(b, uninterrupted[name])
    if name == "transport_link":
        assert b.region.network_version > 0  # the line did open in the continued run


def test_opened_links_and_modifiers_survive_pickling():
    a = _model("transport_link")
    a.run(22)
    assert a._opened_links
    b = pickle.loads(pickle.dumps(a))
    assert b._opened_links == a._opened_links
    assert b.region.network_version == a.region.network_version
    assert (b.region.travel_hours == a.region.travel_hours).all()
    assert b.modifiers.same_as(a.modifiers)


def test_agent_views_after_unpickling():
    a = _model("baseline", views=True)
    a.run(2)
    b = pickle.loads(pickle.dumps(a))
    firms = list(b.agents_by_type[Firm])
    assert len(firms) == len(b.firms) and len(b.agents_by_type[Talent]) == len(b.talent)
    assert len(b.agents_by_type[CityGovernment]) == b.region.n
    assert all(f.model is b for f in firms[:10])
    b.step()
    alive = [f for f in firms if f.uid in set(b.firms.uid.tolist())]
    assert alive and alive[0].node == int(b.firms.node[alive[0].row])
    assert [f.unique_id for f in firms] == [f.unique_id for f in a.agents_by_type[Firm]]
    # views still pending at pickling time are created on first use after unpickling
    c = pickle.loads(pickle.dumps(_model("baseline")))
    assert len(c.agents_by_type[Firm]) == len(c.firms)


CONTINUE = """
import io, pickle, sys
model = pickle.loads(sys.stdin.buffer.read())
model.run()
buffer = io.BytesIO()
model.region_table().to_parquet(buffer, index=False)
sys.stdout.buffer.write(buffer.getvalue())
"""


def test_continues_identically_in_another_process(tmp_path, uninterrupted):
    a = _model("integrated", views=True)
    a.run(4)
    blob = pickle.dumps(a)
    a.run()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "PYTHONHASHSEED": "321"}
    out = subprocess.run([sys.executable, "-c", CONTINUE], input=blob, cwd=tmp_path,
                         capture_output=True, env=env, timeout=120, check=False)
    assert out.returncode == 0, out.stderr.decode()
    there = pd.read_parquet(io.BytesIO(out.stdout))
    here = a.region_table()
    assert len(there) == len(here) == 11
    pd.testing.assert_frame_equal(there, here, check_exact=True)
    pd.testing.assert_frame_equal(there, uninterrupted["integrated"].region_table(),
                                  check_exact=True)
