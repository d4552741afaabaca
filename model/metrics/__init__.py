"""Region metrics: inequality, spatial autocorrelation, core structure, flows, patterns."""

from model.metrics.inequality import gini, theil, williamson_cv
from model.metrics.spatial import moran, moran_weights
from model.metrics.structure import (
    axis_ratio,
    depressions,
    flow_centralization,
    krugman_index,
    noncore_flow_share,
    two_core,
)

__all__ = [
    "axis_ratio",
    "depressions",
    "flow_centralization",
    "gini",
    "krugman_index",
    "moran",
    "moran_weights",
    "noncore_flow_share",
    "theil",
    "two_core",
    "williamson_cv",
]
