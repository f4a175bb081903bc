"""Offline geocoding, Science Cities and S&T clusters (on real WoS and Scopus exports)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import SpecError
from innometrics.views.clusters import OUTSIDE, dbscan_cities, find_clusters
from innometrics.rankings.credits import load_recordset
from innometrics.rankings.engines import connect
from innometrics.entities.places import UNLOCATED
from innometrics.views.cities import science_cities
from innometrics.records.read import read_records

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "data" / "bibliographic"


@pytest.fixture(scope="module")
def eng():
    e = connect("duckdb")
    yield e
    e.close()


@pytest.fixture(scope="module")
def wos():
    return read_records(BIB / "wos_biblium_500.txt")


@pytest.fixture(scope="module")
def wos_loaded(eng, wos):
    return load_recordset(eng, wos)


def test_science_cities_reconcile(wos_loaded):
    table, geocoded, summary = science_cities(wos_loaded)
    assert summary["total_weight"] == 499.0
    assert table["share"].sum() == pytest.approx(499.0)  # unlocated and unknown kept
    assert {UNLOCATED, "unknown"} <= set(table["unit"])
    addr = summary["addresses"]
    assert addr["located"] + addr["unlocated"] + addr["no_city"] == addr["rows"]
    assert addr["unlocated"] > 0
    ranked = table[table["rank"].notna()]
    assert ranked.iloc[0]["name"] == "Munich" and ranked.iloc[0]["share"] == pytest.approx(18.416667, abs=1e-6)
    assert ranked.iloc[1]["name"] == "Beijing" and ranked.iloc[1]["count"] == 25
    assert (ranked["share"].diff().dropna() <= 0).all()
    assert set(geocoded["unit"]) >= {"Beijing, CHN", "Munich, DEU"}
    # one city unit per geocoded row; every city unit is located or unlocated
    assert geocoded["geo_unit"].notna().all()


def test_science_cities_by_count_on_scopus(eng):
    rs = read_records(BIB / "scopus_biblium_200.csv")
    loaded = load_recordset(eng, rs)
    table, _, summary = science_cities(loaded, method="full")
    assert table["share"].sum() == pytest.approx(summary["total_weight"])
    ranked = table[table["rank"].notna()]
    assert (ranked["count"].diff().dropna() <= 0).all()


def test_dbscan_weighted():
    pts = pd.DataFrame({"latitude": [39.9, 40.0, 31.2], "longitude": [116.4, 116.3, 121.5],
                        "weight": [5.0, 1.0, 2.0]})
    assert dbscan_cities(pts, radius_km=50, min_weight=3).tolist() == [0, 0, -1]
    # Shanghai alone reaches the threshold when it is low enough
    assert dbscan_cities(pts, radius_km=50, min_weight=1.5).tolist() == [0, 0, 1]
    # fractional thresholds work (scikit-learn's min_samples is an integer)
    assert dbscan_cities(pts, radius_km=50, min_weight=6.5).tolist() == [-1, -1, -1]


def test_clusters_on_wos(wos_loaded):
    table, members, summary = find_clusters(wos_loaded, radius_km=40, min_weight=4)
    assert table["p_frac"].sum() == pytest.approx(499.0)
    assert {OUTSIDE, UNLOCATED, "unknown"} <= set(table["cluster"])
    ranked = table[table["rank"].notna()]
    assert summary["clusters"] == len(ranked) > 5
    top = ranked.iloc[0]
    assert top["name"] == "Munich" and top["share_frac"] == pytest.approx(top["p_frac"] / 499.0)
    assert table.set_index("name").loc["Leiden-Amsterdam", "n_cities"] >= 2
    # a record with two addresses in one cluster counts once in full counting
    assert (ranked["p_full"] <= ranked["n_cities"] * 499).all()
    leiden = ranked[ranked["name"] == "Leiden-Amsterdam"].iloc[0]
    assert leiden["p_full"] < members[members["cluster"] == leiden["cluster"]]["weight"].sum() + leiden["p_full"]
    assert set(members["cluster"]) <= set(table["cluster"])


def test_cluster_parameters_validated(wos_loaded):
    with pytest.raises(SpecError, match="radius_km"):
        find_clusters(wos_loaded, radius_km=0)
    with pytest.raises(SpecError, match="min_weight"):
        find_clusters(wos_loaded, min_weight=-1)
    with pytest.raises(SpecError, match="weight"):
        find_clusters(wos_loaded, weight="half")


def test_views_cities_and_clusters_cli(tmp_path):
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    spec = ROOT / "examples" / "views" / "wos_cities_clusters.toml"
    runner = CliRunner()
    for cmd, kind, table in (("cities", "cities", "cities.csv"), ("clusters", "clusters", "clusters.csv")):
        res = runner.invoke(app, ["views", cmd, str(spec), "--out", str(tmp_path / cmd)])
        assert res.exit_code == 0, res.output
        manifest = json.loads((tmp_path / cmd / "manifest.json").read_text())
        assert manifest["kind"] == kind and manifest["counts"] == {"read": 500, "used": 499, "rejected": 1}
        assert (tmp_path / cmd / table).exists()
