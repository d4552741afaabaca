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


def placement(total: int, weights: np.ndarray, distribution: str) -> np.ndarray:
    """Counts by [sector, node]: proportional to ``weights`` (endowment index x population,
    'data'), or equal in every node with the same sector mix ('uniform')."""
    if distribution == "uniform":
        mix = weights.sum(axis=1)
        weights = mix[:, None] * np.ones(weights.shape[1])[None, :]
    return apportion(total, weights).reshape(weights.shape)


def _rows(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_sectors, n_nodes = counts.shape
    cells = np.repeat(np.arange(n_sectors * n_nodes), counts.ravel())
    return (cells % n_nodes).astype(np.int64), (cells // n_nodes).astype(np.int8)


def lognormal_mean_one(sigma: float, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.exp(sigma * rng.standard_normal(size) - 0.5 * sigma**2)


def new_firms(node: np.ndarray, sector: np.ndarray, params: InitParams,
              data_mean: np.ndarray, rng: np.random.Generator) -> FirmArrays:
    """Firms at the given nodes and sectors; productivity lognormal (mean 1), data intensity
    Beta-distributed around the sector's mean (data/sector_traits.csv)."""
    n = len(node)
    productivity = lognormal_mean_one(params.productivity_sigma, n, rng)
    mean = np.clip(data_mean[sector], 1e-3, 1 - 1e-3)
    c = params.data_concentration
    data = rng.beta(mean * c, (1 - mean) * c) if n else np.empty(0)
    return FirmArrays(np.empty(n, dtype=np.int64), node.astype(np.int64),
                      sector.astype(np.int8), productivity, data)


def new_talent(node: np.ndarray, sector: np.ndarray, params: InitParams,
               rng: np.random.Generator) -> TalentArrays:
    """Talent at the given nodes and sectors; skill lognormal with mean 1."""
    return TalentArrays(np.empty(len(node), dtype=np.int64), node.astype(np.int64),
                        sector.astype(np.int8),
                        lognormal_mean_one(params.skill_sigma, len(node), rng))


def make_firms(counts: np.ndarray, params: InitParams, data_mean: np.ndarray,
               rng: np.random.Generator) -> FirmArrays:
    """Firms in the given [sector, node] counts (uids 0, 1, ...)."""
    node, sector = _rows(counts)
    firms = new_firms(node, sector, params, data_mean, rng)
    firms.uid = np.arange(len(node), dtype=np.int64)
    return firms


def make_talent(counts: np.ndarray, params: InitParams, rng: np.random.Generator
                ) -> TalentArrays:
    """Talent in the given [sector, node] counts (uids 0, 1, ...)."""
    node, sector = _rows(counts)
    talent = new_talent(node, sector, params, rng)
    talent.uid = np.arange(len(node), dtype=np.int64)
    return talent
