"""Designation counts (Highly Cited Researchers style)."""

from __future__ import annotations

import json

import pytest

from innometrics.errors import DataError
from innometrics.views.designations import count_designations, designation_recordset, read_people

PEOPLE = """person,field,primary_affiliation,primary_country,secondary_affiliations,secondary_countries
Ann,Physics,Univ A,USA,Inst B,China
Ann,Chemistry,Univ A,USA,Inst B,China
Bob,Physics,Inst B,China,,
Cat,Cross-Field,Univ C,Germany,Univ A; Inst B,USA; China
"""


@pytest.fixture
def people(write):
    return read_people(write("people.csv", PEOPLE))


def test_designations_not_people(people):
    t = count_designations(people, "institution").set_index("unit")
    # Ann is named in two fields: two designations for Univ A, one person
    assert t.loc["Univ A", "designations"] == 2.0 and t.loc["Univ A", "people"] == 1
    assert t.loc["Inst B", "designations"] == 1.0 and t.loc["Univ C", "designations"] == 1.0
    assert t.loc["Univ A", "rank"] == 1 and t.loc["Inst B", "rank"] == 2 and t.loc["Univ C", "rank"] == 2
    assert t["designations"].sum() == 4.0


def test_fractional_over_primary_and_secondary(people):
    t = count_designations(people, "institution", fractional=True).set_index("unit")
    # Ann x2: 1/2 Univ A + 1/2 Inst B each; Bob: 1 Inst B; Cat: 1/3 each of Univ C, Univ A, Inst B
    assert t.loc["Univ A", "designations_frac"] == pytest.approx(1 + 1 / 3)
    assert t.loc["Inst B", "designations_frac"] == pytest.approx(1 + 1 + 1 / 3)
    assert t.loc["Univ C", "designations_frac"] == pytest.approx(1 / 3)
    assert t["designations_frac"].sum() == pytest.approx(4.0)
    assert t.loc["Inst B", "rank"] == 1


def test_by_country(people):
    t = count_designations(people, "country").set_index("unit")
    assert t.loc["USA", "designations"] == 2.0 and t.loc["CHN", "designations"] == 1.0
    assert t.loc["DEU", "name"] == "Germany"
    assert t.loc["CHN", "designations_frac"] == pytest.approx(2 + 1 / 3)


def test_recordset_layout(people):
    rs = designation_recordset(people, include_secondary=True)
    assert rs.counts["read"] == 4 and len(rs.contributors) == 4
    assert len(rs.affiliations) == 4 + 1 + 1 + 2


@pytest.mark.parametrize("text, column, reason", [
    ("person,field,primary_affiliation\nAnn,,Univ A\n", "field", "missing_value"),
    ("person,field,primary_affiliation,country\nAnn,Physics,Univ A,Atlantis\n", "primary_country", "unknown_country"),
    ("person,field,primary_affiliation,secondary_affiliations,secondary_countries\nAnn,Physics,U,A;B,USA\n",
     "secondary_countries", "length_mismatch"),
])
def test_people_errors(write, text, column, reason):
    with pytest.raises(DataError) as err:
        read_people(write("bad.csv", text))
    assert err.value.column == column and err.value.reason == reason and err.value.row == 2


def test_duplicate_designation_rejected(write):
    with pytest.raises(DataError) as err:
        read_people(write("dup.csv", "person,field,primary_affiliation\nAnn,Physics,U\nAnn,Physics,U\n"))
    assert err.value.reason == "duplicate_key" and err.value.row == 3


def test_designations_view(write, tmp_path):
    from innometrics.views.pipeline import build_designations

    path = write("people.csv", PEOPLE)
    spec = write("hcr.toml", f'[designations]\npath = "{path.name}"\nlevels = ["institution", "country"]\n')
    out = build_designations(spec, tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "designations" and manifest["counts"] == {"read": 4, "used": 4, "rejected": 0}
    assert set(manifest["tables"]) == {"institution", "country", "people"}


def test_country_codes_are_codes_not_us_states(write):
    # issue 11: DE, IN, CA... were read as US states, CN, US, GB, KR not at all
    codes = {"DE": "DEU", "IN": "IND", "CA": "CAN", "IL": "ISR", "ID": "IDN", "MA": "MAR", "CO": "COL",
             "AR": "ARG", "PA": "PAN", "CN": "CHN", "US": "USA", "GB": "GBR", "KR": "KOR"}
    rows = "".join(f"P{i},Physics,Univ {i},{code},Inst {i},{code}\n" for i, code in enumerate(codes))
    people = read_people(write("codes.csv", "person,field,primary_affiliation,primary_country,"
                                            "secondary_affiliations,secondary_countries\n" + rows))
    assert people["primary_country"].tolist() == list(codes.values())
    assert [c[0] for c in people["secondary_countries"]] == list(codes.values())


@pytest.mark.parametrize("column", ["primary_country", "secondary_countries"])
def test_unknown_country_code_is_rejected_with_its_row(write, column):
    text = ("person,field,primary_affiliation,primary_country,secondary_affiliations,secondary_countries\n"
            "Ann,Physics,Univ A,US,Inst B,CN\n")
    text += "Bob,Physics,Univ B,ZZZ,Inst C,CN\n" if column == "primary_country" else "Bob,Physics,Univ B,US,Inst C,ZZZ\n"
    with pytest.raises(DataError) as err:
        read_people(write("bad.csv", text))
    assert (err.value.row, err.value.column, err.value.reason) == (3, column, "unknown_country")
    assert "'ZZZ'" in str(err.value) and "no country has this ISO 3166-1 code" in str(err.value)
