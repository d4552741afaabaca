"""The planner's report: one self-contained HTML file (no external URL) that names every
scenario, says which differences are clearly non-zero, lists the caveats, and opens in headless
Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import run
from model.region import Region
from report.build import differences, write_report
from tests.test_figures_commands import keep, write_comparison

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXTERNAL = re.compile(r"""(?:src|href|action|poster)\s*=\s*["']?\s*(?!data:|#)[a-z]+:|"""
                      r"""url\(\s*["']?(?!data:)|@import|//[a-z0-9.-]+\.[a-z]{2,}""", re.I)


@pytest.fixture(scope="module")
def comparison_report(tmp_path_factory) -> Path:
    folder = write_comparison(tmp_path_factory.mktemp("report") / "cmp", Region.load())
    assert run.main(["report", str(folder)]) == 0
    path = folder / "report.html"
    keep([path], "report")
    return path


def test_report_is_self_contained_and_names_every_scenario(comparison_report):
    html = comparison_report.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "http://" not in html and "https://" not in html
    assert html.count("data:image/png;base64,") >= 5
    for scenario in ("baseline", "policy", "placebo"):
        assert f"<h3>{scenario}" in html
    # the policy scenario's intervention in words, from scenarios/policy.toml
    assert "Chengdu-Chongqing talent community" in html and "2024Q1" in html
    assert "@media print" in html


def _difference_cells(html: str, scenario: str, metric: str) -> list[str]:
    body = html[html.index('id="differences"'):html.index('id="figures"')]
    row = re.search(rf"<tr><td>{scenario}</td><td>{metric}</td>(.*?)</tr>", body, re.S)
    assert row, (scenario, metric)
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_report_marks_the_clear_difference_only(comparison_report):
    html = comparison_report.read_text(encoding="utf-8")
    median, _, _, nonzero, robust = _difference_cells(html, "policy", "spread index")
    assert float(median) == pytest.approx(0.05, abs=0.005)
    assert (nonzero, robust) == ("yes", "yes")
    median, _, _, nonzero, robust = _difference_cells(html, "placebo", "spread index")
    assert abs(float(median)) < 0.005 and (nonzero, robust) == ("no", "no")


def test_report_lists_estimates_and_conventions(comparison_report):
    html = comparison_report.read_text(encoding="utf-8")
    assert "broadband_10k: 34 of 34 cities.csv rows estimated" in html
    assert "minutes:" in html and "links.csv" in html
    assert "<code>talent.border_cost</code>" in html or "convention" in html


def test_differences_need_three_pairs():
    import pandas as pd

    long = pd.DataFrame({"scenario": ["baseline", "b"] * 2, "replicate": [0, 0, 1, 1],
                         "step": 4, "metric": "m", "value": [1.0, 2.0, 1.0, 2.0]})
    (row,) = differences(long, "baseline", 4, "en")
    assert row["nonzero"] is None and row["median"] == "1"


def test_report_of_a_run_in_chinese(tmp_path):
    from model.simulation import Simulation

    out = tmp_path / "run"
    Simulation.from_scenario("scenarios/talent_community.toml", steps=5,
                             scale__firm_agents=200, scale__talent_agents=200).run().save(out)
    path = write_report(out, lang="zh")
    html = path.read_text(encoding="utf-8")
    assert path.name in ("report-zh.html", "report.html")  # English without a CJK font
    assert "talent_community" in html and 'lang="' in html
    if path.name == "report-zh.html":
        assert "注意事项" in html and "主要指标" in html
    keep([path], "report")


BROWSER_SCRIPT = """
import json, sys
from playwright.sync_api import sync_playwright
uri, shot, pdf, chromium, args = sys.argv[1:6]
requests = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=json.loads(args))
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(uri)
        page.wait_for_load_state("load")
        loaded = page.evaluate("Array.from(document.images).every("
                               "i => i.complete && i.naturalWidth > 0)")
        headings = page.locator("h2").all_inner_texts()
        page.screenshot(path=shot, full_page=False)
        page.pdf(path=pdf, format="A4")
    finally:
        browser.close()
print(json.dumps({"loaded": loaded, "headings": headings, "requests": requests}))
"""


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="/usr/bin/chromium is absent (apt-get install -y chromium)")
def test_report_opens_in_headless_chromium(comparison_report, tmp_path):
    pytest.importorskip("playwright.sync_api")
    shot, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    # in its own process: pytest-playwright's session fixtures (the app's browser tests) keep
    # an asyncio loop running in this one, where the sync API refuses to start
    result = subprocess.run(
        [sys.executable, "-c", BROWSER_SCRIPT, comparison_report.as_uri(), str(shot), str(pdf),
         str(CHROMIUM), json.dumps(CHROMIUM_ARGS)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    loaded, headings, requests = seen["loaded"], seen["headings"], seen["requests"]
    assert loaded
    assert len(headings) >= 5
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    from PIL import Image

    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert high - low > 100  # not a blank page
    assert len(image.resize((64, 64)).getcolors(4096)) > 20
    assert pdf.stat().st_size > 20_000
    if os.environ.get("CYFLOW_ARTIFACTS"):
        keep([shot, pdf], "report")
    shutil.rmtree(tmp_path, ignore_errors=True)
