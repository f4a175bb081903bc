"""The patent readers on the real samples (tests/data/patents, see DATA_SOURCES.md)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.records.espacenet import decode_espacenet
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format

DATA = Path(__file__).resolve().parents[1] / "data" / "patents"
PIZZA = DATA / "espacenet_pizza"


@pytest.fixture(scope="module")
def pizza():
    return read_resolved(PIZZA, format="espacenet")


def test_espacenet_slices_read_as_one_set(pizza):
    # 1,707 rows = 319 + 366 + 355 + 428 + 239; 57 list neither inventor nor applicant
    assert pizza.counts == {"read": 1707, "used": 1650, "rejected": 57}
    assert set(pizza.rejects["reason"]) == {"no_parties"}
    assert pizza.rejects["file"].str.endswith(".csv").all() and pizza.rejects["row"].notna().all()
    assert len(pizza.sources) == 5


def test_espacenet_record_fields(pizza):
    rec = pizza.records.set_index("record_id").loc["US20010982377"]
    assert rec["office"] == "US" and rec["kind"] == "A1; B2"
    assert rec["priority_date"] == "2000-10-18" and rec["filing_date"] == "2001-10-18"
    assert rec["publication_date"] == "2002-04-25" and rec["priority_numbers"] == "EP20000122736"
    assert rec["ipc"].startswith("A23L1/48; A21B1/00") and rec["cpc"].startswith("A21D13/007")
    assert rec["family_source"] == "priority_numbers" and rec["family_simple"] == "EP20000122736"
    con = pizza.contributors[pizza.contributors["record_id"] == "US20010982377"]
    assert list(con["role"]) == ["inventor"] * 4 + ["applicant"]
    assert list(con["country"]) == ["FRA"] * 4 + ["USA"]  # NESTEC SA [US], as the office recorded it
    assert con["name"].iloc[0] == "BLANCHET JEAN"


def test_espacenet_counts_match_the_sample_readme(pizza):
    con = pizza.contributors
    # README: 2,765 inventor and 1,983 applicant mentions over all 1,707 rows; the
    # rejected rows have none, and a name repeated in one record is kept once
    inv, app = con[con["role"] == "inventor"], con[con["role"] == "applicant"]
    assert len(inv) <= 2765 and len(app) <= 1983
    assert len(inv) >= 2700 and inv["country"].notna().sum() >= 2000
    assert pizza.records["office"].value_counts()["US"] == 542


def test_espacenet_families_are_derived_over_all_slices(pizza):
    r = pizza.records
    # CA2731260 (A1) and its US sibling share the priority US19990267981
    fam = r.groupby("family_extended")["record_id"].count()
    assert fam.max() > 1 and r["family_simple"].nunique() < len(r)
    assert (r["family_source"] == "priority_numbers").all()


def test_espacenet_encoding(tmp_path):
    raw = (PIZZA / "pizza_sliced_20002002_319.csv").read_bytes()
    assert b"\n" not in raw[:5000] and b"\r" in raw[:5000]  # classic-Mac line ends
    text = decode_espacenet(raw, "x")
    assert "\u2002[US]" in text
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text(text.replace("\r", "\r\n"), encoding="utf-8", newline="")
    a, b = read_resolved(utf8, format="espacenet"), read_resolved(PIZZA / "pizza_sliced_20002002_319.csv")
    assert a.counts == b.counts == {"read": 319, "used": 319, "rejected": 0}
    assert a.contributors.equals(b.contributors)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Title,Publication number\r\xff\xfe\x81\x8d," + bytes(range(128, 256)))
    with pytest.raises(DataError) as err:
        read_resolved(bad, format="espacenet")
    assert "missing column" in str(err.value) or "decode" in str(err.value)


def test_glob_and_duplicate_slices(tmp_path):
    for p in sorted(PIZZA.glob("*.csv"))[:2]:
        shutil.copy(p, tmp_path / p.name)
    shutil.copy(sorted(PIZZA.glob("*.csv"))[0], tmp_path / "zz_again.csv")
    rs = read_resolved(tmp_path)
    assert rs.counts["read"] == 319 + 366 + 319
    dup = rs.rejects[rs.rejects["reason"] == "duplicate_id"]
    assert len(dup) == 319 and dup["file"].str.endswith("zz_again.csv").all()
    g = read_resolved(str(tmp_path / "pizza_*.csv"))
    assert g.counts == {"read": 685, "used": 678, "rejected": 7}
    with pytest.raises(DataError, match="glob matches no file"):
        read_resolved(str(tmp_path / "nothing_*.csv"))


def test_detect_formats():
    assert detect_format(PIZZA / "pizza_sliced_20002002_319.csv") == "espacenet"
    assert detect_format(DATA / "lens_jet_engines" / "lens-export.csv") == "lens"
    assert detect_format(DATA / "lens_sangamo" / "lens-export.csv") == "lens"
    assert detect_format(DATA / "patentsview_pipeline_sample") == "patentsview"
    assert detect_format(DATA / "patstat_example") == "patstat"


def test_lens_2021_layout():
    rs = read_resolved(DATA / "lens_jet_engines" / "lens-export.csv")
    assert rs.counts == {"read": 3779, "used": 3716, "rejected": 63}
    r = rs.records.set_index("record_id")
    rec = r.loc["157-736-003-883-490"]  # US 8001762 B2
    assert rec["office"] == "US" and rec["kind"] == "B2" and rec["grant_date"] == "2011-08-23"
    assert rec["priority_date"] == "2006-08-04" and rec["priority_numbers"] == "US83547206"
    assert rec["ipc"] == "F02C7/08" and rec["family_source"] == "priority_numbers"
    con = rs.contributors[rs.contributors["record_id"] == "157-736-003-883-490"]
    assert list(con["name"]) == ["EFREMKIN ARTEM P", "EFREMKIN PAVEL V"] * 2
    assert con["country"].isna().all()
    # a single ';' inside a name is part of it
    assert rs.contributors["name"].str.contains(";").sum() > 0
    assert r["ipc"].notna().sum() >= 3690 and r["cpc"].notna().sum() == 648


def test_lens_current_layout_with_family_members():
    rs = read_resolved(DATA / "lens_sangamo" / "lens-export.csv")
    assert rs.counts == {"read": 130, "used": 130, "rejected": 0}
    r = rs.records
    assert (r["family_source"] == "source").all()
    assert r["family_simple"].nunique() == 130  # each row a different simple family (README)
    rec = r.set_index("record_id").loc["004-833-779-175-375"]
    assert rec["family_simple"] == "004-833-779-175-375"  # smallest member Lens ID
    assert rec["priority_numbers"] == "US201715458258; US201514813924; US201462030942"
    con = rs.contributors[rs.contributors["record_id"] == "004-833-779-175-375"]
    assert list(con["role"]) == ["inventor"] * 4 + ["applicant"]


def test_patentsview_tables_in_place(tmp_path):
    folder = DATA / "patentsview_pipeline_sample"
    rs = read_resolved(folder)
    assert rs.counts == {"read": 4704, "used": 4704, "rejected": 0}
    tc = {Path(k).name: v for k, v in rs.table_counts.items()}
    # README: 12,742 inventor rows, 12,013 distinct (patent, inventor); 12,067 assignee
    # rows, 4,370 distinct (patent, assignee)
    assert tc["g_inventor_disambiguated.tsv"] == {"read": 12742, "used": 12013, "rejected": {"duplicate_row": 729}}
    assert tc["g_assignee_disambiguated.tsv"] == {"read": 12067, "used": 4370, "rejected": {"duplicate_row": 7697}}
    con = rs.contributors
    assert (con["role"] == "inventor").sum() == 12013 and (con["role"] == "applicant").sum() == 4370
    pat = con[con["record_id"] == "10011883"]
    assert "Sczesnak" in pat["name"].iloc[0] and pat["country"].iloc[0] == "USA"
    rec = rs.records.set_index("record_id").loc["3933213"]
    assert rec["grant_date"] == "1976-01-20" and rec["year"] == 1976
    # zipped tables give the same set
    zipped = tmp_path / "pv"
    zipped.mkdir()
    for p in folder.glob("*.tsv"):
        with zipfile.ZipFile(zipped / f"{p.name}.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.write(p, p.name)
    rz = read_resolved(zipped, format="patentsview")
    assert rz.counts == rs.counts and rz.contributors.equals(rs.contributors)


def test_patentsview_rejects_patent_rows(tmp_path):
    folder = tmp_path / "pv"
    folder.mkdir()
    (folder / "g_patent.tsv").write_text(
        "patent_id\tpatent_type\tpatent_date\tpatent_title\twipo_kind\tnum_claims\twithdrawn\tfilename\n"
        "1\tutility\t2001-01-02\tA\tB2\t\t0\t\n1\tutility\t2001-01-02\tA again\tB2\t\t0\t\n"
        "2\tutility\t2001-99-02\tB\tB2\t\t0\t\n3\tutility\t2002-01-01\tC\tB2\t\t1\t\n"
        "\tutility\t2002-01-01\tD\tB2\t\t0\t\n", encoding="utf-8")
    (folder / "g_inventor_disambiguated.tsv").write_text(
        "patent_id\tinventor_sequence\tinventor_id\tdisambig_inventor_name_first\tdisambig_inventor_name_last\t"
        "gender_code\tlocation_id\n1\t0\ti1\tAnn\tLee\t\tl1\n9\t0\ti2\tBo\tKim\t\tl1\n1\t1\t\tNo\tId\t\tl1\n",
        encoding="utf-8")
    rs = read_resolved(folder)
    assert rs.counts == {"read": 5, "used": 1, "rejected": 4}
    assert dict(zip(rs.rejects["row"], rs.rejects["reason"])) == {3: "duplicate_id", 4: "unparsable_date",
                                                                   5: "withdrawn", 6: "missing_id"}
    tc = next(iter(rs.table_counts.values()))
    assert tc == {"read": 3, "used": 1, "rejected": {"orphan_row": 1, "missing_value": 1}}


def test_patentsview_sets_do_not_depend_on_row_order(tmp_path):
    """Two patents listing the same two priorities in opposite orders are one family, and
    the IPC and CPC sets read as sorted, de-duplicated codes (a family key built in the
    order the rows were read would split the family between threads or files)."""
    folder = tmp_path / "pv"
    folder.mkdir()
    (folder / "g_patent.tsv").write_text(
        "patent_id\tpatent_date\n1\t2001-01-02\n2\t2001-03-04\n3\t2001-05-06\n", encoding="utf-8")
    (folder / "g_foreign_priority.tsv").write_text(
        "patent_id\tpriority_claim_sequence\tforeign_application_id\tfiling_date\tforeign_country_filed\n"
        "1\t0\tB200\t1999-05-01\tJP\n1\t1\tA100\t1999-02-01\tDE\n"
        "2\t0\tA100\t1999-02-01\tDE\n2\t1\tB200\t1999-05-01\tJP\n2\t2\tA100\t1999-02-01\tDE\n"
        "3\t0\t \t1999-02-01\tDE\n", encoding="utf-8")
    (folder / "g_ipc_at_issue.tsv").write_text(
        "patent_id\tsection\tipc_class\tsubclass\tmain_group\tsubgroup\n"
        "1\tH\t04\tL\t009\t32\n1\tA\t61\tK\t31\t00\n1\tH\t04\tL\t9\t32\n", encoding="utf-8")
    (folder / "g_cpc_current.tsv").write_text(
        "patent_id\tcpc_subclass\tcpc_group\nx\tY02E\t\n1\tH04L\tH04L 9/32\n1\tA61K\tA61K 31/00\n",
        encoding="utf-8")
    records = read_resolved(folder).records.set_index("record_id")
    assert records.loc["1", "family_simple"] == records.loc["2", "family_simple"] == "DEA100|JPB200"
    assert records.loc["1", "priority_date"] == "1999-02-01"
    assert records.loc["1", "ipc"] == "A61K31/00; H04L9/32" and records.loc["1", "cpc"] == "A61K31/00; H04L9/32"
    # a blank priority number is no priority: patent 3 is its own family, without priority date
    assert pd.isna(records.loc["3", "family_simple"]) and pd.isna(records.loc["3", "priority_date"])
    assert pd.isna(records.loc["2", "ipc"]) and pd.isna(records.loc["3", "cpc"])


def test_patstat_example():
    rs = read_resolved(DATA / "patstat_example")
    assert rs.counts == {"read": 7, "used": 4, "rejected": 3}
    assert sorted(rs.rejects["reason"]) == ["duplicate_id", "missing_id", "unparsable_date"]
    tc = next(iter(rs.table_counts.values()))
    assert tc == {"read": 13, "used": 10, "rejected": {"duplicate_row": 1, "missing_value": 1, "orphan_row": 1}}
    r = rs.records.set_index("record_id")
    assert r.loc["A1", "family_simple"] == "100" and r.loc["A1", "family_extended"] == "900"
    assert r.loc["A1", "ipc"] == "A21D13/00; A47J37/04" and r.loc["A1", "grant_date"] == "2013-06-01"
    a4 = rs.contributors[rs.contributors["record_id"] == "A4"]
    assert list(zip(a4["role"], a4["name"])) == [("inventor", "WANG LI"), ("applicant", "Beijing Foo Co., Ltd."),
                                                 ("applicant", "WANG LI")]


def test_patstat_missing_table(tmp_path):
    (tmp_path / "applications.csv").write_text("appln_id\nA1\n", encoding="utf-8")
    (tmp_path / "person_application.csv").write_text("person_id,appln_id,applt_seq_nr,invt_seq_nr\n",
                                                     encoding="utf-8")
    with pytest.raises(DataError, match="missing persons.csv"):
        read_resolved(tmp_path, format="patstat")
