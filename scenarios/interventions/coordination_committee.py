"""Joint development committee: governments switch from competitive best responses to the joint
objective, and unified standards lower the extra cost of relocating firms across the border.

Firm relocation cost between provinces falls by s * standards_reduction * b_f.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class CoordinationCommittee(Intervention):
    type = "coordination_committee"

    joint_subsidies: bool = param(True, doc="governments maximise the joint objective")
    standards_reduction: float = param(0.5, 0, 1, doc="share of the firms' cross-border cost "
                                       "removed by unified standards")

    def apply(self, view, mods, strength):
        mods.coordination = mods.coordination or self.joint_subsidies
        mods.firm_cost -= (strength * self.standards_reduction * view.spec.firms.border_cost
                           * view.border)
