"""Scenario files: defaults, validation errors naming file and key, round trip through TOML."""

from __future__ import annotations

import pytest

from model.errors import ScenarioError
from scenarios.loader import (
    SCENARIO_DIR,
    describe,
    from_dict,
    load_scenario,
    save_scenario,
    to_toml,
    with_overrides,
)
from scenarios.schema import Scenario


def test_baseline_loads_with_documented_values():
    s = load_scenario(SCENARIO_DIR / "baseline.toml")
    assert s.name == "baseline" and s.steps == 52
    assert s.mechanisms.market.alpha == 0.096
    assert s.mechanisms.innovation.half_life_hours == 0.5
    assert s.metrics.cores == ["chengdu", "chongqing_central"]
    assert s.interventions == []


def test_every_parameter_documented():
    rows = describe()
    assert len(rows) > 40
    for key, _default, doc, source in rows:
        assert doc, key
        assert source, key


def test_round_trip(tmp_path):
    s = load_scenario(SCENARIO_DIR / "baseline.toml")
    path = tmp_path / "resolved.toml"
    save_scenario(s, path)
    assert load_scenario(path) == s
    assert from_dict({}) == Scenario()


def _err(tmp_path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_unknown_key_suggests_nearest(tmp_path):
    msg = _err(tmp_path, "[mechanisms.market]\nalpah = 0.1\n")
    assert "mechanisms.market.alpah" in msg and "did you mean 'alpha'" in msg


def test_unknown_section(tmp_path):
    msg = _err(tmp_path, "[talnet]\nkappa = 1\n")
    assert "did you mean 'talent'" in msg


def test_wrong_type(tmp_path):
    assert "expected a number" in _err(tmp_path, '[talent]\nkappa = "high"\n')
    assert "expected an integer" in _err(tmp_path, "steps = 4.5\n")
    assert "expected true or false" in _err(tmp_path, "[mechanisms.policy]\nenabled = 1\n")
    assert "expected a table" in _err(tmp_path, "talent = 3\n")


def test_out_of_range(tmp_path):
    msg = _err(tmp_path, "[talent]\nrevision_rate = 150\n")
    assert "talent.revision_rate" in msg and "[0, 100]" in msg


def test_bad_choice(tmp_path):
    msg = _err(tmp_path, '[init]\ndistribution = "uniformly"\n')
    assert "did you mean 'uniform'" in msg


def test_broken_toml_gives_line(tmp_path):
    msg = _err(tmp_path, "steps = 4\n[talent\nkappa = 1\n")
    assert "invalid TOML" in msg and "line 2" in msg


def test_missing_file():
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario("no/such/file.toml")


def test_unknown_intervention_type(tmp_path):
    msg = _err(tmp_path, '[[interventions]]\ntype = "teleport"\n')
    assert "interventions[0].type" in msg and "teleport" in msg and "talent_community" in msg


def test_overrides_validated():
    s = with_overrides(Scenario(), {"mechanisms.market.alpha": 0.1, "steps": 3})
    assert s.mechanisms.market.alpha == 0.1 and s.steps == 3
    with pytest.raises(ScenarioError, match="did you mean 'alpha'"):
        with_overrides(Scenario(), {"mechanisms.market.alfa": 0.1})
    with pytest.raises(ScenarioError, match="expected a value in"):
        with_overrides(Scenario(), {"mechanisms.market.alpha": -1})


def test_toml_text_is_data_only():
    text = to_toml(Scenario())
    assert "[mechanisms.market]" in text and "alpha = 0.096" in text
