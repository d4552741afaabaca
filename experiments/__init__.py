"""Experiments: scenario comparison with uncertainty, parameter sweeps and sensitivity analysis.

One module per concern:

  seeds.py        run seeds spawned from a master seed (common random numbers)
  spec.py         sweep and comparison files: loading and validation (data only)
  design.py       samplers: grid, Latin hypercube (scipy.stats.qmc), Morris and Sobol (SALib)
  runner.py       the in-process replicate runner: one run -> a tidy long table
  storage.py      per-run Parquet files written atomically, the runs.parquet index, resume
  execution.py    serial, local Dask cluster, an existing Dask scheduler or dask-jobqueue
  sweep.py        a sweep: plan, run (resumable), load the results
  compare.py      ``Comparison``: scenarios against the first, with replicates and uncertainty
  sensitivity.py  Morris and Sobol indices of a sweep (SALib)
  plots.py        matplotlib figures of comparisons and sensitivity indices
  commands.py     ``python run.py compare|sweep|analyze`` (see docs/EXPERIMENTS.md)

Python::

    from experiments import Comparison, Sweep
    cmp = Comparison(["scenarios/baseline.toml", "scenarios/talent_community.toml"],
                     reps=20, uncertain=10).run()
    print(cmp.summary()); cmp.plot("results/cmp")
    Sweep.from_file("sweeps/lhs.toml").run("results/lhs", workers=2)
"""

from __future__ import annotations

from typing import Any

__all__ = ["Comparison", "Sweep", "load_results", "load_runs"]


def __getattr__(name: str) -> Any:  # lazy: the command line imports only what it needs
    if name == "Comparison":
        from experiments.compare import Comparison
        return Comparison
    if name == "Sweep":
        from experiments.sweep import Sweep
        return Sweep
    if name in ("load_results", "load_runs"):
        from experiments import storage
        return getattr(storage, name)
    raise AttributeError(name)
