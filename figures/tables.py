"""Helpers shared by the figure modules: what a table holds and summaries across replicates.

Nothing here names a sector or a metric: sectors are read from the ``output_<sector>`` columns
of the node table, metrics are the numeric columns of the region table.
"""

from __future__ import annotations

import pandas as pd

# region-table columns that are coordinates or test statistics, not measures to plot
NOT_METRICS = frozenset({"step", "replicate", "seed", "moran_p"})
LOW, HIGH = 0.1, 0.9  # the band of replicates: 10-90%


def sectors(nodes: pd.DataFrame, prefix: str = "output_") -> list[str]:
    """Sector names, from the ``<prefix><sector>`` columns present (in column order)."""
    return [c[len(prefix):] for c in nodes.columns if c.startswith(prefix) and len(c) > len(prefix)
            and pd.api.types.is_numeric_dtype(nodes[c])]


def output_column(nodes: pd.DataFrame) -> pd.Series:
    """Digital output per row: the ``output`` column, else the sum over the sectors."""
    if "output" in nodes:
        return nodes["output"].astype(float)
    found = sectors(nodes)
    if not found:
        raise KeyError("the node table has neither 'output' nor any 'output_<sector>' column")
    return nodes[[f"output_{s}" for s in found]].sum(axis=1).astype(float)


def metrics(region: pd.DataFrame) -> list[str]:
    """The metrics of a region table: its numeric columns (not step, replicate, p-values)."""
    return [c for c in region.columns if c not in NOT_METRICS
            and pd.api.types.is_numeric_dtype(region[c]) and not pd.api.types.is_bool_dtype(
                region[c])]


def long_metrics(long: pd.DataFrame) -> list[str]:
    """The metrics of a long comparison table, in order of appearance (not p-values)."""
    return [m for m in dict.fromkeys(long["metric"].astype(str)) if m not in NOT_METRICS]


def quarter_of(table: pd.DataFrame, step: int) -> str:
    """The quarter label of ``step`` (``"step N"`` when the table has no quarter column)."""
    if "quarter" in table:
        found = table.loc[table["step"] == step, "quarter"]
        if len(found):
            return str(found.iloc[0])
    return f"step {step}"


def summarise(long: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """Median and 10-90% quantiles of ``value`` over the replicates, per ``by`` group
    (columns ``median``, ``low``, ``high``, ``n``)."""
    grouped = long.groupby(by, sort=False)[value]
    out = grouped.agg(median="median", n="count")
    out["low"] = grouped.quantile(LOW)
    out["high"] = grouped.quantile(HIGH)
    return out.reset_index()


def paired_differences(long: pd.DataFrame, baseline: str, keys: list[str]) -> pd.DataFrame:
    """Each scenario's value minus the baseline's of the same replicate (common random
    numbers), matched on ``replicate`` and ``keys``; the baseline's own rows are dropped."""
    base = long[long["scenario"] == baseline].set_index(["replicate", *keys])["value"]
    other = long[long["scenario"] != baseline]
    joined = other.join(base.rename("base"), on=["replicate", *keys], how="inner")
    joined = joined.assign(value=joined["value"] - joined["base"]).drop(columns="base")
    return joined.reset_index(drop=True)


def scenarios_in_order(long: pd.DataFrame, baseline: str | None = None) -> list[str]:
    """Scenario names in order of appearance, the baseline first."""
    names = list(dict.fromkeys(long["scenario"].astype(str)))
    if baseline in names:
        names.remove(baseline)
        names.insert(0, baseline)
    return names


def default_baseline(long: pd.DataFrame) -> str:
    """The scenario called ``baseline`` if there is one, else the first in the table."""
    names = list(dict.fromkeys(long["scenario"].astype(str)))
    return "baseline" if "baseline" in names else names[0]
