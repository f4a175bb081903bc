"""The address parser without a registry: campuses, 'The', colleges in universities, streets and titles (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from innometrics.entities.addresses import (
    fold_single_campuses,
    institution_name,
    is_job_title,
    is_postcode,
    is_street,
    parse_address,
    split_campus,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "bibliographic"


@pytest.mark.parametrize("raw, institution", [
    # campus names kept: a US state university is a system of campuses
    ("University of California, Davis, CA, United States", "University of California, Davis"),
    ("University of California, San Francisco, CA, United States", "University of California, San Francisco"),
    ("Herbert Wertheim School of Public Health and Human Longevity Science, University of California, San Diego, "
     "La Jolla, 92093, CA, United States", "University of California, San Diego"),
    # one spelling of a campus
    ("University of California - Irvine, Irvine, United States", "University of California, Irvine"),
    ("The University of Texas at Austin, Austin, TX, United States", "University of Texas, Austin"),
    ("University of Maryland Baltimore County, Baltimore, MD, United States", "University of Maryland Baltimore County"),
    ("Harvard University, Cambridge, MA, United States", "Harvard University"),
    ("University of Toronto, Toronto, ON, Canada", "University of Toronto"),
    # a leading "The" folded
    ("The University of Hong Kong, Hong Kong SAR, China", "University of Hong Kong"),
    ("Faculty of Education, The University of Hong Kong, Pokfulam, Hong Kong", "University of Hong Kong"),
    ("the University of Auckland, Auckland, New Zealand", "University of Auckland"),
    # a university preferred over a college, school or department inside it
    ("Ocean College, Zhejiang University, Hangzhou, China", "Zhejiang University"),
    ("Zhejiang University, Ocean College, Zhoushan, 316021, China", "Zhejiang University"),
    ("Department of Radiology, Union Hospital, Tongji Medical College, Huazhong University of Science and "
     "Technology, Wuhan, 430022, China", "Huazhong University of Science and Technology"),
    ("Boston College, Chestnut Hill, MA, United States", "Boston College"),
    # not a clinic: "Clinical" names a programme
    ("Clinical Epidemiology Program, Ottawa Hospital Research Institute, Ottawa, Canada",
     "Ottawa Hospital Research Institute"),
    # job titles and what they direct are not the organisation
    ("Fellowship Director, Imaging Informatics, and Chief, 3-D and Advanced Imaging, Department of Radiology, "
     "Penn Medicine, Philadelphia, Pennsylvania", "Penn Medicine"),
    ("Director of the Institute for Scientific Information, 33 South 17th Street, Philadelphia, PA, USA",
     "Institute for Scientific Information"),
    ("Professor of Law at Luiss Guido Carli University, Rome, Italy", "Luiss Guido Carli University"),
    # streets and postcodes are not the organisation
    ("Max Planck Institute for Security and Privacy, Universitätsstraße, Bochum, Germany",
     "Max Planck Institute for Security and Privacy"),
    ("School of Computer Science, Institute for Research in Fundamental Science (IPM), P.O. Box 19395-5746, "
     "Tehran, Iran", "Institute for Research in Fundamental Science (IPM)"),
    ("Department of Mechanical Engineering, National Institute of Technology Patna, 800005, India",
     "National Institute of Technology Patna"),
    # the central administration of a society is the society
    ("Division for Science and Innovation Studies, Administrative Headquarters of the Max Planck Society, "
     "Munich, Germany", "Max Planck Society"),
])
def test_scopus_style_institution(raw, institution):
    assert parse_address(raw, style="scopus").institution == institution


@pytest.mark.parametrize("raw, institution, city", [
    ("Langford Lane, Oxford OX5 1AL, England.", None, "Oxford"),
    ("3465 Durocher St, Montreal, PQ H2X 2C6, Canada.", None, "Montreal"),
    # WoS abbreviates Max Planck Gesellschaft "Max Planck Gesell" and Society "Soc"
    ("Max Planck Gesell, Sci Policy & Strategy Dept, Adm Headquarters, Hofgartenstr 8, D-80539 Munich, Germany.",
     "Max Planck Soc", "Munich"),
    ("Adm Headquarters Max Planck Soc, Div Sci & Innovat Studies, Hofgartenstr 8, D-80539 Munich, Germany.",
     "Max Planck Soc", "Munich"),
    ("Max Planck Inst Innovat & Competit, Munich, Germany.", "Max Planck Inst Innovat & Competit", "Munich"),
    ("Univ Calif Davis, Dept Stat, Davis, CA 95616 USA.", "Univ Calif Davis", "Davis"),
])
def test_wos_style_institution(raw, institution, city):
    a = parse_address(raw, style="wos")
    assert (a.institution, a.city) == (institution, city)


def test_street_postcode_and_title_detectors():
    assert [is_street(t) for t in ("Langford Lane", "3465 Durocher St", "Hofgartenstr 8", "Nanyang Avenue")] == \
        [True] * 4
    assert [is_street(t) for t in ("Lane Medical Library", "Ring Road University", "3M Company", "Zhejiang University")] \
        == [False] * 4
    assert [is_postcode(t) for t in ("D-80539", "OX5 1AL", "K1H 8L6", "P.O. Box 19395-5746", "800005")] == [True] * 5
    assert [is_postcode(t) for t in ("3M", "Boston", "A1 Group")] == [False] * 3
    assert [is_job_title(t) for t in ("Fellowship Director", "Senior Lecturer", "Research Fellow", "PhD")] == [True] * 4
    assert [is_job_title(t) for t in ("MD Anderson Cancer Center", "Research Center", "Director General Office",
                                      "Headquarters")] == [False] * 4


def test_campus_names():
    assert split_campus("University of California, Davis") == ("University of California", "Davis")
    assert split_campus("University of North Carolina at Chapel Hill") == ("University of North Carolina", "Chapel Hill")
    assert split_campus("University of California") == ("University of California", None)
    assert split_campus("University of Texas, Texas") is None  # the state is no campus
    assert institution_name("University of California Irvine") == "University of California, Irvine"
    names = ["University of Michigan", "University of Michigan, Ann Arbor", "University of California, Davis",
             "University of California, Irvine", "University of California", None, "University of Georgia, Athens"]
    # Michigan: the system alone and one campus are one university; California: three units; Georgia:
    # with no "University of Georgia" alone in the input, the campus name stays
    assert fold_single_campuses(names) == [
        "University of Michigan", "University of Michigan", "University of California, Davis",
        "University of California, Irvine", "University of California", None, "University of Georgia, Athens"]
