"""Write a run's results folder: node and region tables, resolved scenario, run.json.

The folder is replaced as one unit. Every file is written into a staging folder beside the
target (same parent: ``.<name>.partial-<random>``); only when all are complete, the old folder
is renamed aside (``.<name>.old-<random>``), the staging folder is renamed to the target and
the old folder is deleted. If the swap fails, the old folder is renamed back. So a failed or
interrupted save leaves the previous results untouched, and files of an earlier run (e.g. its
CSV tables when the new run writes none) never survive beside the new ones. Staging and old
folders left beside the target by a crashed save are deleted by the next successful save to
that target (one save at a time per target: a concurrent save's staging folder counts as
left over).

Policy for an existing target folder: it is replaced only if it is empty or every entry in it
is something cyflow writes there (the tables, CSV, ``scenario.toml``, ``run.json``, the figures
of ``Simulation.plot``/``visualize.py``, a ``.partial-*`` folder of the older in-folder staging).
Any other entry is taken to be a user's file: the save refuses with a ``CyflowError`` naming it,
and nothing is deleted. ``prepare_output`` checks this, and that the folder can be written,
before a run.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.errors import CyflowError
from scenarios.loader import save_scenario

if TYPE_CHECKING:
    from model.model import RegionModel

PACKAGES = ("mesa", "numpy", "pandas", "networkx", "pyarrow", "numba")
REPO_DIR = Path(__file__).resolve().parent.parent
# every name a run (or run.py plot / report, visualize.py, Simulation.plot) writes into a
# results folder: tables, scenario, run.json, the figures of figures.commands.RUN_FIGURES in
# English and Chinese, and the reports (tests/test_figures_commands.py checks they are listed)
_FIGURES = ("map", "flows_talent", "flows_firm", "metrics", "shares", "distribution",
            "sectors")
RESULT_FILES = frozenset({"nodes.parquet", "region.parquet", "nodes.csv", "region.csv",
                          "flows.parquet", "flows.csv", "scenario.toml", "scenario.toml.tmp",
                          "run.json", "report.html", "report-zh.html",
                          *(f"{stem}{suffix}" for stem in _FIGURES
                            for suffix in (".png", "-zh.png"))})
LEGACY_STAGING = ".partial-"  # staging folders inside the target, written by older versions


def versions() -> dict[str, str]:
    """Python and package versions, for run.json."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git(*args: str) -> subprocess.CompletedProcess | None:
    """Run a read-only git command in the repository folder; None if git cannot run."""
    try:
        # no optional locks: `git status` must not rewrite the index of the checkout
        return subprocess.run(["git", "--no-optional-locks", *args], capture_output=True,
                              text=True, cwd=REPO_DIR, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None


def git_commit() -> str | None:
    """The repository's commit, if the code runs from a git checkout."""
    result = _git("rev-parse", "HEAD")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.strip() or None


def git_dirty() -> bool | None:
    """Whether the checkout has uncommitted changes (``git status --porcelain`` lists any);
    None when the code does not run from a git checkout or git is missing or fails."""
    result = _git("status", "--porcelain")
    if result is None or result.returncode != 0:
        return None
    return bool(result.stdout.strip())


def _target(out_dir: str | Path) -> Path:
    """The absolute target folder (a symlink to a folder: the folder it points to)."""
    out = Path(os.path.abspath(out_dir))
    if out.is_symlink():
        out = out.resolve()
    return out


def _fail(out: Path, reason: str) -> CyflowError:
    return CyflowError(f"{out}: cannot write the results: {reason}")


def _reason(exc: OSError) -> str:
    """A one-line description of an OS error."""
    if exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_replaceable(out: Path) -> None:
    """Raise ``CyflowError`` unless ``out`` is missing, or a folder the policy lets a save
    replace (module docstring)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise _fail(out, "it is a file, not a folder")
    try:
        entries = sorted(entry.name for entry in out.iterdir())
    except OSError as exc:
        raise _fail(out, f"cannot list the folder: {_reason(exc)}") from None
    foreign = [name for name in entries
               if name not in RESULT_FILES and not name.startswith(LEGACY_STAGING)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3
                                          else "")
        raise _fail(out, f"the folder holds files that are not results of a run ({shown}); "
                         "move them or choose another folder")


def prepare_output(out_dir: str | Path) -> Path:
    """Check, before a run, that the results can be written to ``out_dir``: the target is not a
    file nor a folder of user files, and its parent can be created and written (a temporary
    file is created and removed there). Returns the absolute target; raises ``CyflowError``
    with a one-line message naming the folder and the reason."""
    out = _target(out_dir)
    if out.name in ("", ".", ".."):
        raise _fail(out, "not a usable results folder name")
    _check_replaceable(out)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
        raise _fail(out, f"cannot create the folder {parent}: {reason}") from None
    if not parent.is_dir():
        raise _fail(out, f"{parent} is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{out.name}.probe-"):
            pass
    except OSError as exc:
        raise _fail(out, f"the folder {parent} is not writable: {_reason(exc)}") from None
    return out


def _new_folder(parent: Path, prefix: str) -> Path:
    """Create a fresh folder ``parent/<prefix><random>`` (default permissions, unlike mkdtemp)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(6)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _leftovers(out: Path) -> list[Path]:
    """Staging and old folders of earlier saves to ``out`` (beside it)."""
    prefixes = (f".{out.name}.partial-", f".{out.name}.old-")
    return [path for path in out.parent.iterdir()
            if path.name.startswith(prefixes) and path.is_dir() and not path.is_symlink()]


def swap_folder(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out`` (which may not exist) as one unit."""
    if not out.exists():
        os.rename(staging, out)
        return
    old = out.parent / f".{out.name}.old-{secrets.token_hex(6)}"
    while old.exists():
        old = out.parent / f".{out.name}.old-{secrets.token_hex(6)}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_results(model: RegionModel, out_dir: str | Path, *, csv: bool = False,
                  info: dict[str, Any] | None = None,
                  extra: Callable[[Path], object] | None = None) -> list[Path]:
    """Write the tables, the resolved scenario and run.json as the folder ``out_dir``,
    replacing an earlier results folder there as one unit; return the files written.
    ``extra(folder)`` may add files (the run's figures) before the swap, so that an interrupt
    while it works leaves the earlier folder whole."""
    out = prepare_output(out_dir)
    staging = _new_folder(out.parent, f".{out.name}.partial-")
    try:
        nodes, region, flows = model.node_table(), model.region_table(), model.flow_table()
        nodes.to_parquet(staging / "nodes.parquet", index=False)
        region.to_parquet(staging / "region.parquet", index=False)
        flows.to_parquet(staging / "flows.parquet", index=False)
        if csv:
            nodes.to_csv(staging / "nodes.csv", index=False)
            region.to_csv(staging / "region.csv", index=False)
            flows.to_csv(staging / "flows.csv", index=False)
        save_scenario(model.spec, staging / "scenario.toml")
        run_info = {"scenario": model.spec.name, "seed": model.spec.seed,
                    "steps": int(model.steps), "firm_agents": len(model.firms),
                    "talent_agents": len(model.talent), "nodes": model.region.n,
                    "versions": versions(), "git_commit": git_commit(),
                    "git_dirty": git_dirty(), **(info or {})}
        (staging / "run.json").write_text(json.dumps(run_info, indent=2), encoding="utf-8")
        if extra is not None:
            extra(staging)
        names = sorted(file.name for file in staging.iterdir())
        _check_replaceable(out)  # again: user files may have appeared during the run
        swap_folder(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    for path in _leftovers(out):
        shutil.rmtree(path, ignore_errors=True)
    return [Path(out_dir) / name for name in names]
