#!/usr/bin/env python
"""Run a cyflow scenario from the command line.

  python run.py                    the baseline, 2023Q1-2035Q4, results in results/baseline
  python run.py SCENARIO.toml --steps 20 --seed 7 --out results/mine --csv
  python run.py --set mechanisms.market.alpha=0.08 --set talent.kappa=2
  python run.py compare A.toml B.toml --reps 20 --out DIR    scenarios against the first
  python run.py sweep sweeps/NAME.toml --out DIR             a parameter sweep (local or Dask)
  python run.py analyze DIR                                  sensitivity indices of a sweep
  python run.py plot DIR                                     every figure that fits DIR
  python run.py report DIR                                   the planner's HTML report
  python run.py calibrate [FILE] --out DIR                   backcast fitted to observations
  (each subcommand has its own --help)

The results folder defaults to results/<scenario file name without .toml>. It is replaced as a
whole when the run succeeds, and left as it was when anything fails.

Exit status: 0 done; 2 bad input (one "error:" line naming the file, key and what was
expected); 3 the run failed (a value that is not finite, or out of memory); 70 an internal
error (a bug: please report it; --debug shows the traceback); 130 interrupted (Ctrl-C); 141
the reader of the output went away (e.g. ``| head``; what was saved before stays saved).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

from model.errors import CyflowError, ScenarioError, SimulationError

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "baseline.toml"
EXIT_INPUT, EXIT_RUN, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 3, 70, 130
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


def parse_set(items: list[str]) -> dict:
    """``KEY=VALUE`` pairs; VALUE is read as a TOML value (numbers, true/false, "text")."""
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError("--set", item, "expected KEY=VALUE, e.g. talent.kappa=2")
        try:
            table = tomllib.loads(f"v = {raw}")
        except tomllib.TOMLDecodeError:
            table = {"v": raw}  # plain text: a string value
        except RecursionError:
            raise ScenarioError("--set", key.strip(), "value nested too deeply") from None
        if list(table) != ["v"]:
            raise ScenarioError("--set", key.strip(), f"expected one value, got {raw!r} (a "
                                "line break starts another key: use one --set per key)")
        out[key.strip()] = table["v"]
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO),
                        help="scenario TOML file (default: scenarios/baseline.toml)")
    parser.add_argument("--steps", type=int, help="quarters to simulate (overrides the file)")
    parser.add_argument("--seed", type=int, help="master seed (overrides the file)")
    parser.add_argument("--out", help="results folder (default: results/<scenario file name>)")
    parser.add_argument("--csv", action="store_true", help="also write CSV tables")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key, e.g. mechanisms.market.alpha=0.08")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--no-figures", action="store_true",
                        help="tables only: skip the run's figures (draw them later with "
                             "'run.py plot DIR'); several seconds faster")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an internal error")
    return parser


# Subcommands: name -> module with ``main(command: str, argv: list[str]) -> int`` (which raises
# CyflowError for bad input); ``python run.py [SCENARIO] [options]`` runs one scenario.
SUBCOMMANDS = {
    "compare": "experiments.commands",   # scenario comparison with replicates
    "sweep": "experiments.commands",     # batch parameter sweeps (local or Dask)
    "analyze": "experiments.commands",   # sensitivity indices of a sweep
    "plot": "figures.commands",          # every figure that fits a results folder
    "report": "report.commands",         # the planner's HTML report
    "calibrate": "calibration.commands",  # backcast fitted by ABC, with its report
}


def main(argv: list[str] | None = None) -> int:
    """Run one scenario, or the subcommand named first; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if argv and argv[0] in SUBCOMMANDS:
        name, rest = argv[0], [a for a in argv[1:] if a != "--debug"]

        def command() -> int:
            return importlib.import_module(SUBCOMMANDS[name]).main(name, rest)
    else:
        args = build_parser().parse_args(argv)

        def command() -> int:
            return _run(args)
    return guarded(command, debug=debug)


def guarded(command: Callable[[], int], *, debug: bool = False) -> int:
    """Call ``command`` with every failure turned into one ``error:`` line and its exit status
    (see the module docstring); warnings become one ``warning:`` line each."""
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # each distinct warning once
        warnings.showwarning = _show_warning
        try:
            return command()
        except KeyboardInterrupt:
            print("error: interrupted; the results folder was left as it was", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader closed stdout: nothing to tell it, no traceback
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_PIPE
        except SimulationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_RUN
        except CyflowError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        except MemoryError:
            print("error: out of memory; reduce scale.firm_agents / scale.talent_agents (the "
                  "results folder was left as it was)", file=sys.stderr)
            return EXIT_RUN
        except Exception as exc:
            if debug:
                raise
            print(f"error: internal error ({type(exc).__name__}: {_first_line(exc)}); "
                  "rerun with --debug for the traceback and report it", file=sys.stderr)
            return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    from model.results import prepare_output
    from model.simulation import Simulation
    from scenarios.loader import load_scenario, with_overrides

    overrides = parse_set(args.set)
    if args.steps is not None:
        overrides["steps"] = args.steps
    if args.seed is not None:
        overrides["seed"] = args.seed
    scenario = with_overrides(args.scenario, overrides, file="command line") if overrides \
        else load_scenario(args.scenario)
    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem
    prepare_output(out)  # fail before the run, not after it
    sim = Simulation.from_scenario(scenario).run(progress=not args.quiet)

    def draw_figures(folder: Path) -> None:
        """The run's figures beside its tables, in the new folder before it replaces the old
        one (an interrupt leaves the old folder whole); a figure that fails is a warning and
        takes none of the figures with it into the folder."""
        from figures.commands import save_figures

        before = set(folder.iterdir())
        try:
            save_figures(folder, region=sim.model.region)
        except (CyflowError, OSError, ValueError, KeyError) as exc:
            for path in set(folder.iterdir()) - before:
                path.unlink()
            warnings.warn(f"{out}: the figures were not drawn: {exc}", stacklevel=1)

    try:
        files = sim.save(out, csv=args.csv, extra=None if args.no_figures else draw_figures)
    except OSError as exc:
        raise CyflowError(f"{out}: cannot write the results: {exc}") from None
    if not args.quiet:
        print(sim.summary())
        print(f"results: {out}/ ({', '.join(f.name for f in files)})")
    return 0


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one ``warning:`` line each (no source line, no traceback)."""
    print(f"warning: {message}", file=sys.stderr)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else "no message"


def cli() -> None:
    """Entry point of the installed ``cyflow`` command."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
