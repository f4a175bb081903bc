"""The institution list of the Scopus 3,658 export without a registry (issue 11, item 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from innometrics.rankings.pipeline import rank_build

ROOT = Path(__file__).resolve().parents[2]

#: Written here, not taken from the parser: what a street, a postcode or a job title looks like.
STREET_OR_POSTCODE = re.compile(r"^\d+$|^\d+(st|nd|rd|th)?\s|\b(street|st|road|rd|lane|ave|avenue|blvd|dr|box|straße|strasse|"
                                r"utca|ul)\.?$", re.IGNORECASE)
JOB_TITLE = re.compile(r"^(the\s+)?(senior\s+|associate\s+|assistant\s+|scientific\s+|postdoctoral\s+|research\s+)*"
                       r"(director|professor|researcher|fellow|dean|chief|officer|consultant|lecturer)"
                       r"(\s+(of|at)\b.*)?$", re.IGNORECASE)


@pytest.fixture(scope="module")
def institutions():
    # examples/rankings/scopus_full.toml without its windows
    spec = {"records": {"path": str(ROOT / "tests" / "data" / "bibliographic" / "scopus_bibexpy_3658.csv"),
                        "format": "scopus"},
            "count": {"method": "full", "levels": ["institution"]}}
    return rank_build(spec).levels["institution"].set_index("unit")


def test_uc_campuses_are_ranked_separately(institutions):
    # records of each campus (the export's "University of California, <campus>" strings, and
    # "University of California San Diego" / "- Irvine" / " at San Francisco" spellings)
    campuses = {"San Francisco": 14, "San Diego": 14, "Berkeley": 13, "Irvine": 9, "Santa Barbara": 5,
                "Riverside": 5, "Los Angeles": 4, "Davis": 4, "Santa Cruz": 1}
    found = {c: institutions.loc[f"University of California, {c}", "p_full"] for c in campuses}
    assert found == campuses
    # the system alone, where the string names no campus
    assert institutions.loc["University of California", "p_full"] == 5


def test_the_university_of_hong_kong_once(institutions):
    assert "The University of Hong Kong" not in institutions.index
    # 28 records wrote "The University of Hong Kong" and 10 "University of Hong Kong", none both
    assert institutions.loc["University of Hong Kong", "p_full"] == 38
    assert institutions.loc["University of Hong Kong", "rank"] == 3
    assert not [u for u in institutions.index if str(u).lower().startswith("the ")]


def test_a_university_over_its_college(institutions):
    assert "Ocean College" not in institutions.index
    assert institutions.loc["Zhejiang University", "p_full"] == 27  # 26 + the Ocean College record


def test_no_street_postcode_or_job_title(institutions):
    units = [str(u) for u in institutions.index]
    for name in ("Fellowship Director", "Universitätsstraße", "Research Fellow", "Scientific Director",
                 "P.O. Box 19395-5746", "800005", "148 Seri Thai Rd", "Clinical Epidemiology Program", "55", "13",
                 "500 University Dr", "University of St"):
        assert name not in units
    assert [u for u in units if STREET_OR_POSTCODE.search(u) or JOB_TITLE.match(u)] == []
    assert institutions.loc["University of St. Gallen", "p_full"] >= 1  # "University of St, Gallen"
