"""Talent community: mutual recognition of talent evaluation and titles between Sichuan and
Chongqing, and optionally shared public services.

Between member nodes (i != j) the talent move cost falls by
s * (border_reduction * b * 1[prov_i != prov_j] + fixed_reduction * F
     + settlement_reduction * h * max(0, ln size_j));
member nodes' log amenity rises by s * amenity_boost (shared services). s: strength.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class TalentCommunity(Intervention):
    type = "talent_community"
    node_fields = ("members",)

    members: list[str] = param([], doc="member nodes (empty: every node)")
    border_reduction: float = param(0.6, 0, 1, doc="share of the province-border cost removed")
    fixed_reduction: float = param(0.2, 0, 1, doc="share of the fixed moving cost removed")
    settlement_reduction: float = param(0.5, 0, 1, uncertain=(0.0, 1.0),
                                        doc="share of the settlement cost removed")
    amenity_boost: float = param(0.05, 0, 1, doc="log-amenity gain of members from shared "
                                 "public services")

    def apply(self, view, mods, strength):
        member = view.node_mask(self.members)
        tl = view.spec.talent
        settle = tl.settlement_cost * np.maximum(view.log_size, 0.0)
        saving = (self.border_reduction * tl.border_cost * view.border
                  + self.fixed_reduction * tl.fixed_cost
                  + self.settlement_reduction * settle[None, :])
        pairs = member[:, None] & member[None, :]
        np.fill_diagonal(pairs, False)
        mods.talent_cost -= strength * saving * pairs
        mods.amenity[member] += strength * self.amenity_boost
