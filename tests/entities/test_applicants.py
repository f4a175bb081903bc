"""Harmonised applicant names."""

import pytest

from innometrics.entities.applicants import harmonise_applicant


@pytest.mark.parametrize("names, key", [
    (["Samsung Electronics Co., Ltd.", "SAMSUNG ELECTRONICS CO LTD", "Samsung Electronics Co Ltd"], "SAMSUNG ELECTRONICS"),
    (["Siemens AG", "Siemens Aktiengesellschaft", "SIEMENS AG."], "SIEMENS"),
    (["BASF GmbH", "BASF Gmbh."], "BASF"),
    (["Sony Corp.", "SONY CORPORATION", "Sony Corporation"], "SONY"),
    (["KABUSHIKI KAISHA TOSHIBA", "Toshiba K.K."], "TOSHIBA"),
    (["Nestec S.A.", "NESTEC SA"], "NESTEC"),
    (["Dow AgroSciences LLC", "DOW AGROSCIENCES LLC"], "DOW AGROSCIENCES"),
])
def test_variants_fold_to_one_key(names, key):
    assert {harmonise_applicant(n) for n in names} == {key}


def test_names_without_legal_form_and_other_scripts():
    assert harmonise_applicant("UNIV TEXAS") == "UNIV TEXAS"
    assert harmonise_applicant("Müller-Thurgau Weinbau") == "MULLER THURGAU WEINBAU"
    assert harmonise_applicant("三星电子株式会社") == "三星电子株式会社"
    assert harmonise_applicant("  ") is None and harmonise_applicant(None) is None


def test_applicant_match_texts_skip_firms_and_turn_derwent_names():
    from innometrics.entities.applicants import applicant_match_texts, has_legal_form

    assert applicant_match_texts("UNIV TIANJIN") == ["University of TIANJIN", "TIANJIN University"]
    assert applicant_match_texts("University of Tokyo") == ["University of Tokyo"]
    for firm in ("Magic Leap, Inc.", "Vertex Pharmaceuticals Incorporated", "SAMSUNG ELECTRONICS CO LTD",
                 "Switch Tech, Inc."):
        assert has_legal_form(firm) and applicant_match_texts(firm) == [], firm
    # a legal form with a university or research word: a technology-transfer company is looked up
    assert applicant_match_texts("YISSUM RESEARCH DEVELOPMENT COMPANY OF THE HEBREW UNIVERSITY OF JERUSALEM LTD.")
    assert applicant_match_texts("Lawrence Livermore National Security, LLC")
    assert applicant_match_texts(None) == [] and applicant_match_texts("  ") == []

