"""Checks of a step's outputs: every recorded value must be finite.

A non-finite value (NaN or infinity) means the run has left the domain where its equations hold
(e.g. a parameter far outside its range in Python code); the run stops with an error naming the
quarter and the field, instead of writing tables of NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from model.errors import SimulationError


def check_finite(record: Mapping[str, Any], quarter: str, what: str = "node field") -> None:
    """Raise ``SimulationError`` naming ``quarter`` and the first non-finite field of
    ``record`` (numeric arrays or scalars; other values are skipped). One test over all the
    values at once; the fields are searched one by one only when it fails."""
    values = list(record.values())
    if all(type(value) in (float, int) for value in values):  # scalars: no numpy at all
        if not all(math.isfinite(value) for value in values if type(value) is float):
            _raise_first(record, quarter, what)
        return
    arrays, scalars = [], []
    for value in values:
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "fc":
                arrays.append(value.ravel())
        elif isinstance(value, float):
            scalars.append(value)
        else:
            arrays.append(np.ravel(np.asarray(value)))
    arrays.append(np.array(scalars, dtype=float))
    values = np.concatenate([a for a in arrays if a.dtype.kind in "fc"])
    if not np.isfinite(values).all():
        _raise_first(record, quarter, what)


def _raise_first(record: Mapping[str, Any], quarter: str, what: str) -> None:
    for name, value in record.items():
        array = np.asarray(value)
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            bad = array[~np.isfinite(array)].ravel()[0]
            raise SimulationError(f"quarter {quarter}: {what} '{name}' is {bad} (not finite); "
                                  "the run stopped (check the data and parameters)")
