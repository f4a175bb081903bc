"""DBSCAN on weighted cities: known points whose answer a swapped latitude/longitude, a wrong
radius or a wrong weight threshold would change (Ester et al. 1996, with sample weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.views.clusters import EARTH_RADIUS_KM, _cluster_name, dbscan_cities

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
