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
