"""What the page can show, derived from what the model records (never a fixed list).

Sectors come from the record keys ``output_<sector>``; node measures from the record; region
metrics from the numeric columns of ``region_table``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

Record = Mapping[str, np.ndarray]


def sectors(record: Record) -> list[str]:
    """Sectors of the model: the ``<sector>`` of every ``output_<sector>`` record key."""
    return [key.removeprefix("output_") for key in record if key.startswith("output_")]


def _total(record: Record, base: str, names: list[str]) -> np.ndarray | None:
    if base in record:
        return np.asarray(record[base], dtype=float)
    parts = [record[f"{base}_{s}"] for s in names if f"{base}_{s}" in record]
    return np.sum(parts, axis=0).astype(float) if parts else None


def node_measures(record: Record) -> dict[str, np.ndarray]:
    """Measures a node can be sized by: output, firms and talent (totals over the sectors), the
    share of each sector in output, then every per-sector record of output, firms and talent."""
    names = sectors(record)
    out: dict[str, np.ndarray] = {}
    for base in ("output", "firms", "talent"):
        total = _total(record, base, names)
        if total is not None:
            out[base] = total
    output = out.get("output")
    if output is not None:
        safe = np.where(output > 0, output, 1.0)
        for s in names:
            out[f"share_{s}"] = np.where(output > 0, record[f"output_{s}"] / safe, 0.0)
    for base in ("output", "firms", "talent"):
        for s in names:
            if f"{base}_{s}" in record:
                out[f"{base}_{s}"] = np.asarray(record[f"{base}_{s}"], dtype=float)
    return out


def is_share(measure: str) -> bool:
    """Shares change in points, levels in per cent."""
    return measure.startswith("share_")


def change(now: np.ndarray, reference: np.ndarray, share: bool) -> np.ndarray:
    """Change of ``now`` against ``reference``: difference for shares, relative otherwise
    (0 where the reference is 0)."""
    now, reference = np.asarray(now, float), np.asarray(reference, float)
    if share:
        return now - reference
    safe = np.where(reference != 0, reference, 1.0)
    return np.where(reference != 0, now / safe - 1.0, 0.0)


def metric_columns(table: pd.DataFrame) -> list[str]:
    """Region metrics that can be plotted: numeric columns of ``region_table`` except ``step``."""
    return [c for c in table.columns
            if c != "step" and pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])]


# The metrics drawn first, when the model records them (the page lets the user pick any other).
PREFERRED_METRICS = ("two_core_share", "core_balance", "axis_ratio", "moran_i",
                     "theil_between", "theil_within")


def default_metrics(columns: list[str], count: int = 6) -> list[str]:
    """The preferred metrics that exist, else the first ``count`` columns."""
    chosen = [c for c in PREFERRED_METRICS if c in columns]
    return chosen or columns[:count]


def text_columns(table: pd.DataFrame) -> list[str]:
    """Non-numeric region columns other than ``quarter`` (e.g. the pattern class)."""
    return [c for c in table.columns if c not in ("quarter",) and c not in metric_columns(table)
            and c != "step"]


def node_rows(record: Record, i: int) -> list[tuple[str, float]]:
    """Every recorded quantity of node ``i``: (record key, value)."""
    return [(key, float(np.asarray(values)[i])) for key, values in record.items()]


def tooltip_keys(record: Record) -> list[str]:
    """The compact set of a node's hover box: totals and per-sector output and wages, rent,
    subsidy and flows (whatever of these the model records)."""
    names = sectors(record)
    keys = []
    for key in record:
        base = key
        for s in names:
            if key.endswith("_" + s):
                base = key[: -len(s) - 1]
        if base in ("output", "wage", "rent", "subsidy") or key.endswith("flow"):
            keys.append(key)
    return keys


def top_moves(flows: np.ndarray, count: int) -> list[tuple[int, int, int]]:
    """The ``count`` largest off-diagonal entries of a flow matrix: (from, to, movers)."""
    flows = np.array(flows, dtype=np.int64, copy=True)
    np.fill_diagonal(flows, 0)
    if count <= 0 or not flows.any():
        return []
    order = np.argsort(flows, axis=None)[::-1][:count]
    rows, cols = np.unravel_index(order, flows.shape)
    return [(int(a), int(b), int(flows[a, b])) for a, b in zip(rows, cols, strict=True)
            if flows[a, b] > 0]


def format_value(value: float) -> str:
    """Compact number: 12,345 / 1.23 / 0.0123."""
    if not np.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000 or (magnitude >= 10 and float(value).is_integer()):
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    if magnitude == 0:
        return "0"
    return f"{value:.3g}"
