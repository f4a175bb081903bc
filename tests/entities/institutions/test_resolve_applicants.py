"""Patent applicants resolved to ROR research organisations (the registry sample)."""

from __future__ import annotations


def test_resolve_applicants_on_the_registry_sample(registry):
    import pandas as pd

    from innometrics.entities.institutions.resolve import resolve_applicants

    names = pd.Series(["UNIV WASHINGTON", "UNIV SOUTHERN CALIFORNIA", "THE JOHNS HOPKINS UNIVERSITY",
                       "Magic Leap, Inc.", "UNIV MINNESOTA", "UNIV WASHINGTON", "SANGAMO THERAPEUTICS INC"])
    countries = pd.Series([None, None, "USA", None, "USA", None, "USA"])
    found, counts = resolve_applicants(names, countries, registry)
    assert found["ror_id"].fillna("").tolist() == [
        "https://ror.org/00cvxb145", "https://ror.org/03taz7m60", "https://ror.org/00za53h95", "",
        "https://ror.org/017zqws13", "https://ror.org/00cvxb145", ""]
    assert found.loc[1, "ror_name"] == "University of Southern California"  # not California Southern University
    assert counts == {"applicants": 6, "looked_up": 4, "matched": 4, "share_matched": round(4 / 6, 6)}
