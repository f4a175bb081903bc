"""The resolution stage: readers keep raw strings, resolve_records names what they mean."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from innometrics.entities.resolve import read_resolved, resolve_records
from innometrics.records.model import RecordSet
from innometrics.records.read import read_records

DATA = Path(__file__).parents[1] / "data"
BIB = DATA / "bibliographic"


def _set(affiliations: list[dict], fmt: str = "scopus", contributors: list[dict] | None = None,
         origins=None) -> RecordSet:
    ids = sorted({a["record_id"] for a in affiliations} | {c["record_id"] for c in contributors or []})
    records = [{"record_id": rid, "source_format": fmt} for rid in ids]
    return RecordSet.from_rows(records, contributors or [], affiliations, [], read=len(ids), origins=origins)


def test_readers_keep_raw_strings_and_resolution_splits_them():
    raw = read_records(BIB / "wos_biblium_500.txt")
    aff = raw.affiliations
    assert aff["raw"].notna().all()
    assert aff[["institution", "city", "country", "country_raw"]].isna().all().all()
    rs = resolve_records(raw)
    assert rs.counts == raw.counts and len(rs.affiliations) == len(aff)
    # WoS addresses: the institution is the first part, the country the last
    first = rs.affiliations.iloc[0]
    assert first["institution"] == first["raw"].split(",")[0].strip()
    assert rs.affiliations["country"].notna().mean() > 0.98


def test_resolving_twice_changes_nothing():
    rs = read_resolved(BIB / "scopus_biblium_200.csv")
    again = resolve_records(rs)
    for name in ("records", "contributors", "affiliations", "rejects"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(rs, name))
    assert again.counts == rs.counts


def test_country_fields_are_codes_or_names_never_addresses():
    rs = resolve_records(_set([
        {"record_id": "R1", "raw": "Univ Toronto, Toronto, ON, Canada", "institution": "University of Toronto",
         "institution_id": "I1", "country": "CA"},
        {"record_id": "R2", "country": "Deutschland"},
        {"record_id": "R3", "country": "IN"},
    ], fmt="openalex"))
    got = rs.affiliations.set_index("record_id")
    assert got.loc["R1", ["institution", "city", "country", "country_raw"]].tolist() == [
        "University of Toronto", "Toronto", "CAN", "CA"]
    assert got.loc["R2", "country"] == "DEU" and got.loc["R3", "country"] == "IND"


def test_unknown_country_rejects_the_record_at_its_input_row():
    rs = resolve_records(_set([
        {"record_id": "OK", "country": "FR"},
        {"record_id": "BAD", "country": "ZZZ"},
        {"record_id": "BAD", "country": "DE"},
    ], origins=[("aff.csv", 2), ("aff.csv", 3), ("aff.csv", 4)]))
    assert rs.records["record_id"].tolist() == ["OK"]
    assert rs.rejects[["file", "row", "record_id", "reason"]].values.tolist() == [
        ["aff.csv", 3, "BAD", "unknown_country"]]
    assert rs.counts == {"read": 2, "used": 1, "rejected": 1}
    assert rs.origins["row"].tolist() == [2]


def test_patent_party_codes_become_alpha3_and_office_codes_none():
    cons = [{"record_id": "P1", "position": i + 1, "name": n, "role": "inventor", "country": c}
            for i, (n, c) in enumerate([("A", "FR"), ("B", "EP"), ("C", "DEU"), ("D", None)])]
    rs = resolve_records(_set([], fmt="espacenet", contributors=cons))
    assert rs.contributors["country"].fillna("-").tolist() == ["FRA", "-", "DEU", "-"]


def test_campus_names_fold_within_one_file_only():
    affs = [{"record_id": r, "position": None, "raw": raw} for r, raw in [
        ("A1", "University of Michigan, United States"),
        ("A2", "University of Michigan, Ann Arbor, MI, United States"),
        ("B1", "University of Michigan, Ann Arbor, MI, United States"),
    ]]
    origins = [("a.csv", 2), ("a.csv", 3), ("b.csv", 2)]
    rs = resolve_records(_set(affs, fmt="scopus", origins=origins))
    names = dict(zip(rs.affiliations["record_id"], rs.affiliations["institution"]))
    assert names["A1"] == names["A2"] == "University of Michigan"
    assert names["B1"] == "University of Michigan, Ann Arbor"  # alone in its file: nothing to fold with
