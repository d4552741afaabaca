"""Population accounting: agents move, enter, leave and close; counts stay exact.

A ``Population`` holds the arrays of one kind of agent and keeps their counts and weighted sums
by (sector, node) up to date move by move (O(movers), not a pass over every agent). Columns run
over the region's nodes and the outside node (index n). Every change goes through ``move``,
``add`` or ``remove``, which also book it in the step's ``Ledger``: births, closures/retirements,
moves between region nodes, departures to and arrivals from the rest of China. The identity
``count(t) = count(t-1) + born + arrived + moved in - moved out - left - died`` holds exactly
for every node and step (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.compaction import mark_departed, shifted
from model.state import SECTORS, _Rows, sector_node_count, sector_node_sum


@dataclass
class Ledger:
    """What happened to one kind of agent in one step; [n] arrays over the region's nodes,
    flows [n+1, n+1] (row: origin, column: destination, index n: the outside)."""

    flows: np.ndarray   # moves decided this step, diagonal: stayers
    born: np.ndarray    # entrants (firms) or graduates (talent)
    died: np.ndarray    # closures (firms) or retirements (talent)

    @classmethod
    def empty(cls, n: int) -> Ledger:
        return cls(np.zeros((n + 1, n + 1), dtype=np.int64), np.zeros(n, dtype=np.int64),
                   np.zeros(n, dtype=np.int64))

    def inflow(self) -> np.ndarray:
        """Arrivals at each region node from other region nodes and from the outside."""
        moves = self.flows[:, :-1]
        return moves.sum(axis=0) - np.diag(self.flows)[:-1]

    def outflow(self) -> np.ndarray:
        """Departures from each region node to other region nodes and to the outside."""
        moves = self.flows[:-1, :]
        return moves.sum(axis=1) - np.diag(self.flows)[:-1]


class Population:
    """Agents of one kind (rows of ``arrays``) with counts and ``weight`` sums by cell.

    Rows are appended into the spare capacity of the columns at once; rows removed (closures,
    retirements) are marked and dropped, with those that left for the outside, in one
    in-place pass per column at the end of the step (``drop_departed``)."""

    def __init__(self, arrays: _Rows, weight: str, n: int) -> None:
        self._arrays, self.weight, self.n = arrays, weight, n
        self._removed = 0                      # rows marked in _drop, dropped with the departed
        self.next_uid = int(arrays.uid.max(initial=-1)) + 1
        self.ledger = Ledger.empty(n)
        self.recount()

    def __getstate__(self) -> dict:
        """Without the scratch buffers (recreated on use), unless rows are marked for removal
        (mid-step: the marks are kept)."""
        state = self.__dict__.copy()
        if not self._removed:
            state.pop("_scratch", None)
        return state

    def _buffer(self, name: str, dtype: type) -> np.ndarray:
        """A scratch buffer (uint8 drop marks, zero between uses; float uniforms) with room
        for every row."""
        scratch = self.__dict__.setdefault("_scratch", {})
        size = len(self._arrays)
        buffer = scratch.get(name)
        if buffer is None or len(buffer) < size:
            grown = np.zeros(max(2 * size, 1024), dtype=dtype)
            if buffer is not None:
                grown[: len(buffer)] = buffer
            buffer = scratch[name] = grown
        return buffer

    @property
    def arrays(self) -> _Rows:
        """The agents' rows (the removals of the step carried out first)."""
        if self._removed:
            self._squeeze(-1)
        return self._arrays

    def uniforms(self, rng: np.random.Generator) -> np.ndarray:
        """One uniform per row (``rng.random(len(rows))``, drawn into a reused buffer: valid
        until the next call)."""
        return rng.random(out=self._buffer("uniforms", np.float64)[: len(self.arrays)])

    def _squeeze(self, outside: int) -> None:
        """Drop the removed rows and those at node ``outside`` (-1: none), in place; the counts
        and sums of the departed leave the outside column."""
        rows, drop = self._arrays, self._buffer("drop", np.uint8)
        cells = self.cols * len(SECTORS)
        counts, sums = np.zeros(cells, dtype=np.int64), np.zeros(cells)
        dropped = self._buffer("dropped", np.int64)
        k, departed = mark_departed(drop, rows.node, rows.sector, getattr(rows, self.weight),
                                    outside, self.cols, counts, sums, dropped)
        if departed:
            self.counts = self.counts - counts.reshape(self.counts.shape)
            self.sums = self.sums - sums.reshape(self.sums.shape)
        rows.squeeze(dropped[:k])
        self._removed = 0

    @property
    def cols(self) -> int:
        return self.n + 1

    def cells(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        rows = self.arrays
        return rows.sector[idx].astype(np.int64) * self.cols + rows.node[idx]

    def recount(self) -> None:
        """Counts and sums from every agent (afterwards kept up to date move by move)."""
        cells = self.cells()
        self.counts = sector_node_count(cells, self.cols)
        self.sums = sector_node_sum(cells, getattr(self.arrays, self.weight), self.cols)

    def new_step(self) -> None:
        self.ledger = Ledger.empty(self.n)

    def _shift(self, cells: np.ndarray, weights: np.ndarray, sign: int) -> None:
        """Add (``sign`` +1) or take away (-1) agents in ``cells`` with ``weights``: new count
        and sum arrays, as ``counts + sign * np.bincount(cells)`` would give (one compiled
        call)."""
        counts, sums = shifted(self.counts.reshape(-1), self.sums.reshape(-1), cells,
                               weights.astype(np.float64, copy=False), sign)
        self.counts, self.sums = counts.reshape(self.counts.shape), sums.reshape(self.sums.shape)

    def move(self, idx: np.ndarray, new: np.ndarray) -> None:
        """Agents ``idx`` (region residents who reconsidered) go to nodes ``new`` (n: leave)."""
        old = self.arrays.node[idx]
        weights = getattr(self.arrays, self.weight)[idx]
        self._shift(self.cells(idx), weights, -1)
        self.arrays.node[idx] = new
        self._shift(self.cells(idx), weights, +1)
        self.ledger.flows += np.bincount(old * self.cols + new, minlength=self.cols ** 2
                                         ).reshape(self.cols, self.cols)

    def add(self, rows: _Rows, *, arrived: bool) -> None:
        """New agents (uids are assigned here): arrivals from the outside or births."""
        if len(rows) == 0:
            return
        rows.uid = np.arange(self.next_uid, self.next_uid + len(rows), dtype=np.int64)
        self.next_uid += len(rows)
        self.arrays.append(rows)
        cells = rows.sector.astype(np.int64) * self.cols + rows.node
        self._shift(cells, getattr(rows, self.weight), +1)
        at = np.bincount(rows.node, minlength=self.n)[: self.n]
        if arrived:
            self.ledger.flows[self.n, : self.n] += at
        else:
            self.ledger.born += at

    def remove(self, idx: np.ndarray) -> None:
        """Agents ``idx`` close or retire (their rows are dropped with the departed)."""
        if len(idx) == 0:
            return
        nodes = self.arrays.node[idx]
        self._shift(self.cells(idx), getattr(self.arrays, self.weight)[idx], -1)
        self.ledger.died += np.bincount(nodes[nodes < self.n], minlength=self.n)
        self._buffer("drop", np.uint8)[idx] = 1
        self._removed += len(idx)

    def drop_departed(self) -> None:
        """Remove the rows of agents that left for the outside this step (their move is in the
        ledger; the counts of the outside column go back to zero), and those removed: one
        in-place pass."""
        self._squeeze(self.n)

    def region_counts(self) -> np.ndarray:
        """[S, n] agents in the region's nodes."""
        return self.counts[:, : self.n]

    def region_sums(self) -> np.ndarray:
        return self.sums[:, : self.n]

    def in_region(self) -> np.ndarray:
        """Rows of agents in the region (all, between steps)."""
        return np.flatnonzero(self.arrays.node < self.n)
