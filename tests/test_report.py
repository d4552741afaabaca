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

import pandas as pd
import pytest

import run
from experiments.effects import effects_of_contract
from model.region import Region
from report.build import differences, write_report
from tests.test_figures_commands import keep, write_comparison

REPO = Path(__file__).resolve().parent.parent
TINY = {"steps": 8, "scale.firm_agents": 300, "scale.talent_agents": 450}

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
    long = pd.DataFrame({"scenario": ["baseline", "b"] * 2, "replicate": [0, 0, 1, 1],
                         "step": 4, "metric": "m", "value": [1.0, 2.0, 1.0, 2.0]})
    (row,) = differences(effects_of_contract(long, "baseline", by_draw=False), "en")
    assert row["nonzero"] is None and row["median"] == "1"


def _difference_rows(html: str) -> dict[tuple[str, str], list[str]]:
    body = html[html.index('id="differences"'):html.index('id="figures"')]
    rows = {}
    for row in re.finditer(r"<tr><td>([^<]*)</td><td>([^<]*)</td>(.*?)</tr>", body, re.S):
        rows[row.group(1), row.group(2)] = [
            cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(3), re.S)]
    return rows


def test_report_gives_the_verdict_of_compare(tmp_path):
    """Every pair has the same sign but the t-interval of the mean includes zero: compare
    calls it not clear, and so must the report (a bootstrap of the mean would exclude 0)."""
    folder = tmp_path / "cmp"
    folder.mkdir()
    rows = []
    for rep, diff in enumerate([0.03, 0.03, 0.03, 0.0001]):
        for step in (0, 1):
            for scenario, value in (("baseline", 0.3), ("policy", 0.3 + diff * step)):
                rows.append((scenario, rep, step, f"2023Q{step + 1}", "spread_index", value))
    pd.DataFrame(rows, columns=["scenario", "replicate", "step", "quarter", "metric",
                                "value"]).to_parquet(folder / "comparison.parquet")
    html = write_report(folder).read_text(encoding="utf-8")
    mean, _, ci, nonzero, robust = _difference_rows(html)["policy", "spread index"]
    low, high = (float(v) for v in ci.strip("[]").split(", "))
    assert float(mean) == pytest.approx(0.022525, rel=1e-3)
    assert low < 0 < high and (nonzero, robust) == ("no", "yes")


@pytest.fixture(scope="module")
def uncertain_comparison(tmp_path_factory) -> Path:
    """A real comparison folder: 2 replicates x 3 draws (the unit is the draw)."""
    from experiments.compare import Comparison
    from experiments.execution import Execution

    folder = tmp_path_factory.mktemp("report-uncertain") / "cmp"
    cmp = Comparison([REPO / "scenarios" / "baseline.toml",
                      REPO / "scenarios" / "talent_community.toml"], reps=2, seed=9,
                     uncertain=3, overrides=TINY)
    cmp.run(Execution(serial=True, progress=False)).save(folder, figures=False)
    return folder


def test_report_reads_the_effects_of_compare(uncertain_comparison):
    from figures.labels import metric_label

    effects = pd.read_parquet(uncertain_comparison / "effects.parquet")
    assert (effects["n"] == 3).all() and (effects["unit"] == "draw").all()
    html = write_report(uncertain_comparison).read_text(encoding="utf-8")
    rows = _difference_rows(html)
    checked = 0
    for effect in effects.itertuples():
        cells = rows.get(("talent_community", metric_label(effect.metric)))
        if cells is None:
            continue  # p-values are not in the report
        checked += 1
        assert float(cells[0]) == pytest.approx(effect.mean, rel=1e-3, abs=1e-12), effect.metric
        if effect.verdict == "too few":
            assert "too few parameter draws" in cells[3], effect.metric
            continue
        low, high = (float(v) for v in cells[2].strip("[]").split(", "))
        assert (low, high) == pytest.approx((effect.ci_low, effect.ci_high), rel=1e-3,
                                            abs=1e-12), effect.metric
        assert cells[3] == ("yes" if effect.clear else "no"), effect.metric
    assert checked >= 10
    # 3 draws of the uncertain parameters: too few for "depends most on", said in both
    summary = (uncertain_comparison / "summary.txt").read_text(encoding="utf-8")
    assert "warning: 3 draws of" in summary and "depends most on" not in summary.split(
        "\n", 3)[-1]
    assert "Warning: 3 draws of" in html


def test_too_few_replicates_are_said_in_summary_and_report(tmp_path):
    from experiments.compare import Comparison
    from experiments.execution import Execution

    folder = tmp_path / "cmp"
    cmp = Comparison([REPO / "scenarios" / "baseline.toml",
                      REPO / "scenarios" / "talent_community.toml"], reps=2, seed=5,
                     overrides=TINY).run(Execution(serial=True, progress=False))
    cmp.save(folder, figures=False)
    effects = pd.read_parquet(folder / "effects.parquet")
    assert (effects["verdict"] == "too few").all() and not effects["clear"].any()
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert "warning: only 2 replicates" in summary and "clearly non-zero: none" in summary
    html = write_report(folder).read_text(encoding="utf-8")
    assert "Warning: only 2 run pairs" in html
    assert all(cells[3].startswith("too few") for cells in _difference_rows(html).values())


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
