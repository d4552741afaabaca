"""Shared computing hub ("East Data, West Computing"): a hub node with a capacity lowers the
compute cost of nodes within a travel-time (latency) reach.

Nodes with t(hub, j) <= reach_hours get compute cost x (1 - s * cost_reduction * g), where the
congestion factor g = min(1, capacity / D) and D is the reach's share of the region's data demand
(sum of q_f d_f of firms there). A larger reach attracts more demand and congests the hub.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import REQUIRED, param


@register
@dataclass(frozen=True, kw_only=True)
class ComputingHub(Intervention):
    type = "computing_hub"
    node_fields = ("hub",)

    hub: str = param(REQUIRED, doc="node hosting the hub")
    reach_hours: float = param(1.5, 0, 24, doc="travel-time reach of the hub's service")
    cost_reduction: float = param(0.4, 0, 1, doc="compute-cost reduction at full capacity")
    capacity: float = param(0.3, 0.001, 1, doc="data demand the hub serves at full reduction, "
                            "as a share of the region's")

    def apply(self, view, mods, strength):
        hub = view.region.index[self.hub]
        within = view.region.travel_hours[hub] <= self.reach_hours
        demand = view.data_demand
        share = demand[within].sum() / max(demand.sum(), 1e-12)
        congestion = min(1.0, self.capacity / max(share, 1e-12))
        mods.compute[within] *= 1.0 - strength * self.cost_reduction * congestion
