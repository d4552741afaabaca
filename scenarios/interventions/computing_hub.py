"""Shared computing hub ("East Data, West Computing"): data-centre racks built at a hub node.

The racks add to the hub's capacity (data/computing.csv); every node within
``rack_reach_hours`` of them gets a compute-cost relief rack_relief x R / (R + rack_half), R the
racks within its reach, and compute costs follow each node's electricity tariff. The hub node's
government pays racks x cost_per_rack over the construction period (``ramp``) from its
subsidy account. Persistent: what is built stays.
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
    persistent = True
    node_fields = ("hub",)

    hub: str = param(REQUIRED, doc="node hosting the racks")
    racks: float = param(50_000.0, 0, 1e7, uncertain=(20_000.0, 100_000.0),
                         doc="standard data-centre racks built",
                         source="convention: the hub's start areas hold 10^4-10^5 racks "
                         "(Chongqing's Shuitu 80,000, Ya'an 20,000: data/computing.csv)")
    cost_per_rack: float = param(0.0015, 0, 1, uncertain=(0.0008, 0.003),
                                 doc="construction cost per rack, 100 million yuan (0.0015: "
                                 "150,000 yuan)", source="estimate: data-centre capex of "
                                 "~100,000-200,000 yuan per standard rack")

    def apply(self, view, mods, strength):
        hub = view.region.index[self.hub]
        mods.racks[hub] += strength * self.racks
        mods.spending[hub] += self.construction_cost(view, self.racks * self.cost_per_rack)
