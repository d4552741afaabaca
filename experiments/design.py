"""Design points of a sweep and uncertainty draws of a comparison.

Samplers are the libraries' own: Latin hypercube from ``scipy.stats.qmc``, Morris trajectories
and Saltelli/Sobol sequences from SALib; a grid is every combination of the parameters' values.
Every sampler is seeded from the master seed (``experiments.seeds``), so a design is the same
on every machine and on resume.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from experiments.seeds import design_rng, design_seed

if TYPE_CHECKING:
    from experiments.spec import Parameter, SweepSpec


def grid_values(param: Parameter) -> list[Any]:
    """The values of one parameter in a grid design (a range: ``levels`` evenly spaced)."""
    if param.values is not None:
        return list(param.values)
    values = np.linspace(param.low, param.high, param.levels)
    if param.kind is int:
        return sorted({int(v) for v in np.rint(values)})
    return [float(v) for v in values]


def problem(params: tuple[Parameter, ...] | list[Parameter]) -> dict[str, Any]:
    """The SALib problem of ranged parameters."""
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[p.low, p.high] for p in params]}


def point_count(spec: SweepSpec) -> int:
    """Design points of a sweep (without replicates)."""
    d = len(spec.parameters)
    if spec.design == "grid":
        return math.prod(len(grid_values(p)) for p in spec.parameters)
    if spec.design == "morris":
        return spec.samples * (d + 1)
    if spec.design == "sobol":
        return spec.samples * (2 * d + 2 if spec.second_order else d + 2)
    return spec.samples


def _cast(params: tuple[Parameter, ...], matrix: np.ndarray) -> list[dict[str, Any]]:
    """Rows of a sample matrix as {key: value}, integers rounded."""
    points = []
    for row in matrix:
        point = {}
        for param, value in zip(params, row, strict=True):
            point[param.key] = int(np.rint(value)) if param.kind is int else float(value)
        points.append(point)
    return points


def latin_hypercube(params: tuple[Parameter, ...] | list[Parameter], n: int,
                    seed: int, purpose: int = 0) -> list[dict[str, Any]]:
    """``n`` Latin hypercube points over the parameters' ranges (``scipy.stats.qmc``)."""
    from scipy.stats import qmc
    sampler = qmc.LatinHypercube(d=len(params), rng=design_rng(seed, purpose))
    unit = sampler.random(n)
    matrix = qmc.scale(unit, [p.low for p in params], [p.high for p in params])
    return _cast(tuple(params), matrix)


def sample(spec: SweepSpec) -> list[dict[str, Any]]:
    """The design points of a sweep, in design order (the order SALib's analysis expects)."""
    params = spec.parameters
    if spec.design == "grid":
        keys = [p.key for p in params]
        return [dict(zip(keys, combo, strict=True))
                for combo in itertools.product(*(grid_values(p) for p in params))]
    if spec.design == "lhs":
        return latin_hypercube(params, spec.samples, spec.seed)
    if spec.design == "morris":
        from SALib.sample import morris
        matrix = morris.sample(problem(params), N=spec.samples, num_levels=spec.levels,
                               seed=design_seed(spec.seed))
    else:
        from SALib.sample import sobol
        matrix = sobol.sample(problem(params), N=spec.samples,
                              calc_second_order=spec.second_order, seed=design_seed(spec.seed))
    return _cast(params, matrix)
