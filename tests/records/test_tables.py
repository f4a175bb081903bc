"""Generic table layout, the RecordSet model and its Parquet round trip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.records.model import (AFFILIATION_COLUMNS, CONTRIBUTOR_COLUMNS, RECORD_COLUMNS, RecordSet)
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format

DATA = Path(__file__).parents[1] / "data" / "bibliographic"

RECORDS = """record_id,year,type,title,weight,citations
A1,2020,chip,First chip,3.5,
A2,2021,chip,Second chip,,12
A3,20x1,chip,Bad year,1,
A4,2022,chip,No contributors,1,
A5,2022,chip,Bad weight,-2,
,2022,chip,No id,1,
A2,2022,chip,Duplicate,1,
A6,2023,chip,Institution only,2,
A7,2023,chip,Bad position,1,
"""
CONTRIBUTORS = """record_id,position,name,identifier,is_corresponding
A1,1,"Lee, Ann",0000-0001-0000-0001,true
A1,2,"Kim, Bo",,false
A2,1,"Wu, Chen",,yes
A7,x,"Bad, Pos",,
"""
AFFILIATIONS = """record_id,position,raw,institution,country
A1,1,"Tsinghua Univ, Dept EE, Beijing 100084, Peoples R China.",,
A1,1,,Peking University,China
A1,2,"Department of Physics, Seoul National University, Seoul, South Korea",,
A2,,"Univ Tokyo, Tokyo, Japan",,
A6,,,Fudan University,CHN
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "records.csv").write_text(RECORDS, encoding="utf-8")
    (tmp_path / "contributors.csv").write_text(CONTRIBUTORS, encoding="utf-8")
    (tmp_path / "affiliations.csv").write_text(AFFILIATIONS, encoding="utf-8")
    return tmp_path


def test_tables_layout(folder):
    assert detect_format(folder) == "tables"
    rs = read_resolved(folder)
    assert rs.counts == {"read": 9, "used": 3, "rejected": 6}
    assert rs.rejects[["row", "record_id", "reason"]].astype(object).where(rs.rejects[["row", "record_id", "reason"]].notna(), None).values.tolist() == [
        [4, "A3", "unparsable_year"],
        [6, "A5", "unparsable_weight"],
        [7, None, "missing_id"],
        [8, "A2", "duplicate_id"],
        [5, "A4", "no_authors"],
        [10, "A7", "unparsable_contributor"],
    ]
    rec = rs.records.set_index("record_id")
    assert rec.loc["A1", "weight"] == 3.5 and rec.loc["A2", "weight"] == 1.0
    assert pd.isna(rec.loc["A1", "citations"]) and rec.loc["A2", "citations"] == 12
    assert rs.contributors["is_corresponding"].tolist() == [True, False, True]
    aff = rs.affiliations
    assert aff[["institution", "city", "country"]].astype(object).where(aff[["institution", "city", "country"]].notna(), None).values.tolist() == [
        ["Tsinghua Univ", "Beijing", "CHN"],  # parsed from raw: the university part, not "Dept EE"
        ["Peking University", None, "CHN"],  # country "China" normalised, kept in country_raw
        ["Seoul National University", "Seoul", "KOR"],
        ["Univ Tokyo", "Tokyo", "JPN"],
        ["Fudan University", None, "CHN"],
    ]
    assert aff["country_raw"].tolist()[1] == "China"
    assert aff["position"].isna().tolist() == [False, False, False, True, True]


def test_parquet_round_trip(tmp_path):
    rs = read_resolved(DATA / "wos_biblium_500.txt")
    rs.to_parquet(tmp_path / "rs")
    assert sorted(p.name for p in (tmp_path / "rs").iterdir()) == [
        "affiliations.parquet", "contributors.parquet", "counts.json", "records.parquet", "rejects.parquet"]
    for back in (RecordSet.from_parquet(tmp_path / "rs"), read_resolved(tmp_path / "rs")):
        assert back.counts == rs.counts == {"read": 500, "used": 499, "rejected": 1}
        for name in ("records", "contributors", "affiliations", "rejects"):
            pd.testing.assert_frame_equal(getattr(back, name), getattr(rs, name))


def test_csv_round_trip(tmp_path):
    rs = read_resolved(DATA / "scopus_biblium_200.csv")
    rs.to_csv(tmp_path / "csv")
    back = read_resolved(tmp_path / "csv")
    assert back.counts == rs.counts == {"read": 200, "used": 199, "rejected": 1}
    for name in ("records", "contributors", "affiliations", "rejects"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(rs, name))


def test_schema_and_repr():
    rs = read_resolved(DATA / "wos_bibliometrix_scientometrics_147.txt")
    assert list(rs.records.columns) == list(RECORD_COLUMNS)
    assert list(rs.contributors.columns) == list(CONTRIBUTOR_COLUMNS)
    assert list(rs.affiliations.columns) == list(AFFILIATION_COLUMNS)
    assert str(rs.records["year"].dtype) == "Int64" and str(rs.affiliations["position"].dtype) == "Int64"
    assert rs.contributors["is_corresponding"].dtype == bool
    assert repr(rs).startswith("RecordSet(read=147, used=147, rejected=0; 147 records, 337 contributors")


def test_validate_catches_broken_sets():
    rs = read_resolved(DATA / "wos_bibliometrix_scientometrics_147.txt")
    broken = RecordSet(rs.records, rs.contributors.iloc[1:], rs.affiliations, rs.rejects, dict(rs.counts))
    with pytest.raises(DataError) as err:
        broken.validate()  # affiliation rows of position 1 of the first record lose their contributor
    assert err.value.reason == "orphan"
    dup = RecordSet(pd.concat([rs.records, rs.records.iloc[:1]], ignore_index=True), rs.contributors,
                    rs.affiliations, rs.rejects, {"read": 148, "used": 148, "rejected": 0})
    with pytest.raises(DataError) as err:
        dup.validate()
    assert err.value.reason == "duplicate_key"
    wrong = RecordSet(rs.records, rs.contributors, rs.affiliations, rs.rejects, {"read": 150, "used": 147, "rejected": 0})
    with pytest.raises(DataError) as err:
        wrong.validate()
    assert err.value.reason == "counts"


def test_orphan_rows_and_missing_tables(tmp_path, folder):
    (folder / "contributors.csv").write_text(CONTRIBUTORS + "Z9,1,\"Ghost, G\",,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(folder)
    assert err.value.reason == "orphan" and err.value.row == 6 and len(err.value.failures) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError):
        read_resolved(empty, format="tables")
    (empty / "records.csv").write_text("id,year\n1,2020\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(empty)
    assert err.value.column == "record_id"


@pytest.mark.parametrize("text, row, column, message", [
    ('{"sources": ["a.txt",]}', 1, None, "not valid JSON"),
    ('["a.txt"]', None, None, "holds a JSON list"),
    ('{"sources": "a.txt"}', None, "sources", "not a list of file names"),
    ('{"counts": {"read": "ten"}}', None, "counts", "not whole numbers"),
])
def test_malformed_counts_json_is_a_data_error(folder, text, row, column, message):
    (folder / "counts.json").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        read_resolved(folder)
    assert err.value.reason == "malformed_counts" and err.value.file.endswith("counts.json")
    assert err.value.row == row and err.value.column == column


def test_counts_json_sources_are_used(folder):
    (folder / "counts.json").write_text('{"sources": ["export.txt"]}', encoding="utf-8")
    assert read_resolved(folder).sources == ["export.txt"]


def test_malformed_counts_json_next_to_parquet(tmp_path):
    read_resolved(DATA / "scopus_biblium_200.csv").to_parquet(tmp_path / "rs")
    (tmp_path / "rs" / "counts.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="counts.json is not valid JSON"):
        RecordSet.from_parquet(tmp_path / "rs")


def test_country_column_is_read_as_codes(tmp_path):
    # issue 11: DE, IN, CA... became USA (US states), CN, US, GB, KR were not recognised, ZZZ was kept
    codes = {"DE": "DEU", "IN": "IND", "CA": "CAN", "IL": "ISR", "ID": "IDN", "MA": "MAR", "CO": "COL",
             "AR": "ARG", "PA": "PAN", "CN": "CHN", "US": "USA", "GB": "GBR", "KR": "KOR", "DEU": "DEU",
             "276": "DEU", "Deutschland": "DEU", "Peoples R China": "CHN"}
    ids = [f"R{i}" for i in range(len(codes))] + ["BAD1", "BAD2", "BAD3"]
    (tmp_path / "records.csv").write_text("record_id,year\n" + "".join(f"{r},2020\n" for r in ids), encoding="utf-8")
    aff = "record_id,institution,country\n" + "".join(f"R{i},U{i},{c}\n" for i, c in enumerate(codes))
    aff += "BAD1,U,ZZZ\nBAD2,U,DE\nBAD2,V,Virgin Islands\nBAD3,U,California\n"
    (tmp_path / "affiliations.csv").write_text(aff, encoding="utf-8")
    rs = read_resolved(tmp_path)
    assert rs.counts == {"read": len(codes) + 3, "used": len(codes), "rejected": 3}
    assert rs.affiliations["country"].tolist() == list(codes.values())
    # the text is kept when it was not already the alpha-3 code
    assert rs.affiliations["country_raw"].fillna("").tolist() == ["" if c == a else c for c, a in codes.items()]
    rejects = rs.rejects.astype(object).where(rs.rejects.notna(), None)
    assert rejects[["row", "record_id", "reason"]].values.tolist() == [
        [len(codes) + 2, "BAD1", "unknown_country"],  # the affiliation row, not the record's
        [len(codes) + 4, "BAD2", "unknown_country"],
        [len(codes) + 5, "BAD3", "unknown_country"],
    ]
    assert set(rejects["file"]) == {str(tmp_path / "affiliations.csv")}
    assert set(rs.affiliations["record_id"]) == {f"R{i}" for i in range(len(codes))}
