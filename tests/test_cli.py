"""The command line: default output folder contents, options, and exit status 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_run_writes_results(tmp_path):
    out = tmp_path / "res"
    result = _run("--steps", "4", "--seed", "9", "--out", str(out), "--csv",
                  "--set", "scale.firm_agents=2000", "--set", "scale.talent_agents=3000",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "digital output" in result.stdout and "two-core share" in result.stdout
    assert "Theil" in result.stdout and "top five nodes" in result.stdout
    for name in ("nodes.parquet", "region.parquet", "nodes.csv", "region.csv",
                 "scenario.toml", "run.json"):
        assert (out / name).is_file(), name
    info = json.loads((out / "run.json").read_text())
    assert info["seed"] == 9 and info["steps"] == 4 and "mesa" in info["versions"]
    assert info["wall_time_seconds"] > 0
    nodes = pd.read_parquet(out / "nodes.parquet")
    assert len(nodes) == 5 * 34
    region = pd.read_parquet(out / "region.parquet")
    assert list(region["quarter"]) == ["2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert "scale" in (out / "scenario.toml").read_text()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".res.")]


def test_help():
    result = _run("--help", cwd=ROOT)
    assert result.returncode == 0
    for word in ("--steps", "--seed", "--out", "--csv", "--set", "scenario"):
        assert word in result.stdout


def test_bad_input_exits_2_and_keeps_old_results(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "nodes.parquet").write_text("old results")
    bad = tmp_path / "bad.toml"
    bad.write_text("[talent]\nkappa = 'x'\n")
    cases = [
        (str(tmp_path / "missing.toml"),),
        (str(bad),),
        ("--set", "talent.kapa=2"),
        ("--steps", "-1"),
    ]
    for args in cases:
        result = _run(*args, "--out", str(out), cwd=tmp_path)
        assert result.returncode == 2, args
        lines = [line for line in result.stderr.strip().splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
    assert (out / "nodes.parquet").read_text() == "old results"
    broken = tmp_path / "broken.toml"
    broken.write_text("steps = [\n")
    result = _run(str(broken), cwd=tmp_path)
    assert result.returncode == 2 and "broken.toml" in result.stderr and "line" in result.stderr


def test_visualize_writes_figures(tmp_path):
    out = tmp_path / "res"
    assert _run("--steps", "3", "--quiet", "--out", str(out), "--set", "scale.firm_agents=1000",
                "--set", "scale.talent_agents=1000", cwd=tmp_path).returncode == 0
    result = subprocess.run([sys.executable, str(ROOT / "visualize.py"), str(out)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("map.png", "shares.png", "metrics.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    missing = subprocess.run([sys.executable, str(ROOT / "visualize.py"), str(tmp_path)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2 and "nodes.parquet" in missing.stderr


LIBRARY = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_every_library_scenario_runs_from_the_cli(path, tmp_path):
    out = tmp_path / "res"
    result = _run(str(path), "--steps", "6", "--out", str(out), "--set", "scale.firm_agents=800",
                  "--set", "scale.talent_agents=800", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (out / "scenario.toml").read_text(encoding="utf-8")
    if path.stem != "baseline":
        assert "[[interventions]]" in written


def test_more_bad_input_exits_2(tmp_path):
    """Empty data file, output path that is a file, unsafe scenario name: one error line."""
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    bad_name = tmp_path / "name.toml"
    bad_name.write_text('name = "../../etc"\n', encoding="utf-8")
    cases = [("--set", f'data.links="{empty}"', "--steps", "1"),
             ("--steps", "1", "--out", str(a_file), "--set", "scale.firm_agents=100",
              "--set", "scale.talent_agents=100"),
             (str(bad_name),)]
    for args in cases:
        result = _run(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.strip().splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


def test_cities_file_with_byte_order_mark(tmp_path):
    text = (ROOT / "data" / "cities.csv").read_text(encoding="utf-8")
    bom = tmp_path / "cities.csv"
    bom.write_text("\ufeff" + text, encoding="utf-8")
    result = _run("--steps", "1", "--quiet", "--out", str(tmp_path / "res"),
                  "--set", f'data.cities="{bom}"', "--set", "scale.firm_agents=100",
                  "--set", "scale.talent_agents=100", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
