"""Interventions: one class per ``type``, registered in ``scenarios.registry.REGISTRY``."""

from scenarios.interventions.base import Intervention
from scenarios.interventions.computing_hub import ComputingHub
from scenarios.interventions.coordination_committee import CoordinationCommittee
from scenarios.interventions.data_market import DataMarket
from scenarios.interventions.differentiated_roles import DifferentiatedRoles
from scenarios.interventions.infrastructure_cobuild import InfrastructureCobuild
from scenarios.interventions.sector_subsidy import SectorSubsidy
from scenarios.interventions.talent_community import TalentCommunity
from scenarios.interventions.transport_link import TransportLink

__all__ = [
           "ComputingHub",
           "CoordinationCommittee",
           "DataMarket",
           "DifferentiatedRoles",
           "InfrastructureCobuild",
           "Intervention",
           "SectorSubsidy",
           "TalentCommunity",
           "TransportLink",
]
