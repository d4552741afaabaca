"""From a session to the map and chart SVG (no Solara here, so it is testable and timeable)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app import charts, mapsvg
from app.compare import Bands
from app.i18n import node_name, record_label, tr
from app.measures import (
    change,
    format_value,
    is_share,
    metric_columns,
    node_measures,
    sectors,
    tooltip_keys,
    top_moves,
)
from app.session import AppSession

COLOUR_MODES = ("province", "start", "baseline")


@dataclass(frozen=True)
class MapOptions:
    """What the map shows: size measure, colour mode, flow window and arrows, selected node."""

    measure: str = "output"
    colour: str = "start"
    flow_quarters: int = 4
    arrows: int = 6
    selected: int | None = None


def measure_label(measure: str, record, lang: str) -> str:
    """Label of a size measure (``output``, ``share_<sector>``, ``firms_<sector>`` ...)."""
    return record_label(measure, sectors(record), lang)


def node_tips(session: AppSession, lang: str, measures: dict[str, np.ndarray]) -> list[str]:
    """Hover text of every node: name, province, population and the compact table."""
    model = session.model
    record = model.history[-1]
    names = sectors(record)
    cities = model.region.cities
    keys = [k for k in ("firms", "talent") if k in measures] + tooltip_keys(record)
    tips = []
    for i in range(model.region.n):
        lines = [f"{node_name(cities, i, lang)} · {tr(str(cities['province'].iat[i]), lang)}",
                 f"{tr('population', lang)}: {int(float(cities['population_2020'].iat[i])):,}"]
        for key in keys:
            value = measures[key][i] if key in measures else float(record[key][i])
            lines.append(f"{record_label(key, names, lang)}: {format_value(float(value))}")
        tips.append("\n".join(lines))
    return tips


def map_svg(session: AppSession, options: MapOptions, lang: str) -> str:
    """The map of the session's current quarter."""
    model = session.model
    now = node_measures(model.history[-1])
    measure = options.measure if options.measure in now else next(iter(now))
    share = is_share(measure)
    colour, colour_label = None, ""
    if options.colour == "start":
        colour = change(now[measure], node_measures(model.history[0])[measure], share)
        colour_label = tr("colour_start", lang)
    elif options.colour == "baseline" and session.baseline is not None:
        base = node_measures(session.baseline.history[-1])
        if measure in base:
            colour = change(now[measure], base[measure], share)
            colour_label = tr("colour_baseline", lang)
    talent, firms = session.recent_flows(options.flow_quarters)
    data = mapsvg.MapData(
        size=now[measure], size_label=measure_label(measure, model.history[-1], lang),
        colour=colour, colour_label=colour_label, colour_is_share=share,
        talent_moves=top_moves(talent, options.arrows), firm_moves=top_moves(firms, options.arrows),
        flow_quarters=min(options.flow_quarters, len(session.flows)) or options.flow_quarters,
        tips=node_tips(session, lang, now), selected=options.selected)
    return mapsvg.render(model.region, data, lang)


def node_table(session: AppSession, i: int, lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of node ``i``: population, then every recorded quantity (totals and
    sector shares first), at the current quarter."""
    model = session.model
    record = model.history[-1]
    names = sectors(record)
    cities = model.region.cities
    rows = [(tr("node", lang), f"{node_name(model.region.cities, i, lang)} "
             f"({model.region.ids[i]})"),
            (tr("province", lang), tr(str(cities["province"].iat[i]), lang)),
            (tr("population", lang), f"{int(float(cities['population_2020'].iat[i])):,}")]
    measures = node_measures(record)
    for key, values in measures.items():
        if key not in record:
            rows.append((record_label(key, names, lang), format_value(float(values[i]))))
    for key, values in record.items():
        rows.append((record_label(key, names, lang), format_value(float(values[i]))))
    return rows


def charts_svg(session: AppSession, metrics: list[str], lang: str,
               bands: Bands | None = None) -> str:
    """Charts of the chosen region metrics (those the model records)."""
    model = session.model
    table = model.region_table()
    chosen = [m for m in metrics if m in metric_columns(table)]
    baseline = session.baseline.region_table() if session.baseline is not None else None
    return charts.render(table, chosen, lang, horizon=model.spec.steps,
                         quarter_label=model.quarter_label, baseline=baseline, bands=bands)
