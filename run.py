#!/usr/bin/env python
"""Run a cyflow scenario from the command line.

  python run.py                    the baseline, 2023Q1-2035Q4, results in results/baseline
  python run.py SCENARIO.toml --steps 20 --seed 7 --out results/mine --csv
  python run.py --set mechanisms.market.alpha=0.08 --set talent.kappa=2

Bad input (missing file, bad TOML, unknown key, bad value) prints one error line and exits with
status 2; nothing already in the output folder is lost.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from model.errors import CyflowError, ScenarioError

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "baseline.toml"


def parse_set(items: list[str]) -> dict:
    """``KEY=VALUE`` pairs; VALUE is read as a TOML value (numbers, true/false, "text")."""
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ScenarioError("--set", item, "expected KEY=VALUE, e.g. talent.kappa=2")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO),
                        help="scenario TOML file (default: scenarios/baseline.toml)")
    parser.add_argument("--steps", type=int, help="quarters to simulate (overrides the file)")
    parser.add_argument("--seed", type=int, help="master seed (overrides the file)")
    parser.add_argument("--out", help="results folder (default: results/<scenario name>)")
    parser.add_argument("--csv", action="store_true", help="also write CSV tables")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key, e.g. mechanisms.market.alpha=0.08")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from model.simulation import Simulation
        from scenarios.loader import load_scenario, with_overrides

        scenario = load_scenario(args.scenario)
        overrides = parse_set(args.set)
        if args.steps is not None:
            if args.steps < 0:
                raise ScenarioError("--steps", None, f"expected a count >= 0, got {args.steps}")
            overrides["steps"] = args.steps
        if args.seed is not None:
            overrides["seed"] = args.seed
        if overrides:
            scenario = with_overrides(scenario, overrides, file="command line")
        out = Path(args.out) if args.out else Path("results") / scenario.name
        try:  # fail before the run, not after it
            out.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as exc:
            raise CyflowError(f"{out}: cannot create the results folder: {exc}") from None
        sim = Simulation.from_scenario(scenario).run(progress=not args.quiet)
        try:
            files = sim.save(out, csv=args.csv)
        except (OSError, ValueError) as exc:
            raise CyflowError(f"{out}: cannot write the results: {exc}") from None
    except CyflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(sim.summary())
        print(f"results: {out}/ ({', '.join(f.name for f in files)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
