"""One government's targeted subsidy for one sector, for studying subsidy races: firms of the
sector in the node receive s * amount per year, on top of the general subsidies."""

from __future__ import annotations

from dataclasses import dataclass

from model.sectors import SECTORS
from scenarios.interventions.base import Intervention
from scenarios.registry import register
from scenarios.schema import REQUIRED, param


@register
@dataclass(frozen=True, kw_only=True)
class SectorSubsidy(Intervention):
    type = "sector_subsidy"
    node_fields = ("node",)

    node: str = param(REQUIRED, doc="the subsidising node")
    sector: str = param("software", doc="sector subsidised", choices=SECTORS)
    amount: float = param(0.1, 0, 10, doc="per-firm subsidy per year (units of mean annual "
                          "firm output)")

    def apply(self, view, mods, strength):
        sector = SECTORS.index(self.sector)
        mods.sector_subsidy[sector, view.region.index[self.node]] += strength * self.amount
