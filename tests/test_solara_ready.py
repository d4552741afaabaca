"""Mesa's visualisation imports, and SolaraViz's Reset can rebuild a RegionModel."""

from __future__ import annotations

import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

from model.model import RegionModel
from scenarios.loader import SCENARIO_DIR, load_scenario

PARAMS = {"scale__firm_agents": 500, "scale__talent_agents": 500, "steps": 3}


def test_mesa_visualization_imports():
    import mesa.visualization

    assert hasattr(mesa.visualization, "SolaraViz")


def test_reset_rebuilds_the_model_the_way_solara_viz_does():
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = RegionModel(rng=4, **PARAMS)
    params = {**PARAMS, "rng": 4}
    # exactly what ModelController.do_reset does before calling type(model)(**kwargs)
    kwargs = _build_model_init_kwargs(model, params, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    assert isinstance(kwargs["scenario"], MesaScenario)
    again = type(model)(**kwargs)
    assert again.spec.seed == 4 and again.spec.scale.firm_agents == 500
    model.run()
    again.run()
    assert again.steps == 3 and not again.running
    pd.testing.assert_frame_equal(again.region_table(), model.region_table(), check_exact=True)
    # and a second Reset, from the rebuilt model
    third = type(again)(**_build_model_init_kwargs(again, params, add_scenario_when_empty=True,
                                                   require_model_accepts_scenario=True))
    third.step()
    assert third.steps == 1


def test_mesa_scenario_seed_and_parameters_are_honoured():
    model = RegionModel(scenario=MesaScenario(rng=9, mechanisms__market__alpha=0.0), **PARAMS)
    assert model.spec.seed == 9 and model.spec.mechanisms.market.alpha == 0.0
    assert model.spec.name == "baseline"
    assert isinstance(model.scenario, MesaScenario) and model.scenario.rng == 9
    assert model.scenario.mechanisms__market__alpha == 0.0
    model.run()
    plain = RegionModel(rng=9, mechanisms__market__alpha=0.0, **PARAMS).run()
    pd.testing.assert_frame_equal(model.node_table(), plain.node_table(), check_exact=True)
    # no seed in the Mesa scenario: the baseline's seed
    baseline_seed = load_scenario(SCENARIO_DIR / "baseline.toml").seed
    unseeded = RegionModel(scenario=MesaScenario(), **PARAMS)
    assert unseeded.spec.seed == baseline_seed and unseeded.scenario.rng == baseline_seed
    with pytest.raises(ValueError, match="must be the same"):
        RegionModel(scenario=MesaScenario(rng=1), rng=2, **PARAMS)


def test_positional_cyflow_scenarios_still_work():
    params = {**PARAMS, "steps": 6}  # the data market starts in 2024Q1 (step 5)
    by_path = RegionModel(str(SCENARIO_DIR / "data_market.toml"), rng=3, **params)
    assert by_path.spec.name == "data_market" and by_path.interventions
    by_spec = RegionModel(load_scenario(SCENARIO_DIR / "data_market.toml"), rng=3, **params)
    assert by_spec.spec == by_path.spec
    assert isinstance(by_spec.scenario, MesaScenario) and by_spec.scenario.rng == 3
