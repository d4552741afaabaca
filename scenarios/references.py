"""Checks of a scenario against the region it names: node ids, corridors' lines, timing.

Node ids are checked against the validated region files when the scenario is loaded, so a bad
node id is reported at once, with the nearest ids as suggestions (matching English and Chinese
names too).
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import ScenarioError, ScenarioWarning
from model.inputs import MAX_DATA_BYTES, check_input_file
from scenarios.interventions.base import quarter_to_step

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# files read beside the cities file, and the sector traits (part of a loaded region's state)
COMPANIONS = ("sectors.csv", "computing.csv", "gateways.csv", str(DATA_DIR / "sector_traits.csv"))


@dataclass(frozen=True)
class RegionIndex:
    ids: tuple[str, ...]
    names: dict[str, str]            # lower-case English or Chinese name -> id
    labels: dict[str, str]           # id -> "Name, 名"
    lines: dict[str, tuple[str, ...]]  # line name -> statuses of its links


def index_of_region(region) -> RegionIndex:
    """The index of an already loaded ``model.region.Region``."""
    cities, links = region.cities, region.links
    names = {str(n).lower(): i for col in ("name_en", "name_zh")
             for n, i in zip(cities[col], cities["id"], strict=True) if n}
    labels = {i: f"{en}, {zh}" for i, en, zh in zip(cities["id"], cities["name_en"],
                                                     cities["name_zh"], strict=True)}
    lines: dict[str, list[str]] = {}
    for line, status in zip(links["line"], links["status"], strict=True):
        lines.setdefault(line, []).append(status)
    return RegionIndex(tuple(region.ids), names, labels, {k: tuple(v) for k, v in lines.items()})


def _file_key(path: Path) -> tuple[str, int, int]:
    """Resolved path, modification time and size: a cache key that changes with the file."""
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


def region_index(cities: str = "", links: str = "") -> RegionIndex:
    """Ids, names and lines of the region files (defaults: the repository's data), loaded and
    validated by ``Region.load`` (so a mistake in a data file is reported against that file);
    cached per file state, so an edited file is read again."""
    return index_of_region(region_of_files(cities, links))


def region_of_files(cities: str = "", links: str = ""):
    """``Region.load(cities, links)`` (with the companion files beside the cities file), loaded
    once per state of the files and shared: a ``Region`` is never changed in place (opening a
    link makes a new one), as models built on one loaded region already share it."""
    cities_path = Path(cities) if cities else DATA_DIR / "cities.csv"
    links_path = Path(links) if links else DATA_DIR / "links.csv"
    beside = [cities_path.parent / name for name in COMPANIONS]
    keys = tuple(_file_key(path) for path in (cities_path, links_path, *beside))
    return _load_region(keys, str(cities_path), str(links_path))


@lru_cache(maxsize=8)
def _load_region(keys: tuple, cities: str, links: str):
    from model.region import Region  # the region module imports pandas and networkx

    return Region.load(cities, links)


def _check_data_paths(scenario, file: str) -> None:
    """Data paths named by the scenario must be regular files of a sane size (checked with
    ``stat`` only); the error names the scenario key that gave the path."""
    for key in ("cities", "links"):
        value = getattr(scenario.data, key)
        if value:
            check_input_file(value, MAX_DATA_BYTES, lambda why, k=key, v=value: ScenarioError(
                file, f"data.{k}", f"{v}: {why}"))


def check_node(value: str, index: RegionIndex, file: str, path: str) -> None:
    """Raise a ScenarioError with suggestions if ``value`` is not a node id."""
    if value in index.ids:
        return
    by_name = index.names.get(value.lower()) or index.names.get(value.lower().replace("_", " "))
    if by_name:
        hint = f"; did you mean '{by_name}' ({index.labels[by_name]})?"
    else:
        near = difflib.get_close_matches(value.lower(), list(index.ids), n=3, cutoff=0.6)
        near += [index.names[n] for n in difflib.get_close_matches(
            value.lower(), list(index.names), n=3, cutoff=0.6) if index.names[n] not in near]
        hint = ("; did you mean " + " or ".join(f"'{n}' ({index.labels[n]})" for n in near[:3])
                + "?") if near else ""
    raise ScenarioError(file, path, f"unknown node {value!r}{hint}")


def check_references(scenario, file: str, index: RegionIndex | None = None) -> None:
    """Node ids (metric cores, interventions), lines and timing of a built scenario, against
    ``index`` (default: the region files the scenario names)."""
    if index is None:
        _check_data_paths(scenario, file)
        index = region_index(scenario.data.cities, scenario.data.links)
    cores = scenario.metrics.cores
    if len(cores) != 2 or cores[0] == cores[1]:
        raise ScenarioError(file, "metrics.cores", f"expected two different node ids, got {cores}")
    for k, core in enumerate(cores):
        check_node(core, index, file, f"metrics.cores[{k}]")
    for k, item in enumerate(scenario.interventions):
        path = f"interventions[{k}]"
        check = getattr(item, "check", None)
        if check is not None:
            check(index, file, path)
        for name in item.node_fields:
            value = getattr(item, name)
            values = [value] if isinstance(value, str) else value
            for j, node in enumerate(values):
                if node in values[:j]:
                    raise ScenarioError(file, f"{path}.{name}[{j}]", f"node {node!r} is listed "
                                        "twice")
                where = f"{path}.{name}" if isinstance(value, str) else f"{path}.{name}[{j}]"
                check_node(node, index, file, where)
        try:
            first = quarter_to_step(item.start, scenario.start_year, scenario.step_years)
        except ValueError as exc:
            raise ScenarioError(file, f"{path}.start", str(exc)) from None
        if first < 1:
            raise ScenarioError(file, f"{path}.start", f"{item.start!r} is before the first "
                                f"simulated quarter ({scenario.start_year}Q1 = step 1)")
        if item.end != "":
            try:
                last = quarter_to_step(item.end, scenario.start_year, scenario.step_years)
            except ValueError as exc:
                raise ScenarioError(file, f"{path}.end", str(exc)) from None
            if last < first:
                raise ScenarioError(file, f"{path}.end", f"end {item.end!r} is before start "
                                    f"{item.start!r}")


def warn_inactive(scenario) -> None:
    """One ``ScenarioWarning`` per intervention that starts after the horizon (valid, but it
    will have no effect: usually a ``steps`` shortened by an override)."""
    for k, item in enumerate(scenario.interventions):
        first = quarter_to_step(item.start, scenario.start_year, scenario.step_years)
        if first > scenario.steps:
            end = scenario.start_year + scenario.steps * scenario.step_years
            year, quarter = int(end - 1e-9), round((end - int(end - 1e-9)) * 4)
            warnings.warn(f"scenario {scenario.name!r}: interventions[{k}].start: "
                          f"{item.start!r} is after the last simulated quarter "
                          f"({year}Q{quarter}, step {scenario.steps}): "
                          f"this {item.type} intervention will have no effect",
                          ScenarioWarning, stacklevel=3)
