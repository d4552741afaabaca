"""``python run.py calibrate [FILE]``: run (or resume) a calibration and write its report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.errors import CyflowError


def main(command: str, argv: list[str]) -> int:
    from experiments.commands import _execution, _execution_options

    parser = argparse.ArgumentParser(
        prog=f"run.py {command}",
        description="Calibrate the model on what the region did: a backcast from the 2010 "
        "census, fitted by adaptive ABC (see docs/VALIDATION.md). Progress is saved after every "
        "run and generation; --resume continues a stopped calibration. The report (report.md, "
        "fit.csv, intervals.csv, figures) is written into the folder at the end.")
    parser.add_argument("file", nargs="?", help="calibration TOML file (default: "
                        "calibration/backcast.toml; optional with --resume or --report-only)")
    parser.add_argument("--out", help="calibration folder (default: results/calibration-<name>)")
    parser.add_argument("--resume", action="store_true", help="continue the calibration in "
                        "--out: finished runs and generations are kept")
    parser.add_argument("--report-only", action="store_true", help="only (re)write the report "
                        "of the finished calibration in --out")
    _execution_options(parser)
    args = parser.parse_args(argv)
    how = _execution(args)

    from calibration.fit import Calibration
    from calibration.report import stored_spec, write_report
    from calibration.spec import DEFAULT_FILE, load_calibration

    if args.file is None and (args.resume or args.report_only):
        if not args.out:
            raise CyflowError(f"{command}: --resume and --report-only need --out DIR")
        spec = stored_spec(Path(args.out).absolute())
    else:
        spec = load_calibration(args.file or DEFAULT_FILE)
    out = Path(args.out) if args.out else Path("results") / f"calibration-{spec.name}"
    if not args.report_only:
        if not args.quiet:
            print(f"calibration {spec.name}: {len(spec.parameters)} parameters, "
                  f"{spec.abc.particles} particles per generation (up to "
                  f"{spec.abc.max_generations} generations) x {spec.seeds} seeds; "
                  f"{how.describe()}", file=sys.stderr)
        cal = Calibration(spec, out)
        try:
            pop = cal.run(how, resume=args.resume,
                          report=None if not args.quiet else (lambda line: None))
        except KeyboardInterrupt:
            print(f"interrupted: finished runs and generations are saved in {out}; continue "
                  "with --resume", file=sys.stderr)
            raise
        print(f"{spec.name}: {pop.generation + 1} generations, tolerance {pop.tolerance:.4f}")
    path = write_report(out)
    print(f"report: {path}")
    return 0
