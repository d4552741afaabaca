"""Seeds of runs and samplers, spawned from one master seed with ``numpy.random.SeedSequence``.

Common random numbers: the seed of a run depends only on the master seed, its replicate and (in
a comparison with parameter uncertainty) its draw, never on the scenario or the design point.
Replicate r of every scenario (or point) therefore sees the same random streams, and a paired
difference measures the policy (or the parameter change), not noise.
"""

from __future__ import annotations

import numpy as np

MAX_SEED = 2**63 - 1  # the scenario schema's upper bound of ``seed``
_RUNS, _DESIGN = 1, 0  # spawn-key roots: run seeds and sampler seeds never share a stream


def run_seed(master: int, replicate: int, draw: int = 0) -> int:
    """The seed of replicate ``replicate`` (of parameter draw ``draw``) under ``master``."""
    seq = np.random.SeedSequence(int(master), spawn_key=(_RUNS, int(draw), int(replicate)))
    return int(seq.generate_state(1, np.uint64)[0]) & MAX_SEED


def design_rng(master: int, purpose: int = 0) -> np.random.Generator:
    """A generator for a sampler (design points, uncertainty draws, bootstrap), independent of
    every run seed."""
    return np.random.default_rng(np.random.SeedSequence(int(master),
                                                        spawn_key=(_DESIGN, int(purpose))))


def design_seed(master: int, purpose: int = 0) -> int:
    """An integer seed for samplers that take one (SALib), derived like ``design_rng``."""
    seq = np.random.SeedSequence(int(master), spawn_key=(_DESIGN, int(purpose)))
    return int(seq.generate_state(1, np.uint32)[0])
