"""Array-backed state: agents are rows of numpy arrays; Mesa agent objects are views over them.

Node index ``n`` (the number of region nodes) stands for the outside node, the rest of China:
an agent there has left the region (its row is removed at the end of the step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cache

import numpy as np

from model.sectors import SECTORS

__all__ = ["SECTORS", "TOMBSTONE", "FirmArrays", "NodeFields", "TalentArrays",
           "sector_node_count", "sector_node_sum"]

# The node of a removed row not yet squeezed out (``model.population.Population``): beyond
# every node (n is the outside), so that the row passes skip it; an index error if used.
TOMBSTONE = np.iinfo(np.int64).max


@dataclass
class _Rows:
    """Agents as rows of equally long arrays; ``uid`` is unique and increasing by row.

    The columns are views ``buffer[:len]`` of buffers with spare capacity (doubled when full):
    appending rows writes them after the last row instead of copying every column, and
    ``squeeze`` drops rows in place. A column replaced by another array (or a copy after
    unpickling) is detected and its buffers are rebuilt on the next append."""

    uid: np.ndarray     # int64, never reused
    node: np.ndarray    # int64 node index (n: the outside)
    sector: np.ndarray  # int8 index into SECTORS

    def __len__(self) -> int:
        return len(self.node)

    @classmethod
    @cache
    def columns(cls) -> tuple[str, ...]:
        """The names of the columns (the dataclass fields), in order."""
        return tuple(f.name for f in fields(cls))

    def __getstate__(self) -> dict:
        """The rows without the spare capacity (a pickle holds the rows only)."""
        state = self.__dict__.copy()
        state.pop("_buffers", None)
        state.pop("_views", None)
        return state

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where ``mask`` is False (order kept; new arrays)."""
        for name in self.columns():
            setattr(self, name, getattr(self, name)[mask])

    def _buffers_in_use(self) -> dict[str, np.ndarray] | None:
        """The buffers, if every column is still the view of its buffer set by this class
        (an identity test: a column replaced or unpickled is another object)."""
        buffers = self.__dict__.get("_buffers")
        if buffers is None:
            return None
        views = self.__dict__["_views"]
        for name in self.columns():
            if getattr(self, name) is not views[name]:
                return None
        return buffers

    def _set_views(self, buffers: dict[str, np.ndarray], size: int) -> None:
        """Make every column the view ``buffer[:size]`` of its buffer."""
        views = {name: buffer[:size] for name, buffer in buffers.items()}
        for name, view in views.items():
            setattr(self, name, view)
        self.__dict__["_buffers"], self.__dict__["_views"] = buffers, views

    def reserve(self, rows: int) -> dict[str, np.ndarray]:
        """Buffers with room for ``rows`` rows (at least twice the rows now when they grow)."""
        buffers = self._buffers_in_use()
        if buffers is not None and len(buffers["node"]) >= rows:
            return buffers
        size = len(self)
        capacity = max(rows, 2 * size, 1024)
        buffers = {}
        for name in self.columns():
            column = getattr(self, name)
            buffers[name] = np.empty(capacity, dtype=column.dtype)
            buffers[name][:size] = column
        self._set_views(buffers, size)
        return buffers

    def append(self, *others: _Rows) -> None:
        """Add the rows of ``others`` (same kind) at the end, in order (written into the spare
        capacity: the rows already there are not copied unless the buffers grow)."""
        size = len(self)
        end = size + sum(len(o) for o in others)
        buffers = self.reserve(end)
        for name in self.columns():
            buffer, at = buffers[name], size
            for other in others:
                values = getattr(other, name)
                buffer[at: at + len(values)] = values
                at += len(values)
        self._set_views(buffers, end)

    def squeeze(self, dropped: np.ndarray, squeeze_columns: Callable | None = None) -> None:
        """Drop the rows ``dropped`` (increasing row numbers) in place, keeping the order, with
        ``squeeze_columns`` (a kernel of model/compaction.py or model/plain.py; default the
        plain one)."""
        if squeeze_columns is None:
            from model.plain import squeeze_columns
        if len(dropped) == 0:
            return
        size = len(self)
        buffers = self.reserve(size)
        kept = squeeze_columns(tuple(buffers.values()), dropped, size)
        self._set_views(buffers, kept)

    def row_of(self, uid: int) -> int:
        """Row of the agent ``uid`` (KeyError when it has left or closed)."""
        row = int(np.searchsorted(self.uid, uid))
        if row >= len(self.uid) or self.uid[row] != uid:
            raise KeyError(f"agent {uid} is no longer in the model")
        return row


@dataclass
class FirmArrays(_Rows):
    """One row per firm agent."""

    productivity: np.ndarray = field(default_factory=lambda: np.empty(0))    # q_f, mean 1
    data_intensity: np.ndarray = field(default_factory=lambda: np.empty(0))  # d_f in [0, 1]


@dataclass
class TalentArrays(_Rows):
    """One row per talent agent."""

    skill: np.ndarray = field(default_factory=lambda: np.empty(0))  # efficiency units, mean 1


@dataclass
class NodeFields:
    """Node-level quantities computed once per step ([S, N] by sector and node, [N] by node);
    flows are per year, in model units (mean output per unit of firm productivity and the mean
    wage are 1 at the start)."""

    capital: np.ndarray        # [S, N] sum of firm productivity, incl. the immobile base
    labour: np.ndarray         # [S, N] talent efficiency units, incl. the immobile base
    employment: np.ndarray     # [N] labour summed over sectors
    tfp: np.ndarray            # [S, N]
    output: np.ndarray         # [S, N] digital output per year
    wage: np.ndarray           # [S, N] per efficiency unit
    profit_rate: np.ndarray    # [S, N] gross profit per unit of firm productivity
    rent: np.ndarray           # [N] rent index (1 at the regional mean density)
    cost_of_living: np.ndarray # [N]
    market_access: np.ndarray  # [N] knowledge access, mean 1
    site_cost: np.ndarray      # [S, N] land, office and power cost of a firm
    compute_cost: np.ndarray   # [N] per unit of data intensity


def sector_node_sum(cells: np.ndarray, weight: np.ndarray, n_cols: int) -> np.ndarray:
    """Sum of ``weight`` by (sector, node) cell as an [S, n_cols] array, via one bincount."""
    flat = np.bincount(cells, weights=weight, minlength=len(SECTORS) * n_cols)
    return flat.astype(float, copy=False).reshape(len(SECTORS), n_cols)


def sector_node_count(cells: np.ndarray, n_cols: int) -> np.ndarray:
    """Agent counts by (sector, node) cell as an [S, n_cols] integer array."""
    return np.bincount(cells, minlength=len(SECTORS) * n_cols).reshape(len(SECTORS), n_cols)
