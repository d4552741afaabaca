"""Results that survive failures: one Parquet file per run, written atomically and only once.

Layout of an experiment folder::

    DIR/runs/<run_id>.parquet     the run's long table (run_id, scenario, point, replicate,
                                  seed, <parameters>, step, quarter, node, metric, value);
                                  its run info (wall and CPU seconds, worker) in the file's
                                  key-value metadata under "cyflow"
    DIR/failures/<run_id>.<n>.json  the n-th failed attempt of a run (error, worker, time)
    DIR/plan.parquet              every planned run (run_id, point, replicate, seed, parameters)
    DIR/runs.parquet              one row per planned run: parameters, seed, status (done,
                                  failed, pending), attempts, wall/CPU seconds, worker, error;
                                  rebuilt from runs/ and failures/ (the files are the truth)

A file is written to a hidden temporary name in the same folder and then hard-linked to its
final name, which fails if the name exists: whoever finishes a run first writes it, a second
writer (a task that Dask ran twice) leaves it alone, and no reader ever sees a partial file
(readers skip names starting with '.'). Where hard links are not supported a rename is used.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import CyflowError
from model.results import swap_folder

RUNS, FAILURES = "runs", "failures"
PLAN, INDEX, LOCK = "plan.parquet", "runs.parquet", ".lock"
SPEC_FILE = "sweep.json"  # the resolved sweep of a sweep folder
META_KEY = b"cyflow"
SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def _tmp_name(path: Path) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"


def _publish(tmp: Path, path: Path, replace: bool) -> bool:
    """Give ``tmp`` its final name; with ``replace=False`` only if the name is free."""
    try:
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system: a rename, if still free
            if path.exists():
                return False
            os.replace(tmp, path)
            return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_parquet(table: pa.Table, path: Path, *, replace: bool = True,
                  metadata: dict[str, Any] | None = None) -> bool:
    """Write ``table`` to ``path`` atomically; returns False if ``replace`` is False and the
    file exists already (nothing is written then)."""
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta[META_KEY] = json.dumps(metadata).encode()
        table = table.replace_schema_metadata(meta)
    tmp = _tmp_name(path)
    try:
        pq.write_table(table, tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return _publish(tmp, path, replace)


def write_text(text: str, path: Path, *, replace: bool = True) -> bool:
    """Write ``text`` to ``path`` atomically (see ``write_parquet``)."""
    tmp = _tmp_name(path)
    try:
        tmp.write_text(text, encoding="utf-8")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return _publish(tmp, path, replace)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """A DataFrame as Parquet, atomically."""
    write_parquet(pa.Table.from_pandas(frame, preserve_index=False), path)


class RunStore:
    """The run files of one experiment folder (see the module docstring)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs = self.root / RUNS
        self.failures = self.root / FAILURES

    def create(self) -> None:
        self.runs.mkdir(parents=True, exist_ok=True)
        self.failures.mkdir(parents=True, exist_ok=True)

    def run_path(self, run_id: str) -> Path:
        if not SAFE_ID.match(run_id):
            raise ValueError(f"unsafe run id {run_id!r}")
        return self.runs / f"{run_id}.parquet"

    def is_done(self, run_id: str) -> bool:
        return self.run_path(run_id).exists()

    def done_ids(self) -> set[str]:
        """Runs with a complete results file."""
        if not self.runs.is_dir():
            return set()
        return {p.name[: -len(".parquet")] for p in self.runs.iterdir()
                if p.name.endswith(".parquet") and not p.name.startswith(".")}

    def write_run(self, run_id: str, table: pa.Table, info: dict[str, Any]) -> bool:
        """Write a run's table once; False (nothing written) if it exists already."""
        info = {**info, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        return write_parquet(table, self.run_path(run_id), replace=False, metadata=info)

    def write_failure(self, run_id: str, info: dict[str, Any]) -> Path:
        """Record one failed attempt as failures/<run_id>.<n>.json (n = 1, 2, ...)."""
        self.failures.mkdir(parents=True, exist_ok=True)
        info = {"run_id": run_id, **info, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        n = len(self.failure_files(run_id)) + 1
        while True:
            path = self.failures / f"{run_id}.{n}.json"
            if write_text(json.dumps(info), path, replace=False):
                return path
            n += 1

    def failure_files(self, run_id: str) -> list[Path]:
        if not self.failures.is_dir():
            return []
        return sorted(self.failures.glob(f"{run_id}.*.json"))

    def all_failures(self) -> dict[str, list[dict[str, Any]]]:
        """Failed attempts by run id, oldest first."""
        out: dict[str, list[dict[str, Any]]] = {}
        if not self.failures.is_dir():
            return out
        for path in self.failures.iterdir():
            if path.name.startswith(".") or not path.name.endswith(".json"):
                continue
            try:
                info = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            out.setdefault(str(info.get("run_id", path.name.split(".")[0])), []).append(info)
        for items in out.values():
            items.sort(key=lambda i: str(i.get("finished_at", "")))
        return out

    def run_info(self, run_id: str) -> dict[str, Any]:
        """The run info stored in a run file's metadata."""
        meta = pq.read_metadata(self.run_path(run_id)).metadata or {}
        try:
            return json.loads(meta.get(META_KEY, b"{}"))
        except ValueError:
            return {}

    def clean_temporary(self) -> int:
        """Delete temporary files left by interrupted writers (call with the folder locked)."""
        count = 0
        for folder in (self.root, self.runs, self.failures):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                        count += 1
        return count

    def read_plan(self) -> pd.DataFrame:
        return pd.read_parquet(self.root / PLAN)

    def rebuild_index(self, plan: pd.DataFrame | None = None) -> pd.DataFrame:
        """runs.parquet from the plan, the run files and the failure records; returns it."""
        plan = self.read_plan() if plan is None else plan
        done = self.done_ids()
        failures = self.all_failures()
        rows = []
        for run_id in plan["run_id"]:
            failed = failures.get(run_id, [])
            row: dict[str, Any] = {"status": "pending", "attempts": len(failed),
                                   "wall_seconds": float("nan"), "cpu_seconds": float("nan"),
                                   "worker": None, "finished_at": None, "error": None}
            if run_id in done:
                info = self.run_info(run_id)
                row.update(status="done", attempts=len(failed) + 1,
                           wall_seconds=float(info.get("wall_seconds", float("nan"))),
                           cpu_seconds=float(info.get("cpu_seconds", float("nan"))),
                           worker=info.get("worker"), finished_at=info.get("finished_at"))
            elif failed:
                last = failed[-1]
                row.update(status="failed", wall_seconds=float(last.get("wall_seconds", 0.0)),
                           worker=last.get("worker"), finished_at=last.get("finished_at"),
                           error=last.get("error"))
            rows.append(row)
        index = pd.concat([plan.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
        write_frame(index, self.root / INDEX)
        return index

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock (one sweep process per folder); released at exit, also when
        the process dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK, "a+")  # noqa: SIM115 (held for the whole block)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise CyflowError(f"{self.root}: another sweep is running in this folder "
                                  "(wait for it or choose another --out)") from None
            yield
        finally:
            handle.close()


def load_results(folder: str | Path, **filters: Any) -> pd.DataFrame:
    """Every finished run's long table (pandas), optionally filtered by column equality, e.g.
    ``load_results(DIR, metric="theil")``. Equivalent to ``pd.read_parquet(DIR / "runs")``."""
    runs = Path(folder) / RUNS
    if not runs.is_dir() or not any(p.suffix == ".parquet" and not p.name.startswith(".")
                                    for p in runs.iterdir()):
        raise CyflowError(f"{folder}: no finished runs (no {RUNS}/*.parquet)")
    flt = [(k, "==", v) for k, v in filters.items()] or None
    return pd.read_parquet(runs, filters=flt)


def load_runs(folder: str | Path) -> pd.DataFrame:
    """The runs index (one row per planned run), rebuilt from the run files."""
    store = RunStore(folder)
    if not (store.root / PLAN).is_file():
        raise CyflowError(f"{folder}: not an experiment folder (no {PLAN})")
    return store.rebuild_index()


# ------------------------------------------------------------------ whole-folder output
def prepare_folder(out: Path, marker: str) -> Path:
    """Check that ``out`` can be replaced by a new output folder: missing, empty, or an earlier
    output of the same kind (it holds ``marker``). Returns the absolute path."""
    out = Path(os.path.abspath(out))
    if out.exists():
        if not out.is_dir():
            raise CyflowError(f"{out}: cannot write the results: it is a file, not a folder")
        entries = [p.name for p in out.iterdir()]
        if entries and marker not in entries:
            raise CyflowError(f"{out}: cannot write the results: the folder holds files that "
                              f"are not results of this command ({', '.join(sorted(entries)[:3])}"
                              "); move them or choose another folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CyflowError(f"{out}: cannot create the folder {out.parent}: {exc.strerror}") \
            from None
    if not os.access(out.parent, os.W_OK):
        raise CyflowError(f"{out}: cannot write the results: {out.parent} is not writable")
    return out


def new_staging(out: Path) -> Path:
    """A fresh staging folder beside ``out`` (same file system, so the swap is a rename)."""
    while True:
        path = out.parent / f".{out.name}.partial-{secrets.token_hex(6)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


swap_in = swap_folder  # the results folders' swap (model/results.py)
