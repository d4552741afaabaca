"""Where runs execute: in this process, on a local Dask cluster, on an existing Dask scheduler,
or on an HPC cluster through dask-jobqueue.

Runs go to the workers in batches (a default run takes well under a second, so one task per run
would make the scheduler the bottleneck). Each task carries its runs' ids and seeds explicitly
and is submitted with ``pure=False`` and a unique key. A worker writes each run's file as soon as
the run is done (``experiments.storage``), so the loss of a worker loses no finished run: Dask
reschedules the lost batch (``retries``, and the scheduler's own rescheduling of tasks of lost
workers), and the batch skips the runs already on disk. Workers must share the output folder's
file system and be able to import the project (run them from the repository with
``PYTHONPATH=<repo>``, or install it with ``pip install -e .``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.runner import RunTask, prepare_kernels, run_batch
from model.errors import CyflowError


@dataclass(frozen=True)
class Execution:
    """How to run: ``serial`` in process, else Dask: ``scheduler`` (an address), ``jobqueue``
    (a dask-jobqueue YAML file, ``jobs`` jobs) or a local cluster of ``workers`` processes
    (default: every core). ``batch`` runs per task (default: chosen from the run count),
    ``retries`` Dask retries of a failed task."""

    serial: bool = False
    workers: int | None = None
    scheduler: str | None = None
    jobqueue: str | None = None
    jobs: int = 1
    batch: int | None = None
    retries: int = 3
    progress: bool = True
    timeout: float = 30.0   # seconds to connect, start or stop a cluster

    def describe(self) -> str:
        if self.serial:
            return "serial, in this process"
        if self.scheduler:
            return f"Dask scheduler {self.scheduler}"
        if self.jobqueue:
            return f"dask-jobqueue ({self.jobqueue}, {self.jobs} jobs)"
        return f"local Dask cluster, {self.workers or cpu_count()} workers"


# malloc settings of the workers we start (see ``client``): memory kept for reuse
WORKER_TRIM_THRESHOLD = 128 * 1024 * 1024
WORKER_MMAP_THRESHOLD = 32 * 1024 * 1024

def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def batch_size(runs: int, workers: int, requested: int | None = None) -> int:
    """Runs per task: about 8 tasks per worker, at most 50 runs per task."""
    if requested:
        return max(1, requested)
    return max(1, min(50, -(-runs // max(1, 8 * workers))))


def batches(tasks: list[RunTask], size: int) -> list[list[RunTask]]:
    return [tasks[k:k + size] for k in range(0, len(tasks), size)]


def _progress(total: int, desc: str, enabled: bool):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="run", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, smoothing=0.05)


def execute(tasks: list[RunTask], out_dir: Path, how: Execution, desc: str = "runs",
            on_record: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Run ``tasks`` (writing into ``out_dir``) with a progress bar and ETA; returns one record
    per task ("done", "skipped", "failed")."""
    if not tasks:
        return []
    if how.serial:
        return _serial(tasks, out_dir, how, desc, on_record)
    with dask_client(how) as client:
        return _distributed(client, tasks, out_dir, how, desc, on_record)


def _serial(tasks, out_dir, how, desc, on_record) -> list[dict[str, Any]]:
    prepare_kernels(tasks)  # all of them run in this process
    records = []
    with _progress(len(tasks), desc, how.progress) as bar:
        for task in tasks:
            for record in run_batch([task], str(out_dir)):
                records.append(record)
                if on_record:
                    on_record(record)
            bar.update(1)
    return records


@contextlib.contextmanager
def dask_client(how: Execution) -> Iterator[Any]:
    """A connected ``distributed.Client`` for ``how``; the cluster it started (if any) is
    closed at exit, with timeouts."""
    from distributed import Client
    cluster = None
    try:
        if how.scheduler:
            try:
                client = Client(how.scheduler, timeout=f"{how.timeout}s",
                                set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise CyflowError(f"--scheduler {how.scheduler}: cannot connect to the Dask "
                                  f"scheduler ({type(exc).__name__}: {exc})") from None
        elif how.jobqueue:
            cluster = jobqueue_cluster(how.jobqueue)
            cluster.scale(jobs=how.jobs)
            client = Client(cluster, set_as_default=False)
        else:
            import dask
            from distributed import LocalCluster
            workers = how.workers or cpu_count()
            # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536, which returns freed memory to
            # the system at once (and, set at all, stops glibc from raising its mmap
            # threshold): a model step frees and allocates agent-sized arrays, and a default
            # run then costs 0.47 s of CPU instead of 0.18 s. Workers we start get a large
            # trim threshold and a fixed 32 MB mmap threshold (measured: 0.18 s).
            with dask.config.set({"distributed.nanny.pre-spawn-environ."
                                  "MALLOC_TRIM_THRESHOLD_": WORKER_TRIM_THRESHOLD,
                                  "distributed.nanny.pre-spawn-environ."
                                  "MALLOC_MMAP_THRESHOLD_": WORKER_MMAP_THRESHOLD}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR,
                                       host="127.0.0.1", scheduler_kwargs={"dashboard": False})
            client = Client(cluster, set_as_default=False)
        try:
            check_workers(client, how)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=how.timeout)
    finally:
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=how.timeout)


def check_workers(client: Any, how: Execution) -> None:
    """Fail early, in one line, if the workers cannot import the project."""
    if how.jobqueue:
        client.wait_for_workers(1, timeout=3600)  # jobs may wait in the queue
    elif how.scheduler and not client.scheduler_info(n_workers=-1).get("workers"):
        try:
            client.wait_for_workers(1, timeout=how.timeout)
        except TimeoutError:
            raise CyflowError(f"--scheduler {how.scheduler}: no workers joined within "
                              f"{how.timeout:.0f} s") from None

    def probe() -> str:  # nested: pickled by value, so it runs where our modules are missing
        import importlib
        try:
            importlib.import_module("experiments.runner")
            return ""
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    problems = {addr: why for addr, why in client.run(probe).items() if why}
    if problems:
        addr, why = next(iter(problems.items()))
        raise CyflowError(f"Dask worker {addr} cannot import the cyflow project ({why}); start "
                          "workers with PYTHONPATH set to the repository or install it with "
                          "'pip install -e .'")


def worker_count(client: Any) -> int:
    return max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))


def _distributed(client, tasks, out_dir, how, desc, on_record) -> list[dict[str, Any]]:
    from distributed import as_completed
    size = batch_size(len(tasks), worker_count(client), how.batch)
    groups = batches(tasks, size)
    stamp = f"{os.getpid()}-{time.time_ns()}"
    futures = {}
    for group in groups:
        key = f"cyflow-runs-{group[0].run_id}-{len(group)}-{stamp}"
        future = client.submit(run_batch, group, str(out_dir), key=key, pure=False,
                               retries=how.retries)
        futures[future] = group
    records: list[dict[str, Any]] = []
    try:
        with _progress(len(tasks), desc, how.progress) as bar:
            for future in as_completed(list(futures), loop=client.loop):
                group = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the task itself failed (e.g. workers kept dying)
                    result = _lost(group, out_dir, exc)
                for record in result:
                    records.append(record)
                    if on_record:
                        on_record(record)
                bar.update(len(group))
                future.release()
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            with contextlib.suppress(Exception):
                client.cancel(pending, force=True)
    return records


def _lost(group: list[RunTask], out_dir: Path, exc: BaseException) -> list[dict[str, Any]]:
    """Records for a batch whose task failed: runs on disk are done, the others failed."""
    from experiments.storage import RunStore
    store = RunStore(out_dir)
    out = []
    for task in group:
        if store.is_done(task.run_id):
            out.append({"run_id": task.run_id, "status": "skipped"})
        else:
            info = {"error": f"task failed: {type(exc).__name__}: {exc}"[:500],
                    "worker": None, "wall_seconds": 0.0}
            store.write_failure(task.run_id, info)
            out.append({"run_id": task.run_id, "status": "failed", **info})
    return out


# ------------------------------------------------------------------ HPC (dask-jobqueue)
JOBQUEUE_CLASSES = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster",
                    "lsf": "LSFCluster", "htcondor": "HTCondorCluster", "oar": "OARCluster",
                    "moab": "MoabCluster"}


def jobqueue_config(path: str | Path) -> tuple[str, dict[str, Any]]:
    """(cluster class name, keyword arguments) from a dask-jobqueue YAML file whose top-level
    ``jobqueue`` table has one scheduler section (``slurm:``, ``pbs:``, ...)."""
    import yaml

    from model.inputs import MAX_SCENARIO_BYTES, check_input_file
    name = str(path)
    check_input_file(path, MAX_SCENARIO_BYTES, lambda why: CyflowError(f"{name}: {why}"))
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CyflowError(f"{name}: cannot be read as YAML: {exc}") from None
    table = data.get("jobqueue") if isinstance(data, dict) else None
    if not isinstance(table, dict) or len(table) != 1:
        raise CyflowError(f"{name}: jobqueue: expected one scheduler section "
                          f"({', '.join(JOBQUEUE_CLASSES)})")
    (kind, options), = table.items()
    if kind not in JOBQUEUE_CLASSES or not isinstance(options, dict):
        raise CyflowError(f"{name}: jobqueue.{kind}: expected one of "
                          f"{', '.join(JOBQUEUE_CLASSES)} with a table of options")
    return JOBQUEUE_CLASSES[kind], {k.replace("-", "_"): v for k, v in options.items()}


def jobqueue_cluster(path: str | Path) -> Any:
    """A dask-jobqueue cluster built from the YAML file (nothing is submitted until it is
    scaled)."""
    import dask_jobqueue
    cls_name, kwargs = jobqueue_config(path)
    try:
        return getattr(dask_jobqueue, cls_name)(**kwargs)
    except (TypeError, ValueError) as exc:
        raise CyflowError(f"{path}: {cls_name}: {exc}") from None
