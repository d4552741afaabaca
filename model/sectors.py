"""The digital sectors and their traits (``data/sector_traits.csv``).

Sectors differ in what they need: the labour share of their output (software seeks talent),
the cost shares of land and offices and of electricity at the regional mean prices
(manufacturing and data centres seek cheap land and power), the data intensity of their firms,
and the national growth of their productivity and demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import DataError

SECTORS = ("software", "platforms", "electronics", "vehicles", "computing")
TRAIT_RANGES = {  # column: (low, high), checked on load
    "labour_share": (0.05, 0.95), "land_cost": (0.0, 1.0), "power_cost": (0.0, 1.0),
    "data_intensity": (0.0, 1.0), "national_growth": (-0.2, 0.5),
}


@dataclass(frozen=True)
class SectorTraits:
    """One array entry per sector, in the order of ``SECTORS``."""

    names_en: tuple[str, ...]
    names_zh: tuple[str, ...]
    labour_share: np.ndarray
    land_cost: np.ndarray
    power_cost: np.ndarray
    data_intensity: np.ndarray
    national_growth: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, name: str = "sector_traits") -> SectorTraits:
        """Validated traits from a table with one row per sector (any order)."""
        columns = ["sector", "name_en", "name_zh", *TRAIT_RANGES]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(name, f"missing column(s) {missing}; expected {columns}")
        ids = [str(s).strip() for s in frame["sector"]]
        if sorted(ids) != sorted(SECTORS) or len(set(ids)) != len(ids):
            raise DataError(name, f"expected one row for each sector {list(SECTORS)}, got {ids}",
                            column="sector")
        rows = frame.assign(sector=ids).set_index("sector").loc[list(SECTORS)]
        values = {}
        for col, (lo, hi) in TRAIT_RANGES.items():
            numbers = pd.to_numeric(rows[col], errors="coerce").to_numpy(float)
            bad = ~(np.isfinite(numbers) & (numbers >= lo) & (numbers <= hi))
            if bad.any():
                sector = SECTORS[int(np.flatnonzero(bad)[0])]
                raise DataError(name, f"sector {sector!r}: expected a number in [{lo}, {hi}], "
                                f"got {rows[col].iloc[int(np.flatnonzero(bad)[0])]!r}", column=col)
            values[col] = numbers
        return cls(tuple(rows["name_en"].astype(str)), tuple(rows["name_zh"].astype(str)),
                   **values)

    @classmethod
    def load(cls, path: Path | str) -> SectorTraits:
        from model.inputs import MAX_DATA_BYTES, check_input_file

        path = check_input_file(path, MAX_DATA_BYTES, lambda why: DataError(str(path), why))
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
                ValueError) as exc:
            raise DataError(str(path), f"cannot be parsed as UTF-8 CSV: {exc}") from None
        return cls.from_frame(frame, str(path))

    @classmethod
    def neutral(cls) -> SectorTraits:
        """Identical sectors (labour share 0.6, no land, power or data needs, no growth)."""
        n = len(SECTORS)
        return cls(SECTORS, SECTORS, np.full(n, 0.6), np.zeros(n), np.zeros(n), np.zeros(n),
                   np.zeros(n))
