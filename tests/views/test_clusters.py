"""DBSCAN on weighted cities: known points whose answer a swapped latitude/longitude, a wrong
radius or a wrong weight threshold would change (Ester et al. 1996, with sample weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.views.clusters import EARTH_RADIUS_KM, OUTSIDE as OUTSIDE_CLUSTERS, _cluster_name, dbscan_cities

from haversine import haversine_km


def test_earth_radius_is_the_iugg_mean():
    assert EARTH_RADIUS_KM == 6371.0088


def test_east_west_neighbours_at_60_degrees_north():
    # one degree of longitude at 60 N is half a degree of latitude: ~55.6 km apart. Swapping
    # latitude and longitude puts them one degree of latitude (~111 km) apart, and half the
    # radius (30 km) leaves them apart too.
    pts = pd.DataFrame({"latitude": [60.0, 60.0], "longitude": [10.0, 11.0], "weight": [3.0, 3.0]})
    d = haversine_km(60, 10, 60, 11)
    assert 55 < d < 56
    assert dbscan_cities(pts, radius_km=60, min_weight=5).tolist() == [0, 0]
    assert dbscan_cities(pts, radius_km=d + 0.01, min_weight=5).tolist() == [0, 0]
    assert dbscan_cities(pts, radius_km=d - 0.01, min_weight=5).tolist() == [-1, -1]
    swapped = pts.rename(columns={"latitude": "longitude", "longitude": "latitude"})
    assert dbscan_cities(swapped, radius_km=60, min_weight=5).tolist() == [-1, -1]


def test_north_south_neighbours_are_not_shortened_by_latitude():
    # (10 N, 60 E) and (11 N, 60 E): one degree of latitude, ~111.2 km whatever the longitude
    pts = pd.DataFrame({"latitude": [10.0, 11.0], "longitude": [60.0, 60.0], "weight": [3.0, 3.0]})
    d = haversine_km(10, 60, 11, 60)
    assert 111 < d < 111.5
    assert dbscan_cities(pts, radius_km=100, min_weight=5).tolist() == [-1, -1]
    assert dbscan_cities(pts, radius_km=d + 0.01, min_weight=5).tolist() == [0, 0]


def test_weight_threshold_is_inclusive_and_counts_the_point_itself():
    pts = pd.DataFrame({"latitude": [0.0, 0.0, 0.0], "longitude": [0.0, 0.2, 5.0], "weight": [2.5, 2.5, 5.0]})
    # 0.2 degrees on the equator ~ 22 km; the far point alone holds exactly min_weight
    assert dbscan_cities(pts, radius_km=30, min_weight=5).tolist() == [0, 0, 1]
    assert dbscan_cities(pts, radius_km=30, min_weight=5.01).tolist() == [-1, -1, -1]
    assert dbscan_cities(pts, radius_km=30, min_weight=2.5).tolist() == [0, 0, 1]
    empty = dbscan_cities(pts.iloc[:0], radius_km=30, min_weight=5)
    assert empty.tolist() == [] and empty.dtype == np.int64
    assert dbscan_cities(pts, radius_km=30, min_weight=5).dtype == np.int64


def test_border_point_joins_but_does_not_extend():
    # On the equator, 25 km apart: D - A - B - C with weights 2, 4, 0.5, 0.5 and min_weight 6.
    # A is core (D + A + B = 6.5); B is not (A + B + C = 5) but within reach of A, so it
    # joins; C is within reach of B only, so it stays noise.
    step = 25 / haversine_km(0, 0, 0, 1)
    pts = pd.DataFrame({"latitude": [0.0] * 4, "longitude": [0.0, step, 2 * step, -step],
                        "weight": [4.0, 0.5, 0.5, 2.0]})
    assert dbscan_cities(pts, radius_km=30, min_weight=6).tolist() == [0, 0, -1, 0]


def test_matches_scikit_learn_on_a_precomputed_haversine_matrix():
    rng = np.random.default_rng(7)
    pts = pd.DataFrame({"latitude": rng.uniform(40, 60, 60), "longitude": rng.uniform(-5, 25, 60),
                        "weight": rng.integers(1, 6, 60).astype(float)})
    d = np.array([[haversine_km(a, b, c, e) for c, e in zip(pts["latitude"], pts["longitude"])]
                  for a, b in zip(pts["latitude"], pts["longitude"])])
    from sklearn.cluster import DBSCAN

    for radius, min_weight in ((150, 6), (250, 10), (100, 3)):
        ref = DBSCAN(eps=radius, min_samples=min_weight, metric="precomputed").fit_predict(
            d, sample_weight=pts["weight"].to_numpy())
        got = dbscan_cities(pts, radius_km=radius, min_weight=min_weight)
        assert _partition(got) == _partition(ref), (radius, min_weight)
        assert (got == -1).sum() == (ref == -1).sum() < len(pts)


def _partition(labels) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), set()).add(i)
    return {frozenset(v) for k, v in groups.items() if k != -1}


@pytest.mark.parametrize("weights, name_cities, name_share, expected, names", [
    ([50, 30, 15, 5], 3, 0.10, "A-B-C", "ABCD"),
    ([50, 30, 15, 5], 2, 0.10, "A-B", "ABCD"),
    ([50, 30, 9, 11], 3, 0.10, "A-B-D", "ABCD"),  # D (11 %) before C; C (9 %) below the share
    ([80, 10, 10], 3, 0.10, "A-B-C", "ACB"),  # exactly 10 % is enough; ties by name (C listed first)
    ([80, 10, 10], 3, 0.11, "A", "ABCD"),
    ([0.5, 0.5], 3, 0.6, "A", "ABCD"),  # the first city is named whatever its share
    ([50, 30, 20], 3, 0.10, "A-B", "AAB"),  # two gazetteer cities called A: named once
])
def test_cluster_name_rule(weights, name_cities, name_share, expected, names):
    cities = pd.DataFrame({"geo_name": list(names)[: len(weights)], "weight": weights})
    assert _cluster_name(cities, name_cities, name_share) == expected


@pytest.mark.parametrize("params, key", [
    ({"radius_km": 0}, "clusters.radius_km"),
    ({"radius_km": True}, "clusters.radius_km"),
    ({"radius_km": "30"}, "clusters.radius_km"),
    ({"min_weight": 0}, "clusters.min_weight"),
    ({"min_weight": False}, "clusters.min_weight"),
    ({"min_weight": True}, "clusters.min_weight"),
    ({"min_weight": "5"}, "clusters.min_weight"),
    ({"weight": "half"}, "clusters.weight"),
    ({"name_cities": 0}, "clusters.name_cities"),
    ({"name_cities": 2.0}, "clusters.name_cities"),
    ({"name_cities": True}, "clusters.name_cities"),
    ({"name_share": 1.0}, "clusters.name_share"),
    ({"name_share": -0.1}, "clusters.name_share"),
    ({"name_share": True}, "clusters.name_share"),
    ({"name_share": "0.1"}, "clusters.name_share"),
    ({"radius_km": "30"}, "clusters.radius_km"),
])
def test_cluster_parameters_are_checked(params, key):
    from innometrics.errors import SpecError
    from innometrics.views.clusters import check_cluster_params

    good = {"radius_km": 30.0, "min_weight": 5.0, "weight": "fractional", "name_cities": 3, "name_share": 0.1}
    check_cluster_params(**good)  # valid: no error
    check_cluster_params(**{**good, "radius_km": 1, "min_weight": 0.5, "weight": "full", "name_cities": 1,
                            "name_share": 0})
    with pytest.raises(SpecError) as err:
        check_cluster_params(**{**good, **params})
    assert err.value.key == key
    assert f"Got {params[next(iter(params))]!r}" in str(err.value)


# --------------------------------------------------------------------------- find_clusters
# A hand-made gazetteer (six cities, country KE) stands in for GeoNames, so that every
# distance, weight and count below can be derived by hand. Haversine distances (IUGG sphere):
#   Alta (1.0 N, 10.0 E) - Baja (1.2 N, 10.05 E): 22.9 km     Alta - Zora (1.4 N, 10.1 E): 45.8 km
#   Baja - Zora: 22.9 km                                       Dina (1.0 S, 12 E) - Enna (1.2 S, 12 E): 22.2 km
#   every other pair (and Fara, 3 N 15 E): more than 200 km, so with radius_km = 30 the
#   neighbourhoods are Alta {A, B}, Baja {A, B, Z}, Zora {B, Z}, Dina = Enna {D, E}, Fara {F}.
GAZETTEER = [  # geonameid, name, latitude, longitude, alternate names
    (101, "Alta", 1.0, 10.0, []),
    (102, "Baja", 1.2, 10.05, ["Bajita"]),
    (103, "Zora", 1.4, 10.1, []),
    (104, "Dina", -1.0, 12.0, []),
    (105, "Enna", -1.2, 12.0, []),
    (106, "Fara", 3.0, 15.0, []),
    # on the 20 E meridian, for the default parameters: 0.2 degrees of latitude apart (22.2 km),
    # and Tala 30.1 km north of Sola
    (107, "Pala", 0.0, 20.0, []),
    (108, "Quin", 0.2, 20.0, []),
    (109, "Rana", 0.4, 20.0, []),
    (110, "Sola", 0.6, 20.0, []),
    (111, "Tala", 0.6 + np.degrees(30.1 / 6371.0088), 20.0, []),
]
COORDS = {name: (lat, lon) for _, name, lat, lon, _ in GAZETTEER}

# record, year, the cities of each author (an empty list: an author without address)
#   fractional credit (1 / authors, split over an author's addresses) and full credit (1 per
#   record and city) per city, all years:
#   Alta 1/2 + 1 + 1/2 = 2 (full 3: R1 R2 R10)      Baja 1/2 + 1/2 + 1/4 = 1.25 (full 3: R1 R3 R11)
#   Zora 1/2 (full 1)   Dina 1 + 1 = 2 (full 2)   Enna 1 + 1 = 2 (full 2)   Fara 1 (full 1)
#   unlocated (Atlantis) 1/2 (full 1)   unknown 1/2 + 1/2 + 3/4 = 1.75 (full 3: R7 R10 R11)
#   total 11 records of weight 1; in 2020 alone (R1-R7, R9) Alta 1.5, Baja 1, Dina 1 and unknown
#   1/2, the rest unchanged, total 8.
CLUSTER_RECORDS = [
    ("R1", 2020, [["Alta", "Baja"]]),
    ("R2", 2020, [["Alta"]]),
    ("R3", 2020, [["Zora"], ["Bajita"]]),  # Bajita: Baja's alternate name, another city unit
    ("R4", 2020, [["Dina"]]),
    ("R5", 2020, [["Enna"]]),
    ("R6", 2020, [["Fara"]]),
    ("R7", 2020, [["Atlantis"], []]),  # not in the gazetteer: unlocated
    ("R8", 2021, [["Dina"]]),
    ("R9", 2020, [["Enna"]]),
    ("R10", 2021, [["Alta"], []]),
    ("R11", 2021, [["Baja"], [], [], []]),
]
TABLE_COLUMNS = ["rank", "cluster", "name", "n_cities", "latitude", "longitude", "p_full", "p_frac", "share_full",
                 "share_frac", "cities"]
MEMBER_COLUMNS = ["cluster", "unit", "geo_name", "country", "latitude", "longitude", "weight"]


def _small_gazetteer():
    from innometrics.entities.places import GazetteerCity, fold_city

    cities = {gid: GazetteerCity(gid, name, "KE", lat, lon, 10_000) for gid, name, lat, lon, _ in GAZETTEER}
    index: dict[str, list[tuple[int, bool]]] = {}
    for gid, name, _, _, alternates in GAZETTEER:
        index.setdefault(fold_city(name), []).append((gid, True))
        for alt in alternates:
            index.setdefault(fold_city(alt), []).append((gid, False))
    return cities, index


@pytest.fixture
def small_gazetteer(monkeypatch):
    import innometrics.entities.places as places

    monkeypatch.setattr(places, "_gazetteer", _small_gazetteer)


@pytest.fixture(scope="module")
def cluster_loaded(duckdb_engine):
    return _load(duckdb_engine, CLUSTER_RECORDS)


def _load(engine, cluster_records):
    from innometrics.rankings.credits import load_recordset
    from innometrics.records.model import RecordSet

    records, contributors, affiliations = [], [], []
    for rid, year, authors, *weight in cluster_records:
        records.append({"record_id": rid, "year": year, "weight": weight[0] if weight else 1.0, "citations": 0})
        for position, cities in enumerate(authors, 1):
            contributors.append({"record_id": rid, "position": position, "name": f"{rid} author {position}"})
            affiliations += [{"record_id": rid, "position": position, "institution": f"University of {city}",
                              "city": city, "country": "KEN"} for city in cities]
    rs = RecordSet.from_rows(records, contributors, affiliations, [], read=len(records))
    return load_recordset(engine, rs)


def test_hand_gazetteer_distances():
    def km(a, b):
        return haversine_km(*COORDS[a], *COORDS[b])

    assert 22.8 < km("Alta", "Baja") < 23.0 and 22.8 < km("Baja", "Zora") < 23.0 and km("Alta", "Zora") > 45
    assert 22.2 < km("Dina", "Enna") < 22.3
    for a, b in (("Pala", "Quin"), ("Quin", "Rana"), ("Rana", "Sola")):
        assert 22.2 < km(a, b) < 22.3  # 0.2 degrees of a meridian
    assert 30.09 < km("Sola", "Tala") < 30.11 and 44 < km("Pala", "Rana") < 45 and km("Rana", "Tala") > 52
    near = ({"Alta", "Baja"}, {"Baja", "Zora"}, {"Alta", "Zora"}, {"Dina", "Enna"})
    meridian = {"Pala", "Quin", "Rana", "Sola", "Tala"}
    far = [(a, b) for a in COORDS for b in COORDS if a < b and {a, b} not in near and not {a, b} <= meridian]
    assert min(km(a, b) for a, b in far) > 200


def _row(table, cluster):
    return table.set_index("cluster").loc[cluster]


def test_find_clusters_fractional(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    table, members, summary = find_clusters(cluster_loaded, radius_km=30, min_weight=2)
    # DBSCAN with min_weight 2: Alta (2 + 1.25) and Baja (3.75) are core, Zora (0.5 + 1.25 = 1.75)
    # is a border point reached from Baja; Dina and Enna (2 + 2) are core; Fara (1) is noise.
    # {Dina, Enna} weighs 4 > 3.75 = {Alta, Baja, Zora}: codes C001 and C002.
    assert list(table.columns) == TABLE_COLUMNS and table.index.tolist() == list(range(5))
    assert table["cluster"].tolist() == ["C001", "C002", OUTSIDE_CLUSTERS, "unlocated", "unknown"]
    assert table["rank"].tolist()[:2] == [1, 2] and table["rank"].isna().tolist() == [False, False, True, True, True]
    assert str(table["rank"].dtype) == "Int64"
    assert table["name"].tolist() == ["Dina-Enna", "Alta-Baja-Zora",
                                      "outside clusters (cities too sparse for a cluster)",
                                      "unlocated (city not in the gazetteer)", "unknown (no city in the address)"]
    assert table["n_cities"].tolist() == [2, 3, 1, 0, 0]
    assert table["cities"].tolist() == ["Dina; Enna", "Alta; Baja; Zora", "", "", ""]
    # full counting: a record counts once per cluster (R1 and R3 have two of its cities), 5 < 3 + 3 + 1
    assert table["p_full"].tolist() == [4.0, 5.0, 1.0, 1.0, 3.0]
    assert table["p_frac"].tolist() == pytest.approx([4.0, 3.75, 1.0, 0.5, 1.75], abs=1e-12)
    assert table["share_full"].tolist() == pytest.approx([4 / 11, 5 / 11, 1 / 11, 1 / 11, 3 / 11], abs=1e-12)
    assert table["share_frac"].tolist() == pytest.approx([4 / 11, 3.75 / 11, 1 / 11, 0.5 / 11, 1.75 / 11], abs=1e-12)
    # weighted centroids: Dina and Enna weigh 2 each; Alta 2, Baja 1.25, Zora 0.5 (of 3.75)
    assert table["latitude"].tolist()[:2] == pytest.approx([-1.1, (2 * 1.0 + 1.25 * 1.2 + 0.5 * 1.4) / 3.75])
    assert table["longitude"].tolist()[:2] == pytest.approx([12.0, (2 * 10.0 + 1.25 * 10.05 + 0.5 * 10.1) / 3.75])
    assert table["latitude"].isna().tolist() == table["longitude"].isna().tolist() == [False, False, True, True, True]

    assert list(members.columns) == MEMBER_COLUMNS and members.index.tolist() == list(range(6))
    assert members["geo_name"].tolist() == ["Dina", "Enna", "Alta", "Baja", "Zora", "Fara"]
    assert members["cluster"].tolist() == ["C001", "C001", "C002", "C002", "C002", OUTSIDE_CLUSTERS]
    assert members["unit"].tolist() == ["Dina (KE 104)", "Enna (KE 105)", "Alta (KE 101)", "Baja (KE 102)",
                                        "Zora (KE 103)", "Fara (KE 106)"]
    assert members["weight"].tolist() == [2.0, 2.0, 2.0, 1.25, 0.5, 1.0]
    assert (members["country"] == "KEN").all()
    assert members["latitude"].tolist() == [COORDS[n][0] for n in members["geo_name"]]
    assert members["longitude"].tolist() == [COORDS[n][1] for n in members["geo_name"]]
    assert summary == {"radius_km": 30, "min_weight": 2, "weight": "fractional", "records": 11, "total_weight": 11.0,
                       "clusters": 2, "cities_located": 6, "cities_in_clusters": 5, "sum_p_frac": pytest.approx(11.0)}


def test_find_clusters_weighted_and_ranked_by_full_counts(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    table, members, summary = find_clusters(cluster_loaded, radius_km=30, min_weight=2, weight="full")
    # full weights: Alta 3, Baja 3, Zora 1 (Zora is core now: 1 + 3 >= 2), Dina 2, Enna 2, Fara 1.
    # {Alta, Baja, Zora} weighs 7 > 4: C001. Ranked by P_full: C001 (5) before C002 (4), while
    # by P_frac (3.75 < 4) the order would be the other way round.
    assert table["cluster"].tolist() == ["C001", "C002", OUTSIDE_CLUSTERS, "unlocated", "unknown"]
    assert table["rank"].tolist()[:2] == [1, 2]
    assert table["name"].tolist()[:2] == ["Alta-Baja-Zora", "Dina-Enna"]
    assert table["p_full"].tolist() == [5.0, 4.0, 1.0, 1.0, 3.0]
    assert table["p_frac"].tolist() == pytest.approx([3.75, 4.0, 1.0, 0.5, 1.75], abs=1e-12)
    assert table["share_full"].tolist()[:2] == pytest.approx([5 / 11, 4 / 11], abs=1e-12)
    # Alta and Baja tie at 3: by name in the list of cities and in the members table
    assert table["cities"].tolist()[:2] == ["Alta; Baja; Zora", "Dina; Enna"]
    assert _row(table, "C001")["latitude"] == pytest.approx((3 * 1.0 + 3 * 1.2 + 1 * 1.4) / 7)
    assert _row(table, "C001")["longitude"] == pytest.approx((3 * 10.0 + 3 * 10.05 + 1 * 10.1) / 7)
    assert members["geo_name"].tolist() == ["Alta", "Baja", "Zora", "Dina", "Enna", "Fara"]
    assert members["weight"].tolist() == [3.0, 3.0, 1.0, 2.0, 2.0, 1.0]
    assert summary["weight"] == "full" and summary["clusters"] == 2 and summary["sum_p_frac"] == pytest.approx(11.0)


def test_find_clusters_in_a_period_with_tied_clusters(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    table, members, summary = find_clusters(cluster_loaded, radius_km=30, min_weight=2, period=2020)
    # 2020 alone: Alta 1.5, Baja 1, Zora 0.5 (= 3); Dina 1, Enna 2 (= 3); total 8. The tie is
    # broken by the clusters' first city key: "Alta (KE 101)" < "Dina (KE 104)" (by their last
    # keys, "Zora (KE 103)" > "Enna (KE 105)", the order would flip). Equal counts share rank 1.
    assert table["cluster"].tolist() == ["C001", "C002", OUTSIDE_CLUSTERS, "unlocated", "unknown"]
    assert table["name"].tolist()[:2] == ["Alta-Baja-Zora", "Enna-Dina"]
    assert table["rank"].tolist()[:2] == [1, 1]
    assert table["p_full"].tolist() == [3.0, 3.0, 1.0, 1.0, 1.0]
    assert table["p_frac"].tolist() == pytest.approx([3.0, 3.0, 1.0, 0.5, 0.5], abs=1e-12)
    assert table["share_frac"].tolist() == pytest.approx([3 / 8, 3 / 8, 1 / 8, 0.5 / 8, 0.5 / 8], abs=1e-12)
    assert table["cities"].tolist()[:2] == ["Alta; Baja; Zora", "Enna; Dina"]
    assert _row(table, "C002")["latitude"] == pytest.approx((2 * -1.2 + 1 * -1.0) / 3)
    assert members["weight"].tolist() == [1.5, 1.0, 0.5, 2.0, 1.0, 1.0]
    assert summary["records"] == 8 and summary["total_weight"] == 8.0 and summary["sum_p_frac"] == pytest.approx(8)


def test_find_clusters_naming_parameters(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    # Zora holds 0.5 / 3.75 = 13 % of its cluster, Baja 33 %
    table, _, _ = find_clusters(cluster_loaded, radius_km=30, min_weight=2, name_share=0.15)
    assert table["name"].tolist()[:2] == ["Dina-Enna", "Alta-Baja"]
    table, _, _ = find_clusters(cluster_loaded, radius_km=30, min_weight=2, name_cities=1)
    assert table["name"].tolist()[:2] == ["Dina", "Alta"]
    # the cities column lists every member whatever the naming rule
    assert table["cities"].tolist()[:2] == ["Dina; Enna", "Alta; Baja; Zora"]


def test_find_clusters_without_a_cluster(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    # no neighbourhood reaches 100: every located city is outside the clusters
    table, members, summary = find_clusters(cluster_loaded, radius_km=30, min_weight=100)
    assert list(table.columns) == TABLE_COLUMNS
    assert table["cluster"].tolist() == [OUTSIDE_CLUSTERS, "unlocated", "unknown"]
    assert table["rank"].isna().all() and str(table["rank"].dtype) == "Int64"
    # every record with a located city: all but R7
    assert table["p_full"].tolist() == [10.0, 1.0, 3.0]
    assert table["p_frac"].tolist() == pytest.approx([8.75, 0.5, 1.75], abs=1e-12)
    assert table["n_cities"].tolist() == [6, 0, 0]
    # by weight, then by unit for the ties (Alta, Dina, Enna at 2)
    assert members["geo_name"].tolist() == ["Alta", "Dina", "Enna", "Baja", "Fara", "Zora"]
    assert (members["cluster"] == OUTSIDE_CLUSTERS).all()
    assert summary["clusters"] == 0 and summary["cities_in_clusters"] == 0 and summary["cities_located"] == 6


def test_find_clusters_without_records(cluster_loaded, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    # no record in 1999: empty tables with their columns, and zero totals
    table, members, summary = find_clusters(cluster_loaded, radius_km=30, min_weight=2, period=1999)
    assert table.empty and list(table.columns) == TABLE_COLUMNS
    assert members.empty and list(members.columns) == MEMBER_COLUMNS
    assert summary == {"radius_km": 30, "min_weight": 2, "weight": "fractional", "records": 0, "total_weight": 0.0,
                       "clusters": 0, "cities_located": 0, "cities_in_clusters": 0, "sum_p_frac": 0.0}


def test_find_clusters_checks_its_parameters(cluster_loaded, small_gazetteer):
    from innometrics.errors import SpecError
    from innometrics.views.clusters import find_clusters

    for params, key in (({"radius_km": 0}, "clusters.radius_km"), ({"min_weight": -1}, "clusters.min_weight"),
                        ({"weight": "half"}, "clusters.weight"), ({"name_cities": 0}, "clusters.name_cities"),
                        ({"name_share": 1.5}, "clusters.name_share")):
        with pytest.raises(SpecError) as err:
            find_clusters(cluster_loaded, **params)
        assert err.value.key == key


def test_find_clusters_default_parameters(duckdb_engine, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    # one single-author record per unit of weight: Pala 2, Quin 2, Rana 2, Sola 1, Tala 4
    weights = {"Pala": 2, "Quin": 2, "Rana": 2, "Sola": 1, "Tala": 4}
    loaded = _load(duckdb_engine, [(f"{city}{i}", 2020, [[city]]) for city, n in weights.items() for i in range(n)])
    table, members, summary = find_clusters(loaded)
    # radius 30 km, min_weight 5: Quin {P, Q, R} = 6 and Rana {Q, R, S} = 5 (exactly the threshold) are
    # core; Pala and Sola are border points; Tala (4), 30.1 km from Sola, is alone: noise.
    # (radius 31 km would make Tala core with Sola, {S, T} = 5; min_weight 6 would leave Sola out.)
    assert summary["radius_km"] == 30.0 and summary["min_weight"] == 5.0 and summary["weight"] == "fractional"
    assert table["cluster"].tolist() == ["C001", OUTSIDE_CLUSTERS]
    assert members.loc[members["cluster"] == "C001", "geo_name"].tolist() == ["Pala", "Quin", "Rana", "Sola"]
    assert members.loc[members["cluster"] == OUTSIDE_CLUSTERS, "geo_name"].tolist() == ["Tala"]
    # named by at most 3 cities of at least 10 % each: Sola (1/7 = 14 %) qualifies but is the fourth
    assert table["name"].iloc[0] == "Pala-Quin-Rana"
    assert table["p_frac"].tolist() == pytest.approx([7.0, 4.0], abs=1e-12)
    # at 31 km Tala reaches Sola ({S, T} = 5: both core): one cluster of every city, no other row
    table, members, summary = find_clusters(loaded, radius_km=31)
    assert table["cluster"].tolist() == ["C001"] and table["rank"].tolist() == [1]
    assert str(table["rank"].dtype) == "Int64" and table["p_frac"].tolist() == pytest.approx([11.0], abs=1e-12)
    assert members["geo_name"].tolist() == ["Tala", "Pala", "Quin", "Rana", "Sola"]


def test_a_city_whose_weight_rounds_to_zero_is_not_clustered(duckdb_engine, small_gazetteer):
    from innometrics.views.clusters import find_clusters

    # X (weight 1e-10) has one author at Fara and two unlocated cities: Fara's fractional credit
    # 1e-10 / 3 rounds to 0 in the engine's sums (10 decimals) while its full count 1e-10 does not
    loaded = _load(duckdb_engine, [("D1", 2020, [["Dina"]]), ("D2", 2020, [["Dina"]]), ("E1", 2020, [["Enna"]]),
                                   ("X", 2020, [["Fara", "Atlantis", "Lemuria"]], 1e-10)])
    table, members, summary = find_clusters(loaded, radius_km=30, min_weight=2)
    assert members["geo_name"].tolist() == ["Dina", "Enna"] and summary["cities_located"] == 2
    # Fara is outside the clusters, with no located city of positive weight; X's full count is there
    assert table["cluster"].tolist() == ["C001", OUTSIDE_CLUSTERS, "unlocated"]
    assert table["n_cities"].tolist() == [2, 0, 0]
    assert table["p_full"].tolist() == pytest.approx([3.0, 1e-10, 1e-10], rel=1e-9, abs=0)
    # weighted by full counts Fara weighs 1e-10 and is a (sparse) located city
    table, members, summary = find_clusters(loaded, radius_km=30, min_weight=2, weight="full")
    assert members["geo_name"].tolist() == ["Dina", "Enna", "Fara"] and summary["cities_located"] == 3
    assert table["n_cities"].tolist() == [2, 1, 0]
