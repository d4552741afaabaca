"""Terms that depend on travel times, recomputed only when the network changes.

Node index n is the outside (the rest of China). The outside is reached through the gateway
nodes of data/gateways.csv: t_{j,out} = min_g (t_{j,g} + hours_g); without gateways, every node
is ``outside.gateway_hours`` from it. Move costs (one-off, before annuitising):
  firms:  M_ij = relocation + border_f 1[prov_i != prov_j] + delta_f t_ij    (M_ii = 0)
  talent: C_ij = F + b 1[prov_i != prov_j] + delta_t t_ij + h max(0, ln size_j)   (C_ii = 0)
The outside counts as another province; its settlement cost is that of a typical destination
city there (``outside.city_size``).
"""

from __future__ import annotations

import numpy as np

from model.mechanisms import foundation, innovation
from model.metrics.spatial import moran_weights
from model.region import Region
from scenarios.schema import Scenario


def outside_hours(region: Region, default: float) -> np.ndarray:
    """[N] travel time from each node to the rest of China through the nearest gateway."""
    gates = np.isfinite(region.nodes.gateway_hours)
    if not gates.any():
        return np.full(region.n, default)
    return (region.travel_hours[:, gates] + region.nodes.gateway_hours[gates][None, :]).min(axis=1)


def _extended(inner: np.ndarray, to_out: np.ndarray, from_out: np.ndarray) -> np.ndarray:
    """[N+1, N+1] from the [N, N] region block and the costs to and from the outside."""
    n = len(inner)
    out = np.zeros((n + 1, n + 1))
    out[:n, :n] = inner
    out[:n, n] = to_out
    out[n, :n] = from_out
    return out


def move_costs(base: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """[N+1, N+1] move costs plus an [N, N] intervention offset (none to or from the outside),
    floored at zero, zero on the diagonal."""
    if not offset.any():
        return base
    n = len(offset)
    cost = base.copy()
    cost[:n, :n] = np.maximum(cost[:n, :n] + offset, 0.0)
    np.fill_diagonal(cost, 0.0)
    return cost


class Network:
    """Travel-time terms of the current network (region nodes and the outside)."""

    def __init__(self, spec: Scenario, region: Region, log_size: np.ndarray) -> None:
        self.version = region.network_version
        hours = region.travel_hours
        fd, tl, fm = spec.mechanisms.foundation, spec.talent, spec.firms
        self.border = (region.province[:, None] != region.province[None, :]).astype(float)
        self.outside_hours = outside_hours(region, spec.outside.gateway_hours)
        self.spillover_kernel = innovation.spillover_kernel(
            hours, spec.mechanisms.innovation.half_life_hours)
        self.racks_within = foundation.racks_within_reach(region.nodes.racks, hours, fd)
        self.rack_relief = foundation.rack_relief(self.racks_within, fd)
        relocation = foundation.relocation_cost(fd)
        firm = relocation + fm.border_cost * self.border + fm.travel_decay * hours
        np.fill_diagonal(firm, 0.0)
        far = spec.outside.distance_cost
        firm_out = (relocation + spec.outside.firm_distance_cost + fm.border_cost
                    + fm.travel_decay * self.outside_hours)
        self.firm_move_cost = _extended(firm, firm_out, firm_out)
        settle = tl.settlement_cost * np.maximum(log_size, 0.0)
        talent = (tl.fixed_cost + tl.border_cost * self.border + tl.travel_decay * hours
                  + settle[None, :])
        np.fill_diagonal(talent, 0.0)
        base_out = tl.fixed_cost + far + tl.border_cost + tl.travel_decay * self.outside_hours
        self.talent_move_cost = _extended(
            talent, base_out + tl.settlement_cost * np.log(spec.outside.city_size),
            base_out + settle)
        # moving elsewhere within the rest of China (for its own agents' choice sets)
        inner_out = spec.outside.internal_hours
        self.firm_outside_cost = relocation + fm.border_cost + fm.travel_decay * inner_out
        self.talent_outside_cost = (tl.fixed_cost + tl.border_cost + tl.travel_decay * inner_out
                                    + tl.settlement_cost * np.log(spec.outside.city_size))
        self.moran_w = moran_weights(hours, spec.metrics.moran_tau_hours)
        self.axis_mask = region.axis_mask()
