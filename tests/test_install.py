"""The project installs as a wheel and runs from the installed copy, data included.

The wheel is built from a copy of the checkout (so no build/ or *.egg-info appear in the
repository) and installed into a fresh venv whose dependencies come from the running
environment (a ``.pth`` file), then used from another working directory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", "build", "*.egg-info",
                              "results", ".pytest_cache", ".ruff_cache", ".hypothesis",
                              "tests", "benchmarks", "docs")

CHECK = """
import json, sys
import model.region, run, scenarios.loader, scenarios.references, visualize
from model.simulation import Simulation
sim = Simulation.from_scenario(None, seed=3, steps=2, scale__firm_agents=300,
                               scale__talent_agents=300).run()
print(json.dumps({
    "model": model.region.__file__, "data": str(model.region.DATA_DIR),
    "ref_data": str(scenarios.references.DATA_DIR),
    "scenarios": str(scenarios.loader.SCENARIO_DIR), "run": run.__file__,
    "visualize": visualize.__file__, "rows": len(sim.region()), "nodes": sim.model.region.n,
    "path": sys.path,
}))
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


def _inside(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def _build_litter() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.name == "build" or p.name.endswith(".egg-info")}


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    litter = _build_litter()
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    build = [*pip, "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(src)]
    if importlib.util.find_spec("setuptools") is not None:
        build.insert(-1, "--no-build-isolation")  # else pip fetches setuptools to build
    _run(build, cwd=tmp_path, timeout=180)
    wheels = list((tmp_path / "dist").glob("cyflow-*.whl"))
    assert len(wheels) == 1

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
          str(wheels[0])], cwd=tmp_path)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                         "['purelib'])"], cwd=tmp_path).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_cyflow_deps.pth").write_text(
        "".join(f"import site; site.addsitedir({d!r})\n" for d in sorted(deps)))

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "GIT_CEILING_DIRECTORIES": str(tmp_path.parent), "MPLBACKEND": "Agg"}
    info = json.loads(_run([str(python), "-c", CHECK], cwd=work, env=env).stdout)
    for key in ("model", "data", "ref_data", "scenarios", "run", "visualize"):
        assert _inside(info[key], site), (key, info[key])
        assert not _inside(info[key], ROOT), (key, info[key])
    assert Path(info["data"]) == site / "data" == Path(info["ref_data"])
    assert info["rows"] == 3 and info["nodes"] == 34
    # the checkout is not importable there: only the test environment's site-packages
    assert [p for p in info["path"] if p and _inside(p, ROOT)
            and not _inside(p, Path(sys.prefix))] == []
    for name in ("cities.csv", "links.csv", "README.md"):
        assert (site / "data" / name).is_file()
    assert list((site / "data" / "sources").glob("*.md"))
    assert (site / "scenarios" / "baseline.toml").is_file()
    assert (site / "scenarios" / "interventions" / "transport_link.py").is_file()

    out = work / "out"
    _run([str(python), "-m", "run", "--steps", "2", "--quiet", "--set",
          "scale.firm_agents=300", "--set", "scale.talent_agents=300", "--out", str(out)],
         cwd=work, env=env)
    assert {p.name for p in out.iterdir()} >= {"nodes.parquet", "region.parquet",
                                               "scenario.toml", "run.json"}
    run_info = json.loads((out / "run.json").read_text())
    assert run_info["steps"] == 2 and run_info["scenario"] == "baseline"
    assert run_info["git_commit"] is None  # not run from the checkout
    library = _run([str(python), "-m", "run", str(site / "scenarios" / "transport_link.toml"),
                    "--steps", "1", "--quiet", "--set", "scale.firm_agents=200", "--set",
                    "scale.talent_agents=200", "--out", str(work / "tl")], cwd=work, env=env)
    assert library.returncode == 0 and (work / "tl" / "run.json").is_file()
    assert _build_litter() == litter  # nothing built inside the checkout


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {str(p.parent.relative_to(ROOT)).replace(os.sep, ".")
             for top in ("model", "agents", "scenarios", "data")
             for p in (ROOT / top).glob("**/__init__.py")}
    assert found <= set(config["packages"])
    assert {"model", "agents", "scenarios", "data"} <= set(config["packages"])
    assert set(config["py-modules"]) == {"run", "visualize"}
