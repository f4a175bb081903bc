"""Nature Index conventions: Count, Share, adjusted Share, parent roll-up, joint credit, CS."""

from __future__ import annotations

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.rankings.credits import load_recordset
from innometrics.rankings.engines import connect
from innometrics.records.model import RecordSet
from innometrics.views.nature_index import (
    adjusted_share,
    collaboration_score,
    collaboration_scores,
    institution_grouping,
    read_relations,
    research_leaders,
    top_ancestors,
)


@pytest.fixture(scope="module")
def eng():
    e = connect("duckdb")
    yield e
    e.close()


def make(records, authors):
    """records: [(id, year)]; authors: [(id, position, [(institution, country), ...])]."""
    recs = [dict(record_id=r, year=y, weight=1.0) for r, y in records]
    cons = [dict(record_id=r, position=p, name=f"{r}-{p}", is_corresponding=False) for r, p, _ in authors]
    affs = [dict(record_id=r, position=p, institution=i, country=c) for r, p, a in authors for i, c in a]
    return RecordSet.from_rows(recs, cons, affs, [], read=len(recs)).validate()


@pytest.fixture(scope="module")
def data(eng):
    """R1 (2015): A at lab (child of inst, child of univ), B at univ.
    R2 (2015): A at univ and JL (joint lab of univ and partner P2).
    R3 (2016): A at X, B at Y.  R4 (2016): A at X, B at Y, C at Z, D at Z.
    R5..R8 (2016): one author at W each (so N(2016) = 6, N(2015) = 2)."""
    records = [("R1", 2015), ("R2", 2015), ("R3", 2016), ("R4", 2016)] + [(f"R{i}", 2016) for i in range(5, 9)]
    authors = [
        ("R1", 1, [("lab", "USA")]), ("R1", 2, [("univ", "USA")]),
        ("R2", 1, [("univ", "USA"), ("JL", "CHN")]),
        ("R3", 1, [("X", "DEU")]), ("R3", 2, [("Y", "FRA")]),
        ("R4", 1, [("X", "DEU")]), ("R4", 2, [("Y", "FRA")]), ("R4", 3, [("Z", "ITA")]), ("R4", 4, [("Z", "ITA")]),
    ] + [(f"R{i}", 1, [("W", "ESP")]) for i in range(5, 9)]
    return load_recordset(eng, make(records, authors))


RELATIONS = pd.DataFrame({"child_id": ["lab", "inst"], "parent_id": ["inst", "univ"]})
JOINTS = pd.DataFrame({"joint_id": ["JL", "JL"], "partner_id": ["univ", "P2"]})


def test_count_and_share(data):
    table, summary = research_leaders(data, "institution")
    t = table.set_index("unit")
    assert t.loc["X", "count"] == 2.0 and t.loc["X", "share"] == pytest.approx(0.5 + 0.25)
    assert t.loc["W", "share"] == 4.0 and t.loc["W", "rank"] == 1
    assert t.loc["univ", "share"] == pytest.approx(0.5 + 0.5)  # R1 B, R2 A half
    assert summary["additive"] and summary["sum_share"] == pytest.approx(8.0)
    by_count, _ = research_leaders(data, "institution", rank_by="count")
    assert by_count.iloc[0]["unit"] == "W"


def test_parent_roll_up(data):
    assert top_ancestors(RELATIONS) == {"lab": "univ", "inst": "univ"}
    table, summary = research_leaders(data, "institution", relations=RELATIONS)
    t = table.set_index("unit")
    # R1 has authors at lab (-> univ) and univ: counted once for univ, Shares added
    assert t.loc["univ", "count"] == 2.0
    assert t.loc["univ", "share"] == pytest.approx(0.5 + 0.5 + 0.5)
    assert "lab" not in t.index
    assert summary["additive"]


def test_relation_errors(tmp_path):
    with pytest.raises(DataError) as err:
        top_ancestors(pd.DataFrame({"child_id": ["a", "b"], "parent_id": ["b", "a"]}))
    assert err.value.reason == "cycle"
    with pytest.raises(DataError) as err:
        top_ancestors(pd.DataFrame({"child_id": ["a", "a"], "parent_id": ["b", "c"]}))
    assert err.value.reason == "duplicate_key"
    path = tmp_path / "rel.csv"
    path.write_text("child,parent\nlab,univ\n", encoding="utf-8")
    with pytest.raises(DataError, match="child_id"):
        read_relations(path)


def test_joint_institution_credits_each_partner_in_full(data):
    table, summary = research_leaders(data, "institution", relations=RELATIONS, joints=JOINTS)
    t = table.set_index("unit")
    # R2: A has two affiliations (univ, JL): 1/2 each. JL's 1/2 goes to univ and to P2 in full.
    assert t.loc["P2", "share"] == pytest.approx(0.5)
    assert t.loc["P2", "count"] == 1.0
    # univ: R1 (1/2 + 1/2), R2 (1/2 own + 1/2 via JL) -> counted once per record
    assert t.loc["univ", "share"] == pytest.approx(2.0)
    assert t.loc["univ", "count"] == 2.0
    assert bool(t.loc["P2", "non_additive"]) and bool(t.loc["univ", "non_additive"])
    assert not bool(t.loc["X", "non_additive"])
    assert not summary["additive"] and summary["joint_credit"]
    assert summary["sum_share"] == pytest.approx(8.5)  # the total (8) plus JL's share credited twice
    _, mapping = institution_grouping(RELATIONS, JOINTS)
    assert sorted(mapping.loc[mapping["unit"] == "JL", "group"]) == ["P2", "univ"]


def test_adjusted_share(data):
    adj = adjusted_share(data, "institution", base_year=2015).set_index(["unit", "year"])
    # N(2015) = 2 records, N(2016) = 6: X's Share 0.75 in 2016 is 0.75 * 2 / 6 at 2015 levels
    assert adj.loc[("X", 2016), "n_year"] == 6.0
    assert adj.loc[("X", 2016), "adjusted_share"] == pytest.approx(0.75 * 2 / 6)
    assert adj.loc[("univ", 2015), "adjusted_share"] == pytest.approx(adj.loc[("univ", 2015), "share"])
    with pytest.raises(DataError):
        adjusted_share(data, "institution", base_year=1999)


def test_collaboration_score(data):
    # R3: X 1/2, Y 1/2; R4: X 1/4, Y 1/4  -> CS = 1.5 over 2 records
    assert collaboration_score(data, "X", "Y") == pytest.approx(1.5)
    assert collaboration_score(data, "Y", "X") == pytest.approx(1.5)
    cs = collaboration_scores(data, "institution").set_index(["unit_a", "unit_b"])
    assert cs.loc[("X", "Y"), "n_records"] == 2
    assert cs.loc[("X", "Z"), "cs"] == pytest.approx(0.25 + 0.5)
    assert collaboration_score(data, "W", "X") == 0.0
    country = collaboration_scores(data, "country").set_index(["unit_a", "unit_b"])
    assert country.loc[("DEU", "FRA"), "cs"] == pytest.approx(1.5)


# -- whole tables, derived by hand from the records of `data` (issue 17) -----------------------
#
# Share: each record's credit of 1 split equally among its authors, each author's part equally
# among the author's affiliations; Count: 1 per record with an author at the unit.
#   R1 (2015): lab 1/2, univ 1/2             R2 (2015): univ 1/2, JL 1/2 (one author, two affiliations)
#   R3 (2016): X 1/2, Y 1/2                  R4 (2016): X 1/4, Y 1/4, Z 1/4 + 1/4
#   R5..R8 (2016): W 1 each
# Ranked by Share, then unit (byte order); tied units share the best rank (1, 2, 3, 3, 5).

COLUMNS = ["rank", "unit", "name", "count", "share", "share_of_total", "non_additive"]


def leaders_frame(rows, total):
    """The expected table from (rank, unit, name, count, share, non_additive) rows."""
    df = pd.DataFrame([(r, u, n, c, s, s / total, j) for r, u, n, c, s, j in rows], columns=COLUMNS)
    return df.astype({"rank": "Int64", "unit": object, "name": object})


def assert_leaders(table, expected):
    assert table.columns.tolist() == COLUMNS
    assert table["rank"].dtype == "Int64"
    pd.testing.assert_frame_equal(table.astype({"unit": object, "name": object}), expected, check_exact=False,
                                  rtol=1e-12)


def test_leaders_table_by_share_and_by_count(data):
    table, summary = research_leaders(data)
    assert_leaders(table, leaders_frame([
        (1, "W", "W", 4.0, 4.0, False), (2, "univ", "univ", 2.0, 1.0, False),
        (3, "X", "X", 2.0, 0.75, False), (3, "Y", "Y", 2.0, 0.75, False),
        (5, "JL", "JL", 1.0, 0.5, False), (5, "Z", "Z", 1.0, 0.5, False), (5, "lab", "lab", 1.0, 0.5, False),
    ], total=8))
    assert summary == {"records": 8, "total_weight": 8.0, "sum_share": pytest.approx(8.0), "additive": True,
                       "joint_credit": False, "rank_by": "share"}
    table, summary = research_leaders(data, "institution", rank_by="count")
    assert_leaders(table, leaders_frame([
        (1, "W", "W", 4.0, 4.0, False), (2, "X", "X", 2.0, 0.75, False), (2, "Y", "Y", 2.0, 0.75, False),
        (2, "univ", "univ", 2.0, 1.0, False),
        (5, "JL", "JL", 1.0, 0.5, False), (5, "Z", "Z", 1.0, 0.5, False), (5, "lab", "lab", 1.0, 0.5, False),
    ], total=8))
    assert summary["rank_by"] == "count"


def test_leaders_by_country_use_the_iso_names(data):
    # R1: both authors in the USA (1); R2: the author's two affiliations, USA and CHN, 1/2 each
    table, summary = research_leaders(data, "country")
    assert_leaders(table, leaders_frame([
        (1, "ESP", "Spain", 4.0, 4.0, False), (2, "USA", "United States", 2.0, 1.5, False),
        (3, "DEU", "Germany", 2.0, 0.75, False), (3, "FRA", "France", 2.0, 0.75, False),
        (5, "CHN", "China", 1.0, 0.5, False), (5, "ITA", "Italy", 1.0, 0.5, False),
    ], total=8))
    assert summary["additive"] and summary["records"] == 8


def test_leaders_of_one_period(data):
    table, summary = research_leaders(data, period=2015)  # R1 and R2 only
    assert_leaders(table, leaders_frame([
        (1, "univ", "univ", 2.0, 1.0, False), (2, "JL", "JL", 1.0, 0.5, False), (2, "lab", "lab", 1.0, 0.5, False),
    ], total=2))
    assert (summary["records"], summary["total_weight"], summary["additive"]) == (2, 2.0, True)


def test_leaders_with_roll_up_and_joint_credit(data):
    # lab -> inst -> univ; JL is run by univ and P2, each credited JL's whole Share (1/2 on R2)
    table, summary = research_leaders(data, relations=RELATIONS, joints=JOINTS)
    expected = leaders_frame([
        (1, "W", "W", 4.0, 4.0, False), (2, "univ", "univ", 2.0, 2.0, True),
        (3, "X", "X", 2.0, 0.75, False), (3, "Y", "Y", 2.0, 0.75, False),
        (5, "P2", None, 1.0, 0.5, True), (5, "Z", "Z", 1.0, 0.5, False),
    ], total=8)
    expected["name"] = expected["name"].astype(object).where(expected["unit"] != "P2", float("nan"))
    assert_leaders(table, expected)
    assert summary == {"records": 8, "total_weight": 8.0, "sum_share": pytest.approx(8.5), "additive": False,
                       "joint_credit": True, "rank_by": "share"}
    # joints alone: JL's Share goes to univ and to P2; nothing rolls up
    table, summary = research_leaders(data, joints=JOINTS)
    t = table.set_index("unit")
    assert t.loc["univ", "share"] == pytest.approx(1.5) and t.loc["lab", "share"] == pytest.approx(0.5)
    assert "JL" not in t.index and summary["joint_credit"]


def test_leaders_with_a_given_grouping(data):
    from innometrics.rankings.counting import Grouping

    mapping = pd.DataFrame({"unit": ["X", "Y"], "group": ["XY", "XY"], "group_name": ["X and Y", "X and Y"]})
    grouping = Grouping(name="pairs", base="institution", mapping=mapping, unmapped="keep")
    table, summary = research_leaders(data, "institution", grouping=grouping)
    t = table.set_index("unit")
    # R3 and R4 have authors at X and Y: counted once each; Shares added (1 + 1/2)
    assert (t.loc["XY", "count"], t.loc["XY", "share"], t.loc["XY", "name"]) == (2.0, 1.5, "X and Y")
    assert t.loc["XY", "rank"] == 2 and summary["additive"]


def test_unknown_units_are_last_and_unranked(eng):
    # one author without an affiliation: half of the record's credit is unknown
    loaded = load_recordset(eng, make([("R1", 2015)], [("R1", 1, [("X", "DEU")]), ("R1", 2, [])]))
    table, summary = research_leaders(loaded)
    assert table["unit"].tolist() == ["X", "unknown"]
    assert table["rank"].tolist()[0] == 1 and table["rank"].isna().tolist() == [False, True]
    assert table["share"].tolist() == [0.5, 0.5] and summary["additive"]
    assert len(collaboration_scores(loaded)) == 0  # unknown collaborates with nobody


def test_leaders_parameter_errors(data):
    from innometrics.errors import SpecError

    with pytest.raises(SpecError, match="rank_by must be 'share' or 'count'; got 'p_full'") as err:
        research_leaders(data, rank_by="p_full")
    assert err.value.key == "nature_index.rank_by"
    with pytest.raises(SpecError) as err:
        research_leaders(data, "country", relations=RELATIONS)
    assert str(err.value).endswith(": parent roll-up and joint institutions apply to the institution level")
    assert err.value.key == "nature_index.level"


def test_adjusted_share_table(data):
    # N(2015) = 2, N(2016) = 6; at 2016 levels a 2015 Share is multiplied by 6 / 2
    adj = adjusted_share(data, base_year=2016)
    expected = pd.DataFrame([
        ("JL", 2015, 1.0, 0.5, 2.0, 1.5), ("W", 2016, 4.0, 4.0, 6.0, 4.0), ("X", 2016, 2.0, 0.75, 6.0, 0.75),
        ("Y", 2016, 2.0, 0.75, 6.0, 0.75), ("Z", 2016, 1.0, 0.5, 6.0, 0.5), ("lab", 2015, 1.0, 0.5, 2.0, 1.5),
        ("univ", 2015, 2.0, 1.0, 2.0, 3.0),
    ], columns=["unit", "year", "count", "share", "n_year", "adjusted_share"])
    pd.testing.assert_frame_equal(adj.astype({"unit": object}), expected.astype({"unit": object}), check_dtype=False)
    assert adj.attrs == {"base_year": 2016, "n_base": 6.0}
    # one window: 2016 only, at 2015 levels (factor 2 / 6)
    adj = adjusted_share(data, "country", base_year=2015, years=(2016, 2016)).set_index("unit")
    assert sorted(adj.index) == ["DEU", "ESP", "FRA", "ITA"] and set(adj["year"]) == {2016}
    assert adj.loc["ESP", "adjusted_share"] == pytest.approx(4.0 * 2 / 6)
    with pytest.raises(DataError, match="base year 1999 has no record") as err:
        adjusted_share(data, base_year=1999)
    assert (err.value.column, err.value.reason) == ("year", "empty_base_year")


def test_collaboration_scores_table(data):
    cs = collaboration_scores(data)
    expected = pd.DataFrame([
        ("X", "Y", 2, 0.75, 0.75, 1.5),  # R3 1/2 + 1/2, R4 1/4 + 1/4
        ("JL", "univ", 1, 0.5, 0.5, 1.0),  # R2: one author at both
        ("lab", "univ", 1, 0.5, 0.5, 1.0),  # R1
        ("X", "Z", 1, 0.25, 0.5, 0.75), ("Y", "Z", 1, 0.25, 0.5, 0.75),  # R4: Z has two authors
    ], columns=["unit_a", "unit_b", "n_records", "share_a", "share_b", "cs"])
    pd.testing.assert_frame_equal(cs.astype({"unit_a": object, "unit_b": object}),
                                  expected.astype({"unit_a": object, "unit_b": object}), check_dtype=False)
    # pairs of X only, with at least two shared records; in one period
    assert collaboration_scores(data, units=["Z"])[["unit_a", "unit_b"]].values.tolist() == [["X", "Z"], ["Y", "Z"]]
    assert collaboration_scores(data, min_records=2)[["unit_a", "unit_b"]].values.tolist() == [["X", "Y"]]
    assert collaboration_scores(data, period=2015)["cs"].tolist() == [1.0, 1.0]
    assert collaboration_score(data, "univ", "lab") == collaboration_score(data, "lab", "univ") == 1.0
    assert collaboration_score(data, "Z", "X", level="institution") == pytest.approx(0.75)
    assert collaboration_score(data, "ITA", "DEU", "country") == pytest.approx(0.75)
    assert collaboration_score(data, "X", "Y", period=2015) == 0.0


def test_mapping_tables_are_read_and_checked(tmp_path):
    from innometrics.views.nature_index import read_joint_institutions

    path = tmp_path / "rel.csv"
    path.write_text("child_id,parent_id,note\n lab , inst\ninst,univ\nlab,inst\n", encoding="utf-8")
    # cells stripped, duplicates dropped, other columns left out
    pd.testing.assert_frame_equal(read_relations(path),
                                  pd.DataFrame({"child_id": ["lab", "inst"], "parent_id": ["inst", "univ"]}),
                                  check_dtype=False)
    joints = tmp_path / "joints.csv"
    joints.write_text("joint_id,partner_id\nJL,univ\nJL,P2\n", encoding="utf-8")
    assert read_joint_institutions(joints).values.tolist() == [["JL", "univ"], ["JL", "P2"]]
    with pytest.raises(DataError) as err:
        read_relations(tmp_path / "missing.csv")
    assert str(err.value) == f"{tmp_path / 'missing.csv'}: mapping table not found"
    assert (err.value.file, err.value.reason) == (str(tmp_path / "missing.csv"), "not_found")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="the mapping table is empty"):
        read_relations(empty)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("joint_id,partner\nJL,univ\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"needs columns 'joint_id' and 'partner_id'; missing \['partner_id'\]; "
                                        r"found \['joint_id', 'partner'\]") as err:
        read_joint_institutions(wrong)
    assert (err.value.file, err.value.row, err.value.reason) == (str(wrong), 1, "schema")
    blank = tmp_path / "blank.csv"
    blank.write_text("child_id,parent_id\nlab,inst\ninst,univ\nx, \n", encoding="utf-8")
    with pytest.raises(DataError, match="blank parent_id") as err:
        read_relations(blank)
    # the header is line 1: the third data row is line 4
    assert (err.value.file, err.value.row, err.value.column, err.value.reason) == \
        (str(blank), 4, "parent_id", "missing_value")


def test_relation_error_details():
    with pytest.raises(DataError, match=r"the parent relations form a cycle: a -> b -> c -> a") as err:
        top_ancestors(pd.DataFrame({"child_id": ["a", "b", "c"], "parent_id": ["b", "c", "a"]}), file="rel.csv")
    assert (err.value.file, err.value.column) == ("rel.csv", "parent_id")
    duplicated = pd.DataFrame({"child_id": ["x", "a", "b", "a", "b"], "parent_id": ["y", "c", "d", "b2", "e"]})
    with pytest.raises(DataError, match=r"child 'a' has several parents \(b2, c\); give one parent per child") as err:
        top_ancestors(duplicated, file="rel.csv")
    assert (err.value.file, err.value.column) == ("rel.csv", "child_id")
    assert err.value.failures["child_id"].tolist() == ["a", "b", "a", "b"]
    # chains of any length end at the top ancestor; a parent of nothing is not a key
    assert top_ancestors(pd.DataFrame({"child_id": ["d", "c", "b"], "parent_id": ["c", "b", "a"]})) == \
        {"d": "a", "c": "a", "b": "a"}


def test_institution_grouping_mapping():
    grouping, mapping = institution_grouping(RELATIONS, JOINTS, name="parents")
    assert (grouping.name, grouping.base, grouping.unmapped) == ("parents", "institution", "keep")
    assert mapping.values.tolist() == [["JL", "P2", True], ["JL", "univ", True], ["inst", "univ", False],
                                       ["lab", "univ", False]]
    assert grouping.mapping.values.tolist() == [["JL", "P2"], ["JL", "univ"], ["inst", "univ"], ["lab", "univ"]]
    assert mapping.index.tolist() == [0, 1, 2, 3]
    # a joint institution that is also someone's child is credited to its partners only
    grouping, mapping = institution_grouping(pd.DataFrame({"child_id": ["JL"], "parent_id": ["univ"]}), JOINTS)
    assert mapping.values.tolist() == [["JL", "P2", True], ["JL", "univ", True]]
    # partners roll up to their top ancestors; no relations at all
    grouping, mapping = institution_grouping(None, pd.DataFrame({"joint_id": ["JL", "JL"], "partner_id": ["lab", "P2"]}))
    assert mapping.values.tolist() == [["JL", "P2", True], ["JL", "lab", True]]
    grouping, mapping = institution_grouping(RELATIONS, pd.DataFrame({"joint_id": ["JL", "JL"],
                                                                      "partner_id": ["lab", "P2"]}))
    assert mapping.values.tolist() == [["JL", "P2", True], ["JL", "univ", True], ["inst", "univ", False],
                                       ["lab", "univ", False]]
    grouping, mapping = institution_grouping(RELATIONS.iloc[:0], None)
    assert len(mapping) == 0 and grouping.name == "parent_institution"


def weighted_records(eng):
    """Records with weights (the Nature Index weights some journals, e.g. 0.2):
    2015: R1 (1.0) U; R2 (0.2) U.   2016: R3 (0.2) U; R4 (1.0) V and W; R5 (1.0) V."""
    rows = [("R1", 2015, 1.0), ("R2", 2015, 0.2), ("R3", 2016, 0.2), ("R4", 2016, 1.0), ("R5", 2016, 1.0)]
    authors = [("R1", 1, "U"), ("R2", 1, "U"), ("R3", 1, "U"), ("R4", 1, "V"), ("R4", 2, "W"), ("R5", 1, "V")]
    recs = [dict(record_id=r, year=y, weight=w) for r, y, w in rows]
    cons = [dict(record_id=r, position=p, name=f"{r}-{p}", is_corresponding=False) for r, p, _ in authors]
    affs = [dict(record_id=r, position=p, institution=i, country="DEU") for r, p, i in authors]
    return load_recordset(eng, RecordSet.from_rows(recs, cons, affs, [], read=len(recs)).validate())


def test_adjusted_share_uses_the_total_weight_of_each_year(eng):
    # N(2015) = 1 + 0.2 = 1.2 and N(2016) = 0.2 + 1 + 1 = 2.2 (not the 2 and 3 records)
    adj = adjusted_share(weighted_records(eng), base_year=2015).set_index(["unit", "year"])
    assert adj["n_year"].tolist() == pytest.approx([1.2, 2.2, 2.2, 2.2])
    assert adj.loc[("U", 2015), "adjusted_share"] == pytest.approx(1.2)
    assert adj.loc[("U", 2016), "adjusted_share"] == pytest.approx(0.2 * 1.2 / 2.2)
    assert adj.loc[("V", 2016), "adjusted_share"] == pytest.approx((0.5 + 1.0) * 1.2 / 2.2)
    assert adj.loc[("W", 2016), "adjusted_share"] == pytest.approx(0.5 * 1.2 / 2.2)
    table, summary = research_leaders(weighted_records(eng))
    assert (summary["records"], summary["total_weight"]) == (5, pytest.approx(3.4))
    assert table.set_index("unit")["share_of_total"].to_dict() == pytest.approx(
        {"V": 1.5 / 3.4, "U": 1.4 / 3.4, "W": 0.5 / 3.4})


def test_adjusted_share_of_a_record_without_year_is_missing(eng):
    loaded = load_recordset(eng, make([("R1", 2015), ("R2", None)], [("R1", 1, [("X", "DEU")]),
                                                                     ("R2", 1, [("X", "DEU")])]))
    adj = adjusted_share(loaded, base_year=2015)
    assert adj["share"].tolist() == [1.0, 1.0]
    assert adj["n_year"].isna().tolist() == [False, True] and adj["adjusted_share"].isna().tolist() == [False, True]


def test_adjusted_share_with_a_grouping(data):
    from innometrics.rankings.counting import Grouping

    mapping = pd.DataFrame({"unit": ["X", "Y"], "group": ["XY", "XY"]})
    grouping = Grouping(name="pairs", base="institution", mapping=mapping, unmapped="keep")
    adj = adjusted_share(data, base_year=2016, grouping=grouping).set_index(["unit", "year"])
    # XY in 2016: R3 (1/2 + 1/2) and R4 (1/4 + 1/4), counted once each
    assert (adj.loc[("XY", 2016), "count"], adj.loc[("XY", 2016), "share"]) == (2.0, 1.5)
    assert adj.loc[("univ", 2015), "adjusted_share"] == pytest.approx(1.0 * 6 / 2)


@pytest.mark.parametrize("n_authors, share", [(30, 0.0333333333), (300, 0.0033333333)])
def test_shares_rounded_per_unit_still_add_up(eng, n_authors, share):
    # one record, each author at an institution of its own: 1/n each, rounded to 10 decimals,
    # so the Shares sum to 30 * 0.0333333333 = 0.999999999 (300 * 0.0033333333 = 0.99999999):
    # the table is additive all the same (it was reported non-additive)
    authors = [("R1", p, [(f"I{p:03d}", "DEU")]) for p in range(1, n_authors + 1)]
    loaded = load_recordset(eng, make([("R1", 2015)], authors))
    table, summary = research_leaders(loaded)
    assert table["share"].tolist() == [share] * n_authors
    assert summary["sum_share"] == pytest.approx(share * n_authors) and summary["total_weight"] == 1.0
    assert summary["additive"] and not summary["joint_credit"]


def test_collaboration_scores_of_three_authors(eng):
    # one record, three authors at A, B, C: 1/3 each, so every pair scores 2/3 (to the ten
    # decimals of the Shares) and the tied pairs come in the order of their units
    loaded = load_recordset(eng, make([("R1", 2015)], [("R1", 1, [("A", "DEU")]), ("R1", 2, [("B", "DEU")]),
                                                       ("R1", 3, [("C", "FRA")])]))
    cs = collaboration_scores(loaded)
    assert cs[["unit_a", "unit_b"]].values.tolist() == [["A", "B"], ["A", "C"], ["B", "C"]]
    assert cs["cs"].tolist() == pytest.approx([2 / 3] * 3, abs=1e-9) and cs["n_records"].tolist() == [1, 1, 1]
    assert collaboration_scores(loaded, "country")["cs"].tolist() == pytest.approx([1.0])  # DEU 2/3 + FRA 1/3


def test_collaboration_scores_with_a_grouping(data):
    from innometrics.rankings.counting import Grouping

    mapping = pd.DataFrame({"unit": ["X", "Y"], "group": ["XY", "XY"]})
    grouping = Grouping(name="pairs", base="institution", mapping=mapping, unmapped="keep")
    cs = collaboration_scores(data, grouping=grouping).set_index(["unit_a", "unit_b"])
    # X and Y are one unit: R4 gives XY 1/4 + 1/4 and Z 1/2; R3 has no other unit
    assert cs.loc[("XY", "Z"), "cs"] == pytest.approx(1.0) and cs.loc[("XY", "Z"), "n_records"] == 1
    assert sorted(cs.index) == [("JL", "univ"), ("XY", "Z"), ("lab", "univ")]


def test_leaders_named_as_in_the_period_and_at_city_level(eng):
    # one institution (id I1) named "Old Name" on its 2015 record and "New Name" on its two 2016 records
    rows = [("R1", 2015, "Old Name", "Leiden"), ("R2", 2016, "New Name", "Leiden"), ("R3", 2016, "New Name", "Delft")]
    recs = [dict(record_id=r, year=y, weight=1.0) for r, y, _, _ in rows]
    cons = [dict(record_id=r, position=1, name=f"{r}-1", is_corresponding=False) for r, *_ in rows]
    affs = [dict(record_id=r, position=1, institution=n, institution_id="I1", city=c, country="NLD")
            for r, _, n, c in rows]
    loaded = load_recordset(eng, RecordSet.from_rows(recs, cons, affs, [], read=len(recs)).validate())
    assert research_leaders(loaded)[0][["unit", "name"]].values.tolist() == [["I1", "New Name"]]
    assert research_leaders(loaded, period=2015)[0][["unit", "name"]].values.tolist() == [["I1", "Old Name"]]
    table, _ = research_leaders(loaded, "city")
    assert table[["rank", "unit", "name", "count"]].values.tolist() == [[1, "Leiden, NLD", "Leiden, NLD", 2.0],
                                                                        [2, "Delft, NLD", "Delft, NLD", 1.0]]


def test_only_country_units_take_the_iso_names(eng):
    # an institution whose id is also a country code keeps its own name; at the country level an
    # unknown country keeps the name "unknown"
    loaded = load_recordset(eng, make([("R1", 2015)], [("R1", 1, [("ITA", "DEU")]), ("R1", 2, [])]))
    assert research_leaders(loaded)[0][["unit", "name"]].fillna("-").values.tolist() == [["ITA", "ITA"],
                                                                                          ["unknown", "-"]]
    assert research_leaders(loaded, "country")[0][["unit", "name"]].values.tolist() == [["DEU", "Germany"],
                                                                                         ["unknown", "unknown"]]
