"""Web of Science tab-delimited export and bibliometrix's WoS CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format
from innometrics.records.wos import iter_tagged_records

DATA = Path(__file__).parents[1] / "data" / "bibliographic"
MANAGEMENT = DATA / "wos_bibliometrix_management_898.csv"


@pytest.fixture(scope="module")
def management():
    return read_resolved(MANAGEMENT)


def _affs(rs, rid):
    a = rs.affiliations[rs.affiliations["record_id"] == rid]
    return [(None if pd.isna(p) else int(p), i, c, k) for p, i, c, k in
            zip(a["position"], a["institution"], a["city"], a["country"])]


def test_bibliometrix_csv_counts(management):
    assert detect_format(MANAGEMENT) == "wos_tab"
    assert management.counts == {"read": 898, "used": 897, "rejected": 1}
    assert management.rejects[["row", "record_id", "reason"]].to_dict("records") == [
        {"row": 374, "record_id": "WOS:000580652700001", "reason": "no_authors"}]  # AU = [ANONYMOUS]
    assert len(management.contributors) == 2656
    assert len(management.affiliations) == 2099
    # bibliometrix removes the C1 brackets: no C1 address is linked to an author; the
    # 18 linked rows are the RP addresses of corresponding authors of records whose C1 is NA
    linked = management.affiliations[management.affiliations["position"].notna()]
    assert len(linked) == 18
    assert management.records.set_index("record_id").loc[linked["record_id"].unique()].shape[0] == 18
    # "NA" is R's missing value, never Namibia
    assert not management.affiliations["country"].eq("NAM").any()
    assert int(management.affiliations["country"].isna().sum()) == 0


def test_bibliometrix_record_values(management):
    rid = "WOS:000477800800034"
    rec = management.records.set_index("record_id").loc[rid]
    assert (rec["year"], rec["citations"], rec["type"]) == (2019, 11, "article")
    c = management.contributors.query("record_id == @rid")
    assert c["name"].tolist() == ["PESTANA, MARIA HELENA", "VARGAS SANCHEZ, ALFONSO", "MOUTINHO, LUIZ"]
    assert c["is_corresponding"].tolist() == [True, False, False]
    assert _affs(management, rid) == [
        (None, "UNIV INST LISBON", "LISBON", "PRT"),
        (None, "UP", "PORTO", "PRT"),
        (None, "HUELVA UNIV", "HUELVA", "ESP"),
        (None, "MANAGEMENT & MKT DEPT", "MADRID", "ESP"),
        (None, "UNIV SUFFOLK", "IPSWICH", "GBR"),  # "IPSWICH, SUFFOLK, ENGLAND": Suffolk is the county
        (None, "UNIV SOUTH PACIFIC", "SUVA", "FJI"),
    ]
    rid = "WOS:000468710700005"
    c = management.contributors.query("record_id == @rid")
    assert c["identifier"].tolist() == ["0000-0003-0731-3635", "0000-0002-6977-6611", pd.NA]
    assert _affs(management, rid)[0] == (None, "CNR", "ROME", "ITA")


def test_old_us_address_without_country(management):
    # "COLUMBIA UNIV,GRAD SCH BUSINESS,NEW YORK,NY 10027." (no USA in old records)
    a = management.affiliations
    row = a[a["raw"] == "COLUMBIA UNIV,GRAD SCH BUSINESS,NEW YORK,NY 10027."].iloc[0]
    assert (row["institution"], row["city"], row["country"]) == ("COLUMBIA UNIV", "NEW YORK", "USA")


def _to_tab(text: str) -> str:
    """Re-export plain-text records as Web of Science tab-delimited lines."""
    records = [fields for _, fields, _ in iter_tagged_records(text, file="x")]
    tags = sorted({t for r in records for t in r})
    # real exports end every line with a tab and use CRLF
    lines = ["\t".join(tags) + "\t"]
    for r in records:
        lines.append("\t".join(
            ("; " if t in {"AU", "AF", "C1"} else " ").join(v.strip() for v in r.get(t, [])) for t in tags) + "\t")
    return "\r\n".join(lines) + "\r\n"


def test_tab_export_equals_plain_text(tmp_path):
    """The same 500 records as tab-delimited UTF-16 give the same rows as the plain text."""
    plain = DATA / "wos_biblium_500.txt"
    tab = tmp_path / "savedrecs.txt"
    tab.write_bytes(_to_tab(plain.read_text(encoding="utf-8-sig")).encode("utf-16"))
    assert detect_format(tab) == "wos_tab"
    a, b = read_resolved(plain), read_resolved(tab)
    assert b.counts == a.counts == {"read": 500, "used": 499, "rejected": 1}
    pd.testing.assert_frame_equal(a.records.drop(columns="source_format"), b.records.drop(columns="source_format"))
    pd.testing.assert_frame_equal(a.contributors, b.contributors)
    pd.testing.assert_frame_equal(a.affiliations, b.affiliations)
    assert set(b.records["source_format"]) == {"wos_tab"}


def test_missing_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("AU,TI\nDOE J,Title\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(path, format="wos_tab")
    assert err.value.column == "UT" and err.value.reason == "missing_columns"


def test_ragged_tab_row_is_rejected_with_its_row(tmp_path):
    """A row with more tab fields than the header is a reject naming the row, never cut to fit."""
    from innometrics.records.read import read_records  # the reader alone (no resolution stage needed)

    header = "PT\tAU\tUT\tC1\t"  # Web of Science ends every line with a tab
    good = "J\tDoe, J\tWOS:1\t[Doe, J] Harvard Univ, Cambridge, MA 02138 USA\t"
    rows = [header, good,
            "J\tLi, X\tWOS:2\t[Li, X] Peking Univ\tBeijing 100871, Peoples R China\t",  # a tab inside C1
            "J\tWang, Y\tWOS:3\t[Wang, Y] Tsinghua Univ, Beijing 100084, Peoples R China\t\t\t"]  # empty extras
    for first in (False, True):  # pandas cut a ragged first row silently and refused the file otherwise
        lines = [rows[0], rows[2], rows[1], rows[3]] if first else rows
        path = tmp_path / f"savedrecs_{first}.txt"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
        rs = read_records(path, format="wos_tab")
        assert rs.counts == {"read": 3, "used": 2, "rejected": 1}
        assert rs.rejects[["row", "reason"]].to_dict("records") == [
            {"row": 2 if first else 3, "reason": "unparsable_record"}]
        assert sorted(rs.records["record_id"]) == ["WOS:1", "WOS:3"]
        assert "WOS:2" not in set(rs.affiliations["record_id"])


def test_ragged_csv_row_is_rejected_with_its_row(tmp_path):
    """bibliometrix CSV: one row with more fields than the header is that row's reject, not a refused file."""
    from innometrics.records.read import read_records

    path = tmp_path / "m.csv"
    path.write_text('PT,AU,UT,PY\nJ,"Doe, J",WOS:1,2020\nJ,"Li, X",WOS:2,2021,extra\n\nJ,"Wang, Y",WOS:3\n',
                    encoding="utf-8")
    rs = read_records(path, format="wos_tab")
    assert rs.counts == {"read": 3, "used": 2, "rejected": 1}
    assert rs.rejects[["row", "reason"]].to_dict("records") == [{"row": 3, "reason": "unparsable_record"}]
    years = rs.records.set_index("record_id")["year"]
    assert sorted(years.index) == ["WOS:1", "WOS:3"]
    assert years["WOS:1"] == 2020 and pd.isna(years["WOS:3"])  # a short row has its missing fields empty


def test_short_tab_row_has_empty_fields(tmp_path):
    from innometrics.records.read import read_records

    path = tmp_path / "short.txt"
    path.write_text("PT\tAU\tUT\tPY\nJ\tDoe, J\tWOS:1\n\nJ\tLi, X\tWOS:2\t2020\n", encoding="utf-8")
    rs = read_records(path, format="wos_tab")
    assert rs.counts == {"read": 2, "used": 2, "rejected": 0}
    assert rs.records.set_index("record_id")["year"].isna().tolist() == [True, False]
