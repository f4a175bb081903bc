"""Offline geocoding, Science Cities and S&T clusters (on real WoS and Scopus exports)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innometrics.errors import SpecError
from innometrics.views.clusters import OUTSIDE, dbscan_cities, find_clusters
from innometrics.rankings.credits import load_recordset
from innometrics.rankings.engines import connect
from innometrics.entities.places import UNLOCATED
from innometrics.views.cities import science_cities
from innometrics.entities.resolve import read_resolved

import independent_counts as ic
from haversine import haversine_km

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "data" / "bibliographic"


def independent_city_counts() -> tuple[dict[str, float], dict[str, int]]:
    """Fractional and full counts per city of the WoS export, from the independent reader.

    The city is the comma part before the country with postal codes removed
    (``"Tech Univ Munich, D-80333 Munich, Germany"`` -> ``munich``); credit rules as in
    tests/helpers/independent_counts.py. No innometrics code is involved.
    """
    def city_of(address: str) -> str:
        parts = [p.strip() for p in address.split(",")]
        if len(parts) < 2:
            return ic.UNKNOWN
        return re.sub(r"\b[A-Z]{0,2}-?\d[\d-]*\b", "", parts[-2]).strip().lower()

    frac: dict[str, float] = {}
    full: dict[str, int] = {}
    for rec in ic.used(ic.read(BIB / "wos_biblium_500.txt", "wos")):
        for unit, credit in ic.record_credits(rec, city_of).items():
            frac[unit] = frac.get(unit, 0.0) + credit
            full[unit] = full.get(unit, 0) + 1
    return frac, full


@pytest.fixture(scope="module")
def eng():
    e = connect("duckdb")
    yield e
    e.close()


@pytest.fixture(scope="module")
def wos():
    return read_resolved(BIB / "wos_biblium_500.txt")


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
    # Munich's share (221/12 = 18.416667) and Beijing's count, from the independent reader
    frac, full = independent_city_counts()
    assert max(frac, key=frac.get) == "munich"
    assert ranked.iloc[0]["name"] == "Munich" and ranked.iloc[0]["share"] == pytest.approx(frac["munich"], abs=1e-9)
    assert ranked.iloc[0]["share"] == pytest.approx(221 / 12, abs=1e-9) and ranked.iloc[0]["count"] == full["munich"]
    assert ranked.iloc[1]["name"] == "Beijing" and ranked.iloc[1]["count"] == full["beijing"] == 25
    assert ranked.iloc[1]["share"] == pytest.approx(frac["beijing"], abs=1e-9)
    assert (ranked["share"].diff().dropna() <= 0).all()
    assert set(geocoded["unit"]) >= {"Beijing, CHN", "Munich, DEU"}
    # one city unit per geocoded row; every city unit is located or unlocated
    assert geocoded["geo_unit"].notna().all()


def test_science_cities_by_count_on_scopus(eng):
    rs = read_resolved(BIB / "scopus_biblium_200.csv")
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
    """Membership, names and counts against scikit-learn's DBSCAN on a hand haversine matrix.

    The weighted cities are the Science Cities table (views.cities); the clusters are formed
    here with ``DBSCAN(metric="precomputed", eps=radius, min_samples=min_weight)`` on
    great-circle distances computed by hand, named by the rule of the module docstring.
    """
    radius, min_weight = 40, 4
    table, members, summary = find_clusters(wos_loaded, radius_km=radius, min_weight=min_weight)
    cities, _, _ = science_cities(wos_loaded)
    cities = cities[cities["located"] & (cities["share"] > 0)].sort_values("unit").reset_index(drop=True)
    lat, lon = cities["latitude"].to_numpy(), cities["longitude"].to_numpy()
    dist = np.array([[haversine_km(lat[i], lon[i], lat[j], lon[j]) for j in range(len(cities))]
                     for i in range(len(cities))])
    from sklearn.cluster import DBSCAN

    labels = DBSCAN(eps=radius, min_samples=min_weight, metric="precomputed").fit_predict(
        dist, sample_weight=cities["share"].to_numpy())
    expected = {}
    for label in set(labels) - {-1}:
        group = cities[labels == label].sort_values(["share", "name"], ascending=[False, True])
        names = [n for k, (n, w) in enumerate(zip(group["name"], group["share"]))
                 if k == 0 or (k < 3 and w / group["share"].sum() >= 0.10)]
        expected[frozenset(group["unit"])] = ("-".join(names), group["share"].sum())

    ranked = table[table["rank"].notna()]
    got = {frozenset(members.loc[members["cluster"] == c, "unit"]): (name, p_frac)
           for c, name, p_frac in zip(ranked["cluster"], ranked["name"], ranked["p_frac"])}
    assert set(got) == set(expected) and summary["clusters"] == len(expected) == 18
    for cities_of, (name, p_frac) in expected.items():
        assert got[cities_of][0] == name
        # fractional credit is additive over a cluster's cities
        assert got[cities_of][1] == pytest.approx(p_frac, abs=1e-9)
    assert summary["cities_in_clusters"] == sum(len(k) for k in expected) == 31
    # the names the rule gives on this export: Leiden-Amsterdam joins three Dutch cities;
    # Moncada (< 10 % of the Valencia cluster) is a member but not in the name
    leiden = ranked.set_index("name").loc["Leiden-Amsterdam"]
    assert leiden["cities"] == "Leiden; Amsterdam; Utrecht" and leiden["n_cities"] == 3
    assert ranked.set_index("name").loc["Valencia", "cities"] == "Valencia; Moncada"
    top = ranked.iloc[0]
    assert top["name"] == "Munich" and top["share_frac"] == pytest.approx(top["p_frac"] / 499.0)
    # full counting: a record with addresses in two cities of a cluster counts once, so a
    # cluster's p_full lies between its largest city's count and the sum of its cities' counts
    counts = cities.set_index("unit")["count"]
    for c, p_full in zip(ranked["cluster"], ranked["p_full"]):
        member_counts = counts[members.loc[members["cluster"] == c, "unit"]]
        assert member_counts.max() <= p_full <= member_counts.sum()
    assert leiden["p_full"] < counts[members.loc[members["cluster"] == leiden["cluster"], "unit"]].sum()
    assert table["p_frac"].sum() == pytest.approx(499.0)
    assert {OUTSIDE, UNLOCATED, "unknown"} <= set(table["cluster"])
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
