"""Spatial pattern classes (point-axis theory, Lu Dadao), thresholds fixed in docs/ODD.md.

Tested in order; the first that holds is the class:
  monocentric  balance < 0.5 and the top node's share > 0.5
  dual-core    two-core share >= 0.6, balance >= 0.5, non-core flow share < 0.3
  point-axis   axis ratio >= 1.2 and Moran's I > 0 with p < 0.05
  networked    two-core share < 0.5, non-core flow share >= 0.4, flow centralisation < 0.3
  transitional none of the above
"""

from __future__ import annotations

PATTERN_THRESHOLDS = {
    "monocentric_balance": 0.5, "monocentric_top_share": 0.5,
    "dualcore_two_core_share": 0.6, "dualcore_balance": 0.5, "dualcore_noncore_flows": 0.3,
    "pointaxis_axis_ratio": 1.2, "pointaxis_moran_p": 0.05,
    "networked_two_core_share": 0.5, "networked_noncore_flows": 0.4,
    "networked_centralization": 0.3,
}
PATTERNS = ("monocentric", "dual-core", "point-axis", "networked", "transitional")


def classify(*, top_share: float, two_core_share: float, balance: float,
             noncore_flows: float, axis_ratio: float, moran_i: float, moran_p: float,
             centralization: float) -> str:
    """The pattern class of one state of the region."""
    t = PATTERN_THRESHOLDS
    if balance < t["monocentric_balance"] and top_share > t["monocentric_top_share"]:
        return "monocentric"
    if (two_core_share >= t["dualcore_two_core_share"] and balance >= t["dualcore_balance"]
            and noncore_flows < t["dualcore_noncore_flows"]):
        return "dual-core"
    if axis_ratio >= t["pointaxis_axis_ratio"] and moran_i > 0 and moran_p < t["pointaxis_moran_p"]:
        return "point-axis"
    if (two_core_share < t["networked_two_core_share"]
            and noncore_flows >= t["networked_noncore_flows"]
            and centralization < t["networked_centralization"]):
        return "networked"
    return "transitional"
