"""Infrastructure co-building: a budget raises digital infrastructure (5G, data centres) in
chosen nodes. Each node gets an equal part of the budget; its infrastructure index rises by
budget_j / (population_j * cost_per_resident), which divides its compute cost.
Persistent: what is built stays; ``ramp`` is the construction period, over which the nodes'
city governments pay their parts of the budget from their subsidy accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.errors import ScenarioError
from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class InfrastructureCobuild(Intervention):
    type = "infrastructure_cobuild"
    persistent = True
    node_fields = ("nodes",)

    nodes: list[str] = param([], doc="nodes that receive the investment (required)")
    budget: float = param(50.0, 0, 1e6, doc="total budget, 100 million yuan, paid by the "
                          "nodes' governments over the construction period")
    cost_per_resident: float = param(500.0, 1, 1e6, doc="yuan per resident that doubles a "
                                     "node's infrastructure index", source="convention")

    def apply(self, view, mods, strength):
        idx = view.region.node_indices(self.nodes)
        per_node = self.budget * 1e8 / len(idx)
        increase = per_node / (view.region.population[idx] * self.cost_per_resident)
        mods.compute[idx] /= 1.0 + strength * increase
        mods.spending[idx] += self.construction_cost(view, self.budget / len(idx))

    def check(self, index, file, path):
        if not self.nodes:
            raise ScenarioError(file, f"{path}.nodes", "expected at least one node id")
