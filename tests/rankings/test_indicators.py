"""Indicators, ranks with ties, and PP(top 10%) with fractional ties at the threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.rankings.counting import count_units, total_weight, unit_names
from innometrics.rankings.credits import load_recordset
from innometrics.rankings.indicators import competition_rank, level_table, rank_table
from innometrics.records.model import RecordSet


def test_competition_rank_ties_share_lower_number():
    assert competition_rank(np.array([3.0, 1.0, 3.0, 2.0, 1.0])).tolist() == [1, 4, 1, 3, 4]


def test_rank_table_ties_sorted_by_unit_and_unknown_last():
    df = pd.DataFrame({"unit": ["GBR", "unknown", "CHN", "USA", "CHE"], "p_full": [1.0, 9.0, 1.0, 4.0, 3.0]})
    out = rank_table(df, "full")
    assert out["unit"].tolist() == ["USA", "CHE", "CHN", "GBR", "unknown"]
    assert out["rank"].tolist()[:4] == [1, 2, 3, 3]
    assert pd.isna(out["rank"].iloc[4])


def test_level_table_for_toy_fractional(loaded):
    counts = count_units(loaded, "country", "fractional")
    total, _ = total_weight(loaded)
    table = level_table(counts, unit_names(loaded, "country"), "fractional", total,
                        name_lookup={"USA": "United States"})
    assert list(table.columns[:6]) == ["rank", "unit", "name", "p_full", "p_frac", "share"]
    assert table["unit"].tolist() == ["CHE", "USA", "CHN", "GBR", "unknown"]
    assert table["rank"].tolist()[:4] == [1, 2, 3, 4]
    usa = table.set_index("unit").loc["USA"]
    assert usa["name"] == "United States"
    assert usa["share"] == pytest.approx((13 / 12) / 6)
    assert usa["pp_int_collab"] == 1.0
    # MCS = (10/4 + 3*2/3 + 5/6) / (1/4 + 2/3 + 1/6); PP(top10) = (0.2/4 + 0.1/6) / (13/12)
    assert usa["mcs"] == pytest.approx((2.5 + 2 + 5 / 6) / (13 / 12))
    assert usa["pp_top10"] == pytest.approx((0.05 + 0.1 / 6) / (13 / 12))
    assert table["share"].sum() == pytest.approx(1.0)


def test_full_counting_ties(loaded):
    counts = count_units(loaded, "country", "full")
    total, _ = total_weight(loaded)
    table = level_table(counts, pd.DataFrame(columns=["unit", "name"]), "full", total)
    ranks = dict(zip(table["unit"], table["rank"]))
    assert ranks["USA"] == 1 and ranks["CHE"] == 2
    assert ranks["CHN"] == ranks["GBR"] == 3  # both 1.0: ties share the lower number
    assert table["unit"].tolist()[2:4] == ["CHN", "GBR"]  # stable order by unit code


def test_top10_share_ties_at_threshold_are_fractional(duckdb_engine):
    # 20 records of 2019: one with 30 citations, three tied at 20, sixteen with 1.
    # Top 10% = 2 records: the 30 gets 1, the three 20s share the remaining 1 (1/3 each).
    cits = [30, 20, 20, 20] + [1] * 16
    records = [dict(record_id=f"P{i:02d}", year=2019, citations=c) for i, c in enumerate(cits)]
    records.append(dict(record_id="Q", year=2020, citations=None))
    contributors = [dict(record_id=r["record_id"], position=1, name="x") for r in records]
    affiliations = [dict(record_id=r["record_id"], position=1, country="NLD") for r in records]
    rs = RecordSet.from_rows(records, contributors, affiliations, [], read=len(records))
    loaded = load_recordset(duckdb_engine, rs)
    facts = duckdb_engine.execute(loaded.facts).set_index("record_id")
    assert facts.loc["P00", "top_share"] == 1.0
    assert facts.loc[["P01", "P02", "P03"], "top_share"].tolist() == pytest.approx([1 / 3] * 3)
    assert (facts.loc[[f"P{i:02d}" for i in range(4, 20)], "top_share"] == 0).all()
    assert facts.loc[[f"P{i:02d}" for i in range(20)], "top_share"].sum() == pytest.approx(2.0)
    assert pd.isna(facts.loc["Q", "top_share"])
    # PP(top 10%) of NLD = 2 / 20 exactly, as CWTS's tie handling guarantees
    counts = count_units(loaded, "country", "full")
    table = level_table(counts, pd.DataFrame(columns=["unit", "name"]), "full", 21.0)
    assert table.set_index("unit").loc["NLD", "pp_top10"] == pytest.approx(0.1)
