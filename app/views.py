"""The main column: Step / Play / Pause / Reset, the map with its node table, the charts and the
comparison with the baseline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import solara

from app.compare import Bands, replicate_bands
from app.context import Ctx, error_message
from app.controls import LabelledSlider
from app.drawing import COLOUR_MODES, MapOptions, charts_svg, map_svg, measure_label, node_table
from app.i18n import metric_label, node_name, tr, word
from app.measures import default_metrics, metric_columns, node_measures, text_columns

PLAY_INTERVAL = 0.35  # seconds between quarters while playing


@solara.component_vue("map.vue")
def MapSvg(svg: str, step: int, lang: str, event_select: Callable[[str], None]) -> None:
    """The SVG map with a hover box per node; a click on a node calls ``select`` with its id."""


@solara.component
def Toolbar(ctx: Ctx, playing: solara.Reactive[bool]) -> None:
    """Step / Play / Pause / Reset, the quarter and the pattern class."""
    session, lang = ctx.session, ctx.lang
    model = session.model

    def step() -> None:
        if not session.step():
            raise_horizon(lang)

    def play_loop(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set():
            started = time.perf_counter()
            stepped = ctx.act(session.step)
            if not stepped or not session.model.running:
                playing.value = False
                break
            cancel.wait(max(0.0, PLAY_INTERVAL - (time.perf_counter() - started)))

    solara.use_thread(play_loop if playing.value else (lambda cancel: None),
                      dependencies=[playing.value], intrusive_cancel=False)

    def reset() -> None:
        playing.value = False
        ctx.act(session.reset)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(tr("step", lang), on_click=lambda: ctx.act(step), color="primary",
                      disabled=playing.value or not model.running)
        solara.Button(tr("play", lang), on_click=lambda: playing.set(True),
                      disabled=playing.value or not model.running, outlined=True)
        solara.Button(tr("pause", lang), on_click=lambda: playing.set(False),
                      disabled=not playing.value, outlined=True)
        solara.Button(tr("reset", lang), on_click=reset, outlined=True)
        table = model.region_table().iloc[-1]
        pattern = "".join(f" · {tr('pattern', lang)}: {word(str(table[c]), lang)}" for c in
                          text_columns(model.region_table()) if c == "pattern")
        solara.Text(f"{tr('quarter', lang)}: {model.quarter_label(model.steps)} "
                    f"({model.steps} {tr('of', lang)} {model.spec.steps}){pattern}",
                    classes=["cyflow-quarter"], style={"font-weight": "bold"})
        if session.step_seconds is not None:
            solara.Text(f"{tr('step_time', lang)}: {session.step_seconds * 1000:.0f} ms",
                        style={"color": "#777", "font-size": "0.85em"})


def raise_horizon(lang: str) -> None:
    """The horizon is reached: a message, not an error in the log."""
    from app.session import AppError

    raise AppError(tr("horizon", lang))


@solara.component
def MapPanel(ctx: Ctx) -> None:
    """Options, the map, and the table of the selected node."""
    session, lang = ctx.session, ctx.lang
    model = session.model
    record = model.history[-1]
    measures = list(node_measures(record))
    measure, set_measure = solara.use_state("output" if "output" in measures else measures[0])
    colour, set_colour = solara.use_state("start")
    quarters, set_quarters = solara.use_state(4)
    arrows, set_arrows = solara.use_state(6)
    selected, set_selected = solara.use_state(model.region.ids[0])
    index = model.region.index.get(selected)
    options = MapOptions(measure if measure in measures else measures[0], colour, quarters,
                         arrows, index)
    svg = solara.use_memo(lambda: map_svg(session, options, lang),
                          [ctx.version, options, lang])
    labels = {m: measure_label(m, record, lang) for m in measures}
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        with solara.Column(style={"min-width": "220px"}):
            solara.Select(label=tr("size_by", lang), values=[labels[m] for m in measures],
                          value=labels[options.measure],
                          on_value=lambda text: set_measure(
                              next(m for m in measures if labels[m] == text)))
        colour_names = {mode: tr(f"colour_{mode}", lang) for mode in COLOUR_MODES}
        solara.ToggleButtonsSingle(value=colour, on_value=set_colour, children=[
            solara.Button(colour_names[mode], value=mode, text=True, small=True)
            for mode in COLOUR_MODES])
        with solara.Column(style={"min-width": "200px"}, gap="0px"):
            LabelledSlider(tr("flow_window", lang), quarters, 1, 12, 1, set_quarters)
        with solara.Column(style={"min-width": "200px"}, gap="0px"):
            LabelledSlider(tr("flow_count", lang), arrows, 0, 15, 1, set_arrows)
    if colour == "baseline" and session.baseline is None:
        solara.Info(tr("baseline_needs_compare", lang), dense=True)
    with solara.Columns([3, 1], style={"align-items": "flex-start"}):
        MapSvg(svg=svg, step=model.steps, lang=lang, event_select=set_selected)
        with solara.Column():
            solara.Text(tr("node_hint", lang), style={"font-size": "0.8em", "color": "#666"})
            names = {node_name(model.region.cities, i, lang): nid
                     for i, nid in enumerate(model.region.ids)}
            shown = node_name(model.region.cities, index, lang) if index is not None else None
            solara.Select(label=tr("node", lang), values=list(names), value=shown,
                          on_value=lambda name: set_selected(names[name]))
            if index is not None:
                rows = node_table(session, index, lang)
                body = "".join(f"<tr><td>{_escape(k)}</td><td style='text-align:right'>"
                               f"{_escape(v)}</td></tr>" for k, v in rows)
                solara.HTML(tag="table", unsafe_innerHTML=body,
                            classes=["cyflow-node-table"],
                            attributes={"data-node": model.region.ids[index]})


def _escape(text: str) -> str:
    from html import escape

    return escape(str(text))


@solara.component
def ChartsPanel(ctx: Ctx, bands: Bands | None) -> None:
    """The chosen region metrics over the quarters (any numeric column of the region table)."""
    session, lang = ctx.session, ctx.lang
    columns = metric_columns(session.model.region_table())
    chosen, set_chosen = solara.use_state(default_metrics(columns))
    chosen = [c for c in chosen if c in columns] or default_metrics(columns)
    labels = {c: metric_label(c, lang) for c in columns}
    by_label = {v: k for k, v in labels.items()}
    solara.SelectMultiple(label=tr("metrics", lang), values=[labels[c] for c in chosen],
                          all_values=[labels[c] for c in columns],
                          on_value=lambda values: set_chosen([by_label[v] for v in values]))
    svg = solara.use_memo(lambda: charts_svg(session, chosen, lang, bands),
                          [ctx.version, tuple(chosen), lang, bands])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["cyflow-charts"],
                attributes={"data-step": str(session.model.steps), "data-lang": lang})


@solara.component
def ComparePanel(ctx: Ctx, bands: solara.Reactive[tuple[object, Bands] | None],
                 shown: Bands | None) -> None:
    """Baseline alongside (same seed), and replicate bands."""
    session, lang = ctx.session, ctx.lang
    reps, set_reps = solara.use_state(5)
    busy, set_busy = solara.use_state(False)

    def run_replicates() -> None:
        set_busy(True)
        try:
            with ctx.lock:
                settings, spec = session.settings, session.spec()
                region = session.region_for(spec)
            bands.set((settings, replicate_bands(spec, reps, region=region)))
            ctx.set_error(None)
        except Exception as exc:
            ctx.set_error(error_message(exc))
        finally:
            set_busy(False)

    solara.Checkbox(label=tr("compare", lang), value=session.settings.compare,
                    on_value=lambda on: ctx.act(lambda: session.set_compare(on)))
    solara.Text(tr("compare_note", lang), style={"font-size": "0.85em", "color": "#555"})
    with solara.Row(style={"align-items": "center"}):
        with solara.Column(style={"min-width": "240px"}, gap="0px"):
            LabelledSlider(tr("replicates", lang), reps, 2, 30, 1, set_reps)
        solara.Button(tr("running", lang) if busy else tr("run_replicates", lang),
                      on_click=lambda: threading.Thread(target=run_replicates,
                                                        daemon=True).start(),
                      disabled=busy, outlined=True)
    result = shown
    if result is not None:
        solara.Text(tr("bands", lang, n=result.reps, engine=result.engine),
                    style={"font-size": "0.85em"})
        columns = [c for c in default_metrics(result.metrics) if c in result.difference]
        body = "".join(
            f"<tr><td>{_escape(metric_label(c, lang))}</td>"
            + "".join(f"<td style='text-align:right'>{v:+.4g}</td>"
                      for v in result.difference[c]) + "</tr>" for c in columns)
        head = (f"<tr><th>{_escape(tr('difference', lang))}</th><th>10%</th><th>50%</th>"
                "<th>90%</th></tr>")
        solara.HTML(tag="table", unsafe_innerHTML=head + body, classes=["cyflow-node-table"])
