"""Which implementation of the per-step kernels a model uses: compiled (numba) or plain numpy.

Both give the same bits (``model/plain.py``; ``tests/test_backend.py``), so the choice changes
the cost of a run, never its results. numba costs about half a second once per process
(import, target set-up, loading the cached kernels) and saves per agent-step afterwards; a
model takes the compiled kernels when its agent-steps make up for that start (``AUTO_FROM``,
measured in docs/PERFORMANCE.md), or when a model of this process has loaded them already.
``CYFLOW_KERNELS=compiled`` or ``=plain`` (or ``RegionModel(kernels=...)``) overrides.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

CHOICES = ("auto", "compiled", "plain")
ENVIRONMENT = "CYFLOW_KERNELS"
AUTO_FROM = 30_000_000  # agent-steps from which numba's start pays off
NAMES = ("region_metric_vector", "firm_logit_draws", "draw_rows", "mark_departed",
         "squeeze_columns", "closing_rows", "resident_below", "shifted", "closing_draws",
         "resident_draws", "merge_rows", "live_to_rows", "moved", "buried", "added")


@dataclass(frozen=True)
class Kernels:
    """One implementation of every kernel (attributes named as in ``NAMES``)."""

    compiled: bool
    functions: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(name) from None


@cache
def kernels(compiled: bool) -> Kernels:
    """The compiled kernels (importing numba) or the plain ones."""
    modules = ("model.kernels", "model.compaction") if compiled else ("model.plain",)
    found: dict[str, Any] = {}
    for module in map(importlib.import_module, modules):
        found.update({name: getattr(module, name) for name in NAMES if hasattr(module, name)})
    missing = set(NAMES) - set(found)
    if missing:
        raise ImportError(f"kernels without an implementation: {sorted(missing)}")
    return Kernels(compiled, found)


def use_compiled(agent_steps: float, choice: str | None = None) -> bool:
    """Whether a model of ``agent_steps`` (agents at the start x steps) takes the compiled
    kernels; ``choice`` (else ``$CYFLOW_KERNELS``, else "auto") may force either."""
    choice = (choice or os.environ.get(ENVIRONMENT) or "auto").strip().lower()
    if choice not in CHOICES:
        raise ValueError(f"{ENVIRONMENT} / kernels: expected one of {', '.join(CHOICES)}, "
                         f"got {choice!r}")
    if choice != "auto":
        return choice == "compiled"
    return agent_steps >= AUTO_FROM or "model.kernels" in sys.modules


def prepare(agent_steps: float) -> bool:
    """Before a batch of runs in this process: load the compiled kernels when the batch's
    agent-steps pay for numba's start (each model of the batch alone may not), so that the
    batch's models on "auto" take them. Returns whether they are loaded."""
    if use_compiled(agent_steps):
        kernels(compiled=True)
        return True
    return False
