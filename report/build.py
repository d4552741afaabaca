"""Gather what the planner's report says, and render it with the Jinja2 template.

The report of a run or a comparison folder (figures.commands.kind_of) holds: the scenarios and
their interventions in words, the headline measures (with intervals over replicates), the maps
and figures (PNG embedded as data: URIs, so the file is self-contained), which differences
against the baseline are clearly non-zero and whether their sign is robust (the effects of
``run.py compare``, read from effects.parquet: one definition, ``experiments.effects``), and
the caveats (estimated data, parameters set by convention).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from experiments import effects as fx
from figures import commands as fc
from figures.labels import metric_label
from figures.tables import (
    default_baseline,
    long_metrics,
    metrics,
    quarter_of,
    scenarios_in_order,
    summarise,
)
from model.errors import CyflowError
from model.region import Region
from report.texts import text

SETTINGS = frozenset({"seed", "steps", "start_year"})  # run settings, not model assumptions
SCENARIO_FOLDER = "scenarios"  # <comparison>/scenarios/<name>.toml (docs/FIGURES.md)
# figures of the report, in this order: (stem, section)
MAP_STEMS = ("map", "flows_talent", "flows_firm")


def report_name(lang: str) -> str:
    """``report.html`` in English, ``report-zh.html`` in Chinese."""
    return "report.html" if lang == "en" else f"report-{lang}.html"


def png_uri(make: Callable, lang: str) -> str:
    """Draw one figure and return it as a ``data:image/png;base64`` URI."""
    import matplotlib.pyplot as plt

    from figures.fonts import rc
    from figures.layout import no_gc, save_png

    with plt.rc_context(rc(lang)), no_gc():
        figure = make()
        buffer = io.BytesIO()
        try:
            save_png(figure, buffer, 110)
        finally:
            plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_format(v) for v in value) or "—"
    return str(value)


def describe_scenario(path: Path | None, name: str, lang: str) -> dict[str, Any]:
    """A scenario in words: its name, description and each intervention (what it is, when it
    starts, how it ramps, its settings), read from a resolved scenario TOML file."""
    from scenarios import interventions as _  # noqa: F401  (registers the built-in types)
    from scenarios.registry import REGISTRY

    data: dict[str, Any] = {}
    if path is not None and path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CyflowError(f"{path}: cannot be read as TOML: {exc}") from None
    items = []
    for item in data.get("interventions", []):
        kind = str(item.get("type", "?"))
        cls = REGISTRY.get(kind)
        doc = _what(cls) if cls else ""
        settings = {k: _format(v) for k, v in item.items()
                    if k not in ("type", "label", "start", "ramp", "end")}
        items.append({"kind": kind, "label": item.get("label") or kind.replace("_", " "),
                      "what": doc,
                      "when": text("intervention_from", lang, start=item.get("start", "?"),
                                   ramp=item.get("ramp", 0)),
                      "settings": settings})
    return {"name": name, "description": data.get("description") or text("no_description", lang),
            "interventions": items}


def _what(cls: type) -> str:
    """First paragraph of an intervention's docstring (its module's when the class has none
    of its own: a dataclass's generated signature is not a description)."""
    import sys

    doc = cls.__doc__ or ""
    if not doc.strip() or doc.startswith(f"{cls.__name__}("):
        doc = sys.modules[cls.__module__].__doc__ or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def caveats(lang: str) -> dict[str, Any]:
    """Estimated data (the ``estimated`` columns of the region's tables, counted) and the
    parameters whose source is a convention (scenarios.loader.describe())."""
    from scenarios.loader import describe

    estimated = []
    try:
        region = Region.load()
        for table_name, table in (("cities.csv", region.cities), ("links.csv", region.links)):
            counts: dict[str, int] = {}
            for value in table["estimated"]:
                for column in filter(None, (c.strip() for c in str(value).split(";"))):
                    counts[column] = counts.get(column, 0) + 1
            for column, count in sorted(counts.items(), key=lambda kv: -kv[1]):
                estimated.append(text("estimated_row", lang, column=column, count=count,
                                      total=len(table), table=table_name))
    except CyflowError as exc:
        estimated.append(text("caveats_unavailable", lang, reason=str(exc)))
    conventions = []
    for key, default, doc, source in describe():
        numeric = isinstance(default, int | float) and not isinstance(default, bool)
        if source.startswith("convention") and numeric and key.split(".")[-1] not in SETTINGS:
            conventions.append({"key": key, "default": _format(default), "doc": doc,
                                "source": source})
    return {"estimated": estimated, "conventions": conventions}


def headline_run(region_table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Each metric at the first and the last step of one run."""
    first, last = int(region_table["step"].min()), int(region_table["step"].max())
    rows = []
    for metric in metrics(region_table):
        start = region_table.loc[region_table["step"] == first, metric].iloc[0]
        end = region_table.loc[region_table["step"] == last, metric].iloc[0]
        rows.append({"label": metric_label(metric, lang), "start": _format(float(start)),
                     "end": _format(float(end))})
    return {"note": text("headline_note_run", lang, start=quarter_of(region_table, first),
                         end=quarter_of(region_table, last)), "rows": rows}


def headline_comparison(long: pd.DataFrame, names: list[str], step: int,
                        lang: str) -> dict[str, Any]:
    """Median and 10-90% interval of each metric per scenario at ``step``."""
    stats = summarise(long[long["step"] == step], ["metric", "scenario"])
    rows = []
    for metric in long_metrics(long):
        cells = []
        for name in names:
            found = stats[(stats["metric"] == metric) & (stats["scenario"] == name)]
            if found.empty:
                cells.append("—")
                continue
            row = found.iloc[0]
            cells.append(f"{_format(row['median'])} [{_format(row['low'])}, "
                         f"{_format(row['high'])}]" if row["n"] > 1 else _format(row["median"]))
        rows.append({"label": metric_label(metric, lang), "cells": cells})
    n = int(long.groupby("scenario")["replicate"].nunique().min())
    return {"note": text("headline_note_reps", lang, n=n, quarter=quarter_of(long, step)),
            "scenarios": names, "rows": rows}


def differences(effects: pd.DataFrame, lang: str) -> list[dict]:
    """Per scenario and region metric: the final-quarter effect of ``experiments.effects``
    (effects.parquet): the mean paired difference, the 10-90% range of the pairs, the 95%
    t-interval, whether it is clearly non-zero and whether its sign is robust (both None when
    there are too few units to call), and what its size depends on most (when that stands out
    from chance)."""
    out = []
    for row in effects.itertuples(index=False):
        units = text(f"unit_{row.unit}", lang)
        item = {"scenario": str(row.scenario), "metric": metric_label(str(row.metric), lang),
                "n": int(row.n), "median": _format(float(row.mean)),
                "range": f"[{_format(float(row.p10))}, {_format(float(row.p90))}]",
                "ci": f"[{_format(float(row.ci_low))}, {_format(float(row.ci_high))}]",
                "nonzero": bool(row.clear), "robust": bool(row.robust),
                "too_few": text("too_few", lang, units=units),
                "depends": f"{row.depends_on} (ρ {float(row.rho):+.2f})"
                if row.depends_clear and isinstance(row.depends_on, str) else ""}
        if row.verdict == "too few":
            item.update(ci="—" if int(row.n) < 2 else item["ci"], nonzero=None, robust=None)
        out.append(item)
    out.sort(key=lambda r: (r["scenario"], not r["nonzero"], r["metric"]))
    return out


def difference_notes(effects: pd.DataFrame, record: dict[str, Any], lang: str
                     ) -> tuple[str, list[str]]:
    """The note under the differences heading and the warnings (too few replicates or
    draws, ``experiments.effects``) of a comparison's ``effects``; ``record`` is its
    comparison.json (draws, uncertain parameters)."""
    unit = str(effects["unit"].iloc[0]) if len(effects) else "replicate"
    units = text(f"unit_{unit}", lang)
    warnings = []
    few = fx.too_few_units(effects)
    if few is not None:
        warnings.append(text("few_units", lang, n=few, units=units, min_units=fx.MIN_UNITS,
                             option="--uncertain" if unit == "draw" else "--reps"))
    draws, parameters = int(record.get("draws") or 0), len(record.get("uncertain") or {})
    note = ""
    if draws and parameters:
        if not fx.enough_draws(draws, parameters):
            warnings.append(text("few_draws", lang, draws=draws, parameters=parameters,
                                 min_draws=fx.MIN_DRAWS))
        else:
            note = " " + text("depends_note", lang, rho=fx.chance_rho(draws, parameters),
                              parameters=parameters, draws=draws)
    return note, warnings


def build_context(folder: Path, *, lang: str = "en", baseline: str | None = None,
                  region: Region | None = None) -> dict[str, Any]:
    """Everything the template needs for the report of ``folder``."""
    kind = fc.kind_of(folder)
    if kind is None:
        raise CyflowError(f"{folder}: holds neither a run ({', '.join(fc.RUN_TABLES)}) nor a "
                          f"comparison ({fc.COMPARISON_TABLE}); run run.py first")
    if kind == "sweep":
        raise CyflowError(f"{folder}: holds a sweep; the report covers a run or a comparison "
                          f"(draw a sweep's figures with 'run.py plot {folder}', its "
                          "sensitivity indices with 'run.py analyze')")
    region = region or Region.load()
    context: dict[str, Any] = {
        "lang": lang, "t": lambda key, **values: text(key, lang, **values),
        "generated": text("generated", lang, when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                          folder=folder.name),
        "caveats": caveats(lang), "kind": kind,
    }
    if kind == "run":
        nodes = fc.read_table(folder / "nodes.parquet", ("step", "node"))
        region_table = fc.read_table(folder / "region.parquet", ("step",))
        name = _run_name(folder)
        makers = fc.run_figures(nodes, region_table, region, lang=lang,
                                flows=fc.flows_of_folder(folder, region, nodes))
        context.update(
            title=f"{text('report_title', lang)}: {name}", subtitle=text("report_run", lang),
            scenarios=[describe_scenario(folder / "scenario.toml", name, lang)],
            headline=headline_run(region_table, lang), differences=None, baseline=name)
    else:
        long, nodes_long = fc.load_comparison(folder)
        chosen = baseline or default_baseline(long)
        if chosen not in set(long["scenario"]):
            raise CyflowError(f"{folder / fc.COMPARISON_TABLE}: no scenario {chosen!r}")
        names = scenarios_in_order(long, chosen)
        from figures.comparison import final_step

        step = final_step(long)
        makers = fc.comparison_figures(long, nodes_long, region, baseline=chosen, lang=lang)
        effects = fx.read_effects(folder, long, chosen)
        effects = effects[effects["metric"].astype(str).isin(long_metrics(long))]
        depends_note, warnings = difference_notes(effects, fx.folder_record(folder), lang)
        unit = str(effects["unit"].iloc[0]) if len(effects) else "replicate"
        context.update(
            title=f"{text('report_title', lang)}: {', '.join(names)}",
            subtitle=text("report_comparison", lang),
            scenarios=[describe_scenario(folder / SCENARIO_FOLDER / f"{n}.toml", n, lang)
                       for n in names],
            headline=headline_comparison(long, names, step, lang),
            differences=differences(effects, lang) if len(names) > 1 else None,
            differences_note=text("differences_note", lang, quarter=quarter_of(long, step),
                                  units=text(f"unit_{unit}", lang), min_units=fx.MIN_UNITS,
                                  min_constant=fx.MIN_CONSTANT) + depends_note,
            differences_warnings=warnings,
            baseline=chosen)
    maps = {stem: make for stem, make in makers.items()
            if stem in MAP_STEMS or stem.startswith("difference_map_")}
    context["maps"] = [png_uri(make, lang) for make in maps.values()]
    context["figures"] = [png_uri(make, lang) for stem, make in makers.items()
                          if stem not in maps]
    return context


def _run_name(folder: Path) -> str:
    try:
        return str(tomllib.loads((folder / "scenario.toml").read_text("utf-8")).get(
            "name", folder.name))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return folder.name


def environment() -> Environment:
    """The Jinja2 environment of the report templates (package data of ``report``)."""
    return Environment(loader=PackageLoader("report", "templates"),
                       autoescape=select_autoescape(("html", "j2")), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def write_report(folder: str | Path, out: str | Path | None = None, *, lang: str = "en",
                 baseline: str | None = None) -> Path:
    """Write the self-contained HTML report of ``folder`` (default: into the folder)."""
    import matplotlib

    matplotlib.use("Agg")
    from figures.fonts import language

    folder = Path(folder)
    lang = language(lang)
    context = build_context(folder, lang=lang, baseline=baseline)
    html = environment().get_template("report.html.j2").render(**context)
    path = Path(out) if out is not None else folder / report_name(lang)
    if path.is_dir():
        path = path / report_name(lang)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise CyflowError(f"{path}: cannot write the report: {exc}") from None
    return path
