"""Governments: one per node (city / district) and one per province; views over subsidy arrays.

The subsidy rules (budgets from taxes, competition by best response, joint optimisation and a
joint fund under coordination) are in ``model.mechanisms.policy``; these classes let a user
inspect one government.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from model.region import PROVINCES

if TYPE_CHECKING:
    from model.model import RegionModel


class CityGovernment(mesa.Agent):
    """The government of node ``index``."""

    def __init__(self, model: RegionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def node_id(self) -> str:
        return self.model.region.ids[self.index]

    @property
    def subsidy(self) -> float:
        """Per-firm subsidy per year this government pays (units of mean annual firm output)."""
        return float(self.model.policy.subsidies.city[self.index])

    @property
    def budget(self) -> float:
        """Balance of its subsidy account (model output units; negative: borrowing)."""
        return float(self.model.policy.budgets.city[self.index])


class ProvincialGovernment(mesa.Agent):
    """The government of Sichuan (index 0) or Chongqing (index 1)."""

    def __init__(self, model: RegionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def province(self) -> str:
        return PROVINCES[self.index]

    @property
    def subsidy(self) -> float:
        """Province-wide per-firm top-up per year (units of mean annual firm output)."""
        return float(self.model.policy.subsidies.province[self.index])

    @property
    def budget(self) -> float:
        """Balance of its subsidy account (model output units; negative: borrowing)."""
        return float(self.model.policy.budgets.province[self.index])
