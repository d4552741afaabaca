"""Data-element market: a unified data-trading platform and public data opening.

Member j can use the share of the region's data a_j = (E_j + spillover * sum_{k in members,
k != j} E_k) / sum E (data generated in proportion to digital employment E). With the default
spillover = 1 the market is open: every member reaches the whole pool, so every member gets the
same bonus, whatever its own size. A firm's effective productivity becomes q_f (1 + bonus_j d_f)
with bonus_j = s * boost * a_j: data-intensive firms gain most.
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
    spillover: float = param(1.0, 0, 1, uncertain=(0.5, 1.0),
                             doc="share of the other members' data a member can use (1: an "
                             "open market, every member the same access)",
                             source="convention: the plan's unified market open to all "
                             "members; declared uncertain")

    def apply(self, view, mods, strength):
        member = view.node_mask(self.members)
        employment = view.employment
        pool = employment[member].sum()
        access = (employment + self.spillover * (pool - employment)) / employment.sum()
        mods.data_bonus[member] += strength * self.boost * access[member]
