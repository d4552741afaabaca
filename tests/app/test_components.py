"""The page's components rendered without a browser (``solara.render``)."""

from __future__ import annotations

import ipyvue
import ipyvuetify as v
import pytest
import solara

from app.fields import key_parameters
from app.page import App
from app.session import AppSession
from tests.app.conftest import SMALL


@pytest.fixture
def rendered():
    """(session, render context) of the app around a small session."""
    sessions: list[AppSession] = []

    def make() -> AppSession:
        sessions.append(AppSession(fixed=dict(SMALL)))
        return sessions[-1]

    _, rc = solara.render(App(make_session=make), handle_error=False)
    yield sessions[0], rc
    rc.close()


def _button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def _text(rc) -> str:
    return " ".join(str(w.children) for w in rc.find(v.Html).widgets)


def _map(rc):
    """The map widget (the Vue component with ``svg``, ``step`` and ``lang`` traits)."""
    found = [w for lang in ("en", "zh") for w in rc.find(ipyvue.VueTemplate, lang=lang).widgets
             if hasattr(w, "svg")]
    assert len(found) == 1
    return found[0]


def _charts(rc) -> str:
    return next(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                if "cyflow-charts" in str(w.attributes.get("class")))


def _checkbox(rc, part: str):
    return next(w for w in rc.find(v.Checkbox).widgets if part in str(w.label))


def _error(rc) -> str:
    alerts = rc.find(v.Alert).widgets
    return " ".join(str(a.children) for a in alerts if a.type == "error")


def test_widgets_exist(rendered):
    _, rc = rendered
    for label in ("Step", "Play", "Pause", "Reset", "English", "中文", "Apply",
                  "Run replicates"):
        rc.find(v.Btn, children=[label]).assert_single()
    rc.find(v.Select, label="Scenario").assert_single()
    rc.find(v.TextField, label="Seed").assert_single()
    sliders = rc.find(v.Slider).widgets
    floats = [f for f in key_parameters() if f.kind == "float"]
    assert len(sliders) >= len(floats)
    assert _map(rc).svg.count("data-node=") == 34
    assert _charts(rc).count('class="panel"') >= 1
    assert "2022Q4" in _text(rc)


def test_step_advances_the_model(rendered):
    session, rc = rendered
    _button(rc, "Step").click()
    _button(rc, "Step").click()
    assert session.model.steps == 2
    assert "2023Q2" in _text(rc)
    assert _map(rc).step == 2
    _button(rc, "Reset").click()
    assert session.model.steps == 0 and "2022Q4" in _text(rc)


def test_switching_an_intervention_changes_the_models_scenario(rendered):
    session, rc = rendered
    rc.find(v.Select, label="Scenario").widget.v_model = "talent_community"
    assert session.settings.name == "talent_community"
    assert [i.type for i in session.model.spec.interventions] == ["talent_community"]
    box = _checkbox(rc, "(talent_community)")
    box.v_model = False
    assert session.model.spec.interventions == []
    box = _checkbox(rc, "(talent_community)")
    box.v_model = True
    assert len(session.model.spec.interventions) == 1


def test_bad_input_shows_a_message_and_the_session_goes_on(rendered):
    session, rc = rendered
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "twelve"
    seed.fire_event("focusout", {})  # what the browser sends when the field loses focus
    assert "seed: expected a whole number" in _error(rc)
    rc.find(v.TextField, label="Any parameter (key = value)").widget.v_model = "talent.kapa=2"
    _button(rc, "Apply").click()
    assert "did you mean 'kappa'" in _error(rc)
    _button(rc, "Step").click()
    assert session.model.steps == 1 and _error(rc) == ""


def test_language_switch_translates_the_labels(rendered):
    _, rc = rendered
    # the toggle's value is the index of the pressed button (as the browser sets it)
    rc.find(v.BtnToggle, class_="cyflow-language").widget.v_model = 1
    for label in ("单步", "播放", "暂停", "重置"):
        rc.find(v.Btn, children=[label]).assert_single()
    assert "成渝" in _text(rc)
    assert "成都" in _map(rc).svg


def test_a_slider_passes_on_only_a_changed_value():
    """The browser sends a slider's value back (rounded to the step, as a float): a value equal
    to the current one, up to float noise, is not a change and reaches no callback."""
    from app.controls import LabelledSlider

    seen: list[float] = []
    _, rc = solara.render(LabelledSlider("alpha", 0.096, 0, 0.5, 0.002, seen.append,
                                         integer=False), handle_error=False)
    slider = rc.find(v.Slider).widget
    slider.v_model = 0.09600000000000001  # float noise (0.048 * 2): the same value
    assert seen == []
    slider.v_model = 0.098
    assert seen == [0.098]
    rc.close()
