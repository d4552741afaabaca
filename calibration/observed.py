"""What the region did: the observed changes that the backcast is fitted to or checked against.

Two blocks of targets, one value per unit (``data/observed.csv``, sources in
``data/sources/observed.md``):

- ``population``: the change of each unit's share of the region's resident population between
  the censuses of 2010 and 2020 (2020 boundaries), as ``log(share_2020 / share_2010)``;
- ``gdp``: the change of each unit's share of the GDP of the units with both values between
  2019 and 2022, ``log(share_2022 / share_2019)`` (nominal GDP; units without a 2019 figure are
  left out of the block).

Shares, not levels: the model's agents are digital firms and workers, whose totals grow with the
digital economy, not with the population or GDP; what the model can be asked to reproduce is
where they go. Both naive predictions that the calibration issue names (no change; growth
proportional to the start) leave every share unchanged: their prediction is 0 for every unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import DataError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OBSERVED = DATA_DIR / "observed.csv"
RANKINGS = DATA_DIR / "rankings.csv"

# block -> (first column, last column, first model quarter, last model quarter) for a backcast
# whose step 0 is the end of 2010 (the 2010 census was taken on 1 November 2010)
BLOCKS = {
    "population": ("population_2010", "population_2020", "2010Q4", "2020Q4"),
    "gdp": ("gdp_2019", "gdp_2022", "2019Q4", "2022Q4"),
}
MODEL_METRIC = {"population": "talent", "gdp": "output"}


@dataclass(frozen=True)
class Targets:
    """Observed share changes: one row per (block, unit) with the unit's province."""

    table: pd.DataFrame      # block, unit, province, observed, start, end

    def block(self, name: str) -> pd.DataFrame:
        return self.table[self.table["block"] == name]

    @property
    def blocks(self) -> list[str]:
        return list(dict.fromkeys(self.table["block"]))


def read_observed(path: str | Path = OBSERVED) -> pd.DataFrame:
    """``observed.csv`` with its numeric columns checked (positive where present)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(str(path), f"unreadable: {exc}") from None
    for first, last, *_ in BLOCKS.values():
        for col in (first, last):
            if col not in frame.columns:
                raise DataError(str(path), "missing column", column=col)
            values = pd.to_numeric(frame[col], errors="coerce")
            bad = frame.loc[values.notna() & ~(values > 0), "id"]
            if len(bad):
                raise DataError(str(path), f"expected a positive number ({bad.iloc[0]})",
                                column=col)
            frame[col] = values
    return frame


def share_change(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """``log(share_last / share_first)`` of every unit, shares of the units given."""
    first, last = np.asarray(first, float), np.asarray(last, float)
    return np.log(last / last.sum()) - np.log(first / first.sum())


def targets(ids: list[str], provinces: list[str], path: str | Path = OBSERVED) -> Targets:
    """The observed share changes of the region's units (``ids`` in the model's order)."""
    frame = read_observed(path)
    missing = sorted(set(ids) - set(frame["id"]))
    if missing:
        raise DataError(str(path), f"no row for the region's units {missing[:5]}",
                        column="id")
    frame = frame.set_index("id").loc[ids]
    rows = []
    for block, (first, last, start, end) in BLOCKS.items():
        have = frame[first].notna() & frame[last].notna()
        if have.sum() < 3:
            continue
        change = share_change(frame.loc[have, first], frame.loc[have, last])
        province = dict(zip(ids, provinces, strict=True))
        for unit, value in zip(frame.index[have], change, strict=True):
            rows.append((block, unit, province[unit], float(value), start, end))
    table = pd.DataFrame(rows, columns=["block", "unit", "province", "observed", "start", "end"])
    return Targets(table)


def cities_in(cities: pd.DataFrame, year: int = 2010, path: str | Path = OBSERVED
              ) -> pd.DataFrame:
    """The cities table with each unit's resident population of the census ``year`` (2010)
    in place of 2020's; the other columns keep their values (no series of them on 2020
    boundaries was found for 2010: a declared limitation of the backcast)."""
    frame = read_observed(path).set_index("id")
    column = f"population_{year}"
    if column not in frame.columns:
        raise DataError(str(path), f"no population column for {year}", column=column)
    out = cities.copy()
    values = frame.reindex(out["id"])[column]
    if values.isna().any():
        raise DataError(str(path), "missing for "
                        f"{list(out['id'][values.isna().to_numpy()])[:5]}", column=column)
    out["population_2020"] = values.to_numpy(float)
    return out


def published_ranks(path: str | Path = RANKINGS) -> pd.DataFrame:
    """A published ranking of cities by digital economy (out-of-sample check only; never
    fitted): unit, rank, ranking name and year."""
    frame = pd.read_csv(path)
    return frame.rename(columns={"id": "unit"})[["unit", "year", "ranking_name", "rank"]]
