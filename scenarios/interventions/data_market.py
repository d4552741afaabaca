"""Data-element market: a unified data-trading platform and public data opening.

Member j can use the share of the region's data a_j = (E_j + spillover * sum_{k in members,
k != j} E_k) / sum E (data generated in proportion to digital employment E). A firm's effective
productivity becomes q_f (1 + bonus_j d_f) with bonus_j = s * boost * a_j: data-intensive firms
gain most, and small members gain from the pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class DataMarket(Intervention):
    type = "data_market"
    node_fields = ("members",)

    members: list[str] = param([], doc="participating nodes (empty: every node)")
    boost: float = param(0.3, 0, 5, doc="productivity gain of a fully data-intensive firm with "
                         "access to all the region's data")
    spillover: float = param(0.5, 0, 1, doc="share of other members' data a member can use")

    def apply(self, view, mods, strength):
        member = view.node_mask(self.members)
        employment = view.employment
        pool = employment[member].sum()
        access = (employment + self.spillover * (pool - employment)) / employment.sum()
        mods.data_bonus[member] += strength * self.boost * access[member]
