"""OpenAlex works: JSON Lines, API pages, gzipped snapshot parts and flattened CSV."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format

DATA = Path(__file__).parents[1] / "data" / "bibliographic"
SAMPLE = DATA / "openalex_works_sample.jsonl"
FLAT = DATA / "openalex_biblium_613.csv"


def _affs(rs, rid):
    a = rs.affiliations[rs.affiliations["record_id"] == rid]
    cols = ["position", "institution", "institution_id", "city", "country"]
    return [tuple(None if pd.isna(v) else (int(v) if k == "position" else v) for k, v in zip(cols, row))
            for row in a[cols].itertuples(index=False, name=None)]


@pytest.fixture(scope="module")
def sample():
    return read_resolved(SAMPLE)


def test_jsonl_counts_and_rejects(sample):
    assert detect_format(SAMPLE) == "openalex"
    assert sample.counts == {"read": 7, "used": 2, "rejected": 5}  # the blank line is not a record
    rej = sample.rejects
    assert list(zip(rej["row"], rej["reason"])) == [
        (3, "no_authors"), (5, "missing_id"), (6, "unparsable_record"), (7, "unparsable_year"), (8, "duplicate_id")]


def test_jsonl_authorships_link_institutions(sample):
    rid = "W3160856016"
    rec = sample.records.set_index("record_id").loc[rid]
    assert (rec["year"], rec["citations"], rec["type"]) == (2021, 8446, "article")
    c = sample.contributors.query("record_id == @rid")
    assert c["identifier"].tolist() == ["A5074473734", "A5100777365", "A5044093515", "A5055386132", "A5045594204"]
    assert c["is_corresponding"].tolist() == [True, False, False, False, False]
    assert _affs(sample, rid) == [
        (1, "Georgia State University", "I181565077", "Atlanta", "USA"),
        (2, "Malaviya National Institute of Technology Jaipur", "I83205935", None, "IND"),  # "302017 Rajasthan, India"
        (2, "Swinburne University of Technology Sarawak Campus", "I96413208", "Kuching", "MYS"),
        (3, "University of Akron", "I110152177", "Akron", "USA"),
        (4, "Malaviya National Institute of Technology Jaipur", "I83205935", None, "IND"),
        (5, "Swinburne University of Technology Sarawak Campus", "I96413208", "Kuching", "MYS"),
        (5, "Swinburne University of Technology", "I57093077", "Hawthorn", "AUS"),
    ]


def test_jsonl_partial_authorships(sample):
    rid = "W2053549370"
    # a raw string without institution is parsed; an author known only by country
    # gets a country row; an author with nothing gets no row (credit "unknown")
    assert _affs(sample, rid) == [
        (1, "Institute for Scientific Information", None, "Philadelphia", "USA"),
        (2, None, None, None, "FRA"),
    ]
    assert sample.contributors.query("record_id == @rid")["is_corresponding"].tolist() == [False, False, False]


def test_api_page_and_gzipped_snapshot(tmp_path):
    works = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:2]]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"meta": {"count": 2}, "results": works}), encoding="utf-8")
    part = tmp_path / "part_000.gz"
    part.write_bytes(gzip.compress("\n".join(json.dumps(w) for w in works).encode("utf-8"), mtime=0))
    a, b = read_resolved(page, format="openalex"), read_resolved(part, format="openalex")
    assert a.counts == b.counts == {"read": 2, "used": 2, "rejected": 0}
    pd.testing.assert_frame_equal(a.affiliations, b.affiliations)
    assert len(a.affiliations) == 9


def test_flat_csv_counts(tmp_path):
    rs = read_resolved(FLAT)
    assert detect_format(FLAT) == "openalex"
    assert rs.counts == {"read": 613, "used": 611, "rejected": 2}
    assert rs.rejects["record_id"].tolist() == ["W2884617417", "W4300176115"]  # books without authorships
    assert set(rs.rejects["reason"]) == {"no_authors"}
    assert len(rs.contributors) == 1596
    # 300 works flag a corresponding author
    assert rs.contributors.groupby("record_id")["is_corresponding"].any().sum() == 300


def test_flat_csv_institutions_are_unlinked(tmp_path):
    rs = read_resolved(FLAT)
    rid = "W3160856016"
    # the flattened lists lose the author boundaries: distinct institutions, position NULL
    assert _affs(rs, rid) == [
        (None, "Georgia State University", "I181565077", "Atlanta", "USA"),
        (None, "Malaviya National Institute of Technology Jaipur", "I83205935", None, "IND"),
        (None, "Swinburne University of Technology Sarawak Campus", "I96413208", "Kuching", "MYS"),
        (None, "University of Akron", "I110152177", "Akron", "USA"),
        (None, "Swinburne University of Technology", "I57093077", "Hawthorn", "AUS"),
    ]
    # single-author works keep the link
    assert _affs(rs, "W2088209891") == [(1, "Yale University", "I32971472", "New Haven", "USA")]
    assert rs.contributors.query("record_id == 'W2088209891'")["name"].tolist() == ["Derek J. de Solla Price"]


def test_not_openalex(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError):
        read_resolved(path)
    csv = tmp_path / "x.csv"
    csv.write_text("id,title\nW1,T\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(csv, format="openalex")
    assert err.value.column == "authorships.author.id"


def test_unexpected_values_reject_the_record_only(tmp_path):
    good = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    odd = json.dumps({"id": "https://openalex.org/W9", "publication_year": 2020, "authorships": 5})
    path = tmp_path / "odd.jsonl"
    path.write_text(good + "\n" + odd + "\n", encoding="utf-8")
    rs = read_resolved(path)
    assert rs.counts == {"read": 2, "used": 1, "rejected": 1}
    assert rs.rejects[["row", "reason"]].values.tolist() == [[2, "unparsable_record"]]
