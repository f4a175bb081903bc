"""Patent counting on a small PATSTAT-style case computed by hand (DuckDB and Spark).

tests/data/patents/patstat_example: A1 (EP) and A2 (US) form DOCDB family 100, A3 (DE)
family 200, and the three INPADOC family 900; A4 (CN) is family 300 alone.

========  ====================  ==========================  ==============  ===============
appl.     inventors (country)   applicants                  priority year   IPC fields
========  ====================  ==========================  ==============  ===============
A1        DUPONT FR, MULLER DE  ACME GmbH DE                2009 (granted   18, 33
                                                            2013)
A2        DUPONT FR, SMITH US   Acme Gmbh. DE               2009            18
A3        MULLER DE             ACME GmbH DE                2010            02
A4        WANG CN               Beijing Foo Co. CN, WANG CN 2012            none
========  ====================  ==========================  ==============  ===============
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import SpecError
from innometrics.rankings.pipeline import rank_build, write_rank
from innometrics.entities.resolve import read_resolved

DATA = Path(__file__).resolve().parents[1] / "data" / "patents"
PATSTAT = DATA / "patstat_example"


@pytest.fixture(scope="module")
def patstat():
    return read_resolved(PATSTAT)


def build(patstat, engine=None, *, levels=("country",), method="fractional", **patents):
    spec = {"records": {"path": str(PATSTAT), "format": "patstat"}, "patents": patents,
            "count": {"method": method, "levels": list(levels)}}
    return rank_build(spec, recordset=patstat, engine=engine)


def counts(result, level="country", col="p_frac"):
    df = result.levels[level]
    return {u: round(v, 6) for u, v in zip(df["unit"], df[col])}


def test_inventor_fractional_per_application(patstat, engine):
    r = build(patstat, engine, by="inventor", family="none")
    # A1: FR .5 DE .5; A2: FR .5 US .5; A3: DE 1; A4: CN 1
    assert counts(r) == {"FRA": 1.0, "DEU": 1.5, "USA": 0.5, "CHN": 1.0}
    assert r.summary["counts"] == {"read": 7, "used": 4, "rejected": 3}
    assert r.summary["patents"]["units_counted"] == 4


def test_inventor_full_per_application(patstat, engine):
    r = build(patstat, engine, method="full", by="inventor", family="none")
    assert counts(r, col="p_full") == {"FRA": 2.0, "DEU": 2.0, "USA": 1.0, "CHN": 1.0}


def test_simple_family_counts_each_family_once(patstat, engine):
    r = build(patstat, engine, by="inventor", family="simple")
    # family 100 = A1 + A2: inventors DUPONT (FR), MULLER (DE), SMITH (US), 1/3 each
    third = round(1 / 3, 6)
    assert counts(r) == {"FRA": third, "DEU": round(1 / 3 + 1, 6), "USA": third, "CHN": 1.0}
    assert counts(r, col="p_full") == {"FRA": 1.0, "DEU": 2.0, "USA": 1.0, "CHN": 1.0}
    assert r.summary["counts"]["used"] == 4 and r.summary["patents"]["units_counted"] == 3
    # each family at its earliest priority year
    years = dict(zip(r.records["record_id"], r.records["year"]))
    assert years == {"100": 2009, "200": 2010, "300": 2012}


def test_extended_family(patstat, engine):
    r = build(patstat, engine, by="inventor", family="extended")
    third = round(1 / 3, 6)
    assert counts(r) == {"FRA": third, "DEU": third, "USA": third, "CHN": 1.0}
    assert r.summary["patents"]["units_counted"] == 2


def test_applicant_counting_and_harmonised_names(patstat, engine):
    r = build(patstat, engine, by="applicant", family="simple", levels=("country", "applicant"))
    # family 100: "ACME GmbH" and "Acme Gmbh." are one applicant -> DE 1; 200: DE 1;
    # 300: Beijing Foo (CN) .5 and WANG LI (CN) .5
    assert counts(r) == {"DEU": 2.0, "CHN": 1.0}
    assert counts(r, "applicant") == {"ACME": 2.0, "BEIJING FOO": 0.5, "WANG LI": 0.5}


def test_dates_filing_and_grant(patstat, engine):
    r = build(patstat, engine, by="inventor", family="none", date="filing")
    assert dict(zip(r.records["record_id"], r.records["year"])) == {"A1": 2010, "A2": 2010, "A3": 2011, "A4": 2012}
    g = build(patstat, engine, by="inventor", family="simple", date="grant")
    # only A1 is granted: family 100 counted with A1's inventors alone, in 2013
    assert counts(g) == {"FRA": 0.5, "DEU": 0.5}
    assert dict(zip(g.records["record_id"], g.records["year"])) == {"100": 2013}
    assert g.summary["reject_reasons"]["not_granted"] == 3
    assert g.summary["counts"] == {"read": 7, "used": 1, "rejected": 6}


def test_years_window_rejects_every_member_of_a_family_outside(patstat):
    spec = {"records": {"path": str(PATSTAT)}, "patents": {"family": "simple"},
            "count": {"levels": ["country"], "years": [2009, 2010]}}
    r = rank_build(spec, recordset=patstat)
    assert counts(r) == {"FRA": round(1 / 3, 6), "DEU": round(4 / 3, 6), "USA": round(1 / 3, 6)}
    assert r.summary["counts"] == {"read": 7, "used": 3, "rejected": 4}
    assert list(r.rejects.loc[r.rejects["reason"] == "outside_years", "record_id"]) == ["A4"]


def test_fields_sectors_and_specialisation(patstat, engine, tmp_path):
    r = build(patstat, engine, by="inventor", family="none", levels=("country", "field", "sector"),
              growth_window=[2009, 2010])
    # A1 splits over fields 18 and 33; A2 -> 18; A3 -> 02; A4 has no IPC -> unknown
    assert counts(r, "field") == {"18": 1.5, "33": 0.5, "02": 1.0, "unknown": 1.0}
    assert counts(r, "sector") == {"Chemistry": 1.5, "Other fields": 0.5, "Electrical engineering": 1.0,
                                   "unknown": 1.0}
    f = r.extra["fields"].set_index(["unit", "field"])
    # country x field: A1 FR/DE .5 x 18/33 .5; A2 FR/US .5 x 18; A3 DE x 02
    assert f["p_frac"].round(6).to_dict() == {("DEU", "02"): 1.0, ("DEU", "18"): 0.25, ("DEU", "33"): 0.25,
                                              ("FRA", "18"): 0.75, ("FRA", "33"): 0.25, ("USA", "18"): 0.5}
    # RTA = (c(u,f) / c(u,.)) / (c(.,f) / c(.,.)), total 3
    assert f.loc[("FRA", "18"), "rta"] == pytest.approx((0.75 / 1.0) / (1.5 / 3.0))
    assert f.loc[("DEU", "02"), "rta"] == pytest.approx((1.0 / 1.5) / (1.0 / 3.0))
    assert f.loc[("USA", "18"), "share_of_field"] == pytest.approx(0.5 / 1.5)
    assert f.loc[("FRA", "18"), "p_frac_first"] == pytest.approx(0.75)
    assert f.loc[("FRA", "18"), "growth"] == 0.0 and f.loc[("FRA", "18"), "cagr"] == -1.0
    assert pd.isna(f.loc[("DEU", "02"), "growth"])  # nothing in the first year
    out = write_rank(r, tmp_path / "out")
    assert (out / "fields.csv").exists() and (out / "sector.csv").exists()


def test_patents_per_million(patstat, tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_text("unit,year,population\nFRA,2009,2000000\nDEU,2010,4000000\n", encoding="utf-8")
    r = build(patstat, by="inventor", family="none", population_file=str(pop))
    pm = r.extra["per_million"].set_index(["unit", "year"])
    assert pm.loc[("FRA", 2009), "p_frac_per_million"] == pytest.approx(1.0 / 2.0)
    assert pm.loc[("DEU", 2010), "p_frac_per_million"] == pytest.approx(1.0 / 4.0)
    assert len(pm) == 2


def test_patent_spec_errors():
    from innometrics.rankings.spec import load_spec

    with pytest.raises(SpecError, match="patents.family"):
        load_spec({"records": {"path": "x"}, "patents": {"family": "docdb"}})
    with pytest.raises(SpecError, match="unknown level 'institution'"):
        load_spec({"records": {"path": "x", "format": "espacenet"}, "count": {"levels": ["institution"]}})
    with pytest.raises(SpecError, match="unknown level 'field'"):
        load_spec({"records": {"path": "x"}, "count": {"levels": ["field"]}})


def test_patentsview_inventor_countries_against_pandas():
    """Fractional inventor-country counts of the PatentsView sample vs a pandas computation of the TSVs."""
    folder = DATA / "patentsview_pipeline_sample"
    spec = {"records": {"path": str(folder), "format": "patentsview"}, "patents": {"by": "inventor"},
            "count": {"method": "fractional", "levels": ["country"]}}
    r = rank_build(spec)
    inv = pd.read_csv(folder / "g_inventor_disambiguated.tsv", sep="\t", dtype=str, keep_default_na=False)
    loc = pd.read_csv(folder / "g_location_disambiguated.tsv", sep="\t", dtype=str, keep_default_na=False)
    import pycountry

    a3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    inv = inv.drop_duplicates(["patent_id", "inventor_id"]).merge(loc[["location_id", "disambig_country"]],
                                                                  on="location_id", how="left")
    inv["unit"] = inv["disambig_country"].map(a3).fillna("unknown")
    inv["w"] = 1.0 / inv.groupby("patent_id")["inventor_id"].transform("size")
    expected = inv.groupby("unit")["w"].sum()
    n_patents = 4704
    expected["unknown"] = expected.get("unknown", 0.0) + (n_patents - inv["patent_id"].nunique())
    ours = r.levels["country"].set_index("unit")["p_frac"]
    assert set(ours.index) == set(expected.index)
    assert (ours - expected[ours.index]).abs().max() < 1e-8
    assert ours.sum() == pytest.approx(n_patents)


def test_patentsview_party_rows_keyed_by_identifier_alone():
    """The PatentsView party rows projected without names (every row has a person id, so
    the inventors are their ids) count as the rank build does, on the engine's own path
    (views read in place, stored projection, a one-off fractional count)."""
    from innometrics.rankings.counting import unit_counts
    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines import connect_duckdb
    from innometrics.rankings.patents import project
    from innometrics.records.patentsview import patentsview_relations

    folder = DATA / "patentsview_pipeline_sample"
    spec = {"records": {"path": str(folder), "format": "patentsview"}, "patents": {"by": "inventor"},
            "count": {"method": "fractional", "levels": ["country"]}}
    expected = rank_build(spec).levels["country"].set_index("unit")["p_frac"]
    eng = connect_duckdb(threads=1)
    patentsview_relations(eng.con.con, folder)
    parties = eng.con.table("pv_party_rows").select("record_id", "role", "identifier", "country")
    r, c, a, _ = project(eng.con.table("pv_records"), parties, None, by="inventor", engine=eng)
    ours = unit_counts(load_tables(eng, r, c, a, levels=("country",)), "country").set_index("unit")["p_frac"]
    assert set(ours.index) == set(expected.index) and (ours - expected[ours.index]).abs().max() < 1e-9
    assert ours.sum() == pytest.approx(4704)


def test_lens_applicants_harmonised():
    spec = {"records": {"path": str(DATA / "lens_sangamo" / "lens-export.csv"), "format": "lens"},
            "patents": {"by": "applicant", "family": "simple"},
            "count": {"method": "full", "levels": ["applicant", "country"]}}
    r = rank_build(spec)
    app = counts(r, "applicant", "p_full")
    # "SANGAMO BIOSCIENCES INC" and "SANGAMO THERAPEUTICS INC" are two names (a renaming), legal form stripped
    assert app["SANGAMO THERAPEUTICS"] + app["SANGAMO BIOSCIENCES"] >= 130
    assert "DOW AGROSCIENCES" in app and "UNIV TEXAS" in app
    assert counts(r, "country", "p_full") == {"unknown": 130.0}  # Lens gives no countries


def test_grouping_of_fields(patstat, tmp_path):
    mapping = tmp_path / "food.csv"
    mapping.write_text("unit,group\n18,food\n33,food\n", encoding="utf-8")
    spec = {"records": {"path": str(PATSTAT)}, "patents": {},
            "groupings": {"foodtech": {"from": "field", "file": str(mapping), "unmapped": "other"}},
            "count": {"levels": ["foodtech", "country"]}}
    r = rank_build(spec, recordset=patstat)
    # A1 (18, 33) -> food 1; A2 (18) -> food 1; A3 (02) -> other; A4 unknown
    assert counts(r, "foodtech") == {"food": 2.0, "other": 1.0, "unknown": 1.0}
