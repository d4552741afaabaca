"""Policy drive: city and provincial governments set per-firm subsidies under budgets.

Each government values a firm at v (``value_of_firm`` x output per unit of firm productivity)
and perceives the logit choice of a mobile firm, P_j = softmax(beta_f (pi_j + s_j) + size_j).
Competition: the best response to the others, s_j* = v_j - 1 / (beta_f (1 - P_j)), clipped to
[0, min(max_subsidy, budget_j / firms_j)], reached by partial adjustment each quarter
(iterated best responses converge to the Nash subsidies; Li & Zhou 2005 tournament).
Provincial governments do the same for a province-wide top-up with P_p = sum of their nodes' P_j.
Coordination: the joint objective J = sum_j (v_j - s_j) P_j, whose first-order condition
gives s_j = v_j - J - 1/beta_f (clipped), iterated to a fixed point; provincial top-ups are 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.choice import softmax_rows
from scenarios.schema import PolicyParams


@dataclass
class SubsidyState:
    city: np.ndarray      # [N] per-firm subsidy set by each city government
    province: np.ndarray  # [P] per-firm top-up set by each provincial government

    def total(self, province_of_node: np.ndarray) -> np.ndarray:
        """Subsidy a firm receives at each node."""
        return self.city + self.province[province_of_node]


def budgets(gdp: np.ndarray, total_output: float, share: float) -> np.ndarray:
    """Budget per quarter: share x the unit's GDP share x regional digital output."""
    return share * gdp / gdp.sum() * total_output


def mobile_firm_shares(base_utility: np.ndarray, subsidy: np.ndarray, scale: float,
                       outside: float | None = None) -> np.ndarray:
    """Probability that a mobile firm picks each node, given subsidies; with an ``outside``
    option of that utility (a firm may locate outside the region), the node shares sum to
    less than 1. The model has no outside option; the subsidy-game validation (T5) does."""
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
                     outside: float | None = None) -> SubsidyState:
    """One quarter of government decisions (subsidies move part way to the target)."""
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
    rho = params.adjustment
    city = state.city + rho * (city_target - state.city)
    # under coordination the provinces stop topping up at once (their top-ups would only
    # shift firms between the members of the joint objective)
    province = prov_target if coordination else \
        state.province + rho * (prov_target - state.province)
    return SubsidyState(np.minimum(city, city_cap), np.minimum(province, prov_cap))
