"""The sliders' grids: every value a scenario of the library sets lies on its slider's grid, so
the browser's slider does not round it (and write the rounded value back) when the page loads."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from app.controls import WIDE_RANGE
from app.fields import Field, intervention_fields, key_parameters, lookup, slider_step
from app.session import library
from scenarios.loader import load_scenario


def browser_round(value: float, lo: float, hi: float, step: float) -> float:
    """What the browser's slider (Vuetify 2 ``VSlider.roundValue``) makes of ``value``:
    ``k * step + lo % step``, at most ``hi``, to the step's number of decimals."""
    decimals = max(0, -Decimal(repr(step)).as_tuple().exponent)
    offset = math.fmod(lo, step)
    snapped = math.floor((value - offset) / step + 0.5) * step + offset
    return round(min(snapped, hi), decimals)


def _slider_values() -> list[tuple[str, Field, float]]:
    """(where, field, value) of every float slider of every library scenario."""
    out = []
    for name, path in library().items():
        spec = load_scenario(path)
        for field in key_parameters():
            out.append((f"{name}: {field.key}", field, lookup(spec, field.key)))
        for item in spec.interventions:
            for field in intervention_fields(item):
                out.append((f"{name}: {item.type}.{field.key}", field,
                            getattr(item, field.key)))
    return [(where, f, v) for where, f, v in out
            if f.kind == "float" and f.lo is not None and f.hi is not None
            and f.hi - f.lo <= WIDE_RANGE]


def test_browser_round_reproduces_the_reported_changes():
    """The rounding the review saw on the old ~range/100 grids (0.096 -> 0.1, 1.25 -> 1.3)."""
    assert browser_round(0.096, 0, 0.5, 0.01) == 0.1
    assert browser_round(1.25, 0.2, 5, 0.1) == 1.3
    assert browser_round(0.12, 0, 5, 0.1) == 0.1


@pytest.mark.parametrize("where, field, value", _slider_values(),
                         ids=[w for w, _, _ in _slider_values()])
def test_scenario_values_lie_on_their_slider_grid(where, field, value):
    step = slider_step(field, value)
    assert browser_round(value, field.lo, field.hi, step) == value, (where, step)
    assert step <= (field.hi - field.lo) / 40  # still a slider with fine positions


@pytest.mark.parametrize("key, value, step", [
    ("mechanisms.market.alpha", 0.096, 0.002),
    ("mechanisms.innovation.half_life_hours", 0.5, 0.05),
    ("growth.birth_rate", 0.12, 0.02),
    ("outside.wage_premium", 1.25, 0.05),
    ("mechanisms.policy.tax_rate", 0.06, 0.01),  # already on the ~range/100 grid: unchanged
])
def test_the_step_is_the_coarsest_that_holds_the_value(key, value, step):
    field = next(f for f in key_parameters() if f.key == key)
    assert slider_step(field, value) == step


def test_any_typed_value_keeps_its_place_on_the_slider():
    """A value typed as key = value (many decimals) is not rounded by its slider either."""
    field = next(f for f in key_parameters() if f.key == "mechanisms.market.alpha")
    for value in (0.0973, 0.12345, 0.5, 0.0):
        step = slider_step(field, value)
        assert browser_round(value, field.lo, field.hi, step) == value
