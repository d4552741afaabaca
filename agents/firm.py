"""Firms: relocate by the discounted profit they expect, enter where entry pays, close when
losses persist.

Annual profit of firm f (sector s, productivity q, data intensity d) at node j:
    pi_fj = q (1 + b_j d) pi_{s,j} - c_{s,j} - d k_j + sigma_j + sigma_{s,j}
(gross profit rate, site cost, compute cost, general and targeted subsidies), in units of the
mean annual firm output of the time (so that costs rise with the economy). A reconsidering
firm at i picks j (a region node or the outside) by logit over
    U_fj = beta_f [pi_fj - M_ij / A_f] + w_site ln size_j + psi_{s,j},   A_f = 1 / (r_f + h)
(psi: the residual preference of a balanced start, ``model.equilibrium.balance_nodes``; 0
otherwise; it moves location choices, not profits)
comparing the profit stream with the one-off move cost M_ij annuitised at the discount rate
r_f plus the exit hazard h. The node terms are written once (``node_terms``); the compiled
kernel, the per-agent reference and the governments' view of an average firm all use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.backend import Kernels, kernels
from model.network import move_costs
from model.state import SECTORS, FirmArrays

if TYPE_CHECKING:
    from model.model import RegionModel


class Firm(mesa.Agent):
    """A digital-economy firm (stands for ``scale.real_firms / scale.firm_agents`` real firms):
    a view over the row of ``model.firms`` that holds agent ``uid``."""

    def __init__(self, model: RegionModel, uid: int) -> None:
        super().__init__(model)
        self.uid = uid

    @property
    def row(self) -> int:
        return self.model.firms.row_of(self.uid)

    @property
    def node(self) -> int:
        """Index of the node where the firm is located (n: it has left the region)."""
        return int(self.model.firms.node[self.row])

    @property
    def node_id(self) -> str:
        return self.model.node_name(self.node)

    @property
    def sector(self) -> str:
        return SECTORS[self.model.firms.sector[self.row]]

    @property
    def productivity(self) -> float:
        return float(self.model.firms.productivity[self.row])

    @property
    def data_intensity(self) -> float:
        return float(self.model.firms.data_intensity[self.row])


@dataclass
class FirmTerms:
    """The firm rule's terms at each alternative ([S, N+1] by sector; column n is the outside),
    in money (mean annual firm output of the time) and the logit scale beta_f:
    U_fj = beta_f [q (1 + bonus_j d) profit_rate[s, j] + money[s, j] - d compute[j]
                   - move[i, j]] + site[j]."""

    profit_rate: np.ndarray  # [S, N+1] gross profit per unit of productivity
    money: np.ndarray        # [S, N+1] subsidies - site cost (-inf: a closed outside)
    compute: np.ndarray      # [N+1] compute cost per unit of data intensity
    bonus: np.ndarray        # [N+1] data bonus
    move: np.ndarray         # [N+1, N+1] move cost / A_f (annuitised)
    site: np.ndarray         # [N+1] w_site ln size
    scale: float             # beta_f
    preference: np.ndarray | None = None  # [S, N+1] residual of a balanced start (utility)

    @cached_property
    def per_q(self) -> np.ndarray:
        return self.scale * self.profit_rate

    @cached_property
    def common(self) -> np.ndarray:
        closed = np.isneginf(self.money)
        pref = 0.0 if self.preference is None else self.preference
        return np.where(closed, -np.inf, self.scale * np.where(closed, 0.0, self.money)
                        + self.site[None, :] + pref)

    @cached_property
    def pair(self) -> np.ndarray:
        return self.scale * self.move

    def utilities(self, q: np.ndarray, d: np.ndarray, sector: np.ndarray,
                  origin: np.ndarray) -> np.ndarray:
        """(firms x alternatives) utilities: the rule in numpy (the kernel computes the same)."""
        q, d = q[:, None], d[:, None]
        return (q * (1.0 + self.bonus * d) * self.per_q[sector] + self.common[sector]
                - d * self.scale * self.compute - self.pair[origin])

    def profit(self, q: np.ndarray, d: np.ndarray, sector: np.ndarray,
               node: np.ndarray) -> np.ndarray:
        """Annual profit of each firm at ``node`` (the money part of its utility)."""
        return annual_profit(q, d, sector, node, self.profit_rate, self.money, self.compute,
                             self.bonus)

    def average_firm(self, mean_d: np.ndarray) -> np.ndarray:
        """[S, N+1] utility (without move costs) of a firm of mean productivity and its
        sector's mean data intensity: the governments' view of a mobile firm."""
        d = mean_d[:, None]
        return (self.per_q * (1.0 + self.bonus[None, :] * d) + self.common
                - d * self.scale * self.compute[None, :])

    def outside_stay(self, mean_d: np.ndarray, log_elsewhere: float, site_weight: float,
                     move_elsewhere: float) -> np.ndarray:
        """[S] utility of an average firm of the rest of China for staying there: at its own
        site, or elsewhere there (the many other sites, at the cost of a move between them;
        ``move_elsewhere`` in money, annuitised)."""
        home = self.average_firm(mean_d)[:, -1] - self.site[-1]
        elsewhere = home + site_weight * log_elsewhere - self.scale * move_elsewhere
        return np.logaddexp(home, elsewhere)


def annual_profit(q: np.ndarray, d: np.ndarray, sector: np.ndarray, node: np.ndarray,
                  profit_rate: np.ndarray, money: np.ndarray, compute: np.ndarray,
                  bonus: np.ndarray) -> np.ndarray:
    """Annual profit of firms of productivity ``q`` and data intensity ``d`` at ``node``:
    q (1 + bonus_j d) profit_rate[s, j] + money[s, j] - d compute_j (the compiled closure pass,
    ``model.compaction._closures``, computes the same per firm)."""
    return (q * (1.0 + bonus[node] * d) * profit_rate[sector, node] + money[sector, node]
            - d * compute[node])


def node_terms(model: RegionModel, subsidies: bool = True) -> FirmTerms:
    """The firm rule's node terms at the current fields, subsidies and modifiers."""
    f, out, mods = model.fields, model.outside, model.modifiers
    n = model.region.n
    site = model.spec.firms.site_weight * np.append(model.endowments.log_size, out.log_size)
    level = model.level  # money in mean annual output of the fields' time
    profit = np.empty((len(SECTORS), n + 1))
    profit[:, :n], profit[:, n] = f.profit_rate / level, out.profit_rate / level
    money = np.empty_like(profit)
    money[:, :n] = -f.site_cost
    if subsidies:
        money[:, :n] += model.policy.per_firm()[None, :] + model.policy.targeted_offer(
            mods.sector_subsidy)
    money[:, n] = -out.site_cost if out.open else -np.inf
    preference = None
    if model.residuals.firms.any():
        preference = np.zeros_like(profit)
        preference[:, :n] = model.residuals.firms
    return FirmTerms(profit_rate=profit, money=money, preference=preference,
                     compute=np.append(f.compute_cost, out.compute_cost),
                     bonus=np.append(mods.data_bonus, 0.0),
                     move=move_costs(model.network.firm_move_cost, mods.firm_cost)
                     / model.annuity_firms, site=site, scale=model.spec.firms.profit_scale)


def relocation_choices(firms: FirmArrays, idx: np.ndarray, terms: FirmTerms,
                       rng: np.random.Generator, using: Kernels | None = None) -> np.ndarray:
    """New node of each deciding firm ``idx`` (n: the outside): one logit draw each, computed by
    the kernel ``using`` (the model's; default the plain one) from ``terms`` (one uniform per
    decider)."""
    if len(idx) == 0:
        return np.empty(0, dtype=np.int64)
    u = rng.random(len(idx))
    using = using or kernels(compiled=False)
    return using.firm_logit_draws(firms.productivity[idx], firms.data_intensity[idx],
                                  firms.sector[idx], firms.node[idx], terms.per_q,
                                  terms.common, terms.scale * terms.compute, terms.bonus,
                                  terms.pair, u)


def arrival_probabilities(terms: FirmTerms, outside_home: np.ndarray,
                          mean_d: np.ndarray) -> np.ndarray:
    """[S, N] probability that a reconsidering firm of the rest of China (mean productivity,
    its sector's mean data intensity) moves to each region node; it stays with
    ``outside_home`` (its utility at home, without the many-sites term)."""
    n = terms.per_q.shape[1] - 1
    d = mean_d[:, None]
    u = (terms.per_q[:, :n] * (1.0 + terms.bonus[None, :n] * d) + terms.common[:, :n]
         - d * terms.scale * terms.compute[None, :n] - terms.pair[n, :n][None, :])
    full = np.column_stack([u, outside_home])
    full -= full.max(axis=1, keepdims=True)
    weights = np.exp(full)
    return weights[:, :n] / weights.sum(axis=1, keepdims=True)


def potential_entrants(counts: np.ndarray, universities: np.ndarray, birth_rate: float,
                       university_births: float, dt: float) -> np.ndarray:
    """[S, N] expected potential entrants in a step: birth_rate x dt x (incumbents +
    university_births x the sector's regional incumbents spread by the nodes' universities)."""
    share = universities / max(universities.sum(), 1e-12)
    seeds = university_births * counts.sum(axis=1)[:, None] * share[None, :]
    return birth_rate * dt * (counts + seeds)


def enters(profit: np.ndarray, annuity: float, entry_cost: float) -> np.ndarray:
    """A potential entrant enters when its discounted profit exceeds the entry cost."""
    return profit * annuity > entry_cost
