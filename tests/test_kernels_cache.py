"""The numba kernels import and run from a read-only checkout without a writable home: the cache
moves to a private temp folder, or (no writable folder at all) the kernels compile uncached with
one warning line, never a traceback.

Run as a normal user the checkout and home are made read-only with chmod. Root can write
anywhere regardless of permissions, so as root the unwritable places are simulated with *files*
where numba expects folders (``model/__pycache__`` and ``$HOME`` are files), which makes
numba's own writability test fail the same way.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")

# Uses every kernel once and checks one of them against its plain definition.
SCRIPT = """
import sys, tempfile
if len(sys.argv) > 1:
    tempfile.tempdir = sys.argv[1]  # the temp folder: a file in the "nothing works" case
import numpy as np
import model.jit as jit
import model.kernels as k
cum = np.cumsum(np.full((2, 3, 4), 0.25), axis=2)
rows = k.draw_rows(cum, np.array([0, 1]), np.array([2, 0]), np.array([0.1, 0.9]))
assert list(rows) == [0, 3], rows
n = 4
draws = k.firm_logit_draws(np.ones(2), np.zeros(2), np.zeros(2, np.int64), np.zeros(2, np.int64),
                           np.zeros((2, n)), np.zeros((2, n)), np.zeros(n), np.zeros(n),
                           np.zeros((n, n)), np.array([0.1, 0.99]))
assert list(draws) == [0, 3], draws
print("ok", jit._UNCACHED is None)
"""

USED = {"draw_rows", "firm_logit_values", "cumulative_draws", "_inverse_cdf"}  # SCRIPT compiles


def _kernels(index_files) -> set[str]:
    """Kernel names of numba index files ``kernels.NAME-LINE.py312.nbi``."""
    return {name.split(".")[1].rsplit("-", 1)[0] for name in index_files}


def _read_only_checkout(tmp_path: Path, extra: dict[str, str] | None = None,
                        ) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the packages (plus ``extra`` files) with no writable cache place for numba;
    returns the copy, an empty writable temp folder and the environment to run in."""
    project = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc")
    for name in ("model", "agents", "scenarios", "data"):
        shutil.copytree(ROOT / name, project / name, ignore=skip)
    shutil.copy2(ROOT / "run.py", project / "run.py")
    for name, text in (extra or {}).items():
        (project / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    if AS_ROOT:
        home.write_text("not a folder")
        for package in ("model", "agents", "scenarios"):
            (project / package / "__pycache__").write_text("not a folder")
    else:
        home.mkdir()
        for path in (home, project, *project.rglob("*")):
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMBA_") and k not in ("XDG_CACHE_HOME", "PYTHONPATH")}
    env.update(HOME=str(home), TMPDIR=str(temp), PYTHONDONTWRITEBYTECODE="1")
    return project, temp, env


def _writable_again(tmp_path: Path) -> None:
    """Give the folders their write bits back so that pytest can delete them."""
    for path in (tmp_path, *tmp_path.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _run(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_the_checkout_really_has_no_cache_place(tmp_path):
    """Without the fallback numba itself refuses, so the tests below test something."""
    probe = "from numba import njit\n\n\n@njit(cache=True)\ndef f(x):\n    return x\n"
    project, _, env = _read_only_checkout(tmp_path, {"model/probe.py": probe})
    try:
        result = subprocess.run([sys.executable, "-c", "import model.probe"], cwd=project,
                                env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        assert result.returncode != 0 and "no locator available" in result.stderr
    finally:
        _writable_again(tmp_path)


def test_read_only_checkout_caches_in_a_private_temp_folder(tmp_path):
    project, temp, env = _read_only_checkout(tmp_path)
    try:
        first = _run(project, env)
        assert first.returncode == 0, first.stderr
        assert first.stdout.split() == ["ok", "True"]
        assert _stderr_lines(first) == []
        caches = list(temp.glob("cyflow-numba-*"))
        assert len(caches) == 1 and stat.S_IMODE(caches[0].stat().st_mode) == 0o700
        index = sorted(p.name for p in caches[0].rglob("*.nbi"))
        assert _kernels(index) == USED, index
        second = _run(project, env)  # loads from the cache
        assert second.returncode == 0 and _stderr_lines(second) == [], second.stderr
        assert sorted(p.name for p in caches[0].rglob("*.nbi")) == index
    finally:
        _writable_again(tmp_path)


def test_no_writable_folder_compiles_uncached_with_one_warning(tmp_path):
    project, temp, env = _read_only_checkout(tmp_path)
    not_a_folder = temp / "not-a-folder"
    not_a_folder.write_text("x")
    try:
        result = _run(project, env, str(not_a_folder))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout.split() == ["ok", "False"]
        lines = _stderr_lines(result)
        assert len(lines) == 1 and "without caching" in lines[0], result.stderr
        assert not list(temp.glob("cyflow-numba-*"))
    finally:
        _writable_again(tmp_path)


def test_a_user_cache_dir_is_respected(tmp_path):
    """NUMBA_CACHE_DIR set by the user: the kernels are cached there, nothing is redirected."""
    project, temp, env = _read_only_checkout(tmp_path)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    try:
        result = _run(project, env)
        assert result.returncode == 0 and _stderr_lines(result) == [], result.stderr
        assert _kernels(p.name for p in (tmp_path / "mine").rglob("*.nbi")) == USED
        assert not list(temp.glob("cyflow-numba-*"))
    finally:
        _writable_again(tmp_path)
