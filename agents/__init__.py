"""Agents: who decides what. Mesa agent classes are thin views over the model's numpy arrays;
the decision rules run for all deciding agents at once."""

from agents.firm import Firm
from agents.government import CityGovernment, ProvincialGovernment
from agents.talent import Talent

__all__ = ["CityGovernment", "Firm", "ProvincialGovernment", "Talent"]
