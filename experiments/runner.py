"""The in-process replicate runner: one run (scenario, overrides, seed) -> a tidy long table.

The region is loaded once per process and shared by every model built there (building a model
is cheap; imports and region data are the expensive part). Metric columns are taken from the
model's own tables: every numeric column of ``region_table()`` and ``node_table()`` except
``step`` (text columns such as a pattern class are not kept).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from experiments.spec import OutputSpec, column_name
from model.errors import ScenarioError, ScenarioWarning
from scenarios.schema import Scenario

ID_COLUMNS = ("run_id", "scenario", "point", "replicate", "seed")
ROW_COLUMNS = ("step", "quarter", "node", "metric", "value")
_REGIONS: dict[tuple[str, str], Any] = {}


@dataclass(frozen=True)
class RunTask:
    """One run: its id, base scenario, overrides (dotted keys), seed and labels.

    The seed is explicit (never derived from the task), so two tasks with equal content are
    still two runs, and a run gives the same result in any process."""

    run_id: str
    scenario: Scenario
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)
    label: str = ""                  # the scenario column (default: the scenario's name)
    point: int = 0                   # design point (sweep) or parameter draw (comparison)
    replicate: int = 0
    output: OutputSpec = field(default_factory=OutputSpec)
    columns: tuple[str, ...] = ()    # parameter keys written as columns (fixed per dataset)


def apply_overrides(scenario: Scenario, overrides: dict[str, Any],
                    file: str = "overrides") -> Scenario:
    """``scenario`` with dotted keys replaced; ``interventions.<type>.<field>`` sets the field
    of every intervention of that type. Raises ``ScenarioError`` naming ``file`` and the key."""
    from scenarios.loader import with_overrides
    plain = {k: v for k, v in overrides.items() if not k.startswith("interventions.")}
    special = {k: v for k, v in overrides.items() if k.startswith("interventions.")}
    if plain:
        scenario = with_overrides(scenario, plain, file=file)
    if special:
        items = list(scenario.interventions)
        for key, value in special.items():
            parts = key.split(".")
            if len(parts) != 3:
                raise ScenarioError(file, key, "expected interventions.<type>.<field>")
            _, kind, name = parts
            for k, item in enumerate(items):
                if item.type != kind:
                    continue
                if name not in {f.name for f in dataclasses.fields(item) if f.init}:
                    raise ScenarioError(file, key, f"a {kind} intervention has no field "
                                        f"'{name}'")
                try:
                    items[k] = dataclasses.replace(item, **{name: value})
                except ScenarioError as exc:
                    raise ScenarioError(file, key, exc.detail) from None
        scenario = dataclasses.replace(scenario, interventions=items)
    return scenario


def region_for(scenario: Scenario):
    """The scenario's region, loaded once per process."""
    from model.region import Region
    key = (scenario.data.cities, scenario.data.links)
    if key not in _REGIONS:
        _REGIONS[key] = Region.load(key[0] or None, key[1] or None)
    return _REGIONS[key]


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric metric columns of a model table (not ``step``; no text or bool columns)."""
    return [c for c in frame.columns if c != "step" and pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def model_columns(scenario: Scenario) -> tuple[list[str], list[str]]:
    """(region metric columns, node metric columns) of the model for ``scenario`` (built, not
    run)."""
    from model.model import RegionModel
    with warnings.catch_warnings():  # a 0-step probe: interventions "after the horizon"
        warnings.simplefilter("ignore", ScenarioWarning)
        probe = RegionModel(dataclasses.replace(scenario, steps=0),
                            region=region_for(scenario), agent_views=False)
    return metric_columns(probe.region_table()), metric_columns(probe.node_table())


def _repeat(value: Any, n: int, kind: pa.DataType) -> pa.Array:
    return pa.array(np.full(n, value, dtype=object) if kind == pa.string() else
                    np.full(n, value), type=kind)


def _param_type(value: Any) -> pa.DataType:
    if isinstance(value, bool):
        return pa.bool_()
    if isinstance(value, int):
        return pa.int64()
    if isinstance(value, float):
        return pa.float64()
    return pa.string()


def long_table(task: RunTask, region: pd.DataFrame, nodes: pd.DataFrame | None) -> pa.Table:
    """The run's kept metrics in long form: ids, parameters, step, quarter, node (null for
    region metrics), metric, value."""
    out = task.output
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None, list[str], np.ndarray]] = []
    if out.region != ():
        frame = region if out.quarters == "all" else region.iloc[[-1]]
        names = metric_columns(frame) if out.region is None else list(out.region)
        values = frame[names].to_numpy(dtype=np.float64)           # steps x metrics
        k = len(names)
        parts.append((np.repeat(frame["step"].to_numpy(), k),
                      np.repeat(frame["quarter"].to_numpy(dtype=object), k), None,
                      names * len(frame), values.ravel()))
    if out.nodes != () and nodes is not None:
        frame = nodes if out.quarters == "all" else nodes[nodes["step"] == nodes["step"].max()]
        names = metric_columns(frame) if out.nodes is None else list(out.nodes)
        values = frame[names].to_numpy(dtype=np.float64)
        k = len(names)
        parts.append((np.repeat(frame["step"].to_numpy(), k),
                      np.repeat(frame["quarter"].to_numpy(dtype=object), k),
                      np.repeat(frame["node"].to_numpy(dtype=object), k),
                      names * len(frame), values.ravel()))
    n = sum(len(p[4]) for p in parts)
    columns: dict[str, pa.Array] = {
        "run_id": _repeat(task.run_id, n, pa.string()),
        "scenario": _repeat(task.label or task.scenario.name, n, pa.string()),
        "point": _repeat(task.point, n, pa.int64()),
        "replicate": _repeat(task.replicate, n, pa.int64()),
        "seed": _repeat(task.seed, n, pa.int64()),
    }
    for key in task.columns:
        value = task.overrides.get(key)
        columns[column_name(key)] = _repeat(value, n, _param_type(value))
    nodes_col = [np.full(len(p[4]), None, dtype=object) if p[2] is None else p[2]
                 for p in parts]
    columns["step"] = pa.array(np.concatenate([p[0] for p in parts]).astype(np.int64))
    columns["quarter"] = pa.array(np.concatenate([p[1] for p in parts]), type=pa.string())
    columns["node"] = pa.array(np.concatenate(nodes_col), type=pa.string())
    columns["metric"] = pa.array(np.concatenate([np.asarray(p[3], dtype=object)
                                                 for p in parts]), type=pa.string())
    columns["value"] = pa.array(np.concatenate([p[4] for p in parts]), type=pa.float64())
    return pa.table(columns)


def warn_inactive_once(scenarios: Iterable[Scenario]) -> None:
    """Each distinct ``ScenarioWarning`` of ``scenarios`` (an intervention starting after the
    horizon) once, before the runs: the runs themselves do not repeat it (``simulate``), so a
    comparison or sweep of many runs prints one line, not one per run (nor one per worker)."""
    from scenarios.references import warn_inactive
    messages: dict[str, None] = {}
    for scenario in scenarios:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            warn_inactive(scenario)
        messages.update((str(w.message), None) for w in caught
                        if issubclass(w.category, ScenarioWarning))
    for message in messages:
        warnings.warn(message, ScenarioWarning, stacklevel=3)


def simulate(task: RunTask) -> tuple[pd.DataFrame, pd.DataFrame | None, float]:
    """Build and run the model of ``task``; (region table, node table or None, CPU seconds)."""
    from model.model import RegionModel
    cpu = time.process_time()
    scenario = apply_overrides(task.scenario, task.overrides, file=f"run {task.run_id}") \
        if task.overrides else task.scenario
    with warnings.catch_warnings():  # said once, before the runs: warn_inactive_once
        warnings.simplefilter("ignore", ScenarioWarning)
        model = RegionModel(scenario, rng=task.seed, region=region_for(scenario),
                            agent_views=False)
    model.run()
    region = model.region_table()
    nodes = model.node_table() if task.output.nodes != () else None
    return region, nodes, time.process_time() - cpu


def prepare_kernels(tasks: list[RunTask]) -> None:
    """Load the compiled kernels before ``tasks`` when they would save the runs together more
    than numba's start (``model.backend.prepare``; the results are the same either way)."""
    from model import backend
    total = 0.0
    for task in tasks:
        scale = task.scenario.scale
        steps = task.overrides.get("steps", task.scenario.steps)
        firms = task.overrides.get("scale.firm_agents", scale.firm_agents)
        talent = task.overrides.get("scale.talent_agents", scale.talent_agents)
        total += backend.saving(firms + talent, steps)
    backend.prepare(total)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_one(task: RunTask) -> tuple[pa.Table, dict[str, Any]]:
    """One run as (long table, run info: wall and CPU seconds of the simulation, worker)."""
    start = time.perf_counter()
    region, nodes, cpu = simulate(task)
    wall = time.perf_counter() - start
    table = long_table(task, region, nodes)
    return table, {"wall_seconds": wall, "cpu_seconds": cpu, "worker": worker_name()}


def run_batch(tasks: list[RunTask], out_dir: str) -> list[dict[str, Any]]:
    """Run the tasks one after the other in this process and write each run's file as soon as
    it is done (atomically, once). A run already on disk is skipped (a retried batch does not
    redo it); a run that fails is recorded as a failure and the batch goes on. Returns one
    record per task: run_id, status ("done", "skipped", "failed"), times, error."""
    from experiments.storage import RunStore
    store = RunStore(Path(out_dir))
    prepare_kernels(tasks)
    records = []
    for task in tasks:
        if store.is_done(task.run_id):
            records.append({"run_id": task.run_id, "status": "skipped"})
            continue
        start = time.perf_counter()
        try:
            table, info = run_one(task)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a failed run is data: recorded, not raised
            info = {"wall_seconds": time.perf_counter() - start, "worker": worker_name(),
                    "error": f"{type(exc).__name__}: {_first_line(exc)}"}
            store.write_failure(task.run_id, info)
            records.append({"run_id": task.run_id, "status": "failed", **info})
            continue
        written = store.write_run(task.run_id, table, info)
        records.append({"run_id": task.run_id, "status": "done" if written else "skipped",
                        **info})
    return records


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else "no message"
