"""The region: city nodes and transport links loaded from ``data/``, validated, with travel times.

``Region.load()`` reads ``data/cities.csv`` and ``data/links.csv``; ``Region.from_frames`` builds a
region from tables (used for synthetic test regions). Travel times are all-pairs shortest paths
(Dijkstra over the open links, minutes -> hours), computed once and again only when a link changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from model.errors import DataError
from model.inputs import MAX_DATA_BYTES, check_input_file
from model.sectors import SECTORS, SectorTraits

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PROVINCES = ("Sichuan", "Chongqing")
MODES = ("hsr", "rail", "expressway")
STATUSES = ("open", "planned")
# A generous box around Sichuan's eastern half and Chongqing: a coordinate outside it is a typo.
LAT_RANGE = (26.0, 34.5)
MIN_NODES = 4
LON_RANGE = (97.0, 110.5)

CITY_COLUMNS = {
    "id": str, "name_en": str, "name_zh": str, "province": str, "lat": float, "lon": float,
    "population_2020": float, "gdp_2022": float, "secondary_2022": float, "tertiary_2022": float,
    "universities": float, "broadband_10k": float, "source": str, "estimated": str,
}
POSITIVE_CITY_COLUMNS = ("population_2020", "gdp_2022", "secondary_2022", "tertiary_2022",
                         "broadband_10k")
# Plausible ranges (documented in data/README.md): a value outside them is a typo or a unit
# mistake, and would give meaningless (or non-finite) results.
PLAUSIBLE = {
    "population_2020": (1e4, 5e7, "persons"),
    "gdp_2022": (1.0, 1e5, "100 million yuan"),
    "secondary_2022": (0.01, 1e5, "100 million yuan"),
    "tertiary_2022": (0.01, 1e5, "100 million yuan"),
    "universities": (0, 200, "institutions"),
}
GDP_PER_HEAD = (5_000.0, 500_000.0)      # yuan per resident
BROADBAND_PER_HEAD = (0.01, 1.0)         # fixed-broadband users per resident
MINUTES = (1.0, 1440.0)                  # a link's travel time
SECTOR_INDEX_RANGE = (0.01, 100.0)   # a node's sector endowment index (1 = regional average)
TARIFF_RANGE = (0.05, 3.0)           # yuan per kWh
RACKS_RANGE = (0.0, 1e7)             # standard data-centre racks
GATEWAY_HOURS = (0.0, 48.0)          # hours from a gateway node to the rest of China
LINK_COLUMNS = {"from": str, "to": str, "mode": str, "line": str, "minutes": float,
                "status": str, "corridor": str, "source": str, "estimated": str}


def _line(index: int) -> int:
    """File line of a data row (header is line 1)."""
    return int(index) + 2


def _read_csv(path: Path | str, columns: dict[str, type], name: str) -> pd.DataFrame:
    path = check_input_file(path, MAX_DATA_BYTES, lambda why: DataError(name, why))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataError(name, "the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(name, f"cannot be parsed as UTF-8 CSV: {detail}") from None
    return _check_columns(frame, columns, name)


def _check_columns(frame: pd.DataFrame, columns: dict[str, type], name: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(name, f"missing column(s) {missing}; expected columns {list(columns)}")
    frame = frame.copy()
    for col, kind in columns.items():
        if kind is float:
            values = pd.to_numeric(frame[col], errors="coerce")
            bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataError(name, f"expected a number, got {frame[col].iloc[i]!r}",
                                row=_line(i), column=col)
            frame[col] = values.astype(float)
        else:
            frame[col] = frame[col].astype(str).str.strip()
    return frame


def _validate_cities(cities: pd.DataFrame, name: str) -> None:
    for i, value in enumerate(cities["id"]):
        if not value or not value.isascii() or value != value.lower() or " " in value:
            raise DataError(name, f"id must be lower-case ASCII without spaces, got {value!r}",
                            row=_line(i), column="id")
    dup = cities["id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(name, f"duplicate id {cities['id'].iloc[i]!r}", row=_line(i), column="id")
    for i, value in enumerate(cities["province"]):
        if value not in PROVINCES:
            raise DataError(name, f"province must be one of {PROVINCES}, got {value!r}",
                            row=_line(i), column="province")
    for col, (lo, hi) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        bad = ~cities[col].between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(name, f"coordinate {cities[col].iloc[i]} outside the region "
                            f"[{lo}, {hi}]", row=_line(i), column=col)
    for col in POSITIVE_CITY_COLUMNS:
        bad = cities[col] <= 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(name, f"expected a positive value, got {cities[col].iloc[i]}",
                            row=_line(i), column=col)
    for col, (lo, hi, unit) in PLAUSIBLE.items():
        bad = ~cities[col].between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(name, f"implausible value {cities[col].iloc[i]:g}; expected "
                            f"{lo:g} to {hi:g} {unit}", row=_line(i), column=col)
    bad = cities["universities"] != np.round(cities["universities"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(name, f"expected a whole number of institutions, got "
                        f"{cities['universities'].iloc[i]:g}", row=_line(i), column="universities")
    _check_ratio(cities, "gdp_2022", 1e8, GDP_PER_HEAD, "GDP per resident (yuan)", name)
    _check_ratio(cities, "broadband_10k", 1e4, BROADBAND_PER_HEAD,
                 "fixed-broadband users per resident", name)
    over = cities["secondary_2022"] + cities["tertiary_2022"] > cities["gdp_2022"] * 1.001
    if over.any():
        i = int(np.flatnonzero(over.to_numpy())[0])
        raise DataError(name, "secondary + tertiary value added exceeds GDP",
                        row=_line(i), column="gdp_2022")
    known = set(CITY_COLUMNS)
    for i, value in enumerate(cities["estimated"]):
        for col in filter(None, (c.strip() for c in value.split(";"))):
            if col not in known:
                raise DataError(name, f"'estimated' names unknown column {col!r}",
                                row=_line(i), column="estimated")


def _check_ratio(cities: pd.DataFrame, col: str, unit: float, bounds: tuple[float, float],
                 what: str, name: str) -> None:
    """``col`` x ``unit`` per resident must lie within ``bounds``."""
    ratio = cities[col] * unit / cities["population_2020"]
    bad = ~ratio.between(*bounds)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(name, f"implausible {what}: {ratio.iloc[i]:.4g}; expected "
                        f"{bounds[0]:g} to {bounds[1]:g} (check the units)", row=_line(i),
                        column=col)


def _validate_links(links: pd.DataFrame, ids: set[str], name: str) -> None:
    for col in ("from", "to"):
        for i, value in enumerate(links[col]):
            if value not in ids:
                raise DataError(name, f"unknown node id {value!r} (not in cities)",
                                row=_line(i), column=col)
    for i, (a, b) in enumerate(zip(links["from"], links["to"], strict=True)):
        if a == b:
            raise DataError(name, f"link from {a!r} to itself", row=_line(i), column="to")
    for col, allowed in (("mode", MODES), ("status", STATUSES)):
        for i, value in enumerate(links[col]):
            if value not in allowed:
                raise DataError(name, f"expected one of {allowed}, got {value!r}",
                                row=_line(i), column=col)
    bad = ~links["minutes"].between(*MINUTES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(name, f"implausible travel time {links['minutes'].iloc[i]:g}; expected "
                        f"{MINUTES[0]:g} to {MINUTES[1]:g} minutes", row=_line(i),
                        column="minutes")


def _node_table(frame: pd.DataFrame | None, ids: list[str], columns: dict[str, type],
                name: str, *, complete: bool) -> pd.DataFrame | None:
    """A per-node companion table (sectors, computing, gateways) checked against the city ids:
    known ids, no duplicates, and (``complete``) one row for every node, in the cities' order."""
    if frame is None:
        return None
    frame = _check_columns(frame.astype(str), columns, name)
    for i, value in enumerate(frame["id"]):
        if value not in ids:
            raise DataError(name, f"unknown node id {value!r} (not in cities)", row=_line(i),
                            column="id")
    dup = frame["id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(name, f"duplicate id {frame['id'].iloc[i]!r}", row=_line(i), column="id")
    if complete and len(frame) != len(ids):
        missing = sorted(set(ids) - set(frame["id"]))
        raise DataError(name, f"missing row(s) for node(s) {missing}")
    return frame.set_index("id").reindex(ids).reset_index() if complete else frame


def _check_range(frame: pd.DataFrame, col: str, bounds: tuple[float, float], name: str) -> None:
    bad = ~frame[col].between(*bounds)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(name, f"expected a value in [{bounds[0]:g}, {bounds[1]:g}], got "
                        f"{frame[col].iloc[i]:g}", row=_line(i), column=col)


SECTOR_COLUMNS = {"id": str, **{s: float for s in SECTORS}}
COMPUTING_COLUMNS = {"id": str, "electricity_price_yuan_kwh": float, "data_centre_racks": float,
                     "hub_member": str}
GATEWAY_COLUMNS = {"id": str, "hours_out": float}


@dataclass
class NodeData:
    """Per-node data beyond the cities table (neutral values where a file is absent)."""

    sector_index: np.ndarray   # [S, N] sector endowment index, 1 = regional average
    electricity: np.ndarray    # [N] large-industry tariff, yuan per kWh
    racks: np.ndarray          # [N] data-centre racks
    hub_member: np.ndarray     # [N] member of the national computing hub
    gateway_hours: np.ndarray  # [N] hours to the rest of China from a gateway, NaN elsewhere

    @classmethod
    def from_frames(cls, ids: list[str], sectors: pd.DataFrame | None,
                    computing: pd.DataFrame | None, gateways: pd.DataFrame | None,
                    names: tuple[str, str, str] = ("sectors", "computing", "gateways")) -> NodeData:
        n = len(ids)
        sectors = _node_table(sectors, ids, SECTOR_COLUMNS, names[0], complete=True)
        computing = _node_table(computing, ids, COMPUTING_COLUMNS, names[1], complete=True)
        gateways = _node_table(gateways, ids, GATEWAY_COLUMNS, names[2], complete=False)
        index = np.ones((len(SECTORS), n))
        if sectors is not None:
            for col in SECTORS:
                _check_range(sectors, col, SECTOR_INDEX_RANGE, names[0])
            index = sectors[list(SECTORS)].to_numpy(float).T
        electricity, racks, hub = np.full(n, 0.6), np.zeros(n), np.zeros(n, dtype=bool)
        if computing is not None:
            _check_range(computing, "electricity_price_yuan_kwh", TARIFF_RANGE, names[1])
            _check_range(computing, "data_centre_racks", RACKS_RANGE, names[1])
            flags = computing["hub_member"].str.lower()
            bad = ~flags.isin(("true", "false"))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataError(names[1], f"expected true or false, got "
                                f"{computing['hub_member'].iloc[i]!r}", row=_line(i),
                                column="hub_member")
            electricity = computing["electricity_price_yuan_kwh"].to_numpy(float)
            racks = computing["data_centre_racks"].to_numpy(float)
            hub = (flags == "true").to_numpy()
        hours = np.full(n, np.nan)
        if gateways is not None:
            _check_range(gateways, "hours_out", GATEWAY_HOURS, names[2])
            position = {node: i for i, node in enumerate(ids)}
            for node, value in zip(gateways["id"], gateways["hours_out"], strict=True):
                hours[position[node]] = value
        return cls(index, electricity, racks, hub, hours)


def _companion(cities_path: Path, explicit: Path | str | None, file: str) -> Path | None:
    """An explicit companion file, else the one beside the cities file (None if absent)."""
    if explicit:
        return Path(explicit)
    beside = cities_path.parent / file
    return beside if beside.exists() else None


@dataclass
class Region:
    """City nodes (arrays indexed by node) and the link table, with all-pairs travel times."""

    cities: pd.DataFrame
    links: pd.DataFrame
    name: str = "region"
    extra_links: list[tuple[str, str, float]] = field(default_factory=list)
    nodes: NodeData | None = None
    sectors: SectorTraits | None = None

    def __post_init__(self) -> None:
        self.ids: tuple[str, ...] = tuple(self.cities["id"])
        self.index = {node: i for i, node in enumerate(self.ids)}
        self.n = len(self.ids)
        self.province = np.array([PROVINCES.index(p) for p in self.cities["province"]],
                                 dtype=np.int64)
        self.population = self.cities["population_2020"].to_numpy(float)
        self.gdp = self.cities["gdp_2022"].to_numpy(float)
        self.secondary = self.cities["secondary_2022"].to_numpy(float)
        self.tertiary = self.cities["tertiary_2022"].to_numpy(float)
        self.universities = self.cities["universities"].to_numpy(float)
        self.broadband = self.cities["broadband_10k"].to_numpy(float)
        self.lat = self.cities["lat"].to_numpy(float)
        self.lon = self.cities["lon"].to_numpy(float)
        if self.nodes is None:
            self.nodes = NodeData.from_frames(list(self.ids), None, None, None)
        if self.sectors is None:
            self.sectors = SectorTraits.neutral()
        self.recompute_travel_times()

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, cities_path: Path | str | None = None, links_path: Path | str | None = None,
             sectors_path: Path | str | None = None, computing_path: Path | str | None = None,
             gateways_path: Path | str | None = None) -> Region:
        """Load and validate the region files (defaults: the repository's ``data/``; the
        sectors, computing and gateways files default to those beside the cities file, and
        to neutral values when there are none)."""
        cities_path = Path(cities_path or DATA_DIR / "cities.csv")
        links_path = Path(links_path or DATA_DIR / "links.csv")
        cities = _read_csv(cities_path, CITY_COLUMNS, str(cities_path))
        links = _read_csv(links_path, LINK_COLUMNS, str(links_path))
        paths = [_companion(cities_path, explicit, file) for explicit, file in (
            (sectors_path, "sectors.csv"), (computing_path, "computing.csv"),
            (gateways_path, "gateways.csv"))]
        frames = [None if path is None else _read_csv(path, {"id": str}, str(path))
                  for path in paths]
        traits_path = DATA_DIR / "sector_traits.csv"
        return cls.from_frames(
            cities, links, cities_name=str(cities_path), links_name=str(links_path),
            sectors=frames[0], computing=frames[1], gateways=frames[2],
            table_names=tuple(str(p) for p in paths), traits=SectorTraits.load(traits_path))

    @classmethod
    def from_frames(cls, cities: pd.DataFrame, links: pd.DataFrame, *,
                    cities_name: str = "cities", links_name: str = "links",
                    name: str = "region", sectors: pd.DataFrame | None = None,
                    computing: pd.DataFrame | None = None, gateways: pd.DataFrame | None = None,
                    table_names: tuple[str, ...] = ("sectors", "computing", "gateways"),
                    traits: SectorTraits | None = None) -> Region:
        """Build a region from tables with the columns of ``cities.csv`` and ``links.csv``
        (and optionally ``sectors.csv``, ``computing.csv``, ``gateways.csv``; neutral values
        where absent)."""
        cities = _check_columns(cities.astype(str), CITY_COLUMNS, cities_name)
        links = _check_columns(links.astype(str), LINK_COLUMNS, links_name)
        if len(cities) < MIN_NODES:
            raise DataError(cities_name, f"expected at least {MIN_NODES} nodes, got "
                            f"{len(cities)} (spatial statistics need them)")
        _validate_cities(cities, cities_name)
        _validate_links(links, set(cities["id"]), links_name)
        graph = _graph(cities["id"], links[links["status"] == "open"])
        if not nx.is_connected(graph):
            parts = sorted(nx.connected_components(graph), key=len)
            raise DataError(links_name, "the network of open links is disconnected; "
                            f"unreachable node(s): {sorted(parts[0])}")
        nodes = NodeData.from_frames(list(cities["id"]), sectors, computing, gateways,
                                     table_names)
        return cls(cities.reset_index(drop=True), links.reset_index(drop=True), name=name,
                   nodes=nodes, sectors=traits)

    # ------------------------------------------------------------------ network
    def graph(self) -> nx.Graph:
        """Open links (and links added by interventions) as a graph weighted by minutes."""
        graph = _graph(self.ids, self.links[self.links["status"] == "open"])
        for a, b, minutes in self.extra_links:
            _add_edge(graph, a, b, minutes)
        return graph

    def with_links(self, links: list[tuple[str, str, float]]) -> Region:
        """A new region with these links opened (this one is unchanged)."""
        for a, b, _ in links:
            for node in (a, b):
                if node not in self.index:
                    raise KeyError(f"unknown node id {node!r}")
        new = Region(self.cities, self.links, name=self.name,
                     extra_links=[*self.extra_links, *((a, b, float(m)) for a, b, m in links)],
                     nodes=self.nodes, sectors=self.sectors)
        new.network_version = self.network_version + 1
        return new

    def recompute_travel_times(self) -> None:
        """All-pairs fastest travel times in hours (Dijkstra on the open network)."""
        lengths = dict(nx.all_pairs_dijkstra_path_length(self.graph(), weight="minutes"))
        hours = np.empty((self.n, self.n))
        for i, a in enumerate(self.ids):
            row = lengths[a]
            hours[i] = [row[b] for b in self.ids]
        self.travel_hours = hours / 60.0
        self.network_version = getattr(self, "network_version", -1) + 1

    def corridor_nodes(self) -> dict[str, np.ndarray]:
        """Node indices on each corridor named in the open links' ``corridor`` column."""
        out: dict[str, set[int]] = {}
        opened = {frozenset((a, b)) for a, b, _ in self.extra_links}
        pairs = [frozenset(p) for p in zip(self.links["from"], self.links["to"], strict=True)]
        is_open = (self.links["status"] == "open") | pd.Series(
            [p in opened for p in pairs], index=self.links.index)
        tagged = self.links[(self.links["corridor"] != "") & is_open]
        for _, row in tagged.iterrows():
            nodes = out.setdefault(row["corridor"], set())
            nodes.update((self.index[row["from"]], self.index[row["to"]]))
        return {name: np.array(sorted(nodes)) for name, nodes in sorted(out.items())}

    def axis_mask(self) -> np.ndarray:
        """True for nodes on any corridor."""
        mask = np.zeros(self.n, dtype=bool)
        for nodes in self.corridor_nodes().values():
            mask[nodes] = True
        return mask

    def node_indices(self, ids: list[str] | tuple[str, ...]) -> np.ndarray:
        """Indices of the given node ids (KeyError names an unknown id)."""
        return np.array([self.index[i] for i in ids], dtype=np.int64)


def _add_edge(graph: nx.Graph, a: str, b: str, minutes: float) -> None:
    if graph.has_edge(a, b):
        minutes = min(minutes, graph[a][b]["minutes"])
    graph.add_edge(a, b, minutes=minutes)


def _graph(ids, links: pd.DataFrame) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for a, b, minutes in zip(links["from"], links["to"], links["minutes"], strict=True):
        _add_edge(graph, a, b, float(minutes))
    return graph
