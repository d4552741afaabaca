"""The ``Intervention`` base class: timing, strength, validation hooks and serialisation.

Timing: ``start`` is the first quarter with an effect and ``end`` the last (inclusive), each a
step number (1 = the first simulated quarter, e.g. 2023Q1) or a quarter ``"YYYYQn"``; an empty
``end`` means to the horizon. ``ramp`` quarters of linear build-up give strength k/ramp in the
k-th active quarter (1 with no ramp). Interventions that build something (``persistent``) keep
their full effect after the ramp and take no ``end``. Interventions apply at the start of a
quarter, before governments and agents decide.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from scenarios.schema import param
from scenarios.validate import validate_instance

if TYPE_CHECKING:
    from model.modifiers import InterventionView, Modifiers

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_to_step(value: int | str, start_year: int, step_years: float = 0.25) -> int:
    """A step number from a step or a 'YYYYQn' label (ValueError if malformed): the first step
    that ends after the quarter begins."""
    if isinstance(value, int):
        return value
    match = QUARTER.match(value.strip())
    if not match:
        raise ValueError(f"expected a step number or a quarter like '2025Q3', got {value!r}")
    years = int(match.group(1)) - start_year + (int(match.group(2)) - 1) / 4
    return math.floor(years / step_years + 1e-9) + 1


@dataclass(frozen=True, kw_only=True)
class Intervention:
    """A timed change to the model's rules (one subclass per ``type``)."""

    type: ClassVar[str] = ""
    persistent: ClassVar[bool] = False
    node_fields: ClassVar[tuple[str, ...]] = ()

    start: int | str = param(1, doc="first quarter with an effect: a step (1 = first simulated "
                             "quarter) or 'YYYYQn'")
    end: int | str = param("", doc="last quarter with an effect (inclusive), a step or "
                           "'YYYYQn'; empty: to the horizon")
    ramp: int = param(0, 0, 400, doc="quarters of linear build-up to full strength")
    label: str = param("", doc="free text shown in reports")

    def __post_init__(self) -> None:
        validate_instance(self)

    def window(self, start_year: int, step_years: float = 0.25) -> tuple[int, int | None]:
        """(first step, last step or None) with an effect."""
        first = quarter_to_step(self.start, start_year, step_years)
        if self.end == "":
            return first, None
        if isinstance(self.end, int):
            return first, self.end
        return first, quarter_to_step(self.end, start_year, step_years) + \
            max(round(0.25 / step_years) - 1, 0)

    def strength(self, step: int, start_year: int, step_years: float = 0.25) -> float:
        """Strength in [0, 1] of the effect in ``step`` (``ramp`` counts quarters)."""
        first, last = self.window(start_year, step_years)
        if step < first or (last is not None and step > last):
            return 0.0
        if self.ramp <= 0:
            return 1.0
        return min(1.0, (step - first + 1) * step_years / (0.25 * self.ramp))

    def apply(self, view: InterventionView, mods: Modifiers, strength: float) -> None:
        """Change this step's modifiers (or ask for links) with the given strength, reading
        only ``view``."""
        raise NotImplementedError

    def construction_cost(self, view: InterventionView, cost: float) -> float:
        """Per-year cost (model units) of building something worth ``cost`` (100 million
        yuan), paid evenly over the construction period (``ramp`` quarters, at least one
        step) from the first active step; 0 outside that period."""
        first, _ = self.window(view.spec.start_year, view.step_years)
        steps = max(1, round(max(self.ramp, 1) * 0.25 / view.step_years))
        if not 0 <= view.step - first < steps:
            return 0.0
        return cost / view.yuan_per_unit / (steps * view.step_years)

    def to_dict(self) -> dict[str, Any]:
        """The TOML table of this intervention (loads back to an equal object)."""
        data = {"type": self.type, **dataclasses.asdict(self)}
        if self.persistent:
            del data["end"]
        return data
