"""The left column: language, scenario (library or upload), interventions, key parameters,
any parameter by key, and the seed."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import solara

from app.context import Ctx
from app.fields import Field, intervention_fields, key_parameters, lookup, slider_step
from app.i18n import LANGUAGES, parameter_label, tr, word
from app.session import parse_value

WIDE_RANGE = 1000  # ranges wider than this get a number field instead of a slider


def same_value(new: Any, old: Any) -> bool:
    """Whether a slider's value is the current one (up to the float noise of the browser)."""
    try:
        return math.isclose(float(new), float(old), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


@solara.component
def LabelledSlider(label: str, value: float, lo: float, hi: float, step: float,
                   on_value: Callable[[Any], None], integer: bool = True) -> None:
    """A slider with its label and value on a line above it (the range is the documented one).
    A value equal to the current one is not passed on (nothing changes until the user moves
    the slider)."""
    def changed(new: Any) -> None:
        if not same_value(new, value):
            on_value(new)

    shown = f"{int(value)}" if integer else f"{value:g}"
    solara.Text(f"{label}: {shown}", style={"font-size": "0.85em", "color": "#444"},
                classes=["cyflow-slider-label"])
    if integer:
        solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=int(step) or 1,
                         on_value=changed)
    else:
        solara.SliderFloat("", value=float(value), min=float(lo), max=float(hi), step=step,
                           on_value=changed)


@solara.component
def LanguageSwitch(ctx: Ctx) -> None:
    """English / 中文."""
    buttons = [solara.Button(label, value=code, text=True) for code, label in LANGUAGES.items()]
    solara.ToggleButtonsSingle(value=ctx.lang, on_value=ctx.set_lang, children=buttons,
                               classes=["cyflow-language"])


@solara.component
def ScenarioPicker(ctx: Ctx) -> None:
    """The library (and uploaded files) and the upload area."""
    session = ctx.session
    solara.Select(label=tr("scenario", ctx.lang), values=session.scenario_names(),
                  value=session.settings.name,
                  on_value=lambda name: ctx.act(lambda: session.choose(name)))
    description = session.settings.base.description
    if description:
        solara.Text(description, style={"font-size": "0.85em", "color": "#555"})

    def on_file(info: dict[str, Any]) -> None:
        data = info.get("data")
        if data is None:
            data = info["file_obj"].read()
        ctx.act(lambda: session.upload(info.get("name", "upload.toml"), data))

    solara.FileDrop(label=tr("upload_drop", ctx.lang), on_file=on_file, lazy=False)


def _value_control(ctx: Ctx, field: Field, label: str, value: Any,
                   set_value: Any, nodes: list[tuple[str, str]]) -> None:
    """One control for a schema field (slider in its documented range, switch, select)."""
    def apply(new: Any) -> None:
        ctx.act(lambda: set_value(new))

    if field.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), on_value=apply)
    elif field.kind in ("float", "int") and field.lo is not None and field.hi is not None \
            and field.hi - field.lo <= WIDE_RANGE:
        with solara.Column(gap="0px"):
            LabelledSlider(label, value, field.lo, field.hi, slider_step(field, value), apply,
                           integer=field.kind == "int")
    elif field.kind == "choice":
        solara.Select(label=label, values=list(field.choices), value=value, on_value=apply)
    elif field.kind == "node":
        ids = [i for i, _ in nodes]
        solara.Select(label=label, values=ids, value=value if value in ids else None,
                      on_value=apply)
    elif field.kind == "nodes":
        ids = [i for i, _ in nodes]
        solara.SelectMultiple(label=label, values=ids, all_values=ids,
                              on_value=lambda chosen: apply(list(chosen)))
    else:  # numbers with a wide range, free text
        rng = "" if field.lo is None else f" [{field.lo:g}, {field.hi:g}]"
        solara.InputText(label=f"{label}{rng}", value=str(value), continuous_update=False,
                         on_value=lambda text: apply(parse_value(text)
                                                     if field.kind != "text" else text))


@solara.component
def Interventions(ctx: Ctx) -> None:
    """Each intervention of the scenario: on/off, timing and its own strength fields."""
    session, lang = ctx.session, ctx.lang
    rows = session.intervention_rows()
    solara.Text(tr("interventions", lang), style={"font-weight": "bold"})
    if not rows:
        solara.Text(tr("no_interventions", lang), style={"font-size": "0.85em"})
    nodes = [(i, i) for i in session.model.region.ids]
    for k, item, on in rows:
        title = item.label or word(item.type, lang)
        with solara.Card(style={"padding": "4px 8px", "margin": "4px 0"}):
            solara.Checkbox(label=f"{title} ({item.type})", value=on,
                            on_value=lambda value, k=k: ctx.act(
                                lambda: session.set_enabled(k, value)))
            with solara.Details(summary=tr("details", lang)):
                solara.InputText(tr("start", lang), value=str(item.start),
                                 continuous_update=False,
                                 on_value=lambda v, k=k: ctx.act(
                                     lambda: session.set_intervention(k, "start", v)))
                if not item.persistent:
                    solara.InputText(tr("end", lang), value=str(item.end),
                                     continuous_update=False,
                                     on_value=lambda v, k=k: ctx.act(
                                         lambda: session.set_intervention(k, "end", v)))
                LabelledSlider(tr("ramp", lang), item.ramp, 0,
                               max(int(session.settings.base.steps), int(item.ramp)), 1,
                               lambda v, k=k: ctx.act(
                                   lambda: session.set_intervention(k, "ramp", int(v))))
                for field in intervention_fields(item):
                    _value_control(ctx, field, field.key.replace("_", " "),
                                   getattr(item, field.key),
                                   lambda v, k=k, name=field.key: session.set_intervention(
                                       k, name, v), nodes)


@solara.component
def Parameters(ctx: Ctx) -> None:
    """The four forces and the uncertain parameters, in their documented ranges; any other
    parameter as ``key = value``."""
    session, lang = ctx.session, ctx.lang
    spec = session.spec()
    text, set_text = solara.use_state("")
    solara.Text(tr("parameters", lang), style={"font-weight": "bold"})
    for field in key_parameters():
        _value_control(ctx, field, parameter_label(field.key, lang), lookup(spec, field.key),
                       lambda v, key=field.key: session.set_parameter(key, v), [])
    solara.InputText(tr("override", lang), value=text, on_value=set_text,
                     continuous_update=True)
    solara.Button(tr("apply", lang), on_click=lambda: ctx.act(lambda: session.apply_text(text)),
                  outlined=True, small=True)


@solara.component
def Seed(ctx: Ctx) -> None:
    """The seed of the run (text, checked)."""
    session = ctx.session
    solara.InputText(tr("seed", ctx.lang), value=str(session.settings.seed),
                     continuous_update=False,
                     on_value=lambda v: ctx.act(lambda: session.set_seed(v)))


@solara.component
def Controls(ctx: Ctx) -> None:
    """The whole left column."""
    with solara.Column(gap="6px", classes=["cyflow-controls"]):
        LanguageSwitch(ctx)
        ScenarioPicker(ctx)
        Seed(ctx)
        Interventions(ctx)
        Parameters(ctx)
