"""Differentiated roles (Chengdu "soft", Chongqing "hard" by default): sector-specific
productivity support and targeted per-firm subsidies for each node's role sector.

TFP of the soft sector in soft_nodes (hard sector in hard_nodes) x (1 + s * productivity_boost);
firms of that sector there receive s * subsidy per quarter (paid on top of general subsidies).
"""

from __future__ import annotations

from dataclasses import dataclass

from model.errors import ScenarioError
from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class DifferentiatedRoles(Intervention):
    type = "differentiated_roles"
    node_fields = ("soft_nodes", "hard_nodes")

    soft_nodes: list[str] = param(["chengdu"], doc="nodes whose role is the soft sector")
    hard_nodes: list[str] = param(["chongqing_central"], doc="nodes whose role is the hard sector")
    productivity_boost: float = param(0.10, 0, 2, doc="TFP gain of the role sector")
    subsidy: float = param(0.05, 0, 5, doc="targeted per-firm subsidy for the role sector "
                           "(units of mean firm output)")

    def check(self, index, file, path):
        both = [node for node in self.soft_nodes if node in self.hard_nodes]
        if both:
            raise ScenarioError(file, f"{path}.hard_nodes", f"node {both[0]!r} is given both "
                                "roles (soft_nodes and hard_nodes); give each node one role")

    def apply(self, model, mods, strength):
        for sector, nodes in ((0, self.soft_nodes), (1, self.hard_nodes)):
            idx = model.region.node_indices(nodes)
            mods.tfp[sector, idx] *= 1.0 + strength * self.productivity_boost
            mods.sector_subsidy[sector, idx] += strength * self.subsidy
