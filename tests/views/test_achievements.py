"""Achievement tables, the main-contributor rule, V, selection and the list build."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from innometrics.errors import DataError, SpecError
from innometrics.views.achievement_lists import (
    build_achievement_lists,
    load_achievement_spec,
    unit_lists,
    write_achievement_lists,
)
from innometrics.views.achievements import (
    load_main_contributors,
    log_sum_score,
    main_contributor_roles,
    read_achievements,
    select_top,
)
from innometrics.rankings.counting import count_units
from innometrics.rankings.engines import connect
from innometrics.registry import get_method, method_names

ROOT = Path(__file__).resolve().parents[2]
DEMO = Path(str(resources.files("innometrics").joinpath("data", "achievements", "chip_landmarks.csv")))
SPEC = ROOT / "examples" / "achievements" / "chip_landmarks.toml"

HEADER = "achievement_id,category,subcategory,year,decade,work,contributor,role,institution,city,country,impact_citations,impact_adoption,source\n"


@pytest.fixture(scope="module")
def eng():
    e = connect("duckdb")
    yield e
    e.close()


@pytest.fixture
def table(tmp_path):
    """X: A first at I1 and I2; B other at I3; C corresponding at I4 (Japan).
    Y: D, E, F without roles (first-listed and last-listed are main), impacts 1000 and 10.
    Z: G equal_first, H equal_first, K last, L other; one institution each."""
    text = HEADER + (
        "X,Chip,CPU,1971,,Work X,A,first,I1,,USA,,,src X\n"
        "X,,,,,,A,,I2,,USA,,,\n"
        "X,,,,,,B,other,I3,,USA,,,\n"
        "X,,,,,,C,corresponding,I4,,Japan,,,\n"
        "Y,Chip,Memory,,1960s,Work Y,D,,I1,,USA,1000,10,src Y\n"
        "Y,,,,,,E,,I5,,DEU,,,\n"
        "Y,,,,,,F,,I6,,GBR,,,\n"
        "Z,Arch,ISA,1985,,Work Z,G,equal_first,I1,,USA,5,,src Z\n"
        "Z,,,,,,H,equal_first,I7,,CHN,,,\n"
        "Z,,,,,,K,last,I8,,FRA,,,\n"
        "Z,,,,,,L,other,I9,,ITA,,,\n"
    )
    path = tmp_path / "ach.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_main_contributor_rule(table):
    aset = read_achievements(table)
    roles = aset.roles.set_index(["record_id", "name"])["is_main"]
    # first + corresponding; 'other' in between is not main, and the last author is not
    # main when a corresponding author is marked
    assert roles["X"].to_dict() == {"A": True, "B": False, "C": True}
    # no role marked: first-listed and last-listed
    assert roles["Y"].to_dict() == {"D": True, "E": False, "F": True}
    # equal_first both count; 'last' marked (not the last listed) stands in for the corresponding author
    assert roles["Z"].to_dict() == {"G": True, "H": True, "K": True, "L": False}


def test_roles_function_last_author_fallback():
    people = pd.DataFrame({"record_id": ["r"] * 3, "position": [1, 2, 3], "name": ["a", "b", "c"],
                           "roles": [["equal_first"], ["equal_first"], ["other"]]})
    assert main_contributor_roles(people)["is_main"].tolist() == [True, True, True]
    people["roles"] = [["other"], ["corresponding"], ["other"]]
    assert main_contributor_roles(people)["is_main"].tolist() == [True, True, False]


def test_reader_record_model(table):
    aset = read_achievements(table)
    rs = aset.recordset
    assert rs.counts == {"read": 3, "used": 3, "rejected": 0}
    assert list(rs.records["record_id"]) == ["X", "Y", "Z"]
    # contributor with two affiliations keeps one position and gets two affiliation rows
    a_rows = rs.affiliations[(rs.affiliations["record_id"] == "X") & (rs.affiliations["position"] == 1)]
    assert sorted(a_rows["institution"]) == ["I1", "I2"]
    assert rs.affiliations.loc[rs.affiliations["institution"] == "I4", "country"].iloc[0] == "JPN"
    assert rs.contributors.loc[rs.contributors["name"] == "C", "is_corresponding"].iloc[0]
    ach = aset.achievements.set_index("record_id")
    assert ach.loc["Y", "year"] == 1960 and ach.loc["Y", "period"] == "1960s"
    assert "role" in aset.contributors.columns


def test_v_score(table):
    ach = read_achievements(table).achievements.set_index("record_id")
    assert ach.loc["Y", "V"] == pytest.approx(math.log10(1000) + math.log10(10))  # 4.0
    assert ach.loc["Y", "n_impact"] == 2
    assert ach.loc["Z", "V"] == pytest.approx(math.log10(5))  # missing dimension skipped
    assert np.isnan(ach.loc["X", "V"]) and ach.loc["X", "n_impact"] == 0
    v = log_sum_score(pd.DataFrame({"a": [100.0, 0.5], "b": [np.nan, 0.5]}))
    assert v["V"].tolist() == pytest.approx([2.0, 2 * math.log10(0.5)])
    assert get_method("score", "log_sum") is log_sum_score


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("X,Chip,CPU,1971,,W,A,boss,I1,,USA,,,s\n", "role", "unknown_role"),
        ("X,Chip,CPU,1971,,W,A,first,I1,,USA,0,,s\n", "impact_citations", "nonpositive_impact"),
        ("X,Chip,CPU,1971,,W,A,first,I1,,USA,many,,s\n", "impact_citations", "non_numeric"),
        ("X,Chip,CPU,,1940,W,A,first,I1,,USA,,,s\n", "decade", "unparsable_year"),
        ("X,Chip,CPU,1971,,W,A,first,I1,,Atlantis,,,s\n", "country", "unknown_country"),
        ("X,Chip,CPU,1971,,W,,first,I1,,USA,,,s\n", "contributor", "missing_value"),
        ("X,Chip,CPU,1971,,W,,first,I1,,USA,,,\n", "source", "missing_value"),
    ],
)
def test_reader_errors_name_row_and_column(tmp_path, row, column, reason):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "Q,Chip,CPU,1950,,Fine,P,first,I0,,USA,,,s\n" + row, encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_achievements(path)
    assert err.value.row == 3 and err.value.column == column and err.value.reason == reason
    assert "row 3" in str(err.value)


def test_reader_conflicting_and_missing_columns(tmp_path):
    path = tmp_path / "conflict.csv"
    path.write_text(HEADER + "X,Chip,CPU,1971,,W,A,first,I1,,USA,,,s\nX,Chip,GPU,,,,B,,I2,,USA,,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="subcategory") as err:
        read_achievements(path)
    assert err.value.reason == "conflicting_value" and err.value.row == 3
    path.write_text("achievement_id,work,contributor\nX,W,A\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing required column") as err:
        read_achievements(path)
    assert err.value.reason == "schema"


def test_main_contributors_counting_full_and_fractional(table, eng):
    aset = read_achievements(table)
    loaded = load_main_contributors(eng, aset)
    inst = count_units(loaded, "institution", "main_contributors").set_index("unit")
    # X: |M| = 2 (A, C); A splits 1/2 over I1, I2; C gives I4 1/2; B (I3) gets nothing
    # Y: D (I1) and F (I6) 1/2 each; Z: G (I1), H (I7), K (I8) 1/3 each
    assert inst.loc["I1", "p_main_contributors"] == pytest.approx(0.25 + 0.5 + 1 / 3)
    assert inst.loc["I4", "p_frac"] == pytest.approx(0.5)
    assert "I3" not in inst.index and "I5" not in inst.index and "I9" not in inst.index
    assert inst.loc["I1", "p_full"] == 3.0  # one per achievement, not per author
    assert inst["p_frac"].sum() == pytest.approx(3.0)
    country = count_units(loaded, "country", "fractional").set_index("unit")
    assert country.loc["USA", "p_frac"] == pytest.approx(0.5 + 0.5 + 1 / 3)
    assert country.loc["USA", "p_full"] == 3.0
    assert country.loc["JPN", "p_full"] == 1.0 and "DEU" not in country.index


def test_main_contributors_method_needs_roles(eng):
    from innometrics.rankings.credits import load_recordset

    assert "main_contributors" in method_names("count")
    loaded = load_recordset(eng, read_achievements(DEMO).recordset)
    with pytest.raises(SpecError, match="load_main_contributors"):
        count_units(loaded, "institution", "main_contributors")


def test_unit_lists_scores_and_drilldown(table, eng):
    aset = read_achievements(table)
    tables, drill = unit_lists(aset, ("institution", "country"), engine=eng)
    inst = tables["institution"].set_index("unit")
    assert inst.loc["I1", "rank"] == 1
    assert inst.loc["I1", "v_sum_full"] == pytest.approx(4.0 + math.log10(5))
    assert inst.loc["I1", "v_sum_frac"] == pytest.approx(0.5 * 4.0 + math.log10(5) / 3)
    assert inst.loc["I1", "n_scored"] == 2
    assert tables["country"]["p_frac"].sum() == pytest.approx(3.0)
    i1 = drill[(drill["level"] == "institution") & (drill["unit"] == "I1")]
    assert sorted(i1["record_id"]) == ["X", "Y", "Z"]


def test_select_top_n_in_field_over_period(table):
    ach = read_achievements(table).achievements
    top = select_top(ach, 1, category="Chip", years=(1950, 1980))
    assert top["record_id"].tolist() == ["Y"]  # scored Y before unscored X
    rejected = top.attrs["rejected"].set_index("record_id")["reason"].to_dict()
    assert rejected == {"X": "below_top_n", "Z": "other_category"}
    assert select_top(ach, None, years=(1970, 1980))["record_id"].tolist() == ["X"]


def test_demo_table_every_row_sourced():
    aset = read_achievements(DEMO)
    ach = aset.achievements
    assert 12 <= len(ach) <= 20
    assert ach["source"].str.len().gt(10).all() and ach["source_url"].str.startswith("http").all()
    works = " ".join(ach["work"])
    for needle in ("von Neumann", "Harvard", "transistor", "4004", "CMOS", "FinFET", "Flash", "ARM"):
        assert needle in works
    vn = ach[ach["work"].str.contains("von Neumann")].iloc[0]
    assert vn["period"] == "1940s"
    people = aset.recordset.contributors[["record_id", "position", "name"]]
    shima = aset.recordset.affiliations.merge(people, on=["record_id", "position"])
    assert shima.loc[shima["name"] == "Masatoshi Shima", "country"].iloc[0] == "JPN"


def test_build_from_spec_and_reproducible(tmp_path):
    spec = load_achievement_spec(SPEC)
    result = build_achievement_lists(spec)
    assert result.summary["counts"] == {"read": 16, "used": 16, "rejected": 0}
    country = result.levels["country"].set_index("unit")
    assert country.loc["USA", "rank"] == 1
    assert country["p_frac"].sum() == pytest.approx(16.0)
    # Intel 4004: Faggin, Hoff, Mazor (Intel, USA) and Shima (Busicom, Japan), all equal first
    assert country.loc["JPN", "p_frac"] == pytest.approx(1.0 + 0.25)
    ranks = result.achievements.groupby("category")["rank_in_category"].apply(list)
    assert all(r == list(range(1, len(r) + 1)) for r in ranks)
    a, b = tmp_path / "a", tmp_path / "b"
    write_achievement_lists(result, a)
    write_achievement_lists(build_achievement_lists(SPEC), b)
    for name in ("achievements.csv", "institution.csv", "country.csv", "drilldown.csv", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["kind"] == "achievements" and manifest["inputs"][0]["sha256"]
    assert set(manifest["tables"]) >= {"achievements", "institution", "country", "drilldown", "rejects"}


def test_selection_rejects_reconcile(table, tmp_path):
    spec = {"achievements": {"path": str(table)}, "select": {"top": 1, "category": "Chip"}}
    result = build_achievement_lists(spec)
    c = result.summary["counts"]
    assert c == {"read": 3, "used": 1, "rejected": 2}
    assert sorted(result.rejects["reason"]) == ["below_top_n", "other_category"]


@pytest.mark.parametrize("bad, key", [({"count": {"variant": "half"}}, "count.variant"),
                                      ({"select": {"top": 0}}, "select.top"),
                                      ({"select": {"years": [2000, 1990]}}, "select.years"),
                                      ({"count": {"levels": ["planet"]}}, "count.levels"),
                                      ({"extra": {}}, "extra")])
def test_spec_errors(bad, key):
    with pytest.raises(SpecError) as err:
        load_achievement_spec({"achievements": {"path": str(DEMO)}, **bad})
    assert err.value.key == key


def test_cli_achievements_build(tmp_path):
    from innometrics.cli.main import app

    res = CliRunner().invoke(app, ["achievements", "build", str(SPEC), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "country.csv").exists()
    res = CliRunner().invoke(app, ["achievements", "build", str(tmp_path / "none.toml"), "--out", str(tmp_path / "x")])
    assert res.exit_code == 2


def test_excel_table_reads_like_csv(tmp_path, table):
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    xlsx = tmp_path / "ach.xlsx"
    frame.to_excel(xlsx, index=False)
    a, b = read_achievements(table), read_achievements(xlsx)
    pd.testing.assert_frame_equal(a.roles, b.roles)
    pd.testing.assert_frame_equal(a.achievements.drop(columns="row"), b.achievements.drop(columns="row"))
    bad = frame.copy()
    bad.loc[3, "role"] = "boss"
    bad.to_excel(xlsx, index=False)
    with pytest.raises(DataError) as err:
        read_achievements(xlsx)
    assert err.value.row == 5 and err.value.column == "role"


@pytest.mark.spark
def test_main_contributor_lists_same_on_spark(table):
    from tools_present import require_spark

    require_spark()
    aset = read_achievements(table)
    # the Spark session is shared with the other Spark tests (getOrCreate): leave it open
    on_spark, drill_spark = unit_lists(aset, engine=connect("spark"))
    on_duckdb, drill_duckdb = unit_lists(aset)
    for level in on_duckdb:
        pd.testing.assert_frame_equal(on_spark[level], on_duckdb[level], check_dtype=False)
    pd.testing.assert_frame_equal(drill_spark, drill_duckdb, check_dtype=False)


# issue 11: a country column is read as codes or names, never through the address parser
MISREAD_CODES = {"DE": "DEU", "IN": "IND", "CA": "CAN", "IL": "ISR", "ID": "IDN", "MA": "MAR", "CO": "COL",
                 "AR": "ARG", "PA": "PAN", "CN": "CHN", "US": "USA", "GB": "GBR", "KR": "KOR",
                 "Deutschland": "DEU", "中国": "CHN", "276": "DEU"}


def test_country_codes_are_codes(tmp_path):
    rows = "".join(f"A{i},Chip,CPU,1971,,W{i},P{i},first,I{i},,{text},,,s\n"
                   for i, text in enumerate(MISREAD_CODES))
    path = tmp_path / "codes.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    aff = read_achievements(path).recordset.affiliations.sort_values("institution", key=lambda s: s.str[1:].astype(int))
    assert aff["country"].tolist() == list(MISREAD_CODES.values())


@pytest.mark.parametrize("text, why", [("ZZZ", "no country has this ISO 3166-1 code"),
                                       ("Virgin Islands", "belongs to several countries")])
def test_unknown_country_code_is_rejected_with_its_row(tmp_path, text, why):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "Q,Chip,CPU,1950,,Fine,P,first,I0,,DE,,,s\n"
                    f"X,Chip,CPU,1971,,W,A,first,I1,,{text},,,s\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_achievements(path)
    assert (err.value.row, err.value.column, err.value.reason) == (3, "country", "unknown_country")
    assert text in str(err.value) and why in str(err.value)
