"""``python run.py plot DIR``: every figure that fits what a results folder holds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from model.errors import CyflowError
from model.region import Region


def save_figures(results: Path, region: Region | None = None) -> list[Path]:
    """Write map.png, shares.png and metrics.png of a run's results folder into it."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    from figures.region_map import plot_map
    from figures.timeseries import plot_metrics, plot_shares

    nodes = pd.read_parquet(results / "nodes.parquet")
    region_table = pd.read_parquet(results / "region.parquet")
    region = region or Region.load()
    figures = {"map.png": plot_map(nodes, region).figure, "shares.png": plot_shares(nodes).figure,
               "metrics.png": plot_metrics(region_table)}
    files = []
    for name, figure in figures.items():
        files.append(results / name)
        figure.savefig(files[-1], dpi=120, bbox_inches="tight")
        plt.close(figure)
    return files


def main(command: str, argv: list[str]) -> int:
    """Draw the figures of a results folder (raises CyflowError when it holds no results)."""
    parser = argparse.ArgumentParser(prog=f"run.py {command}", description=__doc__)
    parser.add_argument("results", help="a results folder written by run.py")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    if not (folder / "nodes.parquet").is_file():
        raise CyflowError(f"{folder}: no nodes.parquet (run run.py first)")
    for path in save_figures(folder):
        print(path)
    return 0
