"""Policy drive: city and provincial governments pay per-firm subsidies from their tax revenue.

Revenue per year: tax_rate x digital output, a share ``province_share`` to the province; a share
``subsidy_budget_share`` of it may go to firm subsidies. Spending (general subsidies to every
firm of the node, targeted subsidies of interventions) is deducted from a balance that may go
negative down to ``debt_limit`` years of subsidy revenue (bounded borrowing); per-firm subsidies,
targeted ones included, are capped by ``max_subsidy`` and by what the balance allows.

Each government values a firm at v (``value_of_firm`` x output per unit of firm productivity)
and perceives the logit choice of a mobile firm, P_j = softmax(beta_f (pi_j + s_j) + size_j)
with the rest of China as an outside option. Competition: the best response to the others,
s_j* = v_j - 1 / (beta_f (1 - P_j)), clipped to [0, cap_j], reached by partial adjustment each
quarter (iterated best responses converge to the Nash subsidies; Li & Zhou 2005 tournament).
Provincial governments do the same for a province-wide top-up with P_p = sum of their nodes' P_j.
Coordination committee: the joint objective J = sum_j (v_j - s_j) P_j, whose first-order
condition gives s_j = v_j - J - 1/beta_f (clipped), iterated to a fixed point; provincial
top-ups stop; and a joint fund pools ``fund_share`` of every member's subsidy revenue, allotted
per firm, so that the caps follow the pooled budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.choice import softmax_rows
from scenarios.schema import PolicyParams


@dataclass
class SubsidyState:
    city: np.ndarray      # [N] per-firm subsidy set by each city government (per year)
    province: np.ndarray  # [P] per-firm top-up set by each provincial government

    def total(self, province_of_node: np.ndarray) -> np.ndarray:
        """Subsidy a firm receives at each node."""
        return self.city + self.province[province_of_node]


@dataclass
class Budgets:
    """Balances of the governments' subsidy accounts (model output units)."""

    city: np.ndarray      # [N]
    province: np.ndarray  # [P]

    @classmethod
    def empty(cls, n: int, n_prov: int) -> Budgets:
        return cls(np.zeros(n), np.zeros(n_prov))


def subsidy_revenue(output: np.ndarray, province_of_node: np.ndarray, n_prov: int,
                    params: PolicyParams) -> tuple[np.ndarray, np.ndarray]:
    """Per-year revenue available for subsidies of each city and province."""
    revenue = params.tax_rate * params.subsidy_budget_share * output
    return ((1 - params.province_share) * revenue,
            np.bincount(province_of_node, weights=params.province_share * revenue,
                        minlength=n_prov))


def spending_capacity(balance: np.ndarray, revenue: np.ndarray, dt: float,
                      params: PolicyParams) -> np.ndarray:
    """Largest spending per year this step that keeps the balance above -debt_limit x revenue."""
    return np.maximum(revenue + (balance + params.debt_limit * revenue) / dt, 0.0)


def mobile_firm_shares(base_utility: np.ndarray, subsidy: np.ndarray, scale: float,
                       outside: float | None = None) -> np.ndarray:
    """Probability that a mobile firm picks each node, given subsidies; with an ``outside``
    option of that utility (a firm may locate outside the region), the node shares sum to
    less than 1 (the model's governments see the rest of China as that option)."""
    utility = base_utility + scale * subsidy
    if outside is None:
        return softmax_rows(utility)
    return softmax_rows(np.append(utility, outside))[:-1]


def best_response_city(value: np.ndarray, shares: np.ndarray, scale: float,
                       cap: np.ndarray) -> np.ndarray:
    """s_j* = v_j - 1 / (scale (1 - P_j)), clipped to [0, cap_j] (0 if firms ignore profit)."""
    if scale <= 0:
        return np.zeros_like(value)
    target = value - 1.0 / (scale * np.maximum(1.0 - shares, 1e-12))
    return np.clip(target, 0.0, cap)


def joint_optimum(value: np.ndarray, base_utility: np.ndarray, scale: float, cap: np.ndarray,
                  start: np.ndarray, iterations: int = 200,
                  outside: float | None = None) -> np.ndarray:
    """Subsidies maximising sum_j (v_j - s_j) P_j(s) (the coordination committee's objective)."""
    if scale <= 0:
        return np.zeros_like(value)
    s = start.copy()
    for _ in range(iterations):
        shares = mobile_firm_shares(base_utility, s, scale, outside)
        joint = float(((value - s) * shares).sum())
        new = np.clip(value - joint - 1.0 / scale, 0.0, cap)
        if np.max(np.abs(new - s)) < 1e-10:
            return new
        s = 0.5 * s + 0.5 * new
    return s


def update_subsidies(state: SubsidyState, *, params: PolicyParams, value: np.ndarray,
                     base_utility: np.ndarray, scale: float, firms: np.ndarray,
                     province_of_node: np.ndarray, city_budget: np.ndarray,
                     province_budget: np.ndarray, coordination: bool,
                     outside: float | None = None, dt: float = 0.25) -> SubsidyState:
    """One step of government decisions: subsidies move part way to the target, a share
    ``adjustment`` per quarter (1 - (1 - adjustment)^(dt / 0.25) per step of dt years)."""
    n_prov = len(state.province)
    if not params.enabled:
        return SubsidyState(np.zeros_like(state.city), np.zeros(n_prov))
    city_cap = np.minimum(params.max_subsidy, city_budget / np.maximum(firms, 1.0))
    firms_by_prov = np.bincount(province_of_node, weights=firms, minlength=n_prov)
    prov_cap = np.minimum(params.max_subsidy, province_budget / np.maximum(firms_by_prov, 1.0))
    total = state.total(province_of_node)
    if coordination:
        city_target = joint_optimum(value, base_utility, scale, city_cap, state.city,
                                    outside=outside)
        prov_target = np.zeros(n_prov)
    else:
        shares = mobile_firm_shares(base_utility, total, scale, outside)
        city_target = best_response_city(value, shares, scale, city_cap)
        prov_shares = np.bincount(province_of_node, weights=shares, minlength=n_prov)
        prov_value = np.bincount(province_of_node, weights=shares * value,
                                 minlength=n_prov) / np.maximum(prov_shares, 1e-12)
        prov_target = best_response_city(prov_value, prov_shares, scale, prov_cap)
    rho = 1.0 - (1.0 - params.adjustment) ** (dt / 0.25)
    city = state.city + rho * (city_target - state.city)
    # under coordination the provinces stop topping up at once (their top-ups would only
    # shift firms between the members of the joint objective)
    province = prov_target if coordination else \
        state.province + rho * (prov_target - state.province)
    return SubsidyState(np.minimum(city, city_cap), np.minimum(province, prov_cap))


class Governments:
    """City and provincial subsidy policy with budgets: decide, then pay and book."""

    def __init__(self, n: int, province_of_node: np.ndarray, n_prov: int,
                 params: PolicyParams) -> None:
        self.params, self.province_of_node, self.n_prov = params, province_of_node, n_prov
        self.subsidies = SubsidyState(np.zeros(n), np.zeros(n_prov))
        self.budgets = Budgets.empty(n, n_prov)
        self.revenue = (np.zeros(n), np.zeros(n_prov))
        self.targeted = np.zeros((1, n))    # [S, N] targeted subsidies actually paid
        self.spending = np.zeros(n)         # per year, by node (city + province + targeted)
        self.city_spending = np.zeros(n)    # per year, paid by the city governments
        self.programme_spending = np.zeros(n)  # per year, interventions' programmes (in it)
        self.paid_share = np.ones(n)        # share of the targeted offer paid last step
        self.transfers = np.zeros(n)        # per year: received from the joint fund (net)

    def per_firm(self, province_of_node: np.ndarray | None = None) -> np.ndarray:
        """General subsidy a firm receives at each node (city + province)."""
        return self.subsidies.total(self.province_of_node)

    def _capped(self, targeted: np.ndarray) -> np.ndarray:
        """[S, N] targeted subsidies capped so that general + targeted <= ``max_subsidy``."""
        if not self.params.enabled:
            return np.zeros_like(targeted)
        room = np.maximum(self.params.max_subsidy - self.per_firm(), 0.0)
        return np.clip(targeted, 0.0, room[None, :])

    def targeted_offer(self, targeted: np.ndarray) -> np.ndarray:
        """[S, N] targeted subsidies as firms expect them: the capped offer times the share
        of it the node's budget paid last step (adaptive expectations; 1 at first)."""
        return self._capped(targeted) * self.paid_share[None, :]

    def decide(self, *, output: np.ndarray, firms: np.ndarray, value: np.ndarray,
               base_utility: np.ndarray, scale: float, coordination: bool, dt: float,
               outside: float | None, level: float = 1.0) -> None:
        """Set this step's per-firm subsidies within what each budget allows. Subsidies are in
        units of the mean annual firm output of the time (model units / ``level``)."""
        p = self.params
        self.revenue = subsidy_revenue(output, self.province_of_node, self.n_prov, p)
        city_cap = spending_capacity(self.budgets.city, self.revenue[0], dt, p) / level
        prov_cap = spending_capacity(self.budgets.province, self.revenue[1], dt, p) / level
        if coordination:  # the joint fund: a share of every capacity, allotted per firm
            pooled = p.fund_share * city_cap.sum()
            city_cap = (1 - p.fund_share) * city_cap + pooled * firms / max(firms.sum(), 1.0)
        self.subsidies = update_subsidies(
            self.subsidies, params=p, value=value, base_utility=base_utility, scale=scale,
            firms=firms, province_of_node=self.province_of_node, city_budget=city_cap,
            province_budget=prov_cap, coordination=coordination, outside=outside, dt=dt)
        self._room = np.maximum(city_cap - self.subsidies.city * firms, 0.0)

    def pay(self, firms_by_sector: np.ndarray, targeted: np.ndarray, coordination: bool,
            dt: float, level: float = 1.0, programmes: np.ndarray | None = None) -> None:
        """Pay the general subsidies and the targeted ones (capped per firm and by the room
        left in the budget), and book the balances (model units: subsidies x ``level``).
        ``programmes`` (per year, model units) are what interventions cost each city (hubs,
        co-building): always booked, so they use up the room for subsidies first."""
        p = self.params
        firms = firms_by_sector.sum(axis=0).astype(float)
        per_firm = self._capped(targeted)
        need = (per_firm * firms_by_sector).sum(axis=0)
        scale = np.where(need > self._room, self._room / np.maximum(need, 1e-300), 1.0)
        self.targeted = per_firm * scale[None, :] if p.enabled else np.zeros_like(targeted)
        self.paid_share = np.where(need > 0, scale, 1.0)
        income = self.revenue[0].copy()
        if coordination:
            pooled = p.fund_share * income.sum()
            income = (1 - p.fund_share) * income + pooled * firms / max(firms.sum(), 1.0)
        self.transfers = income - self.revenue[0]
        # promised per firm at the start of the step; paid to the firms there at its end, pro
        # rata when entry and arrivals would push a budget past its borrowing limit
        programmes = np.zeros_like(firms) if programmes is None else programmes
        city_spend = level * (self.subsidies.city * firms
                              + (self.targeted * firms_by_sector).sum(axis=0))
        room = np.maximum(spending_capacity(self.budgets.city, income, dt, p) - programmes, 0.0)
        city_spend = _within(city_spend, room) + programmes
        self.programme_spending = programmes.copy()
        prov_firms = np.bincount(self.province_of_node, weights=firms, minlength=self.n_prov)
        prov_spend = _within(level * self.subsidies.province * prov_firms,
                             spending_capacity(self.budgets.province, self.revenue[1], dt, p))
        self.city_spending = city_spend
        self.budgets.city = self.budgets.city + (income - city_spend) * dt
        self.budgets.province = self.budgets.province + (self.revenue[1] - prov_spend) * dt
        paid_share = prov_spend / np.maximum(level * self.subsidies.province * prov_firms, 1e-300)
        self.spending = city_spend + level * (self.subsidies.province * np.minimum(
            paid_share, 1.0))[self.province_of_node] * firms


def _within(spending: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Spending cut to the capacity where it would exceed it."""
    return np.minimum(spending, capacity)
