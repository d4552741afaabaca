"""The region metrics of one step, as Mesa ``DataCollector`` model reporters."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from model.kernels import KERNEL_METRICS, region_metric_vector
from model.metrics.inequality import gini, theil, williamson_cv
from model.metrics.pattern import classify
from model.metrics.spatial import moran
from model.metrics.structure import (
    axis_ratio,
    depressions,
    flow_centralization,
    krugman_index,
    noncore_flow_share,
    two_core,
)

if TYPE_CHECKING:
    from model.model import RegionModel

METRIC_NAMES = (
    "two_core_share", "core_balance", "primacy", "top_share", "gini", "theil",
    "theil_between", "theil_within", "cv", "moran_i", "moran_p", "krugman_cores",
    "depressions", "noncore_flow_share", "flow_centralization", "axis_ratio", "pattern",
    "total_output", "total_subsidy", "firm_movers", "talent_movers",
    "cross_province_firm_moves", "cross_province_talent_moves",
)


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
    if basis == "talent":
        values = record["talent_soft"] + record["talent_hard"]
    elif basis == "firms":
        values = record["firms_soft"] + record["firms_hard"]
    else:
        values = record["output"]
    return np.asarray(values, dtype=float)


def _shares(model: RegionModel, record: dict[str, np.ndarray]) -> np.ndarray:
    values = _basis(model, record)
    total = values.sum()
    return values / total if total > 0 else model.pop_shares.copy()


def region_metrics(model: RegionModel, record: dict[str, np.ndarray]) -> dict[str, Any]:
    """Every region metric of the current state (shares of the scenario's metric basis), by the
    compiled kernel; ``region_metrics_plain`` computes the same with the functions of this
    package (tested equal)."""
    w = model.moran_w
    vector = region_metric_vector(
        _shares(model, record), model.pop_shares, model.region.province, int(model.cores[0]),
        int(model.cores[1]), model.firm_flows, model.talent_flows, model.border,
        model.axis_mask, np.vstack([record["output_soft"], record["output_hard"]]),
        model.spec.metrics.depression_threshold, w.dense, w.s0, w.expected, w.se_norm)
    out: dict[str, Any] = dict(zip(KERNEL_METRICS, vector.tolist(), strict=True))
    for name in ("depressions", "firm_movers", "talent_movers", "cross_province_firm_moves",
                 "cross_province_talent_moves"):
        out[name] = round(out[name])
    out["total_output"] = float(record["output"].sum())
    out["total_subsidy"] = float(record["subsidy_spending"].sum())
    out["pattern"] = _pattern(out)
    return out


def _pattern(m: dict[str, Any]) -> str:
    return classify(top_share=m["top_share"], two_core_share=m["two_core_share"],
                    balance=m["core_balance"], noncore_flows=m["noncore_flow_share"],
                    axis_ratio=m["axis_ratio"], moran_i=m["moran_i"], moran_p=m["moran_p"],
                    centralization=m["flow_centralization"])


def region_metrics_plain(model: RegionModel, record: dict[str, np.ndarray]) -> dict[str, Any]:
    """The region metrics computed with the plain numpy functions (the definition)."""
    values = _basis(model, record)
    total = values.sum()
    shares = values / total if total > 0 else model.pop_shares.copy()
    p = model.pop_shares
    cores = model.cores
    s2, balance, primacy = two_core(shares, cores)
    t, between, within = theil(shares, p, model.region.province.astype(np.int64))
    moran_i, moran_p = moran(shares / p, model.moran_w)
    flows = model.firm_flows + model.talent_flows
    sector_output = np.vstack([record["output_soft"], record["output_hard"]])
    noncore = noncore_flow_share(flows, cores)
    central = flow_centralization(flows)
    axis = axis_ratio(shares, p, model.axis_mask, cores)
    out = {
        "two_core_share": s2, "core_balance": balance, "primacy": primacy,
        "top_share": float(shares.max()), "gini": gini(shares, p), "theil": t,
        "theil_between": between, "theil_within": within, "cv": williamson_cv(shares, p),
        "moran_i": moran_i, "moran_p": moran_p,
        "krugman_cores": krugman_index(sector_output, cores[0], cores[1]),
        "depressions": depressions(shares, p, model.spec.metrics.depression_threshold),
        "noncore_flow_share": noncore, "flow_centralization": central, "axis_ratio": axis,
        "total_output": float(record["output"].sum()),
        "total_subsidy": float(record["subsidy_spending"].sum()),
        "firm_movers": int(model.firm_flows.sum() - np.trace(model.firm_flows)),
        "talent_movers": int(model.talent_flows.sum() - np.trace(model.talent_flows)),
        "cross_province_firm_moves": int((model.firm_flows * model.border).sum()),
        "cross_province_talent_moves": int((model.talent_flows * model.border).sum()),
    }
    out["pattern"] = _pattern(out)
    return out
