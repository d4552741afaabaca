"""Region data: the files load, the network is connected, corridors exist, errors are clear."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from model.errors import DataError
from model.region import DATA_DIR, Region

REQUIRED = {
    "chengdu", "zigong", "luzhou", "deyang", "mianyang", "suining", "neijiang", "leshan",
    "nanchong", "meishan", "yibin", "guangan", "dazhou", "yaan", "ziyang", "chongqing_central",
    "wanzhou", "fuling", "yongchuan", "bishan", "jiangjin", "hechuan", "changshou", "dazu",
    "qijiang", "tongliang", "rongchang", "tongnan", "liangping", "kaizhou", "nanchuan",
    "dianjiang", "zhongxian", "fengdu",
}


def test_all_required_nodes_present(region):
    assert set(region.ids) >= REQUIRED
    assert (region.province[[region.index[i] for i in ("chengdu", "ziyang")]] == 0).all()
    assert region.province[region.index["wanzhou"]] == 1
    sichuan = [i for i in region.ids if region.province[region.index[i]] == 0]
    assert len(sichuan) == 15


def test_population_and_gdp_plausible(region):
    assert region.population.sum() == pytest.approx(9.6e7, rel=0.1)  # circle: ~96 million
    per_head = region.gdp * 1e8 / region.population
    assert per_head.min() > 30_000 and per_head.max() < 200_000
    assert region.population[region.index["chengdu"]] == 20_937_757


def test_every_row_has_a_source(region):
    assert (region.cities["source"].str.len() > 0).all()
    assert (region.links["source"].str.len() > 0).all()


def test_network_connected_and_times_symmetric(region):
    assert nx.is_connected(region.graph())
    t = region.travel_hours
    assert np.allclose(t, t.T) and (np.diag(t) == 0).all()
    assert (t[~np.eye(region.n, dtype=bool)] > 0).all()
    i, j = region.index["chengdu"], region.index["chongqing_central"]
    assert 0.9 <= t[i, j] <= 1.2  # non-stop HSR ~62 minutes


def test_corridors_exist(region):
    corridors = {k: {region.ids[i] for i in v} for k, v in region.corridor_nodes().items()}
    assert {"chengdu", "ziyang", "neijiang", "yongchuan", "chongqing_central", "suining"} <= \
        corridors["chengyu_axis"]
    assert {"mianyang", "deyang", "chengdu", "meishan", "leshan"} <= corridors["chengdemianle_belt"]
    assert {"chongqing_central", "fuling", "changshou", "wanzhou"} <= \
        corridors["yuwan_riverside_belt"]
    graph = region.graph()
    for a, b in [("mianyang", "deyang"), ("deyang", "chengdu"), ("chengdu", "meishan"),
                 ("meishan", "leshan"), ("chengdu", "ziyang"), ("ziyang", "neijiang")]:
        assert graph.has_edge(a, b), (a, b)


def test_planned_links_not_in_baseline(region):
    planned = region.links[region.links["status"] == "planned"]
    assert len(planned) > 0
    graph = region.graph()
    open_pairs = {frozenset(p) for p in zip(region.links.loc[region.links.status == "open", "from"],
                                             region.links.loc[region.links.status == "open", "to"],
                                             strict=True)}
    for a, b in zip(planned["from"], planned["to"], strict=True):
        if frozenset((a, b)) not in open_pairs:
            assert not graph.has_edge(a, b)


def test_with_links_recomputes_travel_times():
    region = Region.load()
    i, j = region.index["chengdu"], region.index["wanzhou"]
    before = region.travel_hours[i, j]
    opened = region.with_links([("chengdu", "wanzhou", 120)])
    assert opened.travel_hours[i, j] == pytest.approx(2.0) and before > 2.0
    assert region.travel_hours[i, j] == before  # the original is unchanged
    assert opened.network_version == region.network_version + 1
    with pytest.raises(KeyError, match="atlantis"):
        region.with_links([("chengdu", "atlantis", 10)])


# ---------------------------------------------------------------------- error paths
def _write(tmp_path: Path, cities: pd.DataFrame | None = None,
           links: pd.DataFrame | None = None) -> tuple[Path, Path]:
    c = pd.read_csv(DATA_DIR / "cities.csv", dtype=str, keep_default_na=False) \
        if cities is None else cities
    lk = pd.read_csv(DATA_DIR / "links.csv", dtype=str, keep_default_na=False) \
        if links is None else links
    cp, lp = tmp_path / "cities.csv", tmp_path / "links.csv"
    c.to_csv(cp, index=False)
    lk.to_csv(lp, index=False)
    return cp, lp


def _cities() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "cities.csv", dtype=str, keep_default_na=False)


def _links() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "links.csv", dtype=str, keep_default_na=False)


def _error(tmp_path, cities=None, links=None) -> DataError:
    cp, lp = _write(tmp_path, cities, links)
    with pytest.raises(DataError) as info:
        Region.load(cp, lp)
    return info.value


def test_duplicate_id(tmp_path):
    c = _cities()
    c.loc[3, "id"] = "chengdu"
    err = _error(tmp_path, cities=c)
    assert "cities.csv, row 5, column 'id'" in str(err) and "duplicate id 'chengdu'" in str(err)


def test_unknown_link_endpoint(tmp_path):
    lk = _links()
    lk.loc[0, "to"] = "chengdo"
    err = _error(tmp_path, links=lk)
    assert "links.csv, row 2, column 'to'" in str(err) and "'chengdo'" in str(err)


def test_coordinates_outside_region(tmp_path):
    c = _cities()
    c.loc[0, "lat"] = "3.066"
    err = _error(tmp_path, cities=c)
    assert "row 2, column 'lat'" in str(err) and "outside the region" in str(err)


@pytest.mark.parametrize("column", ["population_2020", "gdp_2022", "broadband_10k"])
def test_non_positive_values(tmp_path, column):
    c = _cities()
    c.loc[7, column] = "0"
    err = _error(tmp_path, cities=c)
    assert f"row 9, column '{column}'" in str(err) and "positive" in str(err)


def test_not_a_number(tmp_path):
    c = _cities()
    c.loc[1, "gdp_2022"] = "12,3x"
    err = _error(tmp_path, cities=c)
    assert "column 'gdp_2022'" in str(err) and "expected a number" in str(err)


def test_negative_minutes(tmp_path):
    lk = _links()
    lk.loc[4, "minutes"] = "-5"
    err = _error(tmp_path, links=lk)
    assert "row 6, column 'minutes'" in str(err)


def test_bad_mode_and_status(tmp_path):
    lk = _links()
    lk.loc[2, "mode"] = "ferry"
    assert "column 'mode'" in str(_error(tmp_path, links=lk))
    lk = _links()
    lk.loc[2, "status"] = "maybe"
    assert "column 'status'" in str(_error(tmp_path, links=lk))


def test_disconnected_network(tmp_path):
    lk = _links()
    touches = (lk["from"] == "yaan") | (lk["to"] == "yaan")
    lk.loc[touches, "status"] = "planned"
    err = _error(tmp_path, links=lk)
    assert "disconnected" in str(err) and "yaan" in str(err)


def test_missing_column_and_file(tmp_path):
    c = _cities().drop(columns=["universities"])
    assert "missing column(s) ['universities']" in str(_error(tmp_path, cities=c))
    with pytest.raises(DataError, match="file not found"):
        Region.load(tmp_path / "nope.csv", DATA_DIR / "links.csv")


def test_estimated_names_known_columns(tmp_path):
    c = _cities()
    c.loc[0, "estimated"] = "gdp;population_2020"
    err = _error(tmp_path, cities=c)
    assert "column 'estimated'" in str(err) and "'gdp'" in str(err)


def test_too_few_nodes(tmp_path):
    c = _cities().iloc[:3]
    lk = _links()
    lk = lk[lk["from"].isin(c["id"]) & lk["to"].isin(c["id"])]
    err = _error(tmp_path, cities=c, links=lk)
    assert "at least 4 nodes" in str(err)


def test_empty_file(tmp_path):
    cp, lp = _write(tmp_path)
    lp.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        Region.load(cp, lp)


def test_opened_corridor_links_join_the_axis():
    region = Region.load()
    rows = region.links[(region.links["line"].str.startswith("Chongqing–Wanzhou high-speed"))]
    opened = region.with_links([(a, b, float(m)) for a, b, m in
                                zip(rows["from"], rows["to"], rows["minutes"], strict=True)])
    assert set(np.flatnonzero(opened.axis_mask())) >= set(np.flatnonzero(region.axis_mask()))
    planned_only = region.links[(region.links["status"] == "planned")
                                & (region.links["corridor"] != "")]
    if len(planned_only):
        row = planned_only.iloc[0]
        extra = region.with_links([(row["from"], row["to"], float(row["minutes"]))])
        for node in (row["from"], row["to"]):
            assert extra.axis_mask()[region.index[node]]
