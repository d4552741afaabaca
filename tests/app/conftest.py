"""Fixtures of the app tests: a small session, a screenshot folder, Debian's chromium for
pytest-playwright, and the app served by ``solara run visualize.py`` on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SMALL = {"scale.firm_agents": 2000, "scale.talent_agents": 3000}
SCREENS = Path("/tmp/cyflow-app-screens")


@pytest.fixture
def small_session():
    """A session at a small scale (fast), on the baseline."""
    from app.session import AppSession

    return AppSession(fixed=dict(SMALL))


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$CYFLOW_ARTIFACTS`` or a pytest temporary folder. A copy of each
    also goes to /tmp/cyflow-app-screens/ for people to look at."""
    folder = Path(os.environ.get("CYFLOW_ARTIFACTS") or tmp_path_factory.mktemp("app-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(page, artifacts: Path, name: str) -> Path:
    """A full-page PNG in the artefact folder (and the shared copy); returns its path."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copy(path, SCREENS / path.name)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's chromium (``playwright install`` cannot download here), headless, offline."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"solara exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


def serve(env_overrides: str | None, log: Path) -> Iterator[tuple[str, float]]:
    """Run ``solara run visualize.py`` from the repository root; yield (url, seconds to 200)."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if env_overrides is None:
        env.pop("CYFLOW_APP_SET", None)
    else:
        env["CYFLOW_APP_SET"] = env_overrides
    solara = Path(sys.executable).with_name("solara")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(solara), "run", "visualize.py", "--host", "127.0.0.1", "--port", str(port),
             "--no-open", "--production"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}/"
            yield url, _wait_for_http(url, process, timeout=60)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, float]]:
    """The app served for the whole test session, at the DEFAULT scale (20,000 firm + 30,000
    talent agents): a browser step costs the same at a small scale (the model's step is ~2 ms
    either way), and one server for every browser test saves its start-up."""
    yield from serve(None, tmp_path_factory.mktemp("solara") / "server.log")


@pytest.fixture
def app_url(app_server: tuple[str, float]) -> str:
    return app_server[0]
