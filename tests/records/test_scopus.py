"""Scopus CSV reader on the real exports of tests/data/bibliographic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.entities.resolve import read_resolved
from innometrics.records.read import detect_format
from innometrics.entities.addresses import names_country, parse_address
from innometrics.records.scopus import build_scopus_record, surname_initial

DATA = Path(__file__).parents[1] / "data" / "bibliographic"


@pytest.fixture(scope="module")
def biblium():
    return read_resolved(DATA / "scopus_biblium_200.csv")


@pytest.fixture(scope="module")
def bibexpy():
    return read_resolved(DATA / "scopus_bibexpy_3658.csv")


def _affs(rs, rid):
    a = rs.affiliations[rs.affiliations["record_id"] == rid]

    def value(v):
        return None if pd.isna(v) else v

    return [(None if pd.isna(p) else int(p), value(i), value(c), value(k)) for p, i, c, k in
            zip(a["position"], a["institution"], a["city"], a["country"])]


def test_counts(biblium, bibexpy):
    assert detect_format(DATA / "scopus_biblium_200.csv") == "scopus"
    assert biblium.counts == {"read": 200, "used": 199, "rejected": 1}
    assert biblium.rejects[["row", "record_id", "reason"]].to_dict("records") == [
        {"row": 165, "record_id": "2-s2.0-33745613796", "reason": "no_authors"}]
    assert (len(biblium.contributors), len(biblium.affiliations)) == (754, 932)
    assert bibexpy.counts == {"read": 3658, "used": 3653, "rejected": 5}
    assert set(bibexpy.rejects["reason"]) == {"no_authors"}
    assert len(bibexpy.contributors) == 14084
    # every contributor has its Scopus author id
    assert bibexpy.contributors["identifier"].notna().all()
    assert int(biblium.records["citations"].sum()) == 143804


def test_multi_affiliation_authors_split_on_known_affiliations(biblium):
    rid = "2-s2.0-85177792227"  # 9 authors, each at the RCEES (CAS) and at UCAS
    c = biblium.contributors.query("record_id == @rid")
    assert c["name"].tolist()[:2] == ["Wu, Haowei", "Cui, Hui Ling"]
    assert c["identifier"].tolist()[0] == "58737453200"
    # Correspondence Address "K. Xiao; ..." -> Xiao, Ke Qing (8th author)
    assert c.loc[c["is_corresponding"], "position"].tolist() == [8]
    affs = _affs(biblium, rid)
    assert len(affs) == 18
    assert affs[:2] == [
        (1, "Research Center for Eco-Environmental Sciences Chinese Academy of Sciences", "Beijing", "CHN"),
        (1, "University of Chinese Academy of Sciences", "Beijing", "CHN"),
    ]


def test_authors_in_two_countries(biblium):
    rid = "2-s2.0-85148965946"
    assert _affs(biblium, rid) == [
        (1, "Open University of Cyprus", "Nicosia", "CYP"),
        (2, "University of Macedonia", "Thessaloniki", "GRC"),
        (3, "Open University of Cyprus", "Nicosia", "CYP"),
    ]
    c = biblium.contributors.query("record_id == @rid")
    assert c.loc[c["is_corresponding"], "name"].tolist() == ["Talias, Michael A."]  # "M.A. Talias"


def test_old_author_format_and_postal_parts(bibexpy):
    rid = "2-s2.0-85210137108"  # Authors "Parise O.; ..."; entries start with the short names
    c = bibexpy.contributors.query("record_id == @rid")
    assert c["name"].tolist() == ["Parise, Orlando", "Kronenberger, Rani", "Parise, Gianmarco",
                                  "de Asmundis, Carlo", "Gelsomino, Sandro", "La Meir, Mark"]
    assert c["is_corresponding"].tolist() == [True, False, False, False, False, False]
    assert _affs(bibexpy, rid) == [
        (1, "Universitair Ziekenhuis Brussel", "Brussels", "BEL"),
        (1, "Maastricht University", "Maastricht", "NLD"),  # "Maastricht, 6229 ER, Netherlands"
        (2, "Universitair Ziekenhuis Brussel", "Brussels", "BEL"),
        (3, "Maastricht University", "Maastricht", "NLD"),
        (4, "Universitair Ziekenhuis Brussel", "Brussels", "BEL"),
        (5, "Universitair Ziekenhuis Brussel", "Brussels", "BEL"),
        (5, "Maastricht University", "Maastricht", "NLD"),
        (6, "Universitair Ziekenhuis Brussel", "Brussels", "BEL"),
    ]


def test_company_without_university_word_is_kept(bibexpy):
    rid = "2-s2.0-85208483558"  # "GOALL, LLC, Honolulu, 96822, Hawaiʻi, United States, Second Language ..."
    assert _affs(bibexpy, rid) == [
        (1, "GOALL, LLC", "Honolulu", "USA"),
        (1, "University of Hawaiʻi at Mānoa", "Honolulu", "USA"),
    ]


def test_compound_surname_corresponding(biblium):
    rid = "2-s2.0-85137668868"
    c = biblium.contributors.query("record_id == @rid")
    assert c.loc[c["is_corresponding"], "name"].tolist() == ["Mariani, Marcello M."]
    assert _affs(biblium, rid)[4:] == [(4, "School of Management", "Swansea", "GBR"),
                                      (4, "Symbiosis Institute of Business Management", "Pune", "IND")]


def test_names_and_html_entities():
    assert surname_initial("Y. HU") == surname_initial("HU Y.") == ("hu", "y")
    reason, record, cons, affs = build_scopus_record({
        "EID": "2-s2.0-1", "Year": "2024", "Authors": "Roe A.", "Author full names": "Roe, Ann (123)",
        "Affiliations": "Merck & amp; Co., Rahway, NJ, United States",
        "Authors with affiliations": "Roe A., Merck & amp; Co., Rahway, NJ, United States",
        "Correspondence Address": "A. Roe; Merck, Rahway, United States; email: a@b.c",
    })
    assert reason is None and cons[0]["is_corresponding"] and cons[0]["identifier"] == "123"
    # the reader keeps the address as written (entities decoded); resolution splits it
    assert [(a["raw"], a["institution"]) for a in affs] == [("Merck & Co., Rahway, NJ, United States", None)]
    address = parse_address(affs[0]["raw"], style="scopus")
    assert (address.institution, address.city, address.country) == ("Merck & Co.", "Rahway", "USA")


def test_rejects_on_a_bad_file(tmp_path):
    path = tmp_path / "scopus.csv"
    path.write_text(
        "Authors,Author full names,Author(s) ID,Title,Year,Cited by,EID,Affiliations,Authors with affiliations\n"
        "Roe A.,\"Roe, Ann (1)\",1,T1,2020,3,2-s2.0-1,\"Univ X, Oslo, Norway\",\"Roe A., Univ X, Oslo, Norway\"\n"
        "Roe A.,\"Roe, Ann (1)\",1,T2,2020,3,,,\n"
        "[No author name available],[No author name available],,T3,2021,,2-s2.0-3,,\n"
        "Roe A.,\"Roe, Ann (1)\",1,T4,MMXX,,2-s2.0-4,,\n"
        "Roe A.,\"Roe, Ann (1)\",1,T1,2020,3,2-s2.0-1,,\n",
        encoding="utf-8")
    rs = read_resolved(path)
    assert rs.counts == {"read": 5, "used": 1, "rejected": 4}
    assert rs.rejects["reason"].tolist() == ["missing_id", "no_authors", "unparsable_year", "duplicate_id"]
    assert rs.rejects["row"].tolist() == [3, 4, 5, 6]
    bad = tmp_path / "nope.csv"
    bad.write_text("Title,Year\nT,2020\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_resolved(bad, format="scopus")
    assert err.value.column == "EID"


def test_stray_semicolons_do_not_cut_affiliations(bibexpy):
    # "Charles Sturt University, Wagga Wagga, New South Wales, Australia;, Baylor College of Medicine, ...":
    # the stray ";" used to defeat the split on known affiliations, and the fallback split at
    # country names then cut after "New South Wales" (read as Wales -> GBR) and read "and" as Andorra
    assert _affs(bibexpy, "2-s2.0-85211830034") == [
        (1, "Charles Sturt University", "Wagga Wagga", "AUS"),
        (1, "Baylor College of Medicine", "Houston", "USA"),
        (2, "Charles Sturt University", "Port Macquarie", "AUS"),
        (2, "and", None, None),  # "and" is an entry of Scopus's Affiliations, with no country
        (3, "Stanford University", "Stanford", "USA"),
        (4, "Baylor College of Medicine", "Houston", "USA"),
        (4, "Charles Sturt University", "Wagga Wagga", "AUS"),
    ]


def test_one_address_with_odd_spacing_stays_whole(bibexpy):
    # "Reed , PhD" and a trailing comma: one author, one address, not cut at "North Canton" (CTE)
    assert _affs(bibexpy, "2-s2.0-85168786947") == [(1, "Kent State University at Stark", "North Canton", "USA")]


def test_at_sign_in_a_lab_name_is_not_an_email(bibexpy):
    assert _affs(bibexpy, "2-s2.0-85186498882")[:2] == [
        (1, "Virginia Tech", "Arlington", "USA"), (2, "Virginia Tech", "Arlington", "USA")]
    assert (2, "Virginia Tech", "Arlington", "USA") in _affs(bibexpy, "2-s2.0-85190170739")


def test_institution_names_give_no_country(bibexpy):
    # "University of Eastern Finland", "National University of Singapore": no country part
    assert {k for *_, k in _affs(bibexpy, "2-s2.0-85196157040")} == {None}
    assert {k for *_, k in _affs(bibexpy, "2-s2.0-85208481708")} == {None}


def test_correspondence_address_city_is_not_the_street(bibexpy):
    # "Justus-Liebig-University, Institute of Chemistry Education, Giessen, Heinrich-Buff-Ring 17, 35392, Germany"
    assert _affs(bibexpy, "2-s2.0-85199557950") == [(2, "Justus-Liebig-University", "Giessen", "DEU")]


def test_affiliation_cut_by_scopus_at_a_semicolon_is_joined(bibexpy):
    # Affiliations "Ludwig-Maximilians-Universität München; LMU Munich School of Management, ..., Germany":
    # a piece without a country followed by ";" belongs to the next one
    assert _affs(bibexpy, "2-s2.0-85196947738") == [
        (1, "Ludwig-Maximilians-Universität München", "München", "DEU"),
        (2, "University of Bamberg", "Bamberg", "DEU"),
    ]


def test_segment_and_fallback_split():
    from innometrics.records.scopus import _segment, _split_at_countries

    known = ("Univ A, Sydney, New South Wales, Australia", "Univ B, Houston, TX, United States", "and")
    assert _segment("Univ A, Sydney, New South Wales, Australia;, Univ B, Houston, TX, United States", known) == \
        list(known[:2])
    assert _segment("Univ A, Sydney, New South Wales, Australia; and", known) == [known[0], "and"]
    assert _segment("Univ A , Sydney, New South Wales, Australia,", known) == [known[0]]
    assert _segment("Univ C, Oslo, Norway", known) is None
    # without known affiliations: cut after the last of consecutive country-like parts
    text = "Univ A, Sydney, New South Wales, Australia, Univ B, Houston, Texas, United States"
    assert _split_at_countries(text, names_country) == \
        ["Univ A, Sydney, New South Wales, Australia", "Univ B, Houston, Texas, United States"]
    assert _split_at_countries("Univ C, North Canton, Ohio", names_country) == ["Univ C, North Canton, Ohio"]
    # the reader knows no countries: without the resolution stage's test the entry is one affiliation
    assert _split_at_countries(text) == [text]


def test_stray_semicolon_in_a_built_record():
    reason, _, _, affs = build_scopus_record({
        "EID": "2-s2.0-2", "Year": "2024", "Authors": "Roe A.; Doe B.",
        "Author full names": "Roe, Ann (1); Doe, Bob (2)",
        "Affiliations": "Univ A, Wagga Wagga, New South Wales, Australia;; Univ B, Houston, TX, United States",
        "Authors with affiliations": "Roe A., Univ A, Wagga Wagga, New South Wales, Australia;, "
                                     "Univ B, Houston, TX, United States; Doe B., Univ B, Houston, TX, United States",
    }, names_country)
    assert reason is None
    assert [(a["position"], a["raw"]) for a in affs] == [
        (1, "Univ A, Wagga Wagga, New South Wales, Australia"), (1, "Univ B, Houston, TX, United States"),
        (2, "Univ B, Houston, TX, United States")]
