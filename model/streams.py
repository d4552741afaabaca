"""Named random streams derived from one seed: each mechanism draws from its own generator, so a
change in one place (an intervention, a rate) does not shift the draws of another."""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """``streams["talent"]`` is a ``numpy.random.Generator`` fixed by (seed, "talent")."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
            self._streams[name] = np.random.Generator(np.random.PCG64(sequence))
        return self._streams[name]
