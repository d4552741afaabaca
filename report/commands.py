"""``python run.py report DIR``: the planner's report of a run or a comparison, one
self-contained HTML file (figures embedded, no external resource) that opens offline and prints
to PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.errors import CyflowError


def main(command: str, argv: list[str]) -> int:
    """Write the report of a results folder; raises CyflowError for a folder without results."""
    from report.build import write_report

    parser = argparse.ArgumentParser(prog=f"run.py {command}", description=__doc__)
    parser.add_argument("results", help="a results folder: a run or a comparison")
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of the report (zh needs a CJK font for the figures)")
    parser.add_argument("--out", help="the HTML file (or folder) to write (default: "
                        "DIR/report.html, DIR/report-zh.html in Chinese)")
    parser.add_argument("--baseline", help="the scenario to compare against (default: "
                        "'baseline' if present, else the first)")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    if not folder.is_dir():
        raise CyflowError(f"{folder}: no such folder")
    print(write_report(folder, args.out, lang=args.lang, baseline=args.baseline))
    return 0
