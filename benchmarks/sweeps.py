"""Sweep throughput at the default scale: bare simulation, serial machinery, local Dask clusters
of 1 and 2 workers, measured in one run.

    .venv/bin/python benchmarks/sweeps.py [--runs 120]

Throughput excludes cluster start-up (reported separately): the workers are warmed with one
batch first. Overhead = wall x workers / CPU time of the simulations - 1, where the simulation
CPU time is measured inside each run (model build, run and tables) and the rest (scheduling,
long tables, Parquet files, progress) is the machinery's. On a loaded machine other processes'
CPU use shows up as overhead too: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.execution import Execution, _distributed, dask_client
from experiments.runner import RunTask, region_for, simulate
from experiments.seeds import run_seed
from experiments.storage import RunStore
from scenarios.loader import load_scenario

REPO = Path(__file__).resolve().parent.parent


def tasks(n: int, prefix: str) -> list[RunTask]:
    base = load_scenario(REPO / "scenarios" / "baseline.toml")
    return [RunTask(run_id=f"{prefix}{k:05d}", scenario=base, seed=run_seed(1, k),
                    overrides={"mechanisms.market.alpha": 0.02 + 0.1 * k / n},
                    point=k, columns=("mechanisms.market.alpha",)) for k in range(n)]


def bare(n: int) -> tuple[float, float, float]:
    """(wall, simulation CPU, all CPU) of n runs in a plain loop, no storage."""
    items = tasks(n, "bare")
    simulate(items[0])  # warm: numba kernels, region
    start, cpu, total = time.perf_counter(), 0.0, time.process_time()
    for task in items:
        cpu += simulate(task)[2]
    return time.perf_counter() - start, cpu, time.process_time() - total


def machinery(n: int, how: Execution, folder: Path) -> tuple[float, float, float, float]:
    """(start-up, wall, simulation CPU, CPU of every process involved) of n runs through the
    sweep machinery."""
    from experiments.execution import execute
    RunStore(folder).create()
    if how.serial:
        region_for(tasks(1, "w")[0].scenario)
        simulate(tasks(1, "w")[0])
        start, total = time.perf_counter(), time.process_time()
        records = execute(tasks(n, "r"), folder, how)
        return (0.0, time.perf_counter() - start, sum(r["cpu_seconds"] for r in records),
                time.process_time() - total)
    t0 = time.perf_counter()
    with dask_client(how) as client:
        warm = tasks(2 * (how.workers or 1), "warm")
        _distributed(client, warm, folder, Execution(batch=1, progress=False), "warm", None)
        startup = time.perf_counter() - t0
        before, own = client.run(time.process_time), time.process_time()
        start = time.perf_counter()
        records = _distributed(client, tasks(n, "r"), folder, how, "runs", None)
        wall = time.perf_counter() - start
        after = client.run(time.process_time)
        total = time.process_time() - own + sum(after[w] - before[w] for w in after)
    return startup, wall, sum(r["cpu_seconds"] for r in records), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=120)
    args = parser.parse_args()
    n = args.runs
    load = os.getloadavg()
    print(f"{n} runs at the default scale (20,000 firm + 30,000 talent agents, 52 quarters), "
          f"region metrics every quarter; {os.cpu_count()} cores, load average before "
          f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    rows = []
    rows.append(("bare simulation loop", 1, 0.0, *bare(n)))
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers, how in (
                ("serial (--serial)", 1, Execution(serial=True, progress=False)),
                ("local Dask, 1 worker", 1, Execution(workers=1, progress=False)),
                ("local Dask, 2 workers", 2, Execution(workers=2, progress=False))):
            rows.append((label, workers, *machinery(n, how, Path(tmp) / label.split()[0] /
                                                     str(workers))))
    print("\n| mode | workers | start-up s | wall s | runs/min | simulation CPU s | "
          "wall overhead | CPU overhead | speed-up vs 1 worker |")
    print("|---|---|---|---|---|---|---|---|---|")
    one = next(r for r in rows if r[0].startswith("local Dask, 1"))[3]
    for label, workers, startup, wall, cpu, total in rows:
        speed = f"{one / wall:.2f}x" if label.startswith("local") else ""
        print(f"| {label} | {workers} | {startup:.1f} | {wall:.2f} | {n / wall * 60:,.0f} | "
              f"{cpu:.2f} | {wall * workers / cpu - 1:+.1%} | {total / cpu - 1:+.1%} | "
              f"{speed} |")
    print("\nwall overhead = wall x workers / simulation CPU - 1 (includes time the workers "
          "waited for a core\nused by other processes); CPU overhead = CPU of every process "
          "involved (client, scheduler,\nworkers) / simulation CPU - 1: the machinery's own "
          "cost.")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


if __name__ == "__main__":
    main()
