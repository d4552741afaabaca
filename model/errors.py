"""Errors raised for bad input. Each names the file, the place in it and what was expected."""

from __future__ import annotations


class CyflowError(Exception):
    """Base class for input errors that the command line reports in one line (exit status 2)."""


class DataError(CyflowError):
    """A region data file (cities or links) is missing, malformed or inconsistent."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        where = str(file)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.file, self.row, self.column, self.detail = file, row, column, message

    def __reduce__(self):  # picklable (errors cross process boundaries in sweeps)
        return type(self), (self.file, self.detail, self.row, self.column)


class ScenarioError(CyflowError):
    """A scenario file or override is unreadable, has an unknown key or a bad value."""

    def __init__(self, file: str, key: str | None, message: str):
        where = str(file) if key is None else f"{file}: {key}"
        super().__init__(f"{where}: {message}")
        self.file, self.key, self.detail = file, key, message

    def __reduce__(self):
        return type(self), (self.file, self.key, self.detail)


class SimulationError(CyflowError):
    """A run produced a value that is not finite (NaN or infinity): it stops, naming the quarter
    and the field, instead of writing meaningless results."""


class ScenarioWarning(UserWarning):
    """A scenario that is valid but will not do what it seems to say (e.g. an intervention that
    starts after the horizon)."""
