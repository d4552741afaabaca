#!/usr/bin/env python
"""Benchmarks of the production model (not a test): prints tables in Markdown.

  .venv/bin/python benchmarks/run.py             everything (about 1 minute on 2 idle cores)
  .venv/bin/python benchmarks/run.py --quick     fewer steps, no 100k reference (about 35 s)
  .venv/bin/python benchmarks/run.py --json out.json   also write the raw results

Sections (docs/PERFORMANCE.md describes the method and the targets):
  1. production vs the per-agent reference (benchmarks/reference.py: the fair one with per-step
     caches, and at 20,000 agents also the old one), same scenario and seed, side by side in
     this process: rounds that alternate a few steps of each model; CPU time
     (``time.process_time``) and wall time per step, their ratios and the range by round;
  2. scaling of the production model at 20k, 100k, 600k and 2M agents (all mechanisms on, the
     open region): ns per agent-step (wall and CPU) and peak memory, each size in a fresh
     process;
  3. full scale: the baseline with 300,000 firm + 300,000 talent agents over 52 quarters,
     wall time, CPU time and peak memory, with and without the Mesa agent views;
  4. where the time goes: timers around the phases of a step, and a cProfile of one full-scale
     step;
  5. the default ``python run.py`` and ``run.py --no-figures`` against the bare import of
     numpy, pandas and Mesa (subprocesses, alternating);
  6. replicates per second in one process (models; the experiments' runner) and the cost of
     ``mesa.batch_run`` with 1 and 2 processes;
  7. limits of the per-step targets: the step's fixed work (the production model at 500
     agents, in the rounds of section 1) and the ratio if it cost nothing; the random-number
     floor per agent-step at each size of section 2.
Agents are split 2:3 between firms and talent, as in the baseline (20,000 : 30,000), except at
full scale (300,000 : 300,000).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {
    "ratio_20k": 150.0,          # production >= 150x faster per step than the fair reference (CPU)
    "ns_600k": 4.0,              # <= 4 ns per agent-step at 600,000 agents (full scale)
    "full_wall_s": 60.0,         # full-scale 52-step run <= 60 s
    "full_peak_gb": 2.0,         # and <= 2 GB peak
    "run_py_ratio": 1.5,         # default run.py <= 1.5x `python -c "import numpy, pandas, mesa"`
}
SCALING = (20_000, 100_000, 600_000, 2_000_000)


# ---------------------------------------------------------------------------- helpers
def split(agents: int) -> dict[str, int]:
    """Scenario overrides for ``agents`` agents split 2:3 between firms and talent."""
    firms = agents * 2 // 5
    return {"scale__firm_agents": firms, "scale__talent_agents": agents - firms}


def peak_rss_mb() -> float:
    """Peak resident set size of this process (MB): VmHWM of /proc/self/status. (Not
    ``ru_maxrss``, which keeps the parent's peak across the vfork + exec of a subprocess.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Current resident set size of this process (MB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def step_times(model: Any, steps: int) -> list[float]:
    """Seconds of each of ``steps`` calls of ``model.step()``."""
    out = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        out.append(time.perf_counter() - start)
    return out


def timed_steps(model: Any, steps: int) -> tuple[float, float]:
    """(wall s, CPU s) of ``steps`` calls of ``model.step()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    return time.perf_counter() - wall, time.process_time() - cpu


def machine() -> dict[str, Any]:
    """Cores, CPU model, RAM and versions."""
    import mesa
    import numpy
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cores": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "mesa": mesa.__version__, "os": platform.platform()}


def in_subprocess(*args: str) -> dict[str, Any]:
    """Run ``run.py --worker ...`` in a fresh interpreter; its last stdout line is JSON."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- sections
COMPARE_CASES = (  # (agents, rounds, steps of each model per round, with the old reference)
    (2_000, 8, 4, False),
    (20_000, 12, 3, True),
    (100_000, 3, 2, False),
)


PRODUCTIONS = {"production": "", "production_plain": "_plain"}  # kernels: compiled, plain
FIXED, FIXED_AGENTS = "node_layer", 500  # production at 500 agents: the step's fixed work


def compare_reference(cases: tuple, seed: int, quick: bool) -> list[dict[str, Any]]:
    """Section 1: production vs reference per step, side by side in this process. Each round
    times ``steps`` steps of the production model, then ``steps`` of the reference (both run
    the same number of steps in all, from the same initial state)."""
    from benchmarks.reference import OldReferenceModel, ReferenceModel
    from model.model import RegionModel
    from model.region import Region

    region = Region.load()
    rows = []
    for agents, rounds, steps, old in cases:
        if quick and agents > 20_000:
            continue
        if quick:
            rounds = max(rounds // 2, 2)
        kinds = {"production": (RegionModel, {"kernels": "compiled"}),
                 "production_plain": (RegionModel, {"kernels": "plain"}),
                 "reference": (ReferenceModel, {})}
        if old:
            kinds["old_reference"] = (OldReferenceModel, {})
        models = {name: cls(rng=seed, region=region, agent_views=False,
                            steps=rounds * steps + 1, **extra, **split(agents))
                  for name, (cls, extra) in kinds.items()}
        # the same production model at FIXED_AGENTS agents: its step is the work that does not
        # grow with the agents (the node layer: economy, governments, entry, observation)
        models[FIXED] = RegionModel(rng=seed, region=region, agent_views=False,
                                    steps=rounds * steps + 1, kernels="compiled",
                                    **split(FIXED_AGENTS))
        for model in models.values():
            model.step()  # warm-up
        per_round: dict[str, list[tuple[float, float]]] = {name: [] for name in models}
        for _ in range(rounds):
            for name, model in models.items():
                per_round[name].append(timed_steps(model, steps))
        row: dict[str, Any] = {"agents": agents, "steps": rounds * steps}
        for name, times in per_round.items():
            row[f"{name}_wall_ms"] = 1e3 * sum(t[0] for t in times) / (rounds * steps)
            row[f"{name}_cpu_ms"] = 1e3 * sum(t[1] for t in times) / (rounds * steps)
        for prod in PRODUCTIONS:
            for ref in (k for k in models if not k.startswith("production") and k != FIXED):
                key = ref + PRODUCTIONS[prod]
                row[f"{key}_ratio_wall"] = row[f"{ref}_wall_ms"] / row[f"{prod}_wall_ms"]
                row[f"{key}_ratio_cpu"] = row[f"{ref}_cpu_ms"] / row[f"{prod}_cpu_ms"]
                ratios = [r[1] / max(p[1], 1e-9) for p, r in zip(per_round[prod],
                                                                 per_round[ref], strict=True)]
                row[f"{key}_ratio_cpu_rounds"] = (min(ratios), max(ratios))
        # what grows with the agents, and the ratio if the node layer cost nothing
        row["agent_work_cpu_ms"] = max(row["production_cpu_ms"] - row[f"{FIXED}_cpu_ms"], 1e-6)
        row["ratio_free_node_layer"] = row["reference_cpu_ms"] / row["agent_work_cpu_ms"]
        row["node_layer_budget_ms"] = (row["reference_cpu_ms"] / TARGETS["ratio_20k"]
                                       - row["agent_work_cpu_ms"])
        rows.append(row)
    return rows


def worker_scale(agents: int, steps: int, seed: int, kernels: str) -> dict[str, Any]:
    """Section 2 (fresh process): production steps at ``agents`` agents, no agent views, with
    the ``kernels`` given (compiled or plain)."""
    from model.model import RegionModel
    base = current_rss_mb()
    start = time.perf_counter()
    model = RegionModel(rng=seed, agent_views=False, steps=steps + 1, kernels=kernels,
                        **split(agents))
    build = time.perf_counter() - start
    model.step()  # warm-up
    cpu = time.process_time()
    times = step_times(model, steps)
    cpu = time.process_time() - cpu
    return {"agents": agents, "kernels": kernels, "steps": steps, "build_s": build,
            "step_ms": 1e3 * statistics.mean(times),
            "step_ms_median": 1e3 * statistics.median(times),
            "step_cpu_ms": 1e3 * cpu / steps,
            "ns_per_agent_step": 1e9 * statistics.mean(times) / agents,
            "cpu_ns_per_agent_step": 1e9 * cpu / steps / agents,
            "agents_end": len(model.firms) + len(model.talent),
            "rss_before_mb": base, "peak_rss_mb": peak_rss_mb(),
            **random_floor(model, agents, steps)}


def random_floor(model: Any, agents: int, repeats: int) -> dict[str, float]:
    """CPU ns per agent-step (per agent at the start, as the step's figure) of the draws that
    any implementation of this model's random stream makes in a step, timed with numpy at the
    model's current numbers: one uniform per live firm and per live talent (closures and
    retirements, as the stream is defined), and the deciders' work (one uniform per deciding
    firm and talent, and one ``exp`` per deciding firm and option of its logit)."""
    import numpy as np

    spec, options = model.spec, model.region.n + 1
    firms, talent = len(model.firms), len(model.talent)
    deciding_firms = round(firms * -np.expm1(-spec.firms.revision_rate * model.dt))
    deciding_talent = round(talent * -np.expm1(-spec.talent.revision_rate * model.dt))
    rng = np.random.default_rng(0)
    values = rng.random((deciding_firms, options)) - 1.0
    weights = np.empty_like(values)
    start = time.process_time()
    for _ in range(repeats):
        rng.random(firms)
        rng.random(talent)
    uniforms = time.process_time() - start
    start = time.process_time()
    for _ in range(repeats):
        np.exp(values, out=weights)
        rng.random(deciding_firms + deciding_talent)
    decisions = time.process_time() - start
    per = 1e9 / repeats / agents
    return {"floor_uniforms_ns": uniforms * per, "floor_deciders_ns": decisions * per,
            "floor_ns": (uniforms + decisions) * per}


def worker_full(agent_views: bool, steps: int, seed: int) -> dict[str, Any]:
    """Section 3 (fresh process): the baseline at 300k + 300k agents, build and run."""
    from model.model import RegionModel
    base = current_rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    model = RegionModel(rng=seed, agent_views=agent_views, steps=steps, kernels="compiled",
                        scale__firm_agents=300_000, scale__talent_agents=300_000)
    if agent_views:
        len(model.agents)  # views are created on first access: measure them as if used
    build = time.perf_counter() - start
    after_build = current_rss_mb()
    model.run()
    if agent_views:
        len(model.agents)  # and kept in step with births, closures and departures
    total = time.perf_counter() - start
    return {"agent_views": agent_views, "steps": model.steps, "build_s": build,
            "run_s": total - build, "wall_s": total, "cpu_s": time.process_time() - cpu,
            "rss_before_mb": base, "rss_after_build_mb": after_build,
            "peak_rss_mb": peak_rss_mb(), "agents_end": len(model.firms) + len(model.talent),
            "two_core_share": model.region_metrics["two_core_share"]}


def worker_profile(seed: int, top: int) -> dict[str, Any]:
    """Section 4 (fresh process): cProfile of one full-scale step (after a warm-up step)."""
    from model.model import RegionModel
    model = RegionModel(rng=seed, agent_views=False, kernels="compiled",
                        scale__firm_agents=300_000, scale__talent_agents=300_000)
    model.step()
    profiler = cProfile.Profile()
    profiler.enable()
    model.step()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    entries = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        where = file.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        entries.append({"function": f"{where}:{line}({func})" if line else func,
                        "name": func, "calls": ncalls, "tottime_ms": 1e3 * tottime,
                        "cumtime_ms": 1e3 * cumtime})
    by_tottime = sorted(entries, key=lambda e: -e["tottime_ms"])[:top]
    phases = {}
    for phase in PHASES:
        found = [e for e in entries if e["name"] == phase and "model/model.py" in e["function"]]
        if found:
            phases[phase] = found[0]["cumtime_ms"]
    return {"total_ms": 1e3 * total, "top": by_tottime, "phases": phases}


PHASES = ("_apply_interventions", "_govern", "_relocate_firms", "_migrate_talent", "_arrivals",
          "_births_and_exits", "_compute_fields", "_record")
PAY = "policy.pay"
OTHER = "other (node terms, transition matrix, dropping the departed)"
METRICS = "  of which region metrics"


def phase_times(agents: int, steps: int, seed: int) -> dict[str, float]:
    """Section 4: mean ms per step of each phase of ``RegionModel.step`` (timers wrapped around
    the model's phase methods and around the region-metrics kernel; the code is not changed)."""
    import model.model as production
    from model.model import RegionModel

    model = RegionModel(rng=seed, agent_views=False, kernels="compiled", **split(agents))
    model.step()
    totals: dict[str, float] = {}

    def timed(name: str, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
        return wrapper

    for name in PHASES:
        if hasattr(model, name):
            setattr(model, name, timed(name, getattr(model, name)))
    model.policy.pay = timed(PAY, model.policy.pay)
    original = production.region_metrics
    production.region_metrics = timed(METRICS, original)  # inside _record
    try:
        totals["step"] = sum(step_times(model, steps))
    finally:
        production.region_metrics = original
    totals[OTHER] = totals["step"] - sum(t for k, t in totals.items()
                                         if k in PHASES or k == PAY)
    return {name: 1e3 * t / steps for name, t in totals.items()}


# a tiny model (500 agents, 2 steps): with compiled kernels it pays numba's start (import, target
# set-up, loading each kernel from the on-disk cache), with plain ones it does not
TINY = ("from model.model import RegionModel\n"
        "RegionModel(agent_views=False, steps=2, scale__firm_agents=200,"
        " scale__talent_agents=300).run()\n")
TINY_PLAIN = "tiny model (500 agents, 2 steps), plain kernels"
TINY_COMPILED = "tiny model (500 agents, 2 steps), compiled kernels"

RUN_COMMANDS = {  # section 5, each timed as a subprocess, alternating: (arguments, kernels)
    "bare import": (["-c", "import numpy, pandas, mesa"], None),
    "run.py (default)": (["run.py", "--quiet", "--out"], None),
    "run.py --no-figures": (["run.py", "--quiet", "--no-figures", "--out"], None),
    "run.py --no-figures, compiled kernels": (["run.py", "--quiet", "--no-figures", "--out"],
                                              "compiled"),
    TINY_PLAIN: (["-c", TINY], "plain"),
    TINY_COMPILED: (["-c", TINY], "compiled"),
}


def time_run_py(repeats: int) -> dict[str, Any]:
    """Section 5: wall time of the default ``python run.py`` (output to a temporary folder),
    of ``run.py --no-figures`` and of the bare import of numpy, pandas and Mesa, alternating
    (the same machine state for the three)."""
    times: dict[str, list[float]] = {name: [] for name in RUN_COMMANDS}
    subprocess.run([sys.executable, "-c", TINY], cwd=ROOT, check=True,  # numba's cache filled
                   env={**os.environ, "CYFLOW_KERNELS": "compiled"})
    # the project's bytecode written, as the libraries' was at install and as any first run
    # writes it (unless PYTHONDONTWRITEBYTECODE is set, as in some sandboxes: then every run
    # would compile the modules changed since their last .pyc, and the bare import would not)
    packages = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages, "run.py",
                    "visualize.py"], cwd=ROOT, check=True, capture_output=True)
    for _ in range(repeats):
        for name, (args, kernels) in RUN_COMMANDS.items():
            env = {k: v for k, v in os.environ.items() if k != "CYFLOW_KERNELS"}
            if kernels:
                env["CYFLOW_KERNELS"] = kernels
            with tempfile.TemporaryDirectory() as out:
                full = [*args, out] if args[-1] == "--out" else args
                start = time.perf_counter()
                subprocess.run([sys.executable, *full], cwd=ROOT, check=True, env=env,
                               capture_output=True)
                times[name].append(time.perf_counter() - start)
    return {"repeats": repeats, "wall_s": times,
            "median_s": {name: statistics.median(t) for name, t in times.items()}}


def replicates(count: int, seed: int) -> dict[str, Any]:
    """Section 6: replicates of the baseline (default scale, 52 quarters) in this process:
    models built on one loaded region, and runs through the experiments' runner
    (``experiments.runner.run_one``: the model, its tables and the long table of a run)."""
    from experiments.runner import RunTask, run_one
    from model.model import RegionModel
    from model.region import Region
    from scenarios.loader import SCENARIO_DIR, load_scenario

    out: dict[str, Any] = {"count": count}
    region = Region.load()
    RegionModel(rng=seed, region=region, agent_views=False, steps=1).run()  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    for k in range(count):
        model = RegionModel(rng=seed + k, region=region, agent_views=False).run()
        model.region_table(), model.node_table()
    out["models"] = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    scenario = load_scenario(SCENARIO_DIR / "baseline.toml")
    start, cpu = time.perf_counter(), time.process_time()
    for k in range(count):
        run_one(RunTask(run_id=f"r{k}", scenario=scenario, seed=seed + k))
    out["runner"] = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    return out


def batch_run_cost(runs: int, seed: int) -> dict[str, Any]:
    """Section 6: ``mesa.batch_run`` of ``runs`` baseline replicates (52 quarters, model-level
    data of the last step) with 1 and 2 processes (a worker process imports the model again:
    spawned workers pay the imports, the numba cache load and the region load)."""
    import mesa

    from model.model import RegionModel
    out: dict[str, Any] = {"runs": runs}
    for processes in (1, 2):
        start = time.perf_counter()
        mesa.batch_run(RegionModel, parameters={"agent_views": False},
                       rng=list(range(seed, seed + runs)), max_steps=52,
                       number_processes=processes, data_collection_period=-1,
                       display_progress=False)
        out[processes] = time.perf_counter() - start
    return out


# ---------------------------------------------------------------------------- report
def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: dict[str, Any]) -> str:
    out = []
    m = results["machine"]
    out.append(f"Machine: {m['cores']} cores, {m['cpu']}, {m['ram_gb']} GB RAM; Python "
               f"{m['python']}, numpy {m['numpy']}, Mesa {m['mesa']}; {m['os']}; load average "
               f"{results.get('load', '?')} at the start")
    out.append("\n## 1. Production vs per-agent reference (ms per step; same seed, alternating "
               "rounds; reference: with the per-step caches; old: the first reference)\n")
    rows = []
    for r in results["compare"]:
        for prod, suffix in PRODUCTIONS.items():
            for ref in ("reference", "old_reference"):
                if f"{ref}_cpu_ms" in r:
                    key = ref + suffix
                    low, high = r[f"{key}_ratio_cpu_rounds"]
                    rows.append([f"{r['agents']:,}", "plain" if suffix else "compiled",
                                 ref.replace("_", " "), r["steps"],
                                 f"{r[f'{prod}_cpu_ms']:.3f}", f"{r[f'{ref}_cpu_ms']:.1f}",
                                 f"{r[f'{key}_ratio_cpu']:.0f}x", f"{low:.0f}-{high:.0f}x",
                                 f"{r[f'{prod}_wall_ms']:.3f}", f"{r[f'{ref}_wall_ms']:.1f}",
                                 f"{r[f'{key}_ratio_wall']:.0f}x"])
    out.append(table(
        ["agents", "production kernels", "against", "steps each", "production CPU",
         "reference CPU", "ratio CPU", "ratio CPU by round", "production wall",
         "reference wall", "ratio wall"], rows))
    out.append("\n## 2. Production scaling (no agent views; mean over the timed steps)\n")
    out.append(table(
        ["agents at start", "kernels", "at end", "steps", "ms per step (wall)",
         "ms per step (CPU)", "ns per agent-step (wall)", "ns per agent-step (CPU)", "build s",
         "peak RSS MB", "RSS before model MB"],
        [[f"{r['agents']:,}", r["kernels"], f"{r['agents_end']:,}", r["steps"],
          f"{r['step_ms']:.2f}",
          f"{r['step_cpu_ms']:.2f}", f"{r['ns_per_agent_step']:.1f}",
          f"{r['cpu_ns_per_agent_step']:.1f}", f"{r['build_s']:.2f}",
          f"{r['peak_rss_mb']:.0f}", f"{r['rss_before_mb']:.0f}"]
         for r in results["scaling"]]))
    out.append("\n## 3. Full scale: baseline, 300,000 firm + 300,000 talent agents\n")
    out.append(table(
        ["agent views", "steps", "agents at end", "build s", "run s", "wall s", "CPU s",
         "RSS after build MB", "peak RSS MB"],
        [[r["agent_views"], r["steps"], f"{r['agents_end']:,}", f"{r['build_s']:.2f}",
          f"{r['run_s']:.2f}", f"{r['wall_s']:.2f}", f"{r['cpu_s']:.2f}",
          f"{r['rss_after_build_mb']:.0f}", f"{r['peak_rss_mb']:.0f}"]
         for r in results["full"]]))
    views = {r["agent_views"]: r for r in results["full"]}
    if True in views and False in views:
        out.append(f"\nCost of the Mesa agent views: "
                   f"{views[True]['wall_s'] - views[False]['wall_s']:.2f} s, "
                   f"{views[True]['peak_rss_mb'] - views[False]['peak_rss_mb']:.0f} MB peak.")
    prof = results["profile"]
    out.append("\n## 4. Where the time goes\n")
    phases = results["phases"]
    sizes = list(phases)
    names = [k for k in (*PHASES, PAY, OTHER) if k in phases[sizes[-1]]] + [METRICS, "step"]
    out.append(table(["phase (ms per step, timers)"] + [f"{int(a):,} agents" for a in sizes],
                     [[k] + [f"{phases[a].get(k, 0.0):.3f} ({phases[a].get(k, 0.0)
                                                           / phases[a]['step']:.0%})"
                             for a in sizes] for k in names]))
    out.append(f"\ncProfile of one full-scale step ({prof['total_ms']:.1f} ms under cProfile):\n")
    out.append(table(["function (by own time)", "calls", "own ms", "cumulative ms"],
                     [[e["function"], e["calls"], f"{e['tottime_ms']:.2f}",
                       f"{e['cumtime_ms']:.2f}"] for e in prof["top"]]))
    rp = results["run_py"]
    bare = rp["median_s"]["bare import"]
    out.append(f"\n## 5. Start and default run (wall s, median of {rp['repeats']}, "
               "alternating)\n")
    out.append(table(["command", "median s", "runs", "x bare import"],
                     [[name, f"{m:.2f}", ", ".join(f"{t:.2f}" for t in rp["wall_s"][name]),
                       f"{m / bare:.2f}"] for name, m in rp["median_s"].items()]))
    start = rp["median_s"][TINY_COMPILED] - rp["median_s"][TINY_PLAIN]
    out.append(f"\nnumba's start in a process (tiny model, compiled minus plain): {start:.2f} s")
    rep_ = results["replicates"]
    out.append("\n## 6. Replicates of the baseline (default scale, 52 quarters)\n")
    rows = [[f"{rep_['count']} models in one process (region loaded once, tables made)",
             f"{rep_['models']['wall_s']:.2f}", f"{rep_['models']['cpu_s']:.2f}",
             f"{rep_['count'] / rep_['models']['wall_s']:.1f}"],
            [f"{rep_['count']} runs through experiments.runner.run_one (one process)",
             f"{rep_['runner']['wall_s']:.2f}", f"{rep_['runner']['cpu_s']:.2f}",
             f"{rep_['count'] / rep_['runner']['wall_s']:.1f}"]]
    br = results["batch_run"]
    for processes in ("1", "2"):
        wall = br[processes] if processes in br else br[int(processes)]
        rows.append([f"mesa.batch_run, {br['runs']} runs, {processes} process(es)",
                     f"{wall:.2f}", "", f"{br['runs'] / wall:.1f}"])
    out.append(table(["how", "wall s", "CPU s (this process)", "replicates per s"], rows))
    out.append("\n## 7. Limits of the per-step targets\n")
    out.append(f"Fixed work: the production step (compiled) at {FIXED_AGENTS} agents, timed in "
               "the rounds of section 1; agent work: the step at the size minus that. The "
               "ratio with a free node layer is the reference's CPU time over the agent work "
               "alone; the budget is what the node layer may cost for "
               f"{TARGETS['ratio_20k']:.0f}x (negative: out of reach even at zero).\n")
    out.append(table(
        ["agents", "production CPU ms", "fixed CPU ms", "agent work CPU ms", "reference CPU ms",
         "ratio", "ratio with a free node layer",
         f"node-layer budget for {TARGETS['ratio_20k']:.0f}x, ms"],
        [[f"{r['agents']:,}", f"{r['production_cpu_ms']:.3f}", f"{r[f'{FIXED}_cpu_ms']:.3f}",
          f"{r['agent_work_cpu_ms']:.3f}", f"{r['reference_cpu_ms']:.1f}",
          f"{r['reference_ratio_cpu']:.0f}x", f"{r['ratio_free_node_layer']:.0f}x",
          f"{r['node_layer_budget_ms']:.3f}"] for r in results["compare"]]))
    out.append("\nRandom-number floor (numpy, CPU, at the agents of each size after its run): "
               "one uniform per live firm and talent (the closure and retirement draws of the "
               "stream) and the deciders' draws and logit exps, in ns per agent-step:\n")
    out.append(table(
        ["agents at start", "production (compiled) CPU ns", "per-agent uniforms", "deciders",
         "floor", "production / floor"],
        [[f"{r['agents']:,}", f"{r['cpu_ns_per_agent_step']:.1f}",
          f"{r['floor_uniforms_ns']:.1f}", f"{r['floor_deciders_ns']:.1f}",
          f"{r['floor_ns']:.1f}", f"{r['cpu_ns_per_agent_step'] / r['floor_ns']:.1f}"]
         for r in results["scaling"] if r["kernels"] == "compiled"]))
    out.append("")

    out.append("## Targets\n")
    rows = []
    at_20k = [r for r in results["compare"] if r["agents"] == 20_000]
    if at_20k:
        r = at_20k[0]
        rows.append(["production (compiled) vs fair reference at 20,000 agents (CPU time)",
                     ">= 150x",
                     f"{r['reference_ratio_cpu']:.0f}x (wall {r['reference_ratio_wall']:.0f}x)",
                     verdict(r["reference_ratio_cpu"] >= TARGETS["ratio_20k"])])
    scale = {r["agents"]: r for r in results["scaling"] if r["kernels"] == "compiled"}
    if 600_000 in scale:
        ns = scale[600_000]["cpu_ns_per_agent_step"]
        rows.append(["ns per agent-step at 600,000 (CPU)", "<= 4", f"{ns:.1f}",
                     verdict(ns <= TARGETS["ns_600k"])])
    for r in results["full"]:
        label = "views on" if r["agent_views"] else "views off"
        rows.append([f"full scale wall time ({label}, {r['steps']} steps)", "<= 60 s",
                     f"{r['wall_s']:.1f} s", verdict(r["wall_s"] <= TARGETS["full_wall_s"])])
        rows.append([f"full scale peak memory ({label})", "<= 2 GB",
                     f"{r['peak_rss_mb'] / 1024:.2f} GB",
                     verdict(r["peak_rss_mb"] / 1024 <= TARGETS["full_peak_gb"])])
    for name in ("run.py (default)", "run.py --no-figures"):
        ratio = rp["median_s"][name] / bare
        rows.append([f"{name} against the bare import", "<= 1.5x", f"{ratio:.2f}x",
                     verdict(ratio <= TARGETS["run_py_ratio"])])
    out.append(table(["target", "limit", "measured", ""], rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps, no 1M-agent run")
    parser.add_argument("--seed", type=int, default=20221231, help="seed of every run")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        kind, *rest = args.worker
        if kind == "scale":
            result = worker_scale(int(rest[0]), int(rest[1]), args.seed, rest[2])
        elif kind == "full":
            result = worker_full(rest[0] == "views", int(rest[1]), args.seed)
        else:
            result = worker_profile(args.seed, int(rest[0]))
        print(json.dumps(result))
        return 0

    quick = args.quick
    results: dict[str, Any] = {"machine": machine(), "quick": quick,
                               "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    print("1/6 production vs reference ...", file=sys.stderr)
    results["compare"] = compare_reference(COMPARE_CASES, args.seed, quick)
    print("2/6 scaling ...", file=sys.stderr)
    results["scaling"] = [in_subprocess("scale", str(n), "10" if quick else "52", kernels)
                          for n in SCALING for kernels in ("compiled", "plain")
                          if kernels == "compiled" or n <= 600_000]
    print("3/6 full scale ...", file=sys.stderr)
    steps = "12" if quick else "52"
    results["full"] = [in_subprocess("full", "views", steps),
                       in_subprocess("full", "noviews", steps)]
    print("4/6 profile ...", file=sys.stderr)
    results["profile"] = in_subprocess("profile", "15")
    results["phases"] = {str(n): phase_times(n, 10 if quick else 40, args.seed)
                         for n in (20_000, 600_000)}
    print("5/6 run.py ...", file=sys.stderr)
    results["run_py"] = time_run_py(1 if quick else 3)
    print("6/6 replicates and batch_run ...", file=sys.stderr)
    results["replicates"] = replicates(3 if quick else 10, args.seed)
    results["batch_run"] = batch_run_cost(4, args.seed)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
