"""The results folder: replaced as one unit, old results kept on failure, no stale files or
leftover staging folders, user files refused, output checked before a run, git state."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import model.results as results
from model.errors import CyflowError
from model.model import RegionModel
from model.results import git_dirty, prepare_output, write_results

TABLES = {"nodes.parquet", "region.parquet", "flows.parquet", "scenario.toml", "run.json"}


@pytest.fixture(scope="module")
def model() -> RegionModel:
    return RegionModel(rng=2, scale__firm_agents=300, scale__talent_agents=300, steps=2).run()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _beside(out: Path) -> list[str]:
    """Hidden staging/old folders of ``out`` in its parent."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_writes_every_file_and_nothing_beside(model, tmp_path):
    out = tmp_path / "res"
    files = write_results(model, out, csv=True, info={"wall_time_seconds": 1.5})
    assert {f.name for f in files} == TABLES | {"nodes.csv", "region.csv", "flows.csv"}
    assert all(f.parent == out and f.is_file() for f in files)
    assert {p.name for p in out.iterdir()} == {f.name for f in files}
    assert _beside(out) == []
    info = json.loads((out / "run.json").read_text())
    assert info["wall_time_seconds"] == 1.5 and info["steps"] == 2
    assert "git_dirty" in info and info["git_dirty"] == git_dirty()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "region.parquet"), model.region_table())


def test_csv_and_figures_of_an_earlier_run_vanish(model, tmp_path):
    out = tmp_path / "res"
    write_results(model, out, csv=True)
    (out / "map.png").write_bytes(b"old figure")
    assert (out / "nodes.csv").is_file()
    files = write_results(model, out, csv=False)
    assert {p.name for p in out.iterdir()} == TABLES == {f.name for f in files}
    assert _beside(out) == []


def test_failure_part_way_keeps_the_old_folder_intact(model, tmp_path, monkeypatch):
    out = tmp_path / "res"
    write_results(model, out, csv=True)
    before = _snapshot(out)
    original = pd.DataFrame.to_parquet
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:  # the region table, after the node table was written
            raise OSError(28, "No space left on device")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(OSError, match="No space"):
        write_results(model, out, csv=False)
    assert len(calls) == 2
    assert _snapshot(out) == before
    assert _beside(out) == []


def test_interrupted_save_keeps_the_old_folder_and_leaves_no_staging(model, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "res"
    write_results(model, out)
    before = _snapshot(out)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "save_scenario", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_results(model, out, csv=True)
    assert _snapshot(out) == before and _beside(out) == []


def test_failed_swap_restores_the_old_folder(model, tmp_path, monkeypatch):
    out = tmp_path / "res"
    write_results(model, out, csv=True)
    before = _snapshot(out)
    rename = os.rename
    seen = []

    def failing_rename(src, dst):
        seen.append((Path(src).name, Path(dst).name))
        if ".partial-" in Path(src).name:  # staging -> target fails after old was moved aside
            raise PermissionError(13, "Permission denied")
        return rename(src, dst)

    monkeypatch.setattr(results.os, "rename", failing_rename)
    with pytest.raises(PermissionError):
        write_results(model, out)
    monkeypatch.setattr(results.os, "rename", rename)
    assert seen[0][1].startswith(".res.old-")  # the old folder was moved aside
    assert seen[-1][1] == "res"  # and moved back
    assert _snapshot(out) == before and _beside(out) == []


def test_leftovers_of_a_crashed_save_are_cleaned(model, tmp_path):
    out = tmp_path / "res"
    write_results(model, out)
    for name in (".res.partial-1a2b", ".res.old-3c4d"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "nodes.parquet").write_text("half written")
    unrelated = [tmp_path / ".resx.partial-1", tmp_path / ".other.old-2"]
    for path in unrelated:
        path.mkdir()
    (out / ".partial-9z").mkdir()  # staging of the older in-folder layout
    write_results(model, out)
    assert _beside(out) == []
    assert all(path.is_dir() for path in unrelated)
    assert {p.name for p in out.iterdir()} == TABLES


def test_folder_with_user_files_is_refused_and_kept(model, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    (out / "nodes.parquet").write_text("old")
    with pytest.raises(CyflowError, match=r"mine: .*not results of a run \(notes\.txt\)"):
        prepare_output(out)
    with pytest.raises(CyflowError, match=r"notes\.txt"):
        write_results(model, out)
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "nodes.parquet").read_text() == "old"
    assert _beside(out) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert prepare_output(empty) == empty
    write_results(model, empty)
    assert {p.name for p in empty.iterdir()} == TABLES


def test_prepare_output_accepts_new_nested_folder_without_creating_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = prepare_output(Path("a") / "b" / "res")
    assert out == tmp_path / "a" / "b" / "res" and out.is_absolute()
    assert out.parent.is_dir() and not out.exists()
    assert list(out.parent.iterdir()) == []  # the probe file is gone


def test_prepare_output_refuses_a_file_and_a_path_under_a_file(tmp_path):
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    with pytest.raises(CyflowError, match=r"afile: cannot write the results: .*is a file") as e:
        prepare_output(a_file)
    assert "\n" not in str(e.value)
    with pytest.raises(CyflowError, match=r"afile.*cannot create the folder") as e:
        prepare_output(a_file / "sub" / "res")
    assert "\n" not in str(e.value)
    assert a_file.read_text() == "x"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_prepare_output_detects_an_unwritable_parent(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(CyflowError, match=r"locked.*not writable"):
            prepare_output(parent / "res")
    finally:
        parent.chmod(0o700)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_dirty(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "safe.directory=*", *args], cwd=repo, env=env,
                       check=True, capture_output=True)

    git("init", "-q")
    (repo / "a.txt").write_text("a")
    git("add", "a.txt")
    git("commit", "-q", "-m", "a")
    monkeypatch.setattr(results, "REPO_DIR", repo)
    assert git_dirty() is False and results.git_commit() is not None
    (repo / "a.txt").write_text("changed")
    assert git_dirty() is True
    monkeypatch.setattr(results, "REPO_DIR", tmp_path / "not_a_repo")
    (tmp_path / "not_a_repo").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert git_dirty() is None and results.git_commit() is None
    monkeypatch.setattr(results, "REPO_DIR", repo)
    monkeypatch.setenv("PATH", str(tmp_path / "no_bin"))  # git missing: no failure
    assert git_dirty() is None and results.git_commit() is None


def test_git_dirty_recorded_when_git_is_missing(model, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no_bin"))
    out = tmp_path / "res"
    write_results(model, out)
    info = json.loads((out / "run.json").read_text())
    assert info["git_dirty"] is None and info["git_commit"] is None


def test_symlinked_results_folder_is_replaced_behind_the_link(model, tmp_path):
    real = tmp_path / "real"
    write_results(model, real, csv=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    files = write_results(model, link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert {f.name for f in files} == {p.name for p in real.iterdir()} == TABLES
    assert _beside(real) == [] and _beside(link) == []
