"""Which implementation of the per-step kernels a model uses: compiled (numba) or plain numpy.

Both give the same bits (``model/plain.py``; ``tests/test_backend.py``), so the choice changes
the cost of a run, never its results. numba costs about half a second once per process
(import, target set-up, loading the cached kernels: ``NUMBA_START``) and saves time at every
step afterwards (``STEP_SAVING`` plus ``AGENT_SAVING`` per agent; measured in
docs/PERFORMANCE.md). A model takes the compiled kernels when a run to its horizon saves more
than the start costs, or when this process has loaded them already.
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
NUMBA_START = 0.5       # s: numba's import, set-up and cached kernels, once per process
STEP_SAVING = 0.4e-3    # s per step that the compiled kernels save at any size
AGENT_SAVING = 14e-9    # s per agent-step they save beyond that
NAMES = ("region_metric_vector", "firm_logit_draws", "draw_rows", "squeeze_columns",
         "closing_draws", "resident_draws", "merge_rows", "live_to_rows", "moved", "buried",
         "added")


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


def saving(agents: float, steps: float) -> float:
    """Seconds the compiled kernels save over ``steps`` steps of a model of ``agents``."""
    return max(steps, 1) * (STEP_SAVING + AGENT_SAVING * agents)


def use_compiled(saved: float, choice: str | None = None) -> bool:
    """Whether a model whose run the compiled kernels would shorten by ``saved`` seconds
    (``saving``) takes them; ``choice`` (else ``$CYFLOW_KERNELS``, else "auto") may force
    either."""
    choice = (choice or os.environ.get(ENVIRONMENT) or "auto").strip().lower()
    if choice not in CHOICES:
        raise ValueError(f"{ENVIRONMENT} / kernels: expected one of {', '.join(CHOICES)}, "
                         f"got {choice!r}")
    if choice != "auto":
        return choice == "compiled"
    return saved >= NUMBA_START or loaded()


def loaded() -> bool:
    """Whether this process has loaded the compiled kernels (numba's start is paid)."""
    return "model.kernels" in sys.modules


def prepare(saved: float) -> bool:
    """Before a batch of runs in this process: load the compiled kernels when they would save
    the batch more than numba's start (``saved`` seconds: the sum of ``saving`` over its runs;
    each run alone may not pay), so that the batch's models on "auto" take them. Returns
    whether they are loaded."""
    if use_compiled(saved):
        kernels(compiled=True)
        return True
    return False
