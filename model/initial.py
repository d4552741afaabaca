"""Initial agents: placement by node (from the data, or uniform) and individual attributes."""

from __future__ import annotations

import numpy as np

from model.state import FirmArrays, TalentArrays
from scenarios.schema import InitParams


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to ``weights`` summing to ``total`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float).ravel()
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def placement(total: int, sector_weight: np.ndarray, distribution: str) -> np.ndarray:
    """Counts by [sector, node]: proportional to sector value added ('data'), or equal in every
    node with the region's sector mix ('uniform')."""
    if distribution == "uniform":
        mix = sector_weight.sum(axis=1)
        weights = mix[:, None] * np.ones(sector_weight.shape[1])[None, :]
    else:
        weights = sector_weight
    return apportion(total, weights).reshape(sector_weight.shape)


def _rows(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_sectors, n_nodes = counts.shape
    cells = np.repeat(np.arange(n_sectors * n_nodes), counts.ravel())
    return (cells % n_nodes).astype(np.int64), (cells // n_nodes).astype(np.int8)


def _lognormal_mean_one(sigma: float, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.exp(sigma * rng.standard_normal(size) - 0.5 * sigma**2)


def make_firms(counts: np.ndarray, params: InitParams, rng: np.random.Generator) -> FirmArrays:
    """Firms in the given [sector, node] counts; productivity lognormal (mean 1), data intensity
    Beta-distributed around the sector mean."""
    node, sector = _rows(counts)
    n = len(node)
    productivity = _lognormal_mean_one(params.productivity_sigma, n, rng)
    mean = np.where(sector == 0, params.data_intensity_soft, params.data_intensity_hard)
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    concentration = 10.0
    data = rng.beta(mean * concentration, (1 - mean) * concentration)
    return FirmArrays(node, sector, productivity, data)


def make_talent(counts: np.ndarray, params: InitParams, rng: np.random.Generator) -> TalentArrays:
    """Talent in the given [sector, node] counts; skill lognormal with mean 1."""
    node, sector = _rows(counts)
    return TalentArrays(node, sector, _lognormal_mean_one(params.skill_sigma, len(node), rng))
