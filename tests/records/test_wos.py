"""Web of Science plain-text reader on the real exports of tests/data/bibliographic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format
from innometrics.records.wos import parse_corresponding, split_c1

DATA = Path(__file__).parents[1] / "data" / "bibliographic"


@pytest.fixture(scope="module")
def biblium():
    return read_resolved(DATA / "wos_biblium_500.txt")


@pytest.fixture(scope="module")
def scientometrics():
    return read_resolved(DATA / "wos_bibliometrix_scientometrics_147.txt")


def _affs(rs, rid):
    a = rs.affiliations[rs.affiliations["record_id"] == rid]
    return [(None if pd.isna(p) else int(p), i, c, k) for p, i, c, k in
            zip(a["position"], a["institution"], a["city"], a["country"])]


def _authors(rs, rid):
    c = rs.contributors[rs.contributors["record_id"] == rid]
    return list(zip(c["position"], c["name"], c["identifier"].astype(object).where(c["identifier"].notna(), None),
                    c["is_corresponding"]))


def test_counts_reconcile_500(biblium):
    assert detect_format(DATA / "wos_biblium_500.txt") == "wos"
    assert biblium.counts == {"read": 500, "used": 499, "rejected": 1}
    # the one reject is an "[Anonymous]" editorial starting on line 13537
    assert biblium.rejects.to_dict("records") == [
        {"file": str(DATA / "wos_biblium_500.txt"), "row": 13537, "record_id": "WOS:000904264600004",
         "reason": "no_authors"}]
    assert len(biblium.contributors) == 1517
    assert len(biblium.affiliations) == 1746
    # 46 records have C1 addresses without author brackets: 72 unlinked addresses
    assert int(biblium.affiliations["position"].isna().sum()) == 72
    assert biblium.affiliations["country"].notna().all()


def test_counts_reconcile_147(scientometrics):
    assert scientometrics.counts == {"read": 147, "used": 147, "rejected": 0}
    assert len(scientometrics.contributors) == 337
    assert scientometrics.records["year"].eq(2015).sum() > 0


def test_bracketed_c1_links_authors_and_corresponding(scientometrics):
    rid = "WOS:000365130100001"
    rec = scientometrics.records.set_index("record_id").loc[rid]
    assert (rec["year"], rec["citations"], rec["type"]) == (2015, 0, "article")
    authors = _authors(scientometrics, rid)
    assert [a[1] for a in authors] == ["Yang, Guan-Can", "Li, Gang", "Li, Chun-Ya", "Zhao, Yun-Hua", "Zhang, Jing",
                                       "Liu, Tong", "Chen, Dar-Zen", "Huang, Mu-Hsuan"]
    # RP "Chen, DZ (reprint author)" is the 7th author
    assert [a[0] for a in authors if a[3]] == [7]
    assert _affs(scientometrics, rid) == [
        (1, "Inst Sci & Tech Informat China", "Beijing", "CHN"),
        (4, "Inst Sci & Tech Informat China", "Beijing", "CHN"),
        (5, "Inst Sci & Tech Informat China", "Beijing", "CHN"),
        (2, "Wuhan Univ", "Wuhan", "CHN"),
        (3, "Wuhan Univ", "Wuhan", "CHN"),
        (6, "Beijing Comp Ctr", "Beijing", "CHN"),
        (7, "Natl Taiwan Univ", "Taipei", "TWN"),  # Dept Mech Engn
        (7, "Natl Taiwan Univ", "Taipei", "TWN"),  # Inst Ind Engn: a second affiliation of author 7
        (8, "Natl Taiwan Univ", "Taipei", "TWN"),
    ]
    raws = scientometrics.affiliations.query("record_id == @rid and position == 7")["raw"].tolist()
    assert raws == ["Natl Taiwan Univ, Dept Mech Engn, Taipei 10617, Taiwan.",
                    "Natl Taiwan Univ, Inst Ind Engn, Taipei 10617, Taiwan."]


def test_unbracketed_c1_gives_unlinked_address(scientometrics):
    rid = "WOS:000350337000029"  # C1 Drexel Univ, Coll Comp & Informat, Philadelphia, PA 19104 USA.
    assert _authors(scientometrics, rid) == [(1, "White, Howard D.", None, True)]
    assert _affs(scientometrics, rid) == [(None, "Drexel Univ", "Philadelphia", "USA")]
    assert scientometrics.affiliations.query("record_id == @rid")["country_raw"].tolist() == ["PA 19104 USA"]


def test_multi_affiliation_author_and_orcid(biblium):
    rid = "WOS:001307540000001"
    authors = _authors(biblium, rid)
    assert authors[0] == (1, "Patil, Yogesh", "0000-0001-8029-5598", True)
    assert sum(a[3] for a in authors) == 1  # two RP entries, both Patil, Y
    assert _affs(biblium, rid) == [
        (1, "Indian Inst Management Mumbai", "Mumbai", "IND"),
        (2, "Indian Inst Management Mumbai", "Mumbai", "IND"),
        (4, "Indian Inst Management Mumbai", "Mumbai", "IND"),
        (1, "Indian Inst Technol", "Mumbai", "IND"),
        (5, "Indian Inst Technol", "Mumbai", "IND"),
        (6, "Indian Inst Technol", "Mumbai", "IND"),
        (7, "Indian Inst Technol", "Mumbai", "IND"),
        (8, "Indian Inst Technol", "Mumbai", "IND"),
        (3, "Indian Inst Technol", "New Delhi", "IND"),
        (9, "Bharati Vidyapeeths Coll Engn Kolhapur", "Kolhapur", "IND"),
    ]


def test_two_corresponding_authors_in_two_countries(biblium):
    rid = "WOS:001358678600001"
    authors = _authors(biblium, rid)
    assert [(a[0], a[1]) for a in authors if a[3]] == [(1, "Zhang, Yang"), (6, "Wang, Kai")]
    assert authors[4] == (5, "Chen, Haihua", "0000-0002-7088-9752", False)
    affs = _affs(biblium, rid)
    assert (1, "Univ North Texas", "Denton", "USA") in affs
    assert (6, "Nanyang Technol Univ", "Singapore", "SGP") in affs
    assert (11, "Wuhan Univ", "Wuhan", "CHN") in affs
    assert (8, "Univ Adelaide", "Adelaide", "AUS") in affs
    assert sorted(p for p, *_ in affs) == [1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11]


def test_record_without_c1_takes_the_rp_address(biblium):
    # 1994 record: no C1; RP "NARIN, F (corresponding author), CHI RES INC,10 WHITE HORSE PIKE,HADDON HTS,NJ 08035, USA."
    rid = "WOS:A1994NR54200012"
    assert _authors(biblium, rid) == [(1, "NARIN, F", None, True)]
    assert _affs(biblium, rid) == [(1, "CHI RES INC", "HADDON HTS", "USA")]
    rec = biblium.records.set_index("record_id").loc[rid]
    assert (rec["year"], rec["citations"], rec["type"]) == (1994, 286, "article; proceedings paper")


def test_split_helpers():
    assert split_c1("[A, B; C, D] Univ X, Paris, France; Univ Y, Rome, Italy") == [
        "[A, B; C, D] Univ X, Paris, France", "Univ Y, Rome, Italy"]
    assert parse_corresponding("NARIN, F (reprint author), CHI RES INC, HADDON HTS, NJ 08035 USA.") == [
        ("NARIN, F", "CHI RES INC, HADDON HTS, NJ 08035 USA.")]


BAD_WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Doe, J
AF Doe, Jane
C1 [Doe, Jane] Univ Oslo, Oslo, Norway.
PY 2020
TC 3
UT WOS:1
ER

PT J
AU Roe, R
PY 2021
ER

PT J
AU Moe, M
PY 20x1
UT WOS:2
ER

PT J
PY 2022
UT WOS:3
ER

PT J
AU Doe, J
AF Doe, Jane
PY 2020
UT WOS:1
ER

PT J
AU Poe, P
PY 2019
TC many
UT WOS:4
ER

PT J
AU Last, L
UT WOS:5
"""


def test_bad_records_are_rejected_with_reasons(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(BAD_WOS, encoding="utf-8")
    rs = read_resolved(path)
    assert rs.counts == {"read": 7, "used": 1, "rejected": 6}
    got = list(zip(rs.rejects["row"], rs.rejects["record_id"].astype(object).where(rs.rejects["record_id"].notna(), None),
                   rs.rejects["reason"]))
    assert got == [(12, None, "missing_id"), (17, "WOS:2", "unparsable_year"), (23, "WOS:3", "no_authors"),
                   (28, "WOS:1", "duplicate_id"), (35, "WOS:4", "unparsable_citations"),
                   (42, "WOS:5", "unparsable_record")]
    assert rs.records["record_id"].tolist() == ["WOS:1"]
    assert rs.affiliations["country"].tolist() == ["NOR"]


def test_wrong_file_raises_data_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello world\nthis is not an export\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(path, format="wos")
    assert err.value.row == 1 and err.value.reason == "format"
    with pytest.raises(DataError, match="cannot tell the format"):
        read_resolved(path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("PT J\nAU M\xfcller, K\nUT WOS:9\nER\n".encode("latin-1"))
    with pytest.raises(DataError) as err:
        read_resolved(bad, format="wos")
    assert err.value.reason == "encoding" and err.value.row == 2


def test_folder_of_exports_rejects_repeated_records(tmp_path):
    """WoS exports come in chunks; a record repeated in a later chunk is rejected once."""
    text = (DATA / "wos_bibliometrix_scientometrics_147.txt").read_text(encoding="utf-8-sig")
    head, *records = text.split("\nPT ")
    chunks = ["\nPT ".join([head] + records[:100]), "\nPT ".join([head] + records[90:])]
    for i, chunk in enumerate(chunks, start=1):
        (tmp_path / f"savedrecs({i}).txt").write_text(chunk if chunk.endswith("\n") else chunk + "\n",
                                                       encoding="utf-8")
    rs = read_resolved(tmp_path)
    assert rs.counts == {"read": 157, "used": 147, "rejected": 10}
    assert set(rs.rejects["reason"]) == {"duplicate_id"}
    assert rs.rejects["file"].str.endswith("savedrecs(2).txt").all()
    assert len(rs.sources) == 2
    assert rs.records["record_id"].is_unique


def test_homonymous_authors_keep_their_own_addresses(tmp_path):
    path = tmp_path / "homonyms.txt"
    path.write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Wang, W\n   Li, X\n   Wang, W\n"
        "AF Wang, Wei\n   Li, Xin\n   Wang, Wei\n"
        "C1 [Wang, Wei; Li, Xin] Zhejiang Univ, Hangzhou, Peoples R China.\n"
        "   [Wang, Wei] Univ Sydney, Sydney, NSW 2006, Australia.\n"
        "   [Wang, Wei] Kyoto Univ, Kyoto, Japan.\n"
        "RP Wang, W (corresponding author), Zhejiang Univ, Hangzhou, Peoples R China.\n"
        "PY 2022\nUT WOS:7\nER\nEF\n", encoding="utf-8")
    rs = read_resolved(path)
    assert rs.counts == {"read": 1, "used": 1, "rejected": 0}
    got = list(zip(rs.affiliations["position"].astype(int), rs.affiliations["country"]))
    # the first "Wang, Wei" of each bracket list is author 1; a second one would be author 3
    assert got == [(1, "CHN"), (2, "CHN"), (1, "AUS"), (1, "JPN")]
    assert rs.contributors["is_corresponding"].tolist() == [True, False, False]
