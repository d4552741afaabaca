"""Adaptive population Monte Carlo ABC (APMC; Lenormand, Jabot & Deffuant 2013, Computational
Statistics 28:2777-2796), the ABC-SMC variant with a fixed number of simulations per generation.

Generation 0 draws ``particles`` parameter vectors from the (uniform) prior and keeps the
``alpha`` fraction closest to the data; its largest distance is the first tolerance. Each later
generation draws ``particles - kept`` new vectors from the kept ones (picked by weight, moved by
a Gaussian kernel with twice their weighted covariance, redrawn until inside the prior), pools
them with the kept ones, and keeps the ``alpha`` fraction of the pool with the smallest
distances; the tolerance is the largest distance kept. A kept particle's weight is the prior
density over the mixture of all the proposals used so far (multiple importance sampling; the
original weighs each generation's new particles by their own proposal only, which lets a few
early particles take most of the weight).
It stops when the share of new vectors closer than the previous tolerance falls to
``min_acceptance`` (or after ``max_generations``). The kept, weighted vectors are the posterior
sample.

Everything random comes from ``numpy.random.default_rng([seed, generation])``, and proposals are
generated before any of them is simulated, so the result does not depend on how (or where) the
simulations run, and a generation can be recomputed exactly when a run is resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Settings:
    """APMC settings: particles per generation, the kept fraction, the stopping rule."""

    particles: int = 200
    alpha: float = 0.5
    min_acceptance: float = 0.05
    max_generations: int = 10
    seed: int = 1

    @property
    def kept(self) -> int:
        return max(2, int(self.alpha * self.particles))


@dataclass(frozen=True)
class Component:
    """One proposal used so far: the prior (``centres`` None) or a Gaussian mixture around the
    kept particles of a generation, with the number of vectors drawn from it."""

    centres: np.ndarray | None
    weights: np.ndarray | None
    cov: np.ndarray | None
    draws: int

    @classmethod
    def prior(cls, draws: int) -> Component:
        return cls(None, None, None, draws)

    @classmethod
    def around(cls, population: Population, draws: int, low: np.ndarray,
               high: np.ndarray) -> Component:
        return cls(population.theta, population.weights, kernel(population, low, high), draws)

    def density(self, theta: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Proposal density at ``theta`` [n, p] (the kernel's truncation to the prior box is
        ignored, as in Lenormand et al. 2013)."""
        if self.centres is None:
            return np.full(len(theta), 1.0 / np.prod(high - low))
        inv = np.linalg.inv(self.cov)
        _, logdet = np.linalg.slogdet(self.cov)
        diff = theta[:, None, :] - self.centres[None, :, :]            # [n, kept, p]
        quad = np.einsum("nkp,pq,nkq->nk", diff, inv, diff)
        log_norm = -0.5 * (theta.shape[1] * np.log(2 * np.pi) + logdet)
        return np.exp(log_norm - 0.5 * quad) @ self.weights


@dataclass
class Population:
    """The kept particles of one generation, with the proposals that produced the pool."""

    generation: int
    theta: np.ndarray        # [kept, parameters]
    raw_weights: np.ndarray  # [kept] importance weights prior / mixture of all proposals
    distances: np.ndarray    # [kept]
    tolerance: float
    acceptance: float        # share of this generation's new particles below the old tolerance
    simulations: int         # simulations of this generation
    components: list[Component]

    @property
    def weights(self) -> np.ndarray:
        """Normalised weights (summing to one)."""
        return self.raw_weights / self.raw_weights.sum()

    def effective_size(self) -> float:
        """Kish's effective sample size of the weighted particles."""
        return float(1.0 / np.sum(self.weights**2))

    def mean(self) -> np.ndarray:
        return self.weights @ self.theta

    def covariance(self) -> np.ndarray:
        """Weighted covariance of the kept particles ([parameters, parameters])."""
        centred = self.theta - self.mean()
        w = self.weights
        return (centred * w[:, None]).T @ centred / max(1e-300, 1.0 - np.sum(w**2))

    def quantiles(self, q: np.ndarray) -> np.ndarray:
        """Weighted quantiles per parameter: [len(q), parameters]."""
        out = np.empty((len(q), self.theta.shape[1]))
        for k in range(self.theta.shape[1]):
            order = np.argsort(self.theta[:, k], kind="stable")
            cum = np.cumsum(self.weights[order])
            cum = (cum - 0.5 * self.weights[order]) / cum[-1]
            out[:, k] = np.interp(q, cum, self.theta[order, k])
        return out


def kernel(population: Population, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The proposal kernel's covariance: twice the weighted covariance of the particles."""
    cov = 2.0 * population.covariance()
    return cov + np.eye(len(low)) * 1e-12 * np.maximum(1.0, (high - low) ** 2)


def prior_draws(low: np.ndarray, high: np.ndarray, n: int,
                rng: np.random.Generator) -> np.ndarray:
    return low + (high - low) * rng.random((n, len(low)))


def propose(previous: Population, n: int, low: np.ndarray, high: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """``n`` new vectors: kept particles picked by weight and moved by N(0, 2 Cov), each redrawn
    until it falls inside the prior's box."""
    chol = np.linalg.cholesky(kernel(previous, low, high))
    out = np.empty((n, len(low)))
    todo = np.arange(n)
    for _ in range(10_000):
        picks = rng.choice(len(previous.weights), size=len(todo), p=previous.weights)
        cand = previous.theta[picks] + rng.standard_normal((len(todo), len(low))) @ chol.T
        inside = np.all((cand >= low) & (cand <= high), axis=1)
        out[todo[inside]] = cand[inside]
        todo = todo[~inside]
        if not len(todo):
            return out
    raise RuntimeError("APMC: could not draw proposals inside the prior")  # pragma: no cover


def importance_weights(theta: np.ndarray, components: list[Component], low: np.ndarray,
                       high: np.ndarray) -> np.ndarray:
    """Prior density over the mixture of every proposal used so far, each in proportion to the
    vectors drawn from it (the balance heuristic of multiple importance sampling; Veach & Guibas
    1995): bounded, so that no early particle dominates the weights."""
    total = sum(c.draws for c in components)
    mixture = sum(c.draws / total * c.density(theta, low, high) for c in components)
    return (1.0 / np.prod(high - low)) / np.maximum(mixture, 1e-300)


def first_generation(theta: np.ndarray, distances: np.ndarray, settings: Settings) -> Population:
    keep = np.argsort(distances, kind="stable")[:settings.kept]
    return Population(0, theta[keep], np.ones(len(keep)), distances[keep],
                      float(distances[keep].max()), 1.0, len(theta),
                      [Component.prior(len(theta))])


def next_generation(previous: Population, theta: np.ndarray, distances: np.ndarray,
                    low: np.ndarray, high: np.ndarray, settings: Settings) -> Population:
    """Pool the previous kept particles with the new ones and keep the closest ``alpha``."""
    components = [*previous.components, Component.around(previous, len(theta), low, high)]
    pool_theta = np.vstack([previous.theta, theta])
    pool_d = np.concatenate([previous.distances, distances])
    acceptance = float(np.mean(distances < previous.tolerance))
    keep = np.argsort(pool_d, kind="stable")[:settings.kept]
    kept = pool_theta[keep]
    return Population(previous.generation + 1, kept,
                      importance_weights(kept, components, low, high), pool_d[keep],
                      float(pool_d[keep].max()), acceptance, len(theta), components)


def generation_rng(settings: Settings, generation: int) -> np.random.Generator:
    return np.random.default_rng([settings.seed, generation])


def candidates(previous: Population | None, low: np.ndarray, high: np.ndarray,
               settings: Settings) -> np.ndarray:
    """The parameter vectors a generation simulates (after ``previous``; None: the first)."""
    if previous is None:
        return prior_draws(low, high, settings.particles, generation_rng(settings, 0))
    rng = generation_rng(settings, previous.generation + 1)
    return propose(previous, settings.particles - settings.kept, low, high, rng)


def finished(population: Population, settings: Settings) -> bool:
    return (population.generation > 0 and population.acceptance <= settings.min_acceptance) \
        or population.generation + 1 >= settings.max_generations


def run(distance: Callable[[np.ndarray, int], np.ndarray], low: np.ndarray, high: np.ndarray,
        settings: Settings, start: Population | None = None,
        on_generation: Callable[[Population], None] | None = None) -> Population:
    """APMC until the stopping rule: ``distance(theta [n, p], generation) -> [n]`` simulates
    and measures; ``start`` resumes after a stored generation."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    population = start
    while population is None or not finished(population, settings):
        theta = candidates(population, low, high, settings)
        generation = 0 if population is None else population.generation + 1
        d = np.asarray(distance(theta, generation), dtype=float)
        population = first_generation(theta, d, settings) if population is None else \
            next_generation(population, theta, d, low, high, settings)
        if on_generation:
            on_generation(population)
    return population
