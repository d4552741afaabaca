"""A parameter sweep: plan the runs of a sweep file, run them (resumably), read the results.

The sweep folder is append-only per run: ``sweep.json`` (the resolved sweep, which identifies
it), ``sweep.toml`` (the file as given), ``scenario.toml`` (the resolved base scenario),
``plan.parquet`` (every planned run), ``runs/`` and ``failures/`` (``experiments.storage``) and
``runs.parquet`` (the index, rebuilt at the end, also after an interruption).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.design import sample
from experiments.execution import Execution, execute
from experiments.runner import RunTask, apply_overrides, model_columns, warn_inactive_once
from experiments.seeds import run_seed
from experiments.spec import OutputSpec, SweepSpec, check_metrics, column_name, load_sweep
from experiments.storage import PLAN, SPEC_FILE, RunStore, write_frame, write_text
from model.errors import CyflowError
from scenarios.loader import load_scenario, to_toml
from scenarios.schema import Scenario


@dataclass
class SweepOutcome:
    """What one call of ``Sweep.run`` did, and the state of the folder afterwards."""

    folder: Path
    planned: int
    ran: int            # runs done in this call
    skipped: int        # found complete on disk
    failed: int         # runs whose latest attempt failed (now)
    exhausted: int      # failed runs not retried (attempt limit reached)
    pending: int
    wall_seconds: float
    index: pd.DataFrame

    @property
    def complete(self) -> bool:
        return self.failed == 0 and self.pending == 0

    def __str__(self) -> str:
        done = int((self.index["status"] == "done").sum())
        text = (f"{done} of {self.planned} runs done ({self.ran} now, {self.skipped} found "
                f"complete) in {self.wall_seconds:.1f} s; results: {self.folder}")
        if self.failed:
            text += f"; {self.failed} failed"
        if self.pending:
            text += f"; {self.pending} not run"
        return text


class Sweep:
    """A sweep of the model over a design (grid, lhs, morris, sobol) with replicates."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec

    @classmethod
    def from_file(cls, path: str | Path) -> Sweep:
        return cls(load_sweep(path))

    def points(self) -> list[dict[str, Any]]:
        """The design points, in design order."""
        return sample(self.spec)

    def plan(self) -> pd.DataFrame:
        """Every run: run_id, point, replicate, seed and one column per parameter. The seed of
        a run depends on its replicate only (common random numbers across points)."""
        spec = self.spec
        seeds = [run_seed(spec.seed, r) for r in range(spec.replicates)]
        rows = []
        for p, point in enumerate(self.points()):
            for r in range(spec.replicates):
                row = {"run_id": f"p{p:06d}-r{r:04d}", "scenario": spec.base.name,
                       "point": p, "replicate": r, "seed": seeds[r]}
                row.update({column_name(k): v for k, v in point.items()})
                rows.append(row)
        return pd.DataFrame(rows)

    def check(self, points: list[dict[str, Any]] | None = None) -> None:
        """Check, before anything runs, that the output metrics exist and that every design
        point makes a valid scenario (errors name the sweep file)."""
        spec = self.spec
        region_cols, node_cols = model_columns(spec.base)
        check_metrics(spec.output, region_cols, node_cols, spec.file)
        seen, resolved = set(), []
        for point in points if points is not None else self.points():
            key = tuple(sorted(point.items()))
            if key not in seen:
                seen.add(key)
                resolved.append(apply_overrides(spec.base, point,
                                                file=f"{spec.file} (design point {point})"))
        warn_inactive_once(resolved)  # once here, not once per run

    def run(self, out: str | Path, *, resume: bool = False, max_attempts: int = 3,
            execution: Execution | None = None, **options: Any) -> SweepOutcome:
        """Run the sweep into the folder ``out``. With ``resume``, runs found complete are not
        redone and failed runs are retried while they have had fewer than ``max_attempts``
        attempts; without it, ``out`` must be new or empty. Where: ``execution``, or its
        fields as keywords (``serial=True``, ``workers=2``, ``scheduler="tcp://..."``)."""
        how = execution or Execution(**options)
        spec = self.spec
        store = RunStore(Path(out).absolute())
        record = json.loads(json.dumps(spec.to_dict()))
        existing = stored_spec(store.root)
        if existing is None and store.root.exists() and any(
                p.name != ".lock" for p in store.root.iterdir()):
            raise CyflowError(f"{store.root}: the folder holds files that are not a sweep; "
                              "choose another --out")
        if existing is not None and not resume:
            raise CyflowError(f"{store.root}: holds a sweep already; pass --resume to continue "
                              "it or choose another --out")
        if existing is not None and existing != record:
            changed = sorted(k for k in set(record) | set(existing)
                             if record.get(k) != existing.get(k))
            raise CyflowError(f"{store.root}: holds a different sweep (differs in: "
                              f"{', '.join(changed)}); the sweep file or its scenario changed "
                              "since it started; choose another --out")
        with store.locked():
            store.clean_temporary()
            if existing is None:
                plan = self.plan()
                self.check()
                store.create()
                write_text(Path(spec.file).read_text(encoding="utf-8"),
                           store.root / "sweep.toml")
                write_text(to_toml(spec.base), store.root / "scenario.toml")
                write_frame(plan, store.root / PLAN)
                write_text(json.dumps(record, indent=1), store.root / SPEC_FILE)
            else:
                store.create()
                plan = store.read_plan()
            return run_plan(store, plan, spec.base, [p.key for p in spec.parameters],
                            spec.output, how, max_attempts, spec.name)


def stored_spec(root: Path) -> dict[str, Any] | None:
    """The resolved sweep recorded in the folder ``root`` (None when it holds no sweep)."""
    path = root / SPEC_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CyflowError(f"{path}: unreadable sweep record: {exc}") from None


def resume_folder(out: str | Path, *, max_attempts: int = 3,
                  execution: Execution | None = None) -> SweepOutcome:
    """Continue the sweep in ``out`` from what the folder holds (no sweep file needed)."""
    store = RunStore(Path(out).absolute())
    record = stored_spec(store.root)
    if record is None:
        raise CyflowError(f"{store.root}: not a sweep folder (no {SPEC_FILE})")
    base = load_scenario(store.root / "scenario.toml")
    out_spec = OutputSpec(
        region=None if record["output"]["region"] is True else tuple(record["output"]["region"]
                                                                     or ()),
        nodes=None if record["output"]["nodes"] is True else tuple(record["output"]["nodes"]
                                                                   or ()),
        quarters=record["output"]["quarters"])
    with store.locked():
        store.clean_temporary()
        store.create()
        return run_plan(store, store.read_plan(), base, [p["key"] for p in record["parameters"]],
                        out_spec, execution or Execution(), max_attempts, record["name"])


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def tasks_from_plan(plan: pd.DataFrame, base: Scenario, keys: list[str],
                    output: OutputSpec) -> list[RunTask]:
    """One task per row of the plan."""
    columns = [column_name(k) for k in keys]
    tasks = []
    for row in plan.itertuples(index=False):
        values = row._asdict()
        overrides = {k: _native(values[c]) for k, c in zip(keys, columns, strict=True)}
        tasks.append(RunTask(run_id=values["run_id"], scenario=base, seed=int(values["seed"]),
                             overrides=overrides, label=base.name, point=int(values["point"]),
                             replicate=int(values["replicate"]), output=output,
                             columns=tuple(keys)))
    return tasks


def run_plan(store: RunStore, plan: pd.DataFrame, base: Scenario, keys: list[str],
             output: OutputSpec, how: Execution, max_attempts: int,
             name: str) -> SweepOutcome:
    """Run the planned runs that are neither complete nor out of attempts; rebuild the index
    (also when interrupted)."""
    start = time.perf_counter()
    done = store.done_ids()
    failures = store.all_failures()
    todo = plan[~plan["run_id"].isin(done)]
    attempts = todo["run_id"].map(lambda r: len(failures.get(r, [])))
    exhausted = int((attempts >= max_attempts).sum())
    todo = todo[attempts < max_attempts]
    records: list[dict[str, Any]] = []
    try:
        records = execute(tasks_from_plan(todo, base, keys, output), store.root, how,
                          desc=name)
    except KeyboardInterrupt:
        index = store.rebuild_index(plan)
        print(f"interrupted: {int((index['status'] == 'done').sum())} of {len(plan)} runs are "
              f"saved in {store.root}; continue with --resume", file=sys.stderr)
        raise
    index = store.rebuild_index(plan)
    status = index["status"]
    return SweepOutcome(folder=store.root, planned=len(plan),
                        ran=sum(r["status"] == "done" for r in records),
                        skipped=len(done) + sum(r["status"] == "skipped" for r in records),
                        failed=int((status == "failed").sum()), exhausted=exhausted,
                        pending=int((status == "pending").sum()),
                        wall_seconds=time.perf_counter() - start, index=index)
