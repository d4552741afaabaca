"""The command line under hostile input: no traceback ever, one ``error:`` line, a documented
exit status, and the results folder left as it was."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ("--set", "scale.firm_agents=300", "--set", "scale.talent_agents=300")


def _cmd(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "run.py"), *args]


def _run(*args: str, cwd: Path, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(*args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, **kw)


def _one_error(result: subprocess.CompletedProcess, status: int) -> str:
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def _old_results(tmp_path: Path) -> Path:
    out = tmp_path / "res"
    out.mkdir()
    (out / "run.json").write_text('{"old": true}')
    return out


def test_fifo_device_and_nesting_give_one_error_line(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = _old_results(tmp_path)
    deep = "[" * 3000 + "]" * 3000
    cases = [
        (("--set", f'data.cities="{fifo}"'), "data.cities"),
        (("--set", 'data.links="/dev/zero"'), "data.links"),
        ((str(fifo),), "not a regular file"),
        (("--set", f"description={deep}"), "nested"),
        (("--set", "scale=1"), "is a table"),
        (("--seed", "-4"), "seed"),
    ]
    for args, words in cases:
        line = _one_error(_run(*args, "--out", str(out), cwd=tmp_path, timeout=60), 2)
        assert words in line, line
    assert (out / "run.json").read_text() == '{"old": true}'


def test_out_of_memory_is_one_line_and_creates_no_folder(tmp_path):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2_500_000_000, 2_500_000_000))

    out = tmp_path / "never"
    result = _run("--steps", "2", "--quiet", "--out", str(out), "--set",
                  "scale.firm_agents=50000000", "--set", "scale.talent_agents=50000000",
                  cwd=tmp_path, preexec_fn=limit)
    assert "out of memory" in _one_error(result, 3)
    assert not out.exists()


def test_ctrl_c_is_one_line_with_status_130(tmp_path):
    out = _old_results(tmp_path)
    # SIGINT back to its default in the child: a shell running the tests as a background job
    # has it ignored, and Python then installs no KeyboardInterrupt handler
    proc = subprocess.Popen(_cmd("--steps", "100000", "--quiet", "--out", str(out), *SMALL),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(6)  # past the imports, inside the run
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:  # never leave a 100,000-step run behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr)
    assert "interrupted" in _one_error(result, 130)
    assert (out / "run.json").read_text() == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no staging folder left


def test_default_folder_follows_the_scenario_file(tmp_path):
    base = (ROOT / "scenarios" / "baseline.toml").as_posix()
    child = tmp_path / "my_package.toml"
    child.write_text(f'extends = "{base}"\nsteps = 2\n', encoding="utf-8")
    result = _run(str(child), "--quiet", *SMALL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results" / "my_package" / "run.json").is_file()
    assert not (tmp_path / "results" / "baseline").exists()


def test_a_late_intervention_prints_one_warning_and_runs(tmp_path):
    late = tmp_path / "late.toml"
    late.write_text('steps = 2\n[[interventions]]\ntype = "data_market"\nstart = "2030Q1"\n',
                    encoding="utf-8")
    result = _run(str(late), "--quiet", *SMALL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "no effect" in lines[0]


def _run_in_process(monkeypatch, out: Path, draw) -> int:
    """run.py in this process with ``figures.commands.save_figures`` replaced by ``draw``."""
    import figures.commands
    import run

    monkeypatch.setattr(figures.commands, "save_figures", draw)
    return run.main(["--steps", "2", "--quiet", "--out", str(out), *SMALL])


def test_ctrl_c_while_the_figures_are_drawn_keeps_the_old_folder(tmp_path, monkeypatch,
                                                                 capsys):
    out = _old_results(tmp_path)

    def interrupted(folder: Path, **kwargs) -> list[Path]:
        (Path(folder) / "map.png").write_bytes(b"half a figure")
        raise KeyboardInterrupt

    assert _run_in_process(monkeypatch, out, interrupted) == 130
    assert "interrupted; the results folder was left as it was" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["run.json"]
    assert (out / "run.json").read_text() == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no staging folder left


def test_a_figure_that_fails_is_a_warning_and_leaves_no_figure_behind(tmp_path, monkeypatch,
                                                                      capsys):
    out = tmp_path / "res"

    def failing(folder: Path, **kwargs) -> list[Path]:
        (Path(folder) / "map.png").write_bytes(b"half a figure")
        raise ValueError("no font")

    assert _run_in_process(monkeypatch, out, failing) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "the figures were not drawn: no font" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "flows.parquet", "nodes.parquet", "region.parquet", "run.json", "scenario.toml"]


def test_a_closed_output_pipe_is_status_141_without_a_traceback(tmp_path):
    out = tmp_path / "res"
    proc = subprocess.Popen(_cmd("--steps", "2", "--no-figures", "--out", str(out), *SMALL),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    proc.stdout.close()  # as `| head -0` would: the summary has nowhere to go
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr and "error" not in stderr
    assert (out / "run.json").is_file()  # saved before the summary was printed
