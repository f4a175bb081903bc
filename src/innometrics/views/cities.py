"""The Science Cities ranking (Nature Index): gazetteer cities ranked by Count and Share.

The Science Cities table (Nature Index) ranks gazetteer cities by Count (full) and
Share (fractional): the city units of the credit table (``"Beijing, CHN"``) are
grouped onto their gazetteer city with the engine's grouping mechanism, so a record
with addresses written ``Beijing`` and ``Peking`` counts once for Beijing in full
counting.

Geocoding itself is :mod:`innometrics.entities.places`.
"""

from __future__ import annotations

import pandas as pd

from innometrics.entities.places import UNLOCATED, geocode_cities, split_city_unit
from innometrics.rankings.counting import Grouping, count_column, count_units, total_weight
from innometrics.rankings.credits import UNKNOWN
from innometrics.rankings.indicators import competition_rank

def city_units(loaded) -> pd.DataFrame:
    """Distinct city units of loaded records with their city and country parts.

    Returns ``unit, city, country`` sorted by unit (``unknown`` excluded).
    """
    pairs = loaded.pairs["city"]
    expr = pairs.filter(pairs.unit != UNKNOWN).select("unit").distinct()
    df = loaded.engine.execute(expr)
    parts = [split_city_unit(u) for u in df["unit"]]
    df["city"] = [c for c, _ in parts]
    df["country"] = [k for _, k in parts]
    return df.sort_values("unit", kind="mergesort").reset_index(drop=True)


def city_key(row) -> str:
    """Stable unit code of a gazetteer city: ``"Beijing (CN 1816670)"``."""
    return f"{row['geo_name']} ({row['geo_country']} {int(row['geonameid'])})"


def geocode_loaded(loaded) -> pd.DataFrame:
    """Geocode every city unit of a loaded credit table.

    Returns ``unit, city, country, geonameid, geo_name, geo_country, latitude,
    longitude, population, match, geo_unit`` where ``geo_unit`` is the gazetteer city
    key, or ``unlocated``.
    """
    units = city_units(loaded)
    geo = geocode_cities(units[["city", "country"]])
    out = pd.concat([units[["unit"]].reset_index(drop=True), geo], axis=1)
    located = out["geonameid"].notna()
    out["geo_unit"] = UNLOCATED
    out.loc[located, "geo_unit"] = [city_key(r) for _, r in out[located].iterrows()]
    return out


def geo_grouping(geocoded: pd.DataFrame, *, name: str = "geo_city"):
    """A :class:`~innometrics.rankings.counting.Grouping` of city units onto gazetteer cities."""
    mapping = geocoded[["unit", "geo_unit"]].rename(columns={"geo_unit": "group"})
    mapping = mapping.assign(group_name=geocoded["geo_name"].fillna(UNLOCATED))
    return Grouping(name=name, base="city", mapping=mapping.reset_index(drop=True), unmapped="keep")


def address_counts(loaded, geocoded: pd.DataFrame) -> dict[str, int]:
    """How many credit links (author-address links) are located, unlocated or without city.

    ``located + unlocated + no_city = rows`` (helper rows, which carry no address,
    excluded): the reconciliation of the geocoding step.
    """
    pairs = loaded.pairs["city"]
    rows_expr = pairs.filter(~pairs.is_helper)
    rows = loaded.engine.execute(rows_expr.group_by("unit").agg(n=rows_expr.n_links.sum())).rename(
        columns={"unit": "city"})
    status = dict(zip(geocoded["unit"], geocoded["geo_unit"] != UNLOCATED))
    located = int(sum(n for c, n in zip(rows["city"], rows["n"]) if status.get(c) is True))
    unlocated = int(sum(n for c, n in zip(rows["city"], rows["n"]) if status.get(c) is False))
    no_city = int(rows.loc[rows["city"] == UNKNOWN, "n"].sum())
    return {"rows": int(rows["n"].sum()), "located": located, "unlocated": unlocated, "no_city": no_city}


def science_cities(loaded, *, method: str = "fractional", period=None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The Science Cities table: gazetteer cities ranked by Count (full) or Share (fractional).

    Returns ``(table, geocoded, summary)``. ``table`` has ``rank, unit, name, country,
    latitude, longitude, count, share, share_of_world, located`` where ``count =
    p_full`` and ``share = p_frac`` (Nature Index terms), ``share_of_world`` the
    ranking count over the total weight; ``unlocated`` and ``unknown`` rows are kept
    without rank so the shares sum to the total.
    """
    geocoded = geocode_loaded(loaded)
    grouping = geo_grouping(geocoded)
    counts = count_units(loaded, grouping.name, method, grouping=grouping, period=period)
    total, n_records = total_weight(loaded, period=period)
    col = count_column(method)
    located = geocoded[geocoded["geo_unit"] != UNLOCATED].drop_duplicates("geo_unit").set_index("geo_unit")
    table = counts[["unit", "p_full", "p_frac"] + ([col] if col not in ("p_full", "p_frac") else [])].copy()
    table["name"] = table["unit"].map(located["geo_name"])
    table["country"] = table["unit"].map(located["country"])
    table["latitude"] = table["unit"].map(located["latitude"])
    table["longitude"] = table["unit"].map(located["longitude"])
    table["located"] = table["unit"].isin(located.index)
    table.loc[table["unit"] == UNLOCATED, "name"] = "unlocated (city not in the gazetteer)"
    table.loc[table["unit"] == UNKNOWN, "name"] = "unknown (no city in the address)"
    table = table.rename(columns={"p_full": "count", "p_frac": "share"})
    rank_col = {"p_full": "count", "p_frac": "share"}.get(col, col)
    table["share_of_world"] = table[rank_col] / total if total else float("nan")
    known = table[table["located"]].sort_values([rank_col, "unit"], ascending=[False, True], kind="mergesort")
    known = known.assign(rank=pd.array(competition_rank(known[rank_col].to_numpy()), dtype="Int64"))
    rest = table[~table["located"]].sort_values("unit", kind="mergesort")
    rest = rest.assign(rank=pd.array([pd.NA] * len(rest), dtype="Int64"))
    table = pd.concat([known, rest], ignore_index=True)
    cols = ["rank", "unit", "name", "country", "latitude", "longitude", "count", "share"]
    cols += [c for c in table.columns if c not in cols + ["share_of_world", "located"]] + ["share_of_world", "located"]
    summary = {"total_weight": total, "records": n_records, "addresses": address_counts(loaded, geocoded),
               "city_units": len(geocoded), "city_units_located": int((geocoded["geo_unit"] != UNLOCATED).sum()),
               "sum_share": float(table["share"].sum())}
    return table[cols], geocoded, summary
