"""The app's session, drawing and comparison code, without Solara or a browser."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from app import charts
from app.compare import replicate_bands
from app.drawing import MapOptions, charts_svg, map_svg, node_table
from app.fields import intervention_fields, key_parameters
from app.measures import (
    change,
    default_metrics,
    metric_columns,
    node_measures,
    sectors,
    top_moves,
)
from app.session import AppError, AppSession
from tests.app.conftest import SMALL


def test_measures_follow_the_record_keys_whatever_the_sectors():
    names = ["software", "platforms", "electronics", "vehicles", "computing"]
    record = {f"output_{s}": np.full(3, k + 1.0) for k, s in enumerate(names)}
    record |= {f"firms_{s}": np.ones(3) for s in names} | {"rent": np.ones(3)}
    assert sectors(record) == names
    measures = node_measures(record)
    assert measures["output"].tolist() == [15.0] * 3  # summed from the sectors
    assert measures["firms"].tolist() == [5.0] * 3
    assert "talent" not in measures
    assert measures["share_computing"][0] == pytest.approx(5 / 15)
    assert change(np.array([2.0, 0.3]), np.array([1.0, 0.2]), share=False)[0] == 1.0
    assert change(np.array([0.3]), np.array([0.2]), share=True)[0] == pytest.approx(0.1)


def test_metrics_are_the_numeric_region_columns():
    table = pd.DataFrame({"step": [0, 1], "quarter": ["a", "b"], "pattern": ["x", "y"],
                          "new_metric": [1.0, 2.0], "count": [3, 4]})
    assert metric_columns(table) == ["new_metric", "count"]
    assert default_metrics(["new_metric", "count"]) == ["new_metric", "count"]


def test_top_moves_ignore_stayers():
    flows = np.array([[50, 3, 0], [7, 40, 1], [0, 2, 9]])
    assert top_moves(flows, 2) == [(1, 0, 7), (0, 1, 3)]
    assert top_moves(np.diag([5, 5]), 3) == []


def test_controls_come_from_the_schema(small_session):
    keys = [f.key for f in key_parameters()]
    assert "mechanisms.market.enabled" in keys and "talent.border_cost" in keys
    assert all(f.lo is not None and f.hi is not None for f in key_parameters()
               if f.kind == "float")
    small_session.choose("talent_community")
    fields = {f.key: f for f in intervention_fields(small_session.settings.items[0])}
    assert fields["border_reduction"].hi == 1 and fields["members"].kind == "nodes"


def test_step_reset_and_replay_on_change(small_session):
    session = small_session
    session.step(3)
    assert session.model.steps == 3 and len(session.flows) == 3
    before = session.model.region_table()
    session.set_parameter("talent.border_cost", 3.0)  # replayed to the same quarter
    assert session.model.steps == 3 and session.spec().talent.border_cost == 3.0
    assert not session.model.region_table().equals(before)
    session.reset()
    assert session.model.steps == 0 and session.flows == []


def test_switching_an_intervention_changes_the_scenario(small_session):
    session = small_session
    session.choose("talent_community")
    assert [i.type for i in session.spec().interventions] == ["talent_community"]
    session.set_enabled(0, False)
    assert session.spec().interventions == []
    session.set_enabled(0, True)
    session.set_intervention(0, "start", "2023Q2")
    session.set_intervention(0, "border_reduction", 0.9)
    item = session.spec().interventions[0]
    assert item.start == "2023Q2" and item.border_reduction == 0.9


@pytest.mark.parametrize(("action", "message"), [
    (lambda s: s.set_seed("abc"), r"seed: expected a whole number"),
    (lambda s: s.set_parameter("talent.border_cost", 999.0), r"talent.border_cost"),
    (lambda s: s.apply_text("talent.kapa = 2"), r"did you mean 'kappa'"),
    (lambda s: s.apply_text("no equals sign"), r"expected key = value"),
    (lambda s: s.set_intervention(0, "start", "2024Q9"), r"talent_community.start"),
    (lambda s: s.set_intervention(0, "border_reduction", 1.5), r"expected a value in \[0, 1\]"),
    (lambda s: s.set_intervention(0, "members", ["nowhere"]), r"unknown node 'nowhere'"),
])
def test_bad_input_is_one_clear_error_and_changes_nothing(small_session, action, message):
    session = small_session
    session.choose("talent_community")
    session.step(2)
    settings, model = session.settings, session.model
    with pytest.raises(Exception, match=message) as info:
        action(session)
    assert "Traceback" not in str(info.value)
    assert session.settings is settings and session.model is model
    assert session.step() and session.model.steps == 3


def test_upload_validates_like_the_command_line(small_session):
    session = small_session
    good = b'extends = "baseline.toml"\n[[interventions]]\ntype = "data_market"\nstart = 2\n'
    name = session.upload("mine.toml", good)
    assert name in session.scenario_names()
    assert [i.type for i in session.spec().interventions] == ["data_market"]
    assert session.spec().scale.firm_agents == SMALL["scale.firm_agents"]
    with pytest.raises(AppError, match=r"^bad\.toml: .*invalid TOML"):
        session.upload("bad.toml", b"steps = = 3")
    with pytest.raises(AppError, match=r"bad\.toml: interventions\[0\]\.type: unknown "
                       r"intervention type 'talent_comunity'; did you mean 'talent_community'"):
        session.upload("bad.toml", b'[[interventions]]\ntype = "talent_comunity"\n')
    with pytest.raises(AppError, match=r"expected a \.toml"):
        session.upload("x.txt", b"")
    assert session.settings.name == name  # the failed uploads left it alone


def test_compare_uses_common_random_numbers(small_session):
    session = small_session
    session.choose("talent_community")  # starts 2024Q1 = step 5
    session.set_compare(True)
    session.step(6)
    scenario = session.model.region_table()
    baseline = session.baseline.region_table()
    metrics = metric_columns(scenario)
    # identical before the intervention starts (same seed, same draws), different after
    pd.testing.assert_frame_equal(scenario[metrics].iloc[:5], baseline[metrics].iloc[:5])
    assert not scenario[metrics].iloc[5:].equals(baseline[metrics].iloc[5:])
    svg = map_svg(session, MapOptions(colour="baseline"), "en")
    assert "against the baseline" in svg


def test_replicate_bands_pair_the_seeds(small_session):
    session = small_session
    session.choose("talent_community")
    bands = replicate_bands(session.spec(), 3, steps=6, region=session.region_for(session.spec()))
    assert bands.reps == 3 and len(bands.steps) == 7
    metric = bands.metrics[0]
    for variant in ("scenario", "baseline"):
        assert np.all(bands.low[variant][metric] <= bands.high[variant][metric])
    # before the start (step 5) paired runs are identical: the bands coincide
    assert np.allclose(bands.low["scenario"][metric][:5], bands.low["baseline"][metric][:5])
    svg = charts_svg(session, [metric], "en", bands)
    assert svg.count('class="band"') == 2


def test_map_is_geographic_with_every_node(small_session):
    session = small_session
    session.step(2)
    svg = map_svg(session, MapOptions(selected=0), "zh")
    region = session.model.region
    assert svg.count("data-node=") == region.n
    centres = {m.group(1): (float(m.group(2)), float(m.group(3))) for m in re.finditer(
        r'data-node="([^"]+)"[^>]*><circle cx="([\d.]+)" cy="([\d.]+)"', svg)}
    assert len(centres) == region.n
    xs = np.array([centres[i][0] for i in region.ids])
    ys = np.array([centres[i][1] for i in region.ids])
    assert np.corrcoef(xs, region.lon)[0, 1] > 0.999  # x follows longitude
    assert np.corrcoef(ys, region.lat)[0, 1] < -0.999  # y follows latitude (north up)
    assert "成都" in svg and "高铁" in svg and "人才" in svg
    assert 'class="move"' in svg  # the largest moves as arrows
    rows = dict(node_table(session, 0, "en"))
    assert rows["Population (2020 census)"] == "20,937,757"


def test_charts_draw_each_chosen_metric(small_session):
    session = small_session
    session.step(4)
    table = session.model.region_table()
    chosen = metric_columns(table)[:5]
    svg = charts.render(table, chosen, "en", horizon=52,
                        quarter_label=session.model.quarter_label)
    assert svg.count('class="panel"') == 5
    assert "2022Q4" in svg and "2026Q4" in svg  # ticks at quarter labels


def test_server_wide_overrides_from_the_environment(monkeypatch):
    monkeypatch.setenv("CYFLOW_APP_SET", "scale.firm_agents=1000; scale.talent_agents=1500")
    session = AppSession()
    assert session.spec().scale.firm_agents == 1000
    session.choose("data_market")
    assert session.spec().scale.talent_agents == 1500
    monkeypatch.setenv("CYFLOW_APP_SET", "scale.firm_agents")
    with pytest.raises(AppError, match="CYFLOW_APP_SET: expected key = value"):
        AppSession()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_app_names_every_region_metric_as_the_figures_do(lang):
    from app.i18n import metric_label as app_label
    from figures.labels import metric_label as figure_label
    from model.metrics.collect import METRIC_NAMES

    for name in METRIC_NAMES:
        assert app_label(name, lang) == figure_label(name, lang), name
