"""Bottom-up science and technology clusters (Global Innovation Index style).

The GII's S&T cluster ranking locates every patent inventor and scientific author
and groups dense areas with DBSCAN, then scores each cluster by its share of the
world's records (Bergquist, Fink & Raffo 2017; WIPO GII 2023, "Science and
technology cluster ranking"). Here:

1. geocode the city of every address (:mod:`~innometrics.entities.places`);
2. weight each gazetteer city by its contributions (``fractional`` or ``full``
   counts of the records at that city);
3. run DBSCAN on the cities' coordinates with the haversine metric, ``eps =
   radius_km / 6371.0088``, the cities' weights as ``sample_weight`` (divided by
   ``min_weight``, with ``min_samples = 1``, which is scikit-learn's ``min_samples =
   min_weight`` for non-integer thresholds): a city is a core point when the weight
   within ``radius_km`` (itself included) reaches ``min_weight``;
4. count records per cluster with the ranking engine (the city units mapped to
   their cluster, so a record with two addresses in one cluster counts once in full
   counting), and score each cluster by ``share_full = P_full / N`` (the share of the
   world's records with at least one address in the cluster) and ``share_frac =
   P_frac / N``.

Cities outside every cluster are grouped as ``outside_clusters``; addresses whose
city cannot be located as ``unlocated``, and addresses without a city as
``unknown``: the fractional counts of all rows sum to the total.

A cluster is named by its largest cities (by weight), joined with ``-``: cities are
taken in decreasing weight while they hold at least ``name_share`` (default 10 %) of
the cluster's weight, at most ``name_cities`` (default 3) of them, as in
"Shenzhen-Hong Kong-Guangzhou".

References
----------
Bergquist, K., Fink, C. & Raffo, J. (2017). Identifying and ranking the world's
largest clusters of inventive activity. WIPO Economic Research Working Paper 34.
Ester, M., Kriegel, H.-P., Sander, J. & Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD-96, 226-231.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innometrics.errors import SpecError
from innometrics.rankings.credits import UNKNOWN
from innometrics.entities.places import UNLOCATED
from innometrics.views.cities import geo_grouping, geocode_loaded

EARTH_RADIUS_KM = 6371.0088
OUTSIDE = "outside_clusters"


def check_cluster_params(radius_km: float, min_weight: float, weight: str, name_cities: int, name_share: float) -> None:
    """Validate the clustering parameters (SpecError naming the parameter and the value received)."""
    if isinstance(radius_km, bool) or not isinstance(radius_km, (int, float)) or not radius_km > 0:
        raise SpecError(f"The 'radius_km' parameter of clusters must be a positive number of kilometres. "
                        f"Got {radius_km!r}.", key="clusters.radius_km")
    if isinstance(min_weight, bool) or not isinstance(min_weight, (int, float)) or not min_weight > 0:
        raise SpecError(f"The 'min_weight' parameter of clusters must be a positive number. Got {min_weight!r}.",
                        key="clusters.min_weight")
    if weight not in ("fractional", "full"):
        raise SpecError(f"The 'weight' parameter of clusters must be 'fractional' or 'full'. Got {weight!r}.",
                        key="clusters.weight")
    if isinstance(name_cities, bool) or not isinstance(name_cities, int) or name_cities < 1:
        raise SpecError(f"The 'name_cities' parameter must be a positive whole number. Got {name_cities!r}.",
                        key="clusters.name_cities")
    if isinstance(name_share, bool) or not isinstance(name_share, (int, float)) or not 0 <= name_share < 1:
        raise SpecError(f"The 'name_share' parameter must be in [0, 1). Got {name_share!r}.",
                        key="clusters.name_share")


def dbscan_cities(points: pd.DataFrame, *, radius_km: float, min_weight: float) -> np.ndarray:
    """DBSCAN labels (``-1`` = noise) of weighted points on the sphere.

    Parameters
    ----------
    points : pandas.DataFrame
        ``latitude, longitude, weight`` (degrees; positive weights).
    radius_km, min_weight : float
        Neighbourhood radius and the weight a neighbourhood needs for a core point.

    Examples
    --------
    >>> pts = pd.DataFrame({"latitude": [39.9, 40.0, 31.2], "longitude": [116.4, 116.3, 121.5],
    ...                     "weight": [5.0, 1.0, 2.0]})
    >>> dbscan_cities(pts, radius_km=50, min_weight=3).tolist()
    [0, 0, -1]
    """
    from sklearn.cluster import DBSCAN

    if not len(points):
        return np.array([], dtype="int64")
    coords = np.radians(points[["latitude", "longitude"]].to_numpy(dtype="float64"))
    # scikit-learn wants an integer min_samples; dividing the weights by min_weight
    # keeps the core condition sum(w) >= min_weight for any positive min_weight
    model = DBSCAN(eps=radius_km / EARTH_RADIUS_KM, min_samples=1, metric="haversine", algorithm="ball_tree")
    weights = points["weight"].to_numpy(dtype="float64") / float(min_weight)
    return model.fit_predict(coords, sample_weight=weights).astype("int64")


def _cluster_name(cities: pd.DataFrame, name_cities: int, name_share: float) -> str:
    total = cities["weight"].sum()
    ordered = cities.sort_values(["weight", "geo_name"], ascending=[False, True], kind="mergesort")
    names: list[str] = []
    for name, w in zip(ordered["geo_name"], ordered["weight"]):
        if len(names) >= name_cities:
            break
        if names and total > 0 and w / total < name_share:
            break
        if name not in names:
            names.append(name)
    return "-".join(names)


def find_clusters(
    loaded,
    *,
    radius_km: float = 30.0,
    min_weight: float = 5.0,
    weight: str = "fractional",
    name_cities: int = 3,
    name_share: float = 0.10,
    period=None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Form clusters over the geocoded contributions and score them.

    Parameters
    ----------
    loaded : LoadedRecords
        Records loaded into the ranking engine.
    radius_km : float
        DBSCAN neighbourhood radius in kilometres.
    min_weight : float
        Weight of records a neighbourhood needs to make a core city (``min_samples``
        with ``sample_weight``).
    weight : {"fractional", "full"}
        Which count of a city's records weights it.
    name_cities, name_share : int, float
        Naming rule (see the module docstring).
    period : int or (int, int), optional
        Restrict to records of these years.

    Returns
    -------
    clusters : pandas.DataFrame
        ``rank, cluster, name, n_cities, latitude, longitude, p_full, p_frac,
        share_full, share_frac, cities`` with the ``outside_clusters``,
        ``unlocated`` and ``unknown`` rows after the ranked clusters.
    members : pandas.DataFrame
        ``cluster, unit, geo_name, country, latitude, longitude, weight`` per city.
    summary : dict

    Without any record in ``period`` both tables are empty (with their columns) and the
    summary's counts are 0; when no city is dense enough for a cluster, every located
    city is in the ``outside_clusters`` row.
    """
    from innometrics.rankings.counting import Grouping, count_units, total_weight
    from innometrics.rankings.indicators import competition_rank

    check_cluster_params(radius_km, min_weight, weight, name_cities, name_share)
    geocoded = geocode_loaded(loaded)
    geo_group = geo_grouping(geocoded)
    city_counts = count_units(loaded, geo_group.name, weight, grouping=geo_group, period=period)
    w_col = "p_frac" if weight == "fractional" else "p_full"
    located = geocoded[geocoded["geo_unit"] != UNLOCATED].drop_duplicates("geo_unit")
    points = located[["geo_unit", "geo_name", "country", "latitude", "longitude"]].merge(
        city_counts[["unit", w_col]].rename(columns={"unit": "geo_unit", w_col: "weight"}), on="geo_unit", how="inner")
    points = points[points["weight"] > 0].sort_values("geo_unit", kind="mergesort").reset_index(drop=True)
    labels = dbscan_cities(points, radius_km=radius_km, min_weight=min_weight)
    points["label"] = labels

    # stable cluster codes: by total weight (descending), then by the first city key
    sizes = (points[points["label"] >= 0].groupby("label")
             .agg(w=("weight", "sum"), first=("geo_unit", "min")).reset_index())
    sizes = sizes.sort_values(["w", "first"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    code_of = {lab: f"C{i + 1:03d}" for i, lab in enumerate(sizes["label"])}
    points["cluster"] = [code_of.get(label, OUTSIDE) for label in points["label"]]

    city_to_cluster = geocoded[["unit", "geo_unit"]].merge(points[["geo_unit", "cluster"]], on="geo_unit", how="left")
    city_to_cluster["cluster"] = city_to_cluster["cluster"].where(city_to_cluster["geo_unit"] != UNLOCATED, UNLOCATED)
    city_to_cluster["cluster"] = city_to_cluster["cluster"].fillna(OUTSIDE)
    grouping = Grouping(name="cluster", base="city",
                        mapping=city_to_cluster[["unit", "cluster"]].rename(columns={"cluster": "group"}),
                        unmapped="keep")
    counts = count_units(loaded, "cluster", "fractional", grouping=grouping, period=period)
    total, n_records = total_weight(loaded, period=period)

    rows = []
    for unit, p_full, p_frac in zip(counts["unit"], counts["p_full"], counts["p_frac"]):
        members = points[points["cluster"] == unit]
        is_cluster = unit not in (OUTSIDE, UNLOCATED, UNKNOWN)
        if is_cluster:
            wsum = members["weight"].sum()
            lat = float((members["latitude"] * members["weight"]).sum() / wsum)
            lon = float((members["longitude"] * members["weight"]).sum() / wsum)
            name = _cluster_name(members, name_cities, name_share)
            cities = "; ".join(members.sort_values(["weight", "geo_name"], ascending=[False, True],
                                                   kind="mergesort")["geo_name"])
        else:
            lat = lon = np.nan
            name = {OUTSIDE: "outside clusters (cities too sparse for a cluster)",
                    UNLOCATED: "unlocated (city not in the gazetteer)",
                    UNKNOWN: "unknown (no city in the address)"}[unit]
            cities = ""
        rows.append({"cluster": unit, "name": name, "n_cities": len(members), "latitude": lat, "longitude": lon,
                     "p_full": float(p_full), "p_frac": float(p_frac),
                     # a row has a non-zero count, so some record of the period has a
                     # positive weight (weights are never negative) and total > 0
                     "share_full": p_full / total, "share_frac": p_frac / total, "cities": cities,
                     "is_cluster": is_cluster})
    # without any record in the period there is no row; is_cluster must still be boolean,
    # or the mask below would select columns instead of rows
    table = pd.DataFrame(rows, columns=["cluster", "name", "n_cities", "latitude", "longitude", "p_full", "p_frac",
                                        "share_full", "share_frac", "cities", "is_cluster"]).astype({"is_cluster": bool})
    rank_col = "p_frac" if weight == "fractional" else "p_full"
    ranked = table[table["is_cluster"]].sort_values([rank_col, "cluster"], ascending=[False, True], kind="mergesort")
    ranked = ranked.assign(rank=pd.array(competition_rank(ranked[rank_col].to_numpy()), dtype="Int64"))
    order = {OUTSIDE: 0, UNLOCATED: 1, UNKNOWN: 2}
    rest = table[~table["is_cluster"]].sort_values("cluster", key=lambda s: s.map(order), kind="mergesort")
    rest = rest.assign(rank=pd.array([pd.NA] * len(rest), dtype="Int64"))
    table = pd.concat([ranked, rest], ignore_index=True)
    table = table[["rank", "cluster", "name", "n_cities", "latitude", "longitude", "p_full", "p_frac", "share_full",
                   "share_frac", "cities"]]
    members = points[["cluster", "geo_unit", "geo_name", "country", "latitude", "longitude", "weight"]].rename(
        columns={"geo_unit": "unit"}).sort_values(["cluster", "weight", "unit"], ascending=[True, False, True],
                                                   kind="mergesort").reset_index(drop=True)
    summary = {"radius_km": radius_km, "min_weight": min_weight, "weight": weight, "records": n_records,
               "total_weight": total, "clusters": int(len(code_of)), "cities_located": len(points),
               "cities_in_clusters": int((points["cluster"] != OUTSIDE).sum()),
               "sum_p_frac": float(table["p_frac"].sum())}
    return table, members, summary
