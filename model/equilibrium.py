"""The start as a spatial equilibrium with the rest of China (Rosen 1979; Roback 1982).

The outside's wage (talent) and profit rate (firms) of each sector are scaled so that the
expected flows between the region and the rest of China balance at the start: expected
departures sum_i N_{s,i} P_s(i -> out) equal expected arrivals pool_s P_s(out -> region). The
revision rate multiplies both sides and cancels. Departures rise and arrivals fall with the
outside's level, so one bisection per sector (on the log of the factor) finds the root. Firms
are represented by the average firm of each (sector, node) cell (mean productivity, the
sector's mean data intensity). What is balanced is the start only: later flows respond to the
region's own dynamics and to policies.

With ``init.balanced_start`` the start is also balanced node by node: residual location
preferences by (sector, node) are solved so that the data's distribution is a stationary state
of the relocation rules (``balance_nodes``; the inversion of quantitative spatial economics,
Redding & Rossi-Hansberg 2017). Without it the rules start moving agents towards their own
steady state at once, which the backcast of 2010-2020 showed to dominate the first years.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents import firm as firm_rules
from agents import talent as talent_rules
from agents.choice import softmax_rows

if TYPE_CHECKING:
    from model.model import RegionModel


def _bisect(net: Callable[[np.ndarray], np.ndarray], size: int, bound: float = 8.0,
            iterations: int = 60) -> np.ndarray:
    """Per-sector roots x of a decreasing ``net`` (arrivals - departures) on [-bound, bound]."""
    lo, hi = np.full(size, -bound), np.full(size, bound)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        positive = net(mid) > 0
        lo, hi = np.where(positive, mid, lo), np.where(positive, hi, mid)
    return 0.5 * (lo + hi)


def talent_net(model: RegionModel, log_factor: np.ndarray) -> np.ndarray:
    """[S] expected arrivals minus departures of talent per reconsideration, when the
    outside's wage is multiplied by exp(log_factor)."""
    n = model.region.n
    model.economy.outside_wage_factor = np.exp(log_factor)
    model.outside = model.economy.outside(model.fields_years)
    p = talent_rules.transition_matrix(talent_rules.utility_matrix(model))
    counts = model.talent_pop.region_counts()
    leave = (counts * p[:, :n, n]).sum(axis=1)
    arrive = model.pools[1] * p[:, n, :n].sum(axis=1)
    return arrive - leave


def firm_choices(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """The average firm's choice probabilities at the current fields: [S, N, N+1] from each
    region node (column n: the outside) and [S, N] for a firm of the outside's pool (its
    cell's mean productivity, the sector's mean data intensity)."""
    n = model.region.n
    terms = firm_rules.node_terms(model)
    mean_d = model.region.sectors.data_intensity
    u = terms.average_firm(mean_d)                                  # [S, N+1]
    p = softmax_rows(u[:, None, :] - terms.pair[None, :n, :])        # [S, N, N+1]
    stay = terms.outside_stay(mean_d, model.outside.log_elsewhere,
                              model.spec.firms.site_weight,
                              model.network.firm_outside_cost / model.annuity_firms)
    return p, firm_rules.arrival_probabilities(terms, stay, mean_d)


def firm_net(model: RegionModel, log_factor: np.ndarray) -> np.ndarray:
    """[S] expected arrivals minus departures of firms per reconsideration, when the outside's
    profit rate is multiplied by exp(log_factor)."""
    n = model.region.n
    model.economy.outside_profit_factor = np.exp(log_factor)
    model.outside = model.economy.outside(model.fields_years)
    p, arrive = firm_choices(model)
    leave = (model.firm_pop.region_counts() * p[:, :, n]).sum(axis=1)
    return model.pools[0] * arrive.sum(axis=1) - leave


def balance_outside(model: RegionModel) -> None:
    """Set the outside's wage and profit factors so that the start is balanced."""
    sectors = len(model.region.sectors.labour_share)
    talent = _bisect(lambda x: talent_net(model, x), sectors)
    firms = _bisect(lambda x: firm_net(model, x), sectors)
    talent[model.talent_pop.region_counts().sum(axis=1) == 0] = 0.0  # nothing to balance
    firms[model.firm_pop.region_counts().sum(axis=1) == 0] = 0.0
    model.economy.outside_wage_factor = np.exp(talent)
    model.economy.outside_profit_factor = np.exp(firms)
    model.outside = model.economy.outside(model.fields_years)


@dataclass
class Residuals:
    """Residual location preferences by (sector, node), in utility units: zero, or solved by
    ``balance_nodes`` so that the start is a stationary state of the relocation rules."""

    talent: np.ndarray   # [S, N]
    firms: np.ndarray    # [S, N]

    @classmethod
    def zero(cls, sectors: int, nodes: int) -> Residuals:
        return cls(np.zeros((sectors, nodes)), np.zeros((sectors, nodes)))


def _solve(expected: Callable[[], np.ndarray], counts: np.ndarray, residual: np.ndarray,
           iterations: int, tolerance: float) -> int:
    """Raise or lower ``residual`` [S, N] in place until the expected stock after one round of
    reconsideration, ``expected()``, equals ``counts`` (an empty cell counts as half an agent):
    residual += log(counts / expected), the contraction of Berry (1994). Returns the
    iterations used."""
    target = np.log(np.maximum(counts, 0.5))
    for k in range(1, iterations + 1):
        step = target - np.log(np.maximum(expected(), 1e-300))
        residual += step
        if np.max(np.abs(step)) < tolerance:
            return k
    return iterations


def talent_stock(model: RegionModel) -> np.ndarray:
    """[S, N] expected talent at each node after every worker (and the outside's pool)
    reconsidered once: stayers plus arrivals."""
    n = model.region.n
    p = talent_rules.transition_matrix(talent_rules.utility_matrix(model))
    counts = model.talent_pop.region_counts()
    return np.einsum("si,sij->sj", counts, p[:, :n, :n]) + model.pools[1][:, None] * p[:, n, :n]


def firm_stock(model: RegionModel) -> np.ndarray:
    """[S, N] expected firms at each node after every firm (average firm of its cell) and the
    outside's pool reconsidered once."""
    n = model.region.n
    p, arrive = firm_choices(model)
    counts = model.firm_pop.region_counts()
    return np.einsum("si,sij->sj", counts, p[:, :, :n]) + model.pools[0][:, None] * arrive


def balance_nodes(model: RegionModel, iterations: int = 500, tolerance: float = 1e-9) -> int:
    """Solve the residual preferences of talent and firms (``model.residuals``) that make the
    start's distribution stationary under relocation and the exchange with the outside. Entry,
    exit, graduates, retirement and growth still move it. Returns the iterations used."""
    used = _solve(lambda: talent_stock(model), model.talent_pop.region_counts(),
                  model.residuals.talent, iterations, tolerance)
    used = max(used, _solve(lambda: firm_stock(model), model.firm_pop.region_counts(),
                            model.residuals.firms, iterations, tolerance))
    return used
