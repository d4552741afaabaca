"""The README's two set-up commands exist, and CI runs exactly the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_two_setup_commands():
    commands = _commands()
    assert len(commands) == 2
    run, test = commands
    assert "requirements.txt" in run and "run.py" in run
    assert "requirements-dev.txt" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def test_python_quick_start_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.+?)\n```", text, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict = {}
    exec(compile(block.replace('"scenarios/', f'"{ROOT}/scenarios/'), "README", "exec"),
         namespace)
    assert (tmp_path / "results" / "mine" / "nodes.csv").is_file()
    assert (tmp_path / "results" / "mine" / "map.png").stat().st_size > 10_000
    assert len(namespace["nodes"]) == 53 * 34
