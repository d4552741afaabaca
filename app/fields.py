"""Controls derived from the scenario schema: the key parameters and each intervention's fields,
with the ranges documented in the field metadata (``lo``/``hi``/``choices``)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, get_type_hints

from scenarios.schema import Scenario

TIMING = ("start", "end", "ramp", "label")


@dataclass(frozen=True)
class Field:
    """One editable value: its key, kind (float, int, bool, choice, node, nodes, text), range
    and one-line documentation."""

    key: str
    kind: str
    doc: str = ""
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()


def _kind(hint: Any, meta: dict[str, Any], node_field: bool) -> str | None:
    if hint is bool:
        return "bool"
    if hint in (int, float):
        return "int" if hint is int else "float"
    if node_field:
        return "node" if hint is str else "nodes"
    if hint is str:
        return "choice" if meta.get("choices") else "text"
    return None


def _field(key: str, hint: Any, meta: dict[str, Any], node_field: bool = False) -> Field | None:
    kind = _kind(hint, meta, node_field)
    if kind is None:
        return None
    return Field(key, kind, meta.get("doc", ""), meta.get("lo"), meta.get("hi"),
                 tuple(meta.get("choices") or ()))


def schema_fields(cls: type = Scenario, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    """Every scenario parameter: dotted key -> (type hint, dataclass field)."""
    out: dict[str, tuple[Any, Any]] = {}
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            out.update(schema_fields(hint, f"{prefix}{f.name}."))
        else:
            out[f"{prefix}{f.name}"] = (hint, f)
    return out


def key_parameters() -> list[Field]:
    """The page's parameter controls: the switches of the four forces (``mechanisms.*.enabled``
    and ``coordination``), then every parameter the schema declares uncertain (the ones that
    move results), each with its documented valid range."""
    fields = schema_fields()
    switches = [k for k, (hint, _) in fields.items()
                if k.startswith("mechanisms.") and hint is bool]
    uncertain = [k for k, (_, f) in fields.items() if f.metadata.get("uncertain")]
    out = []
    for key in (*switches, *uncertain):
        hint, f = fields[key]
        made = _field(key, hint, dict(f.metadata))
        if made is not None:
            out.append(made)
    return out


def lookup(spec: Scenario, key: str) -> Any:
    """The value of a dotted key in a scenario."""
    value: Any = spec
    for part in key.split("."):
        value = getattr(value, part)
    return value


def intervention_fields(item: Any) -> list[Field]:
    """An intervention's own fields (its strength and where it acts), timing excluded."""
    hints = get_type_hints(type(item))
    node_fields = set(getattr(item, "node_fields", ()))
    out = []
    for f in dataclasses.fields(item):
        if not f.init or f.name in TIMING:
            continue
        made = _field(f.name, hints[f.name], dict(f.metadata), f.name in node_fields)
        if made is not None:
            out.append(made)
    return out


MIN_STEP_EXPONENT = -6  # the browser's slider reads a step's decimals from its text: keep 0.000001


def _on_grid(x: float, step: float) -> bool:
    """Whether ``x`` is a whole multiple of ``step`` (up to rounding)."""
    k = x / step
    return abs(k - round(k)) < 1e-6


def slider_step(field: Field, value: float | None = None) -> float:
    """The slider's step: the coarsest 1, 2 or 5 x 10^k at most ~1/100 of the documented range
    on whose grid the range's lower end and ``value`` lie (and the upper end, when one does).

    The browser's slider snaps a value to ``k * step + lo % step`` and writes the snapped value
    back, so a value off that grid would be changed the moment the page loads (0.096 on a 0.01
    grid becomes 0.1): the current value, often a calibrated default, must lie on the grid."""
    if field.kind == "int":
        return 1
    if field.lo is None or field.hi is None:
        return 0.01
    span = field.hi - field.lo
    top = round(math.log10(span / 100)) if span > 0 else -2
    candidates = [float(f"{m}e{e}") for e in range(top, MIN_STEP_EXPONENT - 1, -1)
                  for m in ((1,) if e == top else (5, 2, 1))]
    points = [field.lo] + ([] if value is None else [float(value)])
    for ends in ([field.hi], []):
        for step in candidates:
            if all(_on_grid(x, step) for x in (*points, *ends)):
                return step
    return candidates[-1]
