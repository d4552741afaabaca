"""Fuzzing of the region data files and of ``--set``: bad input never escapes as anything but a
``CyflowError`` whose message starts with the file (or ``command line`` / ``--set``), and on the
command line it is one ``error:`` line with exit status 2, never a traceback.

The strategies are module-level so an ad hoc run can draw many more cases than the suite does.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import CyflowError
from model.region import Region
from run import parse_set
from scenarios.loader import SCENARIO_DIR, describe, with_overrides
from scenarios.references import region_index

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BASELINE = SCENARIO_DIR / "baseline.toml"
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------------- data files
ORIGINAL = {name: (DATA / f"{name}.csv").read_text(encoding="utf-8")
            for name in ("cities", "links")}
SPECIAL_CELLS = [
    "1e308", "-1e308", "1e309", "1e-300", "1e-320", "-1", "0", "-0", "0.0", "nan", "NaN", "inf",
    "-inf", "Infinity", "", " ", "\t", "  chengdu  ", "CHENGDU", "Chengdu", "chengdu", "mianyang",
    "chongqing_central", "2.5", "0.5", "1,000", "1_000", "0x10", "１２３", "٣", "True", "None",
    "NA", "NULL", "99999999999999999999999999", "-99999999999999999999", "成都", "\u00a0chengdu",
    "chengdu\u200b", '"', "'", ";", "open", "planned", "hsr", "rail", "expressway", "Sichuan",
    "Chongqing", "sichuan", "29.5", "105.0", "-30", "gdp_2022", "nope;minutes", "\x00", "\ufeff",
]
TRANSFORMS = ["upper", "pad", "half", "neg", "big", "tiny", "suffix"]
cells = st.one_of(
    st.sampled_from(SPECIAL_CELLS), st.text(max_size=12),
    st.floats().map(repr), st.integers(-10**30, 10**30).map(str),
    st.sampled_from(TRANSFORMS).map(lambda t: ("transform", t)))
index = st.integers(0, 200)
table_ops = st.one_of(
    st.tuples(st.just("cell"), index, st.integers(0, 20), cells),
    st.tuples(st.just("header"), st.integers(0, 20), cells),
    st.tuples(st.sampled_from(["del_col", "dup_col"]), st.integers(0, 20)),
    st.tuples(st.just("swap_col"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.sampled_from(["del_row", "dup_row"]), index),
    st.tuples(st.just("swap_row"), index, index))
byte_ops = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("insert"), st.floats(0, 1),
              st.binary(min_size=1, max_size=8) | st.sampled_from(
                  [b"\x00", b"\xff", b"\xc3", b"\xe6\x88", b"\r", b"\n", b'"', b",",
                   b"\xef\xbb\xbf"])),
    st.tuples(st.just("bom"), st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                                               b"\xef\xbb\xbf\xef\xbb\xbf"])),
    st.tuples(st.just("utf16"),))
mutations = st.fixed_dictionaries({
    "target": st.sampled_from(["cities", "links"]),
    "table": st.lists(table_ops, max_size=4),
    "newline": st.sampled_from(["\n", "\r\n", "\r"]),
    "bytes": st.lists(byte_ops, max_size=2)})


def _transform(value: str, how: str) -> str:
    try:
        number = float(value)
    except ValueError:
        number = None
    if how == "upper":
        return value.upper()
    if how == "pad":
        return f"  {value} "
    if how == "suffix":
        return value + "_x"
    if number is None:
        return value + ".5"
    return {"half": repr(number + 0.5), "neg": repr(-number), "big": repr(number * 1e300),
            "tiny": repr(number * 1e-300)}[how]


def _apply_table(rows: list[list[str]], op: tuple) -> None:
    kind = op[0]
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return
    if kind == "cell":
        row = rows[op[1] % len(rows)]
        if row:
            col = op[2] % len(row)
            value = op[3]
            row[col] = _transform(row[col], value[1]) if isinstance(value, tuple) else value
    elif kind == "header":
        col = op[1] % len(rows[0]) if rows[0] else 0
        value = op[2]
        if rows[0]:
            rows[0][col] = _transform(rows[0][col], value[1]) if isinstance(value, tuple) \
                else value
    elif kind in ("del_col", "dup_col", "swap_col"):
        col = op[1] % width
        for row in rows:
            if col >= len(row):
                continue
            if kind == "del_col":
                del row[col]
            elif kind == "dup_col":
                row.insert(col, row[col])
            else:
                other = op[2] % width
                if other < len(row):
                    row[col], row[other] = row[other], row[col]
    else:
        i = op[1] % len(rows)
        if kind == "del_row":
            del rows[i]
        elif kind == "dup_row":
            rows.insert(i, list(rows[i]))
        else:
            j = op[2] % len(rows)
            rows[i], rows[j] = rows[j], rows[i]


def _apply_bytes(data: bytes, op: tuple) -> bytes:
    kind = op[0]
    if kind == "truncate":
        return data[: int(op[1] * len(data))]
    if kind == "insert":
        at = int(op[1] * len(data))
        return data[:at] + op[2] + data[at:]
    if kind == "bom":
        return op[1] + data
    return data.decode("utf-8", errors="replace").encode("utf-16")


def mutated_files(folder: Path, mutation: dict[str, Any]) -> tuple[Path, Path]:
    """Write cities.csv and links.csv into ``folder``, one of them mutated."""
    paths = {}
    for name, text in ORIGINAL.items():
        path = folder / f"{name}.csv"
        if name == mutation["target"]:
            rows = list(csv.reader(io.StringIO(text)))
            for op in mutation["table"]:
                _apply_table(rows, op)
            out = io.StringIO()
            csv.writer(out, lineterminator=mutation["newline"]).writerows(rows)
            data = out.getvalue().encode("utf-8", errors="surrogatepass")
            for op in mutation["bytes"]:
                data = _apply_bytes(data, op)
            path.write_bytes(data)
        else:
            path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths["cities"], paths["links"]


def check_region_load(cities: Path, links: Path) -> Region | None:
    """Load the files: a sane Region, or a CyflowError naming one of the files (else fail)."""
    try:
        region = Region.load(cities, links)
    except CyflowError as exc:
        assert str(exc).startswith((str(cities), str(links))), str(exc)
        return None
    assert region.n >= 4
    assert np.isfinite(region.travel_hours).all(), "non-finite travel times"
    assert (region.travel_hours >= 0).all()
    assert np.isfinite(region.population).all() and (region.population > 0).all(), \
        "population not positive and finite"
    return region


def check_region_index(cities: Path, links: Path, region: Region | None) -> None:
    """The scenario checker's cheap reader fails the same way and sees the same node ids."""
    try:
        index = region_index(str(cities), str(links))
    except CyflowError as exc:
        assert str(exc).startswith((str(cities), str(links))), str(exc)
        assert region is None, f"region loads, but the scenario checker rejects it: {exc}"
        return
    if region is not None:
        assert set(index.ids) == set(region.ids), (sorted(index.ids), sorted(region.ids))


@FUZZ
@given(mutation=mutations)
def test_fuzz_data_files(tmp_path_factory, mutation):
    cities, links = mutated_files(tmp_path_factory.mktemp("data"), mutation)
    check_region_load(cities, links)


@FUZZ
@given(mutation=mutations)
def test_fuzz_data_files_scenario_checker_agrees(tmp_path_factory, mutation):
    cities, links = mutated_files(tmp_path_factory.mktemp("data"), mutation)
    try:
        region = Region.load(cities, links)
    except CyflowError:
        region = None
    check_region_index(cities, links, region)


def test_unmutated_files_load(tmp_path):
    mutation = {"target": "cities", "table": [], "newline": "\r\n", "bytes": []}
    region = check_region_load(*mutated_files(tmp_path, mutation))
    assert region is not None and region.n == 34


def test_fractional_university_count_is_rejected(tmp_path):
    """``universities`` is a count: 2.5 universities is a data error like -1 is."""
    mutation = {"target": "cities", "newline": "\n", "bytes": [],
                "table": [("cell", 2, list(Region.load().cities.columns).index("universities"),
                           "2.5")]}
    cities, links = mutated_files(tmp_path, mutation)
    with pytest.raises(CyflowError, match="universities"):
        Region.load(cities, links)


# ---------------------------------------------------------------------- --set
KEYS = [row[0] for row in describe()]
ODD_KEYS = ["scale", "mechanisms", "mechanisms.market", "mechanisms.market.alpha.x",
            "a.b.c.d.e", "a..b", ".steps", "steps.", "talent..kappa", "成都.kappa", " steps ",
            "interventions", "interventions.0.type", "interventions[0].type", "data", "",
            " ", "talent.kappa.", "\x00", "metrics.cores"]
key_strings = st.one_of(
    st.sampled_from(KEYS), st.sampled_from(ODD_KEYS), st.text(max_size=12),
    st.tuples(st.sampled_from(KEYS), st.sampled_from(["prefix", "upper", "deeper", "dots",
                                                      "space"])).map(
        lambda kw: {"prefix": kw[0].rpartition(".")[0], "upper": kw[0].upper(),
                    "deeper": kw[0] + ".x", "dots": kw[0].replace(".", ".."),
                    "space": f" {kw[0]} "}[kw[1]]))


def _toml_float(x: float) -> str:
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return repr(x)


toml_scalars = st.one_of(
    st.integers(-2**70, 2**70).map(str), st.floats().map(_toml_float),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(['"chengdu"', '"Chengdu"', '"2024Q1"', '"9999Q4"', "1979-05-27",
                     "07:32:00", "1979-05-27T07:32:00Z", '""', "'literal'", '"\\u0000"',
                     '"/nonexistent/cities.csv"', f'"{DATA}"', f'"{DATA / "cities.csv"}"',
                     '"\\u0000/x"', "0x10", "1e400", "-0.0", "9223372036854775808"]))
INTERVENTION_TYPES = ["talent_community", "computing_hub", "coordination_committee",
                      "differentiated_roles", "data_market", "transport_link",
                      "infrastructure_cobuild", "sector_subsidy", "integrated", "teleport"]
FIELDS = ["start", "end", "ramp", "hub", "node", "nodes", "members", "line", "sector", "boost",
          "budget", "minutes", "border_reduction", "x"]
inline_tables = st.tuples(
    st.sampled_from(INTERVENTION_TYPES),
    st.lists(st.tuples(st.sampled_from(FIELDS), toml_scalars), max_size=3)).map(
    lambda tf: "{" + ", ".join([f'type = "{tf[0]}"', *(f"{k} = {v}" for k, v in tf[1])]) + "}")
toml_values = st.one_of(
    toml_scalars,
    st.lists(toml_scalars, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    inline_tables, st.lists(inline_tables, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.integers(1, 3000).map(lambda d: "[" * d + "]" * d),
    st.integers(1, 3000).map(lambda d: "[" * d + "1" + "]" * d),
    st.integers(1, 3000).map(lambda d: "{a = " * d + "1" + "}" * d),
    st.integers(1, 200_000).map(lambda n: '"' + "x" * n + '"'),
    st.text(max_size=20))
set_items = st.one_of(
    st.tuples(key_strings, toml_values).map(lambda kv: f"{kv[0]}={kv[1]}"),
    st.text(max_size=20))


def check_overrides(items: list[str]) -> None:
    """``--set`` items through ``parse_set`` and ``with_overrides``: only a CyflowError naming
    the command line (or a region file the items name) may come out."""
    try:
        overrides = parse_set(items)
    except CyflowError as exc:
        assert str(exc).startswith("--set"), str(exc)
        return
    try:
        with_overrides(BASELINE, overrides, file="command line")
    except CyflowError as exc:
        files = tuple(str(v) for k, v in overrides.items()
                      if k.strip() in ("data.cities", "data.links") and isinstance(v, str))
        assert str(exc).startswith(("command line", "--set", *files)), str(exc)


@FUZZ
@given(items=st.lists(set_items, min_size=1, max_size=3))
def test_fuzz_set_items(items):
    check_overrides(items)


def test_set_value_with_trailing_text_is_rejected():
    """``talent.kappa=1 w=2`` (a newline in the value) is not the TOML value 1."""
    with pytest.raises(CyflowError):
        overrides = parse_set(["talent.kappa=1\nseed = 5"])
        with_overrides(BASELINE, overrides, file="command line")


# ---------------------------------------------------------------------- the command line
CITY_FILES = {
    "empty": lambda text: b"",
    "bad_utf8": lambda text: text.encode()[:300] + b"\xff\xfe" + text.encode()[300:],
    "nul": lambda text: text.encode()[:200] + b"\x00" + text.encode()[200:],
    "truncated": lambda text: text.encode()[: len(text.encode()) // 2 + 3],
    "upper_id": lambda text: text.replace("\nchengdu,", "\nCHENGDU,").encode(),
    "padded_id": lambda text: text.replace("\nzigong,", "\n zigong ,").encode(),
}


def _cli_cases(folder: Path) -> dict[str, list[str]]:
    """``--set`` arguments of each command-line case (files in ``folder``)."""
    cases = {f"cities_{name}": ["--set", f'data.cities="{folder / name}.csv"']
             for name in CITY_FILES}
    cases.update({
        "cities_is_a_folder": ["--set", f'data.cities="{folder}"'],
        "cities_nul_in_path": ["--set", 'data.cities="a\\u0000b"'],
        "deep_array": ["--set", "talent.kappa=" + "[" * 3000 + "]" * 3000],
        "deep_inline_table": ["--set", "talent.kappa=" + "{a = " * 2000 + "1" + "}" * 2000],
        "empty_key_part": ["--set", "a..b=1"],
        "bad_intervention": ["--set", 'interventions=[{type = "teleport"}]'],
    })
    return cases


CLI_CASES = sorted(set(_cli_cases(Path("inputs"))) - {"cities_padded_id"})


def _run_cli(folder: Path, name: str) -> subprocess.CompletedProcess:
    args = [sys.executable, str(ROOT / "run.py"), *_cli_cases(folder / "inputs")[name],
            "--steps", "1", "--quiet", "--out", str(folder / "out" / name),
            "--set", "scale.firm_agents=100", "--set", "scale.talent_agents=100"]
    return subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Every case, two at a time (each start costs ~2.5 s of imports)."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "inputs").mkdir()
    for name, make in CITY_FILES.items():
        (folder / "inputs" / f"{name}.csv").write_bytes(make(ORIGINAL["cities"]))
    names = [*CLI_CASES, "cities_padded_id"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(lambda n: _run_cli(folder, n), names), strict=True))


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_bad_input_is_one_error_line(cli_results, case):
    result = cli_results[case]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    assert result.returncode == 2


def test_cli_padded_id_is_read_as_the_region_reads_it(cli_results):
    """Region.load strips a padded id (' zigong '), so the scenario check must see 'zigong'
    too: the run works, or fails naming the cities file (not '<scenario object>')."""
    result = cli_results["cities_padded_id"]
    assert "Traceback" not in result.stderr
    assert result.returncode == 0 or "padded_id.csv" in result.stderr, result.stderr
