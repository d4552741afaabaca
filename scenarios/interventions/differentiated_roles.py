"""Differentiated roles (Chengdu "soft", Chongqing "hard" by default, and cluster nodes in
their own leading sector): sector-specific productivity support and targeted per-firm subsidies
for each node's role sectors.

TFP of the soft sectors in soft_nodes (hard sectors in hard_nodes) x (1 + s * productivity_boost);
firms of those sectors there receive s * subsidy per year (on top of general subsidies, paid
from the node's budget and capped with them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.errors import ScenarioError
from model.sectors import SECTORS
from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class DifferentiatedRoles(Intervention):
    type = "differentiated_roles"
    node_fields = ("soft_nodes", "hard_nodes", "clusters")

    soft_nodes: list[str] = param(["chengdu"], doc="nodes whose role is the soft sectors")
    hard_nodes: list[str] = param(["chongqing_central"], doc="nodes whose role is the hard "
                                  "sectors")
    clusters: list[str] = param([], doc="cluster nodes, each supported in its own leading "
                                "sector (the highest endowment index of data/sectors.csv)")
    soft_sectors: list[str] = param(["software", "platforms"], doc="the soft sectors")
    hard_sectors: list[str] = param(["electronics", "vehicles"], doc="the hard sectors")
    productivity_boost: float = param(0.10, 0, 2, doc="TFP gain of the role sector")
    subsidy: float = param(0.05, 0, 5, doc="targeted per-firm subsidy per year for the role "
                           "sectors (units of mean annual firm output)")

    def check(self, index, file, path):
        for name in ("soft_sectors", "hard_sectors"):
            for k, sector in enumerate(getattr(self, name)):
                if sector not in SECTORS:
                    raise ScenarioError(file, f"{path}.{name}[{k}]", f"unknown sector "
                                        f"{sector!r}; expected one of {list(SECTORS)}")
        both = [node for node in self.soft_nodes if node in self.hard_nodes]
        both += [node for node in self.clusters if node in self.soft_nodes + self.hard_nodes]
        if both:
            raise ScenarioError(file, f"{path}.hard_nodes", f"node {both[0]!r} is given two "
                                "roles (soft_nodes, hard_nodes, clusters); give each node one "
                                "role")

    def apply(self, view, mods, strength):
        for sectors, nodes in ((self.soft_sectors, self.soft_nodes),
                               (self.hard_sectors, self.hard_nodes)):
            rows = np.array([SECTORS.index(s) for s in sectors], dtype=np.int64)[:, None]
            idx = view.region.node_indices(nodes)[None, :]
            mods.tfp[rows, idx] *= 1.0 + strength * self.productivity_boost
            mods.sector_subsidy[rows, idx] += strength * self.subsidy
        if self.clusters:
            idx = view.region.node_indices(self.clusters)
            lead = view.region.nodes.sector_index[:, idx].argmax(axis=0)
            mods.tfp[lead, idx] *= 1.0 + strength * self.productivity_boost
            mods.sector_subsidy[lead, idx] += strength * self.subsidy
