"""A new transport link, or a faster one: opens the planned links of a ``line`` from
data/links.csv, or one link between two ``nodes`` with the given ``minutes``. Travel times are
recomputed when it opens. Persistent: once open, a link stays open.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.errors import ScenarioError
from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import param


@register
@dataclass(frozen=True, kw_only=True)
class TransportLink(Intervention):
    type = "transport_link"
    persistent = True
    node_fields = ("nodes",)

    line: str = param("", doc="open the planned links of this line (data/links.csv 'line')")
    nodes: list[str] = param([], doc="or: the two nodes of one new link")
    minutes: float = param(0.0, 0, 10_000, doc="travel time of the new link (with 'nodes')")

    def links(self, view) -> list[tuple[str, str, float]]:
        """(from, to, minutes) of the links this intervention opens."""
        if self.line:
            table = view.region.links
            rows = table[(table["line"] == self.line) & (table["status"] == "planned")]
            return [(a, b, float(m)) for a, b, m in zip(rows["from"], rows["to"],
                                                        rows["minutes"], strict=True)]
        return [(self.nodes[0], self.nodes[1], self.minutes)]

    def apply(self, view, mods, strength):
        mods.links.extend(self.links(view))

    def check(self, index, file, path):
        if self.line:
            if self.nodes:
                raise ScenarioError(file, f"{path}.nodes", "give either 'line' or 'nodes', "
                                    "not both")
            if "planned" not in index.lines.get(self.line, ()):
                planned = sorted(k for k, v in index.lines.items() if "planned" in v)
                raise ScenarioError(file, f"{path}.line", f"no planned links of line "
                                    f"{self.line!r} (planned lines: {', '.join(planned)})")
            return
        if len(self.nodes) != 2 or self.nodes[0] == self.nodes[1]:
            raise ScenarioError(file, f"{path}.nodes", "expected two different node ids "
                                "(or give 'line')")
        if self.minutes <= 0:
            raise ScenarioError(file, f"{path}.minutes", "expected the link's travel time in "
                                "minutes (> 0)")
