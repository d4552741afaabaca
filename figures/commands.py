"""``python run.py plot DIR``: every figure that fits what a folder holds.

- a run (``nodes.parquet``, ``region.parquet``; ``flows.parquet`` if the model recorded origin-
  destination moves): map, flow maps, metrics, shares, distribution, sectors;
- a comparison (``comparison.parquet``, optionally ``comparison_nodes.parquet``; the contract
  is in docs/FIGURES.md): bands, paired differences, final metrics per scenario, and per
  scenario a difference map, plus the baseline's distribution and sectors;
- a sweep (``sweep.json`` and its ``runs/``): the response of each headline metric at the
  horizon to each swept parameter (``response_<metric>``); ``run.py analyze DIR`` adds the
  sensitivity figure of a Morris or Sobol sweep.

Figures are PNG files written into the folder (or ``--out``); ``--lang zh`` draws them in
Chinese (names end in ``-zh``), in English with a warning when no CJK font is installed.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import CyflowError
from model.region import Region

RUN_TABLES = ("nodes.parquet", "region.parquet")
COMPARISON_TABLE = "comparison.parquet"
COMPARISON_NODES = "comparison_nodes.parquet"
FLOWS_TABLE = "flows.parquet"
COMPARISON_COLUMNS = ("scenario", "replicate", "step", "metric", "value")
NODE_COLUMNS = ("scenario", "replicate", "step", "node", "column", "value")
# the figures of a run, by file stem (all of them are in model.results.RESULT_FILES)
RUN_FIGURES = ("map", "flows_talent", "flows_firm", "metrics", "shares", "distribution",
               "sectors")
DPI = 130


def file_name(stem: str, lang: str) -> str:
    """``stem.png`` in English, ``stem-zh.png`` in Chinese."""
    return f"{stem}.png" if lang == "en" else f"{stem}-{lang}.png"


def kind_of(folder: Path) -> str | None:
    """``"run"``, ``"comparison"``, ``"sweep"`` or None, from the files the folder holds."""
    from experiments.storage import SPEC_FILE

    if (folder / COMPARISON_TABLE).is_file():
        return "comparison"
    if (folder / SPEC_FILE).is_file():
        return "sweep"
    if all((folder / name).is_file() for name in RUN_TABLES):
        return "run"
    return None


def read_table(path: Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """A Parquet table with ``required`` columns (CyflowError naming the file otherwise)."""
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise CyflowError(f"{path}: cannot be read as Parquet: {exc}") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise CyflowError(f"{path}: missing column(s) {missing}; expected {list(required)}")
    return table


def run_figures(nodes: pd.DataFrame, region_table: pd.DataFrame, region: Region, *,
                lang: str = "en", flows: dict[str, tuple[np.ndarray, str]] | None = None
                ) -> dict[str, Callable]:
    """Figure makers of one run by file stem (call one to draw it); ``flows`` maps a kind
    (``talent``, ``firm``) to its [N, N] matrix and the period it covers."""
    from figures.distribution import plot_distribution, start_end
    from figures.flow_map import plot_flow_map
    from figures.labels import node_names
    from figures.region_map import run_map
    from figures.sectors import location_quotients, plot_specialisation
    from figures.tables import output_column, quarter_of, sectors
    from figures.timeseries import plot_metrics, plot_shares

    names = dict(zip(region.ids, node_names(region.cities, lang), strict=True))
    measure = "output" if "output" in nodes else None
    makers: dict[str, Callable] = {}
    if measure:
        makers["map"] = lambda: run_map(nodes, region, column=measure, lang=lang).figure
        makers["shares"] = lambda: plot_shares(nodes, column=measure, lang=lang,
                                               names=names).figure
    for kind, (matrix, period) in (flows or {}).items():
        makers[f"flows_{kind}"] = (lambda m=matrix, k=kind, p=period: plot_flow_map(
            region, m, kind=k, period=p, lang=lang).figure)
    makers["metrics"] = lambda: plot_metrics(region_table, lang=lang)
    makers["distribution"] = lambda: plot_distribution(
        start_end(nodes, output_column(nodes)), lang=lang)
    if sectors(nodes):
        last = int(nodes["step"].max())
        at = nodes[nodes["step"] == last]
        makers["sectors"] = lambda: plot_specialisation(
            location_quotients(at), names=[names.get(n, n) for n in at["node"]],
            quarter=quarter_of(nodes, last), lang=lang)
    return makers


def flows_of_folder(folder: Path, region: Region, nodes: pd.DataFrame
                    ) -> dict[str, tuple[np.ndarray, str]]:
    """OD matrices per kind over the whole run from ``flows.parquet`` (empty if absent)."""
    from figures.flow_map import od_matrix
    from figures.tables import quarter_of

    path = folder / FLOWS_TABLE
    if not path.is_file():
        return {}
    table = read_table(path, ("step", "origin", "destination", "kind", "count"))
    first, last = int(table["step"].min()), int(table["step"].max())
    period = f"{quarter_of(nodes, first)}–{quarter_of(nodes, last)}"
    return {kind: (od_matrix(table, region, kind), period)
            for kind in sorted(table["kind"].astype(str).unique())}


def comparison_figures(long: pd.DataFrame, nodes_long: pd.DataFrame | None, region: Region, *,
                       baseline: str, lang: str = "en") -> dict[str, Callable]:
    """Figure makers of a comparison by file stem."""
    from figures.comparison import final_step, plot_difference_map, plot_dot_whisker
    from figures.distribution import plot_distribution
    from figures.labels import node_names
    from figures.sectors import location_quotients, plot_specialisation
    from figures.tables import quarter_of, scenarios_in_order
    from figures.timeseries import plot_bands, plot_paired_differences

    names = scenarios_in_order(long, baseline)
    makers: dict[str, Callable] = {
        "bands": lambda: plot_bands(long, baseline=baseline, lang=lang),
        "scenarios": lambda: plot_dot_whisker(long, baseline=baseline, lang=lang),
    }
    if len(names) > 1:
        makers["differences"] = lambda: plot_paired_differences(long, baseline, lang=lang)
    if nodes_long is None:
        return makers
    columns = set(nodes_long["column"].astype(str))
    if "output" in columns:
        for name in names[1:]:
            makers[f"difference_map_{slug(name)}"] = (lambda s=name: plot_difference_map(
                nodes_long, region, baseline=baseline, scenario=s, lang=lang).figure)
    base = nodes_long[nodes_long["scenario"] == baseline]
    wide = (base.groupby(["step", "node", "column"])["value"].median()
            .unstack("column").reset_index())
    if "quarter" in long:
        wide = wide.merge(long[["step", "quarter"]].drop_duplicates("step"), on="step",
                          how="left")
    if "output" in wide:
        from figures.distribution import start_end

        makers["distribution"] = lambda: plot_distribution(start_end(wide), lang=lang)
    if any(c.startswith("output_") for c in wide.columns):
        last = final_step(nodes_long)
        at = wide[wide["step"] == last]
        labels = dict(zip(region.ids, node_names(region.cities, lang), strict=True))
        makers["sectors"] = lambda: plot_specialisation(
            location_quotients(at), names=[labels.get(n, n) for n in at["node"]],
            quarter=f"{quarter_of(wide, last)}, {baseline}", lang=lang)
    return makers


def slug(name: str) -> str:
    """A file-name-safe form of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "scenario"


def render(makers: dict[str, Callable], out: Path, lang: str) -> list[Path]:
    """Draw each figure and write it as PNG into ``out``; returns the files."""
    import matplotlib.pyplot as plt

    from figures.fonts import rc
    from figures.layout import no_gc, save_png

    out.mkdir(parents=True, exist_ok=True)
    files = []
    with plt.rc_context(rc(lang)), no_gc():
        for stem, make in makers.items():
            figure = make()
            path = out / file_name(stem, lang)
            try:
                save_png(figure, path, DPI)
            except OSError as exc:
                raise CyflowError(f"{path}: cannot write the figure: {exc}") from None
            finally:
                plt.close(figure)
            files.append(path)
    return files


def load_comparison(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The comparison tables of a folder (the node table is None when absent)."""
    long = read_table(folder / COMPARISON_TABLE, COMPARISON_COLUMNS)
    nodes_path = folder / COMPARISON_NODES
    nodes_long = read_table(nodes_path, NODE_COLUMNS) if nodes_path.is_file() else None
    for table in (long, nodes_long):
        if table is not None:
            table["scenario"] = table["scenario"].astype(str)
    if nodes_long is not None and "quarter" not in nodes_long and "quarter" in long:
        quarters = long.drop_duplicates("step").set_index("step")["quarter"]
        nodes_long["quarter"] = nodes_long["step"].map(quarters)
    return long, nodes_long


def save_figures(folder: str | Path, out: str | Path | None = None, *, lang: str = "en",
                 baseline: str | None = None, region: Region | None = None) -> list[Path]:
    """Draw every figure that fits ``folder`` (a run or a comparison) into ``out`` (default:
    the folder itself); raises CyflowError when it holds neither."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    from figures.fonts import language
    from figures.tables import default_baseline

    folder = Path(folder)
    lang = language(lang)
    kind = kind_of(folder)
    if kind is None:
        raise CyflowError(f"{folder}: holds neither a run ({', '.join(RUN_TABLES)}), nor a "
                          f"comparison ({COMPARISON_TABLE}), nor a sweep (sweep.json); run "
                          "run.py first")
    target = folder if out is None else Path(out)
    if kind == "sweep":
        from figures.sweep import sweep_figures

        return render(sweep_figures(folder, lang), target, lang)
    region = region or Region.load()
    if kind == "run":
        nodes = read_table(folder / "nodes.parquet", ("step", "node"))
        region_table = read_table(folder / "region.parquet", ("step",))
        makers = run_figures(nodes, region_table, region, lang=lang,
                             flows=flows_of_folder(folder, region, nodes))
    else:
        long, nodes_long = load_comparison(folder)
        chosen = baseline or default_baseline(long)
        if chosen not in set(long["scenario"]):
            raise CyflowError(f"{folder / COMPARISON_TABLE}: no scenario {chosen!r}; it holds "
                              f"{sorted(set(long['scenario']))}")
        makers = comparison_figures(long, nodes_long, region, baseline=chosen, lang=lang)
    return render(makers, target, lang)


def main(command: str, argv: list[str], prog: str | None = None) -> int:
    """Draw the figures of a folder (raises CyflowError when it holds no results)."""
    parser = argparse.ArgumentParser(prog=prog or f"run.py {command}",
                                     description=__doc__.replace("``", ""),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="a results folder: a run, a comparison or a sweep")
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of the figures (zh needs a CJK font, e.g. fonts-noto-cjk)")
    parser.add_argument("--out", help="write the figures here instead of into the folder")
    parser.add_argument("--baseline", help="the scenario to compare against (default: "
                        "'baseline' if present, else the first)")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    if not folder.exists():
        raise CyflowError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise CyflowError(f"{folder}: is a file; expected a results folder")
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise CyflowError(f"--out {args.out}: is a file; expected a folder for the figures")
    for path in save_figures(folder, args.out, lang=args.lang, baseline=args.baseline):
        print(path)
    return 0
