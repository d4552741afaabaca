"""Innovation-network synergy: knowledge spillovers decaying with travel time.

MA_j = sum_k R_k exp(-ln 2 * t_jk / t_half),
R_k = w_u * univ_k / sum univ + (1 - w_u) * E_k / sum E
(Ahlfeldt & Feddersen 2018). TFP gets the factor (MA_j / mean MA)^gamma; off, the factor is 1.
"""

from __future__ import annotations

import numpy as np

from scenarios.schema import InnovationParams


def spillover_kernel(travel_hours: np.ndarray, half_life_hours: float) -> np.ndarray:
    """exp(-ln2 t / t_half) for all node pairs (1 on the diagonal)."""
    return np.exp(-np.log(2.0) * travel_hours / half_life_hours)


def knowledge_access(kernel: np.ndarray, universities: np.ndarray, employment: np.ndarray,
                     params: InnovationParams) -> np.ndarray:
    """Knowledge access of every node, normalised to mean 1."""
    univ_share = universities / universities.sum() if universities.sum() > 0 else 0.0
    sources = params.university_weight * univ_share + (1 - params.university_weight) * (
        employment / employment.sum())
    access = kernel @ sources
    return access / access.mean()


def productivity_factor(access: np.ndarray, params: InnovationParams) -> np.ndarray:
    """(MA / mean MA)^gamma, or 1 when the mechanism is off."""
    if not params.enabled:
        return np.ones_like(access)
    return access ** params.gamma
