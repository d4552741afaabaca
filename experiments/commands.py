"""``python run.py compare|sweep|analyze``: the experiments' command line (docs/EXPERIMENTS.md).

Errors are raised (``CyflowError`` for bad input, ``SimulationError`` when runs failed) and
turned into one ``error:`` line and an exit status by ``run.guarded``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.execution import Execution
from model.errors import CyflowError, SimulationError


def _execution_options(parser: argparse.ArgumentParser, jobqueue: bool = True) -> None:
    group = parser.add_argument_group("execution (default: a local Dask cluster on every core)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--serial", action="store_true", help="run in this process, one by one")
    where.add_argument("--workers", type=int, metavar="N", help="local Dask cluster of N "
                       "worker processes")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="send the runs to an existing Dask cluster (its workers must "
                       "import the project and share the output folder)")
    if jobqueue:
        where.add_argument("--jobqueue", metavar="FILE.yaml",
                           help="start an HPC cluster with dask-jobqueue from this config "
                           "(e.g. sweeps/hpc/slurm.yaml)")
        group.add_argument("--jobs", type=int, default=1, metavar="N",
                           help="batch jobs to request with --jobqueue (default 1)")
    group.add_argument("--batch", type=int, metavar="N", help="runs per Dask task (default: "
                       "about 8 tasks per worker, at most 50 runs each)")
    group.add_argument("--retries", type=int, default=3, metavar="N",
                       help="Dask retries of a failed task (default 3)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _execution(args: argparse.Namespace) -> Execution:
    for name in ("workers", "jobs", "batch"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise CyflowError(f"--{name}: expected a positive integer, got {value}")
    if args.retries < 0:
        raise CyflowError(f"--retries: expected an integer >= 0, got {args.retries}")
    return Execution(serial=args.serial, workers=args.workers, scheduler=args.scheduler,
                     jobqueue=getattr(args, "jobqueue", None), jobs=getattr(args, "jobs", 1),
                     batch=args.batch, retries=args.retries, progress=not args.quiet)


def _matplotlib_files_only() -> None:
    import matplotlib
    matplotlib.use("Agg")


# ------------------------------------------------------------------ compare
def compare(command: str, argv: list[str]) -> int:
    from run import parse_set

    parser = argparse.ArgumentParser(
        prog=f"run.py {command}",
        description="Compare scenarios against the first, with replicates under common random "
        "numbers and (optionally) Latin hypercube draws of the uncertain parameters. A single "
        "argument may be a comparison file (a TOML file with a 'scenarios' array).")
    parser.add_argument("scenarios", nargs="+", help="scenario files (the first is the "
                        "reference), or one comparison file")
    parser.add_argument("--reps", type=int, help="replicates per scenario (default 10, or the "
                        "comparison file's)")
    parser.add_argument("--seed", type=int, help="master seed (default: the first scenario's)")
    parser.add_argument("--uncertain", type=int, nargs="?", const=10, metavar="DRAWS",
                        help="draw the uncertain parameters (Latin hypercube, DRAWS draws, "
                        "default 10) and report how robust each effect is")
    parser.add_argument("--posterior", metavar="CALIBRATION_DIR",
                        help="draw the calibrated parameters from the posterior of "
                        "'run.py calibrate' in this folder (the other uncertain parameters "
                        "from their ranges); DRAWS of --uncertain, default 10")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="set a scenario key in every scenario, e.g. steps=20")
    parser.add_argument("--nodes", action="store_true", help="also keep node metrics")
    parser.add_argument("--out", help="output folder (default: results/compare-<names>)")
    parser.add_argument("--csv", action="store_true", help="also write the tables as CSV")
    _execution_options(parser, jobqueue=False)
    args = parser.parse_args(argv)

    from experiments.compare import Comparison
    from experiments.spec import OutputSpec, is_comparison_file, load_comparison
    from experiments.storage import new_staging, prepare_folder

    overrides = parse_set(args.set)
    if len(args.scenarios) == 1 and is_comparison_file(args.scenarios[0]):
        spec = load_comparison(args.scenarios[0])
        scenarios, reps, seed = list(spec.scenarios), spec.replicates, spec.seed
        draws, keys, output = spec.uncertain_samples, spec.uncertain_keys, spec.output
    else:
        scenarios, reps, seed, draws, keys = list(args.scenarios), 10, None, 0, ()
        output = OutputSpec()
    reps = args.reps if args.reps is not None else reps
    seed = args.seed if args.seed is not None else seed
    draws = args.uncertain if args.uncertain is not None else draws
    if args.nodes:
        output = OutputSpec(region=output.region, nodes=None)
    if reps < 1:
        raise CyflowError(f"--reps: expected a positive integer, got {reps}")
    if draws < 0 or (args.uncertain is not None and args.uncertain < 1):
        raise CyflowError(f"--uncertain: expected a positive number of draws, got {draws}")
    how = _execution(args)
    cmp = Comparison(scenarios, reps=reps, seed=seed, uncertain=draws, uncertain_keys=keys,
                     overrides=overrides or None, output=output, posterior=args.posterior)
    out = Path(args.out) if args.out else Path("results") / ("compare-" + "-".join(
        cmp.labels)[:80])
    target = prepare_folder(out, "comparison.json")  # fail before the runs, not after
    _matplotlib_files_only()
    work = new_staging(target)
    try:
        cmp.run(how, work_dir=work)
        files = cmp.save(target, csv=args.csv)
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    print(cmp.summary())
    print(f"results: {out}/ ({', '.join(f.name for f in files)})")
    return 0


# ------------------------------------------------------------------ sweep
def sweep(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"run.py {command}",
        description="Run a parameter sweep file (grid, lhs, morris or sobol design) into a "
        "folder of per-run Parquet files; --resume continues an interrupted sweep.")
    parser.add_argument("file", nargs="?", help="sweep TOML file (optional with --resume: "
                        "the folder knows its sweep)")
    parser.add_argument("--out", help="sweep folder (default: results/sweep-<name>)")
    parser.add_argument("--resume", action="store_true", help="continue the sweep in --out: "
                        "skip completed runs, retry failed ones")
    parser.add_argument("--max-attempts", type=int, default=3, metavar="N",
                        help="attempts per run before --resume stops retrying it (default 3)")
    _execution_options(parser)
    args = parser.parse_args(argv)
    if args.max_attempts < 1:
        raise CyflowError(f"--max-attempts: expected a positive integer, got "
                          f"{args.max_attempts}")
    how = _execution(args)

    from experiments.sweep import Sweep, resume_folder

    if args.file is None:
        if not (args.resume and args.out):
            raise CyflowError("sweep: give a sweep file (or --resume --out DIR)")
        outcome = resume_folder(args.out, max_attempts=args.max_attempts, execution=how)
    else:
        runner = Sweep.from_file(args.file)
        out = Path(args.out) if args.out else Path("results") / f"sweep-{runner.spec.name}"
        if not args.quiet:
            from experiments.design import point_count
            spec = runner.spec
            points = point_count(spec)
            print(f"sweep {spec.name}: {spec.design} design, {points} points x "
                  f"{spec.replicates} replicates = {points * spec.replicates} runs; "
                  f"{how.describe()}", file=sys.stderr)
        outcome = runner.run(out, resume=args.resume, max_attempts=args.max_attempts,
                             execution=how)
    print(outcome)
    if outcome.failed:
        first = outcome.index[outcome.index["status"] == "failed"].iloc[0]
        hint = (f"{outcome.exhausted} reached the limit of attempts; "
                if outcome.exhausted else "")
        raise SimulationError(f"{outcome.failed} of {outcome.planned} runs failed (first: "
                              f"{first['run_id']}: {first['error']}); {hint}rerun with "
                              "--resume to retry them")
    return 0


# ------------------------------------------------------------------ analyze
def analyze(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"run.py {command}",
        description="Sensitivity indices of a finished morris (mu*, sigma) or sobol (S1, ST "
        "with confidence intervals) sweep: sensitivity.parquet and sensitivity.png in DIR.")
    parser.add_argument("folder", help="a sweep folder written by 'run.py sweep'")
    parser.add_argument("--metrics", nargs="+", help="region metrics to analyse (default: "
                        "every metric the sweep kept)")
    parser.add_argument("--csv", action="store_true", help="also write sensitivity.csv")
    parser.add_argument("--quiet", action="store_true", help="print only the file names")
    args = parser.parse_args(argv)

    from experiments.sensitivity import analyze_folder, ranking, write_analysis

    method, table, skipped = analyze_folder(args.folder, args.metrics)
    _matplotlib_files_only()
    files = write_analysis(args.folder, method, table, csv=args.csv)
    if not args.quiet:
        key = "mu*" if method == "morris" else "ST"
        print(f"{method} indices of {table['metric'].nunique()} metrics; most influential "
              f"parameter by {key}:")
        for metric in dict.fromkeys(table["metric"]):
            order = ranking(table, method, metric)
            print(f"  {metric:<28} {order[0]}" + (f", then {order[1]}" if len(order) > 1
                                                  else ""))
        if skipped:
            print(f"constant across the sweep (no indices): {', '.join(skipped)}")
    for path in files:
        print(path)
    return 0


COMMANDS = {"compare": compare, "sweep": sweep, "analyze": analyze}


def main(command: str, argv: list[str]) -> int:
    """Run the experiments subcommand ``command`` with its arguments; returns the exit status."""
    if command not in COMMANDS:
        raise CyflowError(f"unknown experiments command {command!r} "
                          f"(expected one of {', '.join(COMMANDS)})")
    return COMMANDS[command](command, argv)
