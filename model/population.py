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

from model import backend
from model.state import TOMBSTONE, _Rows, sector_node_count, sector_node_sum

_NONE = np.empty(0, dtype=np.int64)


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

    Rows are appended into the spare capacity of the columns at once. Rows removed (closures,
    retirements, and at the end of the step those that left for the outside) become
    tombstones: their node is set to ``TOMBSTONE`` and their row numbers are kept, without
    moving any other row. The tombstones are squeezed out in one in-place pass per column
    when they make up ``COMPACT_AT`` of the rows, or when ``arrays`` is read. Within a step,
    ``rows`` (tombstones included) and ``live_rows`` (live ranks mapped to row numbers) let
    the step work on the rows as they lie; ``arrays`` always shows the live rows only, in
    order, as if every removal had been carried out at once."""

    COMPACT_AT = 0.0625  # squeeze the tombstones out when they are this share of the rows

    def __init__(self, arrays: _Rows, weight: str, n: int, compiled: bool = False) -> None:
        self._arrays, self.weight, self.n = arrays, weight, n
        self.compiled = compiled               # which kernels (model/backend.py: same bits)
        self._dead = _NONE                     # tombstone rows, increasing
        self._fresh: list[np.ndarray] = []     # tombstones not yet merged into _dead
        self._fresh_rows = 0                   # their number
        self._departed: list[np.ndarray] = []  # rows that moved to the outside this step
        self.next_uid = int(arrays.uid.max(initial=-1)) + 1
        self.ledger = Ledger.empty(n)
        self.recount()
        if compiled:
            _load_kernels(arrays, self.kernels)

    @property
    def kernels(self) -> backend.Kernels:
        """The row passes' implementation (compiled or plain)."""
        return backend.kernels(self.__dict__.get("compiled", False))

    @property
    def arrays(self) -> _Rows:
        """The live agents' rows, in order (tombstones squeezed out first)."""
        if self.tombstones:
            self.compact()
        return self._arrays

    @property
    def rows(self) -> _Rows:
        """The rows as they lie, tombstones included (node ``TOMBSTONE``): for the passes of
        a step, which use row numbers from ``live_rows`` or the closure passes."""
        return self._arrays

    @property
    def tombstones(self) -> int:
        """Number of tombstones among ``rows``."""
        return len(self._dead) + self._fresh_rows

    @property
    def live(self) -> int:
        """Number of live rows (``len(arrays)``, without squeezing)."""
        return len(self._arrays) - self.tombstones

    def _tombstone_rows(self) -> np.ndarray:
        """The tombstones' row numbers, increasing (the fresh ones merged in)."""
        if self._fresh:
            fresh = self._fresh[0]
            for more in self._fresh[1:]:
                fresh = self.kernels.merge_rows(fresh, more)
            self._dead = self.kernels.merge_rows(self._dead, fresh)
            self._fresh, self._fresh_rows = [], 0
        return self._dead

    def compact(self) -> None:
        """Squeeze the tombstones out in place (the step's departed rows are renumbered)."""
        dead = self._tombstone_rows()
        self._dead = _NONE
        if self._departed:
            self._departed = [rows - np.searchsorted(dead, rows) for rows in self._departed]
        self._arrays.squeeze(dead, self.kernels.squeeze_columns)

    def live_rows(self, ranks: np.ndarray) -> np.ndarray:
        """Row numbers (of ``rows``) of the live rows of rank ``ranks`` (increasing; rank r:
        row r of ``arrays``), e.g. the deciders drawn over the live rows."""
        if not self.tombstones:
            return ranks
        return self.kernels.live_to_rows(ranks, self._tombstone_rows())

    @property
    def cols(self) -> int:
        return self.n + 1

    def cells(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Cells (sector x cols + node) of the rows ``idx`` (row numbers of ``rows``; all
        live rows by default)."""
        rows = self._arrays if isinstance(idx, np.ndarray) else self.arrays
        return rows.sector[idx].astype(np.int64) * self.cols + rows.node[idx]

    def recount(self) -> None:
        """Counts and sums from every agent (afterwards kept up to date move by move)."""
        cells = self.cells()
        self.counts = sector_node_count(cells, self.cols)
        self.sums = sector_node_sum(cells, getattr(self.arrays, self.weight), self.cols)

    def new_step(self) -> None:
        self.ledger = Ledger.empty(self.n)

    def move(self, idx: np.ndarray, new: np.ndarray) -> None:
        """Agents ``idx`` (rows of region residents who reconsidered, increasing) go to nodes
        ``new`` (n: leave; their rows are removed at the end of the step)."""
        rows = self._arrays
        counts, sums, flows = self.kernels.moved(
            self.counts.reshape(-1), self.sums.reshape(-1), rows.node, rows.sector,
            getattr(rows, self.weight), idx, new.astype(np.int64, copy=False), self.cols)
        self.counts, self.sums = counts.reshape(self.counts.shape), sums.reshape(self.sums.shape)
        self.ledger.flows += flows.reshape(self.cols, self.cols)
        left = idx[new == self.n]
        if len(left):
            self._departed.append(left)

    def add(self, rows: _Rows, *, arrived: bool) -> None:
        """New agents (uids are assigned here): arrivals from the outside or births."""
        if len(rows) == 0:
            return
        rows.uid = np.arange(self.next_uid, self.next_uid + len(rows), dtype=np.int64)
        self.next_uid += len(rows)
        self._arrays.append(rows)
        weights = getattr(rows, self.weight).astype(np.float64, copy=False)
        counts, sums, at = self.kernels.added(self.counts.reshape(-1), self.sums.reshape(-1),
                                              rows.node, rows.sector, weights, self.n, self.cols)
        self.counts, self.sums = counts.reshape(self.counts.shape), sums.reshape(self.sums.shape)
        if arrived:
            self.ledger.flows[self.n, : self.n] += at
        else:
            self.ledger.born += at

    def remove(self, idx: np.ndarray) -> None:
        """Agents ``idx`` (rows, increasing) close or retire: their rows become tombstones."""
        if len(idx) == 0:
            return
        self.ledger.died += self._bury(idx)

    def _bury(self, idx: np.ndarray) -> np.ndarray:
        """Take the rows ``idx`` (increasing, live) out of the counts and sums and make them
        tombstones; returns their number by region node."""
        rows = self._arrays
        counts, sums, died = self.kernels.buried(
            self.counts.reshape(-1), self.sums.reshape(-1), rows.node, rows.sector,
            getattr(rows, self.weight), idx.astype(np.int64, copy=False), self.n, self.cols,
            TOMBSTONE)
        self.counts, self.sums = counts.reshape(self.counts.shape), sums.reshape(self.sums.shape)
        self._fresh.append(idx)
        self._fresh_rows += len(idx)
        return died

    def drop_departed(self) -> None:
        """Remove the rows of agents that left for the outside this step (their move is in the
        ledger; the counts of the outside column go back to zero, taken away in row order as
        ``np.bincount`` sums them); squeeze the tombstones out when they are ``COMPACT_AT``
        of the rows."""
        if self._departed:
            left = self._departed[0] if len(self._departed) == 1 else np.unique(
                np.concatenate(self._departed))
            self._departed = []
            self._bury(left[self._arrays.node[left] == self.n])
        if self.tombstones > self.COMPACT_AT * len(self._arrays):
            self.compact()

    def region_counts(self) -> np.ndarray:
        """[S, n] agents in the region's nodes."""
        return self.counts[:, : self.n]

    def region_sums(self) -> np.ndarray:
        return self.sums[:, : self.n]

    def in_region(self) -> np.ndarray:
        """Rows of ``arrays`` of agents in the region (all, between steps)."""
        return np.flatnonzero(self.arrays.node < self.n)


def _load_kernels(rows: _Rows, kernels: backend.Kernels) -> None:
    """Load the compiled passes on tombstones now (from numba's cache: a few ms each, once
    per process), not in the first step that has tombstones to map or squeeze."""
    kernels.merge_rows(_NONE, _NONE)
    kernels.live_to_rows(_NONE, _NONE)
    kernels.squeeze_columns(tuple(getattr(rows, name) for name in rows.columns()), _NONE,
                            len(rows))
