"""Execution for real: a Dask scheduler and worker processes on 127.0.0.1 run a sweep whose runs
equal the serial ones; a worker killed mid-sweep loses nothing and duplicates nothing; a sweep
interrupted with SIGINT resumes without redoing or duplicating runs; the Slurm example config
builds a job script. Every process is started in its own session and torn down with timeouts."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.execution import Execution, jobqueue_cluster
from experiments.storage import load_results, load_runs
from experiments.sweep import Sweep

REPO = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).parent / "dask"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}


def sweep_file(tmp_path: Path, samples: int, steps: int, firms: int, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'''
scenario = "{REPO / 'scenarios' / 'baseline.toml'}"
design = "lhs"
samples = {samples}
replicates = 2
seed = 11
[set]
steps = {steps}
scale.firm_agents = {firms}
scale.talent_agents = {firms * 3 // 2}
[[parameters]]
key = "mechanisms.market.alpha"
[[parameters]]
key = "talent.border_cost"
''')
    return path


def start(args: list[str], log: Path) -> subprocess.Popen:
    handle = open(log, "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(args, cwd=REPO, env=ENV, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(what)
        time.sleep(0.02)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers on loopback (random free ports)."""
    folder = tmp_path_factory.mktemp("dask")
    sched_file = folder / "scheduler.json"
    procs = [start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                    "--no-dashboard", "--scheduler-file", str(sched_file)],
                   folder / "scheduler.log")]
    worker = [str(DASK), "worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
              "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"]
    try:
        wait_for(sched_file.exists, 30, "scheduler did not start")
        import json
        address = json.loads(sched_file.read_text())["address"]
        procs += [start(worker, folder / f"worker{k}.log") for k in range(2)]
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield {"address": address, "workers": procs[1:], "start_worker":
               lambda k: start(worker, folder / f"worker{k}.log"), "procs": procs}
    finally:
        for proc in reversed(procs):
            stop(proc)


def run_files(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted((folder / "runs").glob("*.parquet"))}


def test_scheduler_runs_equal_serial_runs(cluster, tmp_path):
    sweep = Sweep.from_file(sweep_file(tmp_path, samples=4, steps=6, firms=300))
    remote = sweep.run(tmp_path / "remote", execution=Execution(
        scheduler=cluster["address"], batch=2, progress=False))
    local = sweep.run(tmp_path / "serial", execution=Execution(serial=True, progress=False))
    assert remote.complete and local.complete and remote.planned == 8
    a, b = run_files(tmp_path / "remote"), run_files(tmp_path / "serial")
    assert sorted(a) == sorted(b) and len(a) == 8
    for run_id in a:
        pd.testing.assert_frame_equal(a[run_id], b[run_id])
    workers = set(load_runs(tmp_path / "remote")["worker"])
    assert all(not w.endswith(f":{os.getpid()}") for w in workers)  # ran on the workers


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(cluster, tmp_path):
    extra = cluster["start_worker"](3)
    cluster["procs"].append(extra)
    from distributed import Client
    with Client(cluster["address"], timeout="30s") as client:
        client.wait_for_workers(3, timeout=60)
    sweep = Sweep.from_file(sweep_file(tmp_path, samples=30, steps=12, firms=4000))
    out = tmp_path / "killed"
    result = {}

    def go() -> None:
        result["outcome"] = sweep.run(out, execution=Execution(
            scheduler=cluster["address"], batch=1, progress=False))

    thread = threading.Thread(target=go)
    thread.start()
    try:
        runs = out / "runs"
        wait_for(lambda: runs.is_dir() and len(list(runs.glob("*.parquet"))) >= 4, 60,
                 "no runs finished")
        done_at_kill = len(list(runs.glob("*.parquet")))
        stop(extra, signal.SIGKILL)
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert done_at_kill < 60  # the worker died mid-sweep
    outcome = result["outcome"]
    assert outcome.complete and outcome.planned == 60
    index = load_runs(out)
    assert index["run_id"].is_unique and (index["status"] == "done").all()
    data = load_results(out)
    assert sorted(data["run_id"].unique()) == sorted(index["run_id"])
    assert not data.duplicated(["run_id", "step", "node", "metric"]).any()
    assert not list(runs.glob(".*"))


def test_sigint_then_resume_redoes_nothing_and_duplicates_nothing(tmp_path):
    path = sweep_file(tmp_path, samples=20, steps=16, firms=6000)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "run.py", "sweep", str(path), "--out", str(out),
                             "--serial", "--quiet"], cwd=REPO, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True,  # SIGINT default even under a background
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: len(list((out / "runs").glob("*.parquet"))) >= 3
                 if (out / "runs").is_dir() else False, 60, "no runs finished")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        stop(proc, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err.decode()
    runs = out / "runs"
    assert not list(runs.glob(".*")) and not list(out.glob(".*.tmp"))
    index = pd.read_parquet(out / "runs.parquet")  # written also when interrupted
    done = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}
    assert 3 <= len(done) < 40
    assert (index["status"] == "done").sum() == len(done)
    outcome = Sweep.from_file(path).run(out, resume=True, execution=Execution(
        serial=True, progress=False))
    assert outcome.complete and outcome.ran == 40 - len(done) and outcome.skipped == len(done)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}
    assert all(after[name] == stamp for name, stamp in done.items())  # not rewritten
    assert len(after) == 40
    data = load_results(out)
    assert not data.duplicated(["run_id", "step", "node", "metric"]).any()
    # a different sweep in the same folder is refused
    changed = path.read_text().replace("seed = 11", "seed = 12")
    path.write_text(changed)
    from model.errors import CyflowError
    with pytest.raises(CyflowError, match="differs in: seed"):
        Sweep.from_file(path).run(out, resume=True, execution=Execution(serial=True))


def test_failed_runs_are_recorded_and_retried_up_to_the_limit(tmp_path, monkeypatch):
    from experiments import runner
    path = sweep_file(tmp_path, samples=2, steps=4, firms=300)
    calls = {"n": 0}
    real = runner.simulate

    def flaky(task):
        calls["n"] += 1
        if task.run_id == "p000001-r0001":
            raise MemoryError("simulated")
        return real(task)

    monkeypatch.setattr(runner, "simulate", flaky)
    how = Execution(serial=True, progress=False)
    first = Sweep.from_file(path).run(tmp_path / "o", execution=how)
    assert first.failed == 1 and first.ran == 3
    index = load_runs(tmp_path / "o")
    row = index.set_index("run_id").loc["p000001-r0001"]
    assert row["status"] == "failed" and "MemoryError" in row["error"] and row["attempts"] == 1
    for _ in range(3):
        Sweep.from_file(path).run(tmp_path / "o", resume=True, max_attempts=2, execution=how)
    assert calls["n"] == 5  # 4 runs, then one retry; the limit of 2 attempts stops the rest
    assert load_runs(tmp_path / "o").set_index("run_id").loc["p000001-r0001", "attempts"] == 2


def test_slurm_example_config_builds_a_job_script():
    cluster = jobqueue_cluster(REPO / "sweeps" / "hpc" / "slurm.yaml")
    try:
        script = cluster.job_script()
    finally:
        cluster.close(timeout=10)
    assert script.startswith("#!/usr/bin/env bash")
    for text in ("#SBATCH -J cyflow-sweep", "#SBATCH -p normal", "#SBATCH -t 02:00:00",
                 "--output=dask-worker-%j.log", "export PYTHONPATH=$HOME/cyflow",
                 "distributed.cli.dask_worker", "--nworkers 8", "--nthreads=1", "--memory-limit"):
        assert text in script, text


def test_local_cluster_default_path(tmp_path):
    sweep = Sweep.from_file(sweep_file(tmp_path, samples=2, steps=4, firms=300))
    outcome = sweep.run(tmp_path / "o", execution=Execution(workers=1, progress=False))
    assert outcome.complete and outcome.ran == 4
