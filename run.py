#!/usr/bin/env python
"""Run a cyflow scenario from the command line.

  python run.py                    the baseline, 2023Q1-2035Q4, results in results/baseline
  python run.py SCENARIO.toml --steps 20 --seed 7 --out results/mine --csv
  python run.py --set mechanisms.market.alpha=0.08 --set talent.kappa=2

The results folder defaults to results/<scenario file name without .toml>. It is replaced as a
whole when the run succeeds, and left as it was when anything fails.

Exit status: 0 done; 2 bad input (one "error:" line naming the file, key and what was
expected); 3 the run failed (a value that is not finite, or out of memory); 70 an internal
error (a bug: please report it; --debug shows the traceback); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
import warnings
from pathlib import Path

from model.errors import CyflowError, ScenarioError, SimulationError

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "baseline.toml"
EXIT_INPUT, EXIT_RUN, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 3, 70, 130


def parse_set(items: list[str]) -> dict:
    """``KEY=VALUE`` pairs; VALUE is read as a TOML value (numbers, true/false, "text")."""
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError("--set", item, "expected KEY=VALUE, e.g. talent.kappa=2")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw
        except RecursionError:
            raise ScenarioError("--set", key.strip(), "value nested too deeply") from None
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
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an internal error")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # each distinct warning once
        warnings.showwarning = _show_warning
        try:
            return _run(args)
        except KeyboardInterrupt:
            print("error: interrupted; the results folder was left as it was", file=sys.stderr)
            return EXIT_INTERRUPTED
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
            if args.debug:
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
    try:
        files = sim.save(out, csv=args.csv)
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
