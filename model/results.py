"""Write a run's results folder: node and region tables, resolved scenario, run.json.

Files are written to a temporary folder next to the target and moved in only when all are
complete, so an interrupted or failed run never leaves half-written files or loses old ones.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenarios.loader import save_scenario

if TYPE_CHECKING:
    from model.model import RegionModel

PACKAGES = ("mesa", "numpy", "pandas", "networkx", "pyarrow", "esda", "libpysal")


def versions() -> dict[str, str]:
    """Python and package versions, for run.json."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The repository's commit, if the code runs from a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parent, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def write_results(model: RegionModel, out_dir: str | Path, *, csv: bool = False,
                  info: dict[str, Any] | None = None) -> list[Path]:
    """Write the tables, the resolved scenario and run.json into ``out_dir``; return the files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=out_dir))
    try:
        nodes, region = model.node_table(), model.region_table()
        nodes.to_parquet(staging / "nodes.parquet", index=False)
        region.to_parquet(staging / "region.parquet", index=False)
        if csv:
            nodes.to_csv(staging / "nodes.csv", index=False)
            region.to_csv(staging / "region.csv", index=False)
        save_scenario(model.spec, staging / "scenario.toml")
        run_info = {"scenario": model.spec.name, "seed": model.spec.seed,
                    "steps": int(model.steps), "firm_agents": len(model.firms),
                    "talent_agents": len(model.talent), "nodes": model.region.n,
                    "versions": versions(), "git_commit": git_commit(), **(info or {})}
        (staging / "run.json").write_text(json.dumps(run_info, indent=2), encoding="utf-8")
        written = []
        for file in sorted(staging.iterdir()):
            target = out_dir / file.name
            os.replace(file, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
