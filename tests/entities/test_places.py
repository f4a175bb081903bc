"""Offline geocoding of affiliation cities (entities.places)."""

from __future__ import annotations

from pathlib import Path

import pytest

from innometrics.entities.places import UNLOCATED, fold_city, geocode_affiliations, geocode_city, split_city_unit
from innometrics.entities.resolve import read_resolved

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "data" / "bibliographic"


@pytest.fixture(scope="module")
def wos():
    return read_resolved(BIB / "wos_biblium_500.txt")


@pytest.mark.parametrize("city, country, name, cc", [
    ("Beijing", "CHN", "Beijing", "CN"),
    ("Peking", "CHN", "Beijing", "CN"),          # alternate name
    ("Cambridge", "GBR", "Cambridge", "GB"),     # country disambiguates
    ("Cambridge", "USA", "Cambridge", "US"),
    ("W LAFAYETTE", "USA", "West Lafayette", "US"),  # WoS abbreviation
    ("Hong Kong", "CHN", "Hong Kong", "HK"),     # WoS/Scopus write Hong Kong under China
    ("London", None, "London", "GB"),            # no country: largest city of that name
])
def test_geocode_city(city, country, name, cc):
    hit = geocode_city(city, country)
    assert hit["geo_name"] == name and hit["geo_country"] == cc
    assert -90 <= hit["latitude"] <= 90 and -180 <= hit["longitude"] <= 180


def test_geocode_misses_and_folding():
    assert geocode_city("Atlantis", "GRC") is None
    assert geocode_city("Beijing", "FRA") is None  # no Beijing in France: not moved to China
    assert geocode_city(None) is None and geocode_city("  ") is None
    assert fold_city("Zürich 8092") == "zurich"
    assert split_city_unit("Cambridge, GBR") == ("Cambridge", "GBR")


def test_geocoding_never_drops_an_address(wos):
    aff = wos.affiliations
    geo = geocode_affiliations(aff)
    assert len(geo) == len(aff)
    counts = geo["match"].value_counts()
    assert counts.sum() == len(aff)
    assert counts.get(UNLOCATED, 0) > 0 and counts.get("no_city", 0) > 0
    assert geo["latitude"].notna().sum() == counts.get("name", 0) + counts.get("alternate", 0)
