"""The region metrics of one step, as Mesa ``DataCollector`` model reporters."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from model.metrics.inequality import gini, theil, williamson_cv
from model.metrics.patterns import PatternStart
from model.metrics.spatial import moran
from model.metrics.structure import (
    axis_ratio,
    depressions,
    flow_centralization,
    krugman_index,
    noncore_flow_share,
    two_core,
)
from model.plain import KERNEL_METRICS
from model.state import SECTORS

if TYPE_CHECKING:
    from model.model import RegionModel

METRIC_NAMES = (
    "two_core_share", "core_balance", "primacy", "top_share", "gini", "theil",
    "theil_between", "theil_within", "cv", "moran_i", "moran_p", "krugman_cores",
    "depressions", "noncore_flow_share", "flow_centralization", "axis_ratio",
    "axis_premium", "clusters", "siphon", "near_periphery_share", "krugman_clusters",
    "noncore_growing", "noncore_gaining", "region_growth",
    "total_output", "total_firms", "total_talent", "total_subsidy", "firm_movers",
    "talent_movers", "cross_province_firm_moves", "cross_province_talent_moves",
    "firms_arrived", "firms_left", "firms_born", "firms_closed",
    "talent_arrived", "talent_left", "graduates", "retired",
)

# what happened during a step (moves, entry and exit, subsidies paid): the initial state
# (step 0) has had no step, so these are 0 there by construction, not by measurement
STEP_EVENTS = (
    "noncore_flow_share", "flow_centralization", "total_subsidy", "firm_movers",
    "talent_movers", "cross_province_firm_moves", "cross_province_talent_moves",
    "firms_arrived", "firms_left", "firms_born", "firms_closed", "talent_arrived",
    "talent_left", "graduates", "retired",
)
# rates of change since the start (per year, or of growth): undefined at step 0, recorded as 0
SINCE_START_RATES = ("region_growth", "axis_premium")
NOT_AT_START = STEP_EVENTS + SINCE_START_RATES  # figures draw these from step 1


def region_metric(name: str, model: RegionModel) -> Any:
    """The metric ``name`` of the model's current step (computed once per step in ``_record``)."""
    return model.region_metrics[name]


# Reporters are ``partial``s of a module-level function, not closures: Mesa's DataCollector
# calls a partial with the model (as it does a lambda), and a partial of a module-level
# function pickles, so a model (which holds its DataCollector) pickles too.
REGION_METRICS: dict[str, partial[Any]] = {name: partial(region_metric, name)
                                           for name in METRIC_NAMES}


def _basis(model: RegionModel, record: dict[str, np.ndarray]) -> np.ndarray:
    basis = model.spec.metrics.basis
    values = record[basis]
    return np.asarray(values, dtype=float)


def _shares(model: RegionModel, record: dict[str, np.ndarray]) -> np.ndarray:
    values = _basis(model, record)
    total = values.sum()
    return values / total if total > 0 else model.pop_shares.copy()


def region_metrics(model: RegionModel, record: dict[str, np.ndarray]) -> dict[str, Any]:
    """Every region metric of the current state (shares of the scenario's metric basis), by the
    model's kernel (compiled or its plain twin); ``region_metrics_plain`` computes the same
    with the functions of this package (tested equal)."""
    w = model.network.moran_w
    firm_flows, talent_flows = _region_flows(model)
    vector = model.kernels.region_metric_vector(
        _shares(model, record), model.pop_shares, model.region.province, int(model.cores[0]),
        int(model.cores[1]), firm_flows, talent_flows, model.network.border,
        model.network.axis_mask, _sector_output(record),
        model.spec.metrics.depression_threshold, w.dense, w.s0, w.expected, w.se_norm)
    out: dict[str, Any] = dict(zip(KERNEL_METRICS, vector.tolist(), strict=True))
    for name in ("depressions", "firm_movers", "talent_movers", "cross_province_firm_moves",
                 "cross_province_talent_moves"):
        out[name] = round(out[name])
    out.update(_totals(model, record))
    return out


def _sector_output(record: dict[str, np.ndarray]) -> np.ndarray:
    return np.vstack([record[f"output_{sector}"] for sector in SECTORS])


def _region_flows(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """[N, N] moves between region nodes decided this step (firms, talent)."""
    n = model.region.n
    return (model.firm_pop.ledger.flows[:n, :n], model.talent_pop.ledger.flows[:n, :n])


def _totals(model: RegionModel, record: dict[str, np.ndarray]) -> dict[str, Any]:
    """Totals, the open region's flows and the pattern measures of the current step."""
    start = model.history[0] if model.history else record
    spec = model.spec.metrics
    out: dict[str, Any] = {
        "total_output": float(record["output"].sum()),
        "total_firms": int(record["firms"].sum()), "total_talent": int(record["talent"].sum()),
        "total_subsidy": float(record["subsidy_spending"].sum()),
    }
    for name in ("firms_arrived", "firms_left", "firms_born", "firms_closed", "talent_arrived",
                 "talent_left", "graduates", "retired"):
        out[name] = int(record[name].sum())
    # the start's measures, kept with the start record and network they were computed from
    base = model.__dict__.get("_pattern_start")
    if base is None or base[0][0] is not start or base[0][1] is not model.network:
        hours = model.region.travel_hours[:, model.cores].min(axis=1)
        base = (start, model.network), PatternStart(
            output_start=start["output"], sector_output_start=_sector_output(start),
            cores=model.cores, axis=model.network.axis_mask, hours_to_core=hours,
            siphon_hours=spec.siphon_hours, cluster_lq=spec.cluster_lq,
            cluster_rise=spec.cluster_rise)
        model.__dict__["_pattern_start"] = base
    out.update(base[1].measures(record["output"], _sector_output(record), model.years))
    return out


def region_metrics_plain(model: RegionModel, record: dict[str, np.ndarray]) -> dict[str, Any]:
    """The region metrics computed with the plain numpy functions (the definition)."""
    shares = _shares(model, record)
    p = model.pop_shares
    cores = model.cores
    s2, balance, primacy = two_core(shares, cores)
    t, between, within = theil(shares, p, model.region.province.astype(np.int64))
    moran_i, moran_p = moran(shares / p, model.network.moran_w)
    firm_flows, talent_flows = _region_flows(model)
    flows = firm_flows + talent_flows
    border = model.network.border
    out = {
        "two_core_share": s2, "core_balance": balance, "primacy": primacy,
        "top_share": float(shares.max()), "gini": gini(shares, p), "theil": t,
        "theil_between": between, "theil_within": within, "cv": williamson_cv(shares, p),
        "moran_i": moran_i, "moran_p": moran_p,
        "krugman_cores": krugman_index(_sector_output(record), cores[0], cores[1]),
        "depressions": depressions(shares, p, model.spec.metrics.depression_threshold),
        "noncore_flow_share": noncore_flow_share(flows, cores),
        "flow_centralization": flow_centralization(flows),
        "axis_ratio": axis_ratio(shares, p, model.network.axis_mask, cores),
        "firm_movers": int(firm_flows.sum() - np.trace(firm_flows)),
        "talent_movers": int(talent_flows.sum() - np.trace(talent_flows)),
        "cross_province_firm_moves": int((firm_flows * border).sum()),
        "cross_province_talent_moves": int((talent_flows * border).sum()),
    }
    out.update(_totals(model, record))
    return out
