"""counting.py's rules beyond the four formulas, on tiny record sets counted by hand.

Which units a count lists (a unit is dropped only when every count is zero), the order
and columns of the returned frames, the indicator sums of units whose records have no
citation count, the direct fractional path's hand-over threshold, roll-ups with shares on
both paths (every credit times the share, totals kept), unit names, and the messages of
the spec and mapping errors. The toy set is described in ``tests/helpers/rank_samples.py``.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import numpy as np
import pandas as pd
import pytest

from innometrics.errors import DataError, SpecError
from innometrics.rankings.counting import (
    Grouping,
    count_column,
    count_units,
    level_view,
    read_grouping,
    record_unit_credits,
    total_weight,
    unit_counts,
    unit_names,
)
from innometrics.rankings.credits import load_recordset
from innometrics.records.model import RecordSet

AGGREGATES = ["p_full", "p_frac", "cit_weight", "cit_sum", "top_sum", "p_int_collab"]


def rounded(df: pd.DataFrame, col: str) -> dict[str, float]:
    return {u: round(float(v), 9) for u, v in zip(df["unit"], df[col])}


def by_hand(expected: dict[str, float]) -> dict[str, float]:
    return {u: round(v, 9) for u, v in expected.items()}


@pytest.fixture
def toy_loaded(duckdb_engine, toy):
    """The toy records loaded afresh (no pair table built yet)."""
    return load_recordset(duckdb_engine, toy)


def no_corresponding_author() -> RecordSet:
    """Two fully linked records; r2 marks no corresponding author.

    r1 (2020, w=1, 4 citations): A (1st, corresponding) at Paris (FRA), B at Berlin (DEU).
    r2 (2020, w=1, no citation count): C (1st, not corresponding) at Paris (FRA).
    r2's corresponding-author credit goes to ``unknown`` through a helper row, which
    carries no full and no fractional credit.
    """
    return RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020, "citations": 4}, {"record_id": "r2", "year": 2020}],
        [{"record_id": "r1", "position": 1, "name": "A", "is_corresponding": True},
         {"record_id": "r1", "position": 2, "name": "B", "is_corresponding": False},
         {"record_id": "r2", "position": 1, "name": "C", "is_corresponding": False}],
        [{"record_id": "r1", "position": 1, "institution": "Paris U", "city": "Paris", "country": "FRA"},
         {"record_id": "r1", "position": 2, "institution": "Berlin U", "city": "Berlin", "country": "DEU"},
         {"record_id": "r2", "position": 1, "institution": "Paris U", "city": "Paris", "country": "FRA"}],
        [], read=2)


# --------------------------------------------------------------------------- which units are listed
def test_a_unit_with_only_corresponding_author_credit_is_listed_with_zero_full_counts(duckdb_engine):
    loaded = load_recordset(duckdb_engine, no_corresponding_author())
    df = count_units(loaded, "country", "corresponding_author").set_index("unit")
    assert list(df.index) == ["DEU", "FRA", "unknown"]
    # unknown: r2's corresponding credit 1, nothing else; r2 has no citation count and one country
    assert df.loc["unknown"].to_dict() == {"p_full": 0.0, "p_frac": 0.0, "cit_weight": 0.0, "cit_sum": 0.0,
                                           "top_sum": 0.0, "p_int_collab": 0.0, "p_corresponding_author": 1.0}
    # FRA: full 2 (r1, r2); fractional 1/2 + 1; corresponding 1 (A, on r1 with 4 citations); r1 international
    fra = df.loc["FRA"]
    assert (fra["p_full"], fra["p_frac"], fra["p_corresponding_author"]) == (2.0, 1.5, 1.0)
    assert (fra["cit_weight"], fra["cit_sum"], fra["p_int_collab"]) == (1.0, 4.0, 1.0)
    assert (df.loc["DEU", "p_full"], df.loc["DEU", "p_corresponding_author"]) == (1.0, 0.0)
    pairs = record_unit_credits(loaded, "country", "corresponding_author")
    assert list(zip(pairs["record_key"], pairs["unit"])) == [(0, "DEU"), (0, "FRA"), (1, "FRA"), (1, "unknown")]
    assert pairs.iloc[3][AGGREGATES].tolist() == [0.0] * 6


def test_a_unit_whose_every_count_is_zero_is_dropped(duckdb_engine):
    loaded = load_recordset(duckdb_engine, no_corresponding_author())
    # first-author credit: A (r1) and C (r2) at FRA; unknown's helper row carries nothing for it
    df = count_units(loaded, "country", "first_author")
    assert df["unit"].tolist() == ["DEU", "FRA"]
    assert df["p_first_author"].tolist() == [0.0, 2.0]  # DEU stays: its full count is 1
    pairs = record_unit_credits(loaded, "country", "first_author")
    assert list(zip(pairs["record_key"], pairs["unit"])) == [(0, "DEU"), (0, "FRA"), (1, "FRA")]
    # one method's count alone: zero counts dropped, a count of exactly 1 kept
    corr = unit_counts(loaded, "country", "corresponding_author")
    assert corr.to_dict("list") == {"unit": ["FRA", "unknown"], "p_corresponding_author": [1.0, 1.0]}


def test_a_unit_with_a_full_count_stays_when_its_fractional_count_rounds_to_zero(duckdb_engine):
    # weight 1e-10 over four authors: fractional credit 2.5e-11 each, 0 at 10 decimals; full 1e-10
    rs = RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020, "weight": 1e-10}],
        [{"record_id": "r1", "position": p, "name": n} for p, n in enumerate("ABCD", start=1)],
        [{"record_id": "r1", "position": p, "country": c} for p, c in enumerate(["FRA", "DEU", "ITA", "ESP"], start=1)],
        [], read=1)
    loaded = load_recordset(duckdb_engine, rs)
    df = count_units(loaded, "country", "fractional")
    assert df["unit"].tolist() == ["DEU", "ESP", "FRA", "ITA"]
    assert df["p_full"].tolist() == [1e-10] * 4 and df["p_frac"].tolist() == [0.0] * 4
    assert len(record_unit_credits(loaded, "country", "fractional")) == 4


# --------------------------------------------------------------------------- frames returned
def test_count_units_defaults_to_fractional_with_sorted_units_and_a_plain_index(toy_loaded):
    df = count_units(toy_loaded, "country")
    assert list(df.columns) == ["unit", *AGGREGATES]
    assert df["unit"].tolist() == ["CHE", "CHN", "GBR", "USA", "unknown"]
    assert df.index.tolist() == list(range(5))
    # sums are rounded to 10 decimals (stable outputs): GBR 1/4 exactly, CHN 2/3 rounded
    assert df.set_index("unit").loc["CHN", "p_frac"] == round(2 / 3, 10)
    yearly = count_units(toy_loaded, "country", by_year=True)
    assert list(zip(yearly["unit"], yearly["year"]))[:4] == [("CHE", 2020), ("CHE", 2022), ("CHN", 2022),
                                                             ("GBR", 2020)]
    assert yearly.index.tolist() == list(range(len(yearly)))


def test_record_unit_credits_default_columns_and_order(toy_loaded):
    pairs = record_unit_credits(toy_loaded, "country")
    assert list(pairs.columns) == ["record_key", "unit", *AGGREGATES]
    # R1: A at MIT/Oxford, B without address; R2 over its addresses (its helper row has no
    # fractional credit); R3, R4 unknown; R5 CHE, CHN, USA
    assert list(zip(pairs["record_key"], pairs["unit"])) == [
        (0, "GBR"), (0, "USA"), (0, "unknown"), (1, "CHE"), (1, "USA"), (2, "unknown"), (3, "unknown"),
        (4, "CHE"), (4, "CHN"), (4, "USA")]
    assert pairs.index.tolist() == list(range(10))
    # R3 has no citation count: its pair weighs nothing in the citation sums; not international
    r3 = pairs.iloc[5]
    assert r3[AGGREGATES].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def test_record_unit_credits_of_each_period_and_method_from_its_own_cached_expression(toy_loaded):
    # a base level's drill-down expression is built once per (pair table, method, period):
    # asked in turn, each period and method gives its own rows (R5 is the only 2022 record)
    in_2022 = record_unit_credits(toy_loaded, "country", period=2022)
    assert in_2022["record_key"].tolist() == [4, 4, 4]
    # no helper row to merge in 2022: the rows as read, with the same columns and a fresh index
    assert list(in_2022.columns) == ["record_key", "unit", *AGGREGATES]
    assert in_2022.index.tolist() == [0, 1, 2]
    window = record_unit_credits(toy_loaded, "country", period=[2020, 2021])  # a list, as specs give it
    assert window["record_key"].tolist() == [0, 0, 0, 1, 1, 2, 3]
    assert record_unit_credits(toy_loaded, "country", period=(2020, 2021)).equals(window)
    first = record_unit_credits(toy_loaded, "country", "first_author", period=(2020, 2021))
    # R2's first author has no address: its first-author credit goes to unknown's helper row
    assert first["p_first_author"].tolist() == [0.5, 0.5, 0.0, 0.0, 0.0, 2.0, 1.0, 1.0]
    assert record_unit_credits(toy_loaded, "country", period=2022).equals(in_2022)


def test_count_units_of_a_window_given_as_a_list(toy_loaded):
    # a spec's window arrives as a list; the stored-sums query is cached by a tuple of it
    as_list = count_units(toy_loaded, "country", "fractional", period=[2020, 2021])
    assert as_list.equals(count_units(toy_loaded, "country", "fractional", period=(2020, 2021)))
    # R1-R4 (2020-2021): GBR 1/4 (R1), CHE 4/3 (R2, w=2), USA 1/4 + 2/3, unknown 1/2 + 1 + 1
    assert rounded(as_list, "p_frac") == by_hand({"CHE": 4 / 3, "GBR": 1 / 4, "USA": 1 / 4 + 2 / 3,
                                                  "unknown": 5 / 2})


def test_record_unit_credits_of_a_method_registered_elsewhere(toy_loaded, monkeypatch):
    # a method outside METHOD_CREDITS (a view's own rule) is not cached: its expression is
    # built from the level's pairs each time, at the level asked for
    from innometrics import registry

    monkeypatch.setitem(registry._REGISTRY["count"], "half_fractional", lambda view: view.frac * 0.5)
    half = record_unit_credits(toy_loaded, "country", "half_fractional")
    whole = record_unit_credits(toy_loaded, "country", "fractional")
    assert list(zip(half["record_key"], half["unit"])) == list(zip(whole["record_key"], whole["unit"]))
    assert (half["p_half_fractional"] - whole["p_frac"] * 0.5).abs().max() < 1e-10
    assert half["p_half_fractional"].iloc[-2] == round(1 / 3, 10)  # R5, CHN: half of 2/3


def test_record_unit_credits_of_a_grouping_in_record_and_group_order(toy_loaded):
    # the groups' names sort otherwise than their countries: a grouping's pairs are
    # re-aggregated, not read in a stored order, so they are sorted by (record, group)
    mapping = pd.DataFrame({"unit": ["CHE", "CHN", "GBR", "USA"], "group": ["z-CHE", "a-CHN", "m-GBR", "b-USA"]})
    grouping = Grouping(name="renamed", base="country", mapping=mapping)
    pairs = record_unit_credits(toy_loaded, "renamed", "fractional", grouping=grouping)
    assert list(zip(pairs["record_key"], pairs["unit"])) == [
        (0, "b-USA"), (0, "m-GBR"), (0, "unknown"), (1, "b-USA"), (1, "z-CHE"), (2, "unknown"), (3, "unknown"),
        (4, "a-CHN"), (4, "b-USA"), (4, "z-CHE")]
    assert pairs.index.tolist() == list(range(10))


def test_unknown_citation_sums_leave_out_records_without_a_citation_count(toy_loaded):
    df = count_units(toy_loaded, "country", "fractional").set_index("unit")
    # unknown: R1 (B, 1/2, 10 citations, international), R3 (1, no count), R4 (1, 0 citations)
    assert df.loc["unknown", "cit_weight"] == 1.5
    assert df.loc["unknown", "cit_sum"] == 5.0


def test_count_column_names():
    assert [count_column(m) for m in ("full", "fractional", "first_author", "corresponding_author")] == [
        "p_full", "p_frac", "p_first_author", "p_corresponding_author"]


def test_total_weight_of_an_empty_period_is_zero(toy_loaded):
    total, n = total_weight(toy_loaded, period=1999)
    assert (total, n) == (0.0, 0) and isinstance(total, float)
    assert total_weight(toy_loaded, period=2022) == (1.0, 1)


# --------------------------------------------------------------------------- unit_counts paths
def test_unit_counts_of_other_methods_before_any_pair_table(toy_loaded):
    # not fractional: the pair table is built and read (the direct query only knows fractional credit)
    first = unit_counts(toy_loaded, "country", "first_author")
    assert first.to_dict("list") == {"unit": ["CHN", "GBR", "USA", "unknown"],
                                     "p_first_author": [1.0, 0.5, 0.5, 4.0]}
    assert toy_loaded.pairs.built() == ("country",)
    full = unit_counts(toy_loaded, "country", "full", period=2022)
    assert full.to_dict("list") == {"unit": ["CHE", "CHN", "USA"], "p_full": [1.0, 1.0, 1.0]}


def test_unit_counts_of_other_methods_on_fully_linked_records(duckdb_engine):
    # every author linked: the direct query could count fractional credit, but the method is another
    loaded = load_recordset(duckdb_engine, no_corresponding_author())
    corr = unit_counts(loaded, "country", "corresponding_author")
    assert corr.to_dict("list") == {"unit": ["FRA", "unknown"], "p_corresponding_author": [1.0, 1.0]}
    assert loaded.pairs.built() == ("country",)


def test_direct_path_hands_over_when_one_author_of_the_largest_record_is_unlinked(duckdb_engine):
    # r1 (2020): A and B both at FRA. r2 (2021): C at FRA, D without address. Each has n = 2 = n_max,
    # so D's missing link leaves a shortfall of 1/2 (threshold 1/4): r2's count needs the full rules.
    rs = RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020}, {"record_id": "r2", "year": 2021}],
        [{"record_id": r, "position": p, "name": n} for r, p, n in
         [("r1", 1, "A"), ("r1", 2, "B"), ("r2", 1, "C"), ("r2", 2, "D")]],
        [{"record_id": r, "position": p, "country": "FRA"} for r, p in [("r1", 1), ("r1", 2), ("r2", 1)]],
        [], read=2)
    linked = load_recordset(duckdb_engine, rs)
    # 2020 alone, as a year or a window: one unit, read directly from the inputs
    assert unit_counts(linked, "country", period=2020).to_dict("list") == {"unit": ["FRA"], "p_frac": [1.0]}
    assert unit_counts(linked, "country", period=(2019, 2020)).to_dict("list") == {"unit": ["FRA"], "p_frac": [1.0]}
    assert linked.pairs.built() == ()
    unlinked = load_recordset(duckdb_engine, rs)
    got = unit_counts(unlinked, "country", period=2021)
    assert got.to_dict("list") == {"unit": ["FRA", "unknown"], "p_frac": [0.5, 0.5]}
    assert unlinked.pairs.built() == ("country",)


# --------------------------------------------------------------------------- groupings
METRO = pd.DataFrame({"unit": ["Cambridge, USA", "Oxford, GBR", "Beijing, CHN"],
                      "group": ["Boston-Oxford", "Boston-Oxford", "Beijing"]})


def test_grouping_carries_the_record_facts_into_the_indicator_sums(toy_loaded):
    grouping = Grouping(name="metro", base="city", mapping=METRO)
    df = count_units(toy_loaded, "metro", "fractional", grouping=grouping).set_index("unit")
    # Boston-Oxford: R1 1/2 (10 citations, top share 0.2), R2 (w=2) 2/3 (3, 0), R5 1/6 (5, 0.1);
    # all three international, full credit 1 + 2 + 1
    bo = df.loc["Boston-Oxford"]
    assert bo["cit_weight"] == pytest.approx(1 / 2 + 2 / 3 + 1 / 6)
    assert bo["cit_sum"] == pytest.approx(10 / 2 + 3 * 2 / 3 + 5 / 6)
    assert bo["top_sum"] == pytest.approx(0.2 / 2 + 0.1 / 6)
    assert bo["p_int_collab"] == 4.0
    yearly = count_units(toy_loaded, "metro", "fractional", grouping=grouping, by_year=True)
    bo_years = yearly[yearly["unit"] == "Boston-Oxford"].set_index("year")["p_frac"].round(9).to_dict()
    assert bo_years == {2020: round(1 / 2 + 2 / 3, 9), 2022: round(1 / 6, 9)}


def test_grouping_within_a_period(toy_loaded):
    grouping = Grouping(name="metro", base="city", mapping=METRO)
    df = count_units(toy_loaded, "metro", "fractional", grouping=grouping, period=2020)
    assert rounded(df, "p_frac") == by_hand({"Boston-Oxford": 1 / 2 + 2 / 3, "Zurich, CHE": 4 / 3, "unknown": 1 / 2})
    pairs = record_unit_credits(toy_loaded, "metro", "fractional", grouping=grouping, period=2022)
    assert list(zip(pairs["record_key"], pairs["unit"])) == [(4, "Beijing"), (4, "Boston-Oxford"), (4, "Zurich, CHE")]
    assert rounded(pairs, "p_frac") == by_hand({"Beijing": 2 / 3, "Boston-Oxford": 1 / 6, "Zurich, CHE": 1 / 6})
    # the pair path of unit_counts (not fractional) takes the period and the grouping too
    corr = unit_counts(toy_loaded, "metro", "corresponding_author", grouping=grouping, period=2022)
    # R5: G (MIT, ETH) 1/4 each, H (Tsinghua, Beijing) 1/2
    assert rounded(corr, "p_corresponding_author") == {"Beijing": 0.5, "Boston-Oxford": 0.25, "Zurich, CHE": 0.25}


def test_grouping_shares_multiply_first_author_credit(toy_loaded):
    # PKU (F, R5's first author, its only affiliation) split 1/4 : 3/4 between two parents
    mapping = pd.DataFrame({"unit": ["PKU", "PKU"], "group": ["P1", "P2"], "share": [0.25, 0.75]})
    grouping = Grouping(name="parents", base="institution", mapping=mapping)
    df = count_units(toy_loaded, "parents", "first_author", grouping=grouping)
    first = rounded(df, "p_first_author")
    assert (first["P1"], first["P2"]) == (0.25, 0.75)
    assert df["p_first_author"].sum() == pytest.approx(6.0)
    # full counting: R5 counts once for each parent
    assert rounded(df, "p_full")["P1"] == 1.0 and rounded(df, "p_full")["P2"] == 1.0


def test_grouped_view_has_the_pair_table_columns_and_sums_the_links(toy_loaded):
    mapping = pd.DataFrame({"unit": ["PKU", "I-THU"], "group": ["Beijing universities"] * 2})
    grouping = Grouping(name="beijing", base="institution", mapping=mapping)
    view = level_view(toy_loaded, "beijing", grouping=grouping)
    assert set(view.columns) == set(toy_loaded.pairs["institution"].columns)
    rows = toy_loaded.engine.execute(view)
    r5 = rows[rows["unit"] == "Beijing universities"].iloc[0]
    # R5: F at PKU (1/3 fractional, first author) and H at Tsinghua (1/3, one of two corresponding
    # authors: 1/2); two links; the record's facts carried over; no name for a group
    assert (r5["record_key"], r5["frac"], r5["first"], r5["corr"], r5["n_links"]) == (4, pytest.approx(2 / 3), 1.0, 0.5, 2)
    assert (r5["year"], r5["weight"], r5["citations"], bool(r5["is_international"])) == (2022, 1.0, 5, True)
    assert r5["top_share"] == pytest.approx(0.1) and pd.isna(r5["unit_name"])
    assert view.unit_name.type().is_string()


# --------------------------------------------------------------------------- unit names
def named_records() -> RecordSet:
    """I-1 is written "Univ A" on two records of 2020 and "University A" on three of 2021; I-2 is
    written "Zeta" and "Alpha" once each; Lab B has no id; r8's author has no address."""
    names = [("r1", 2020, "I-1", "Univ A"), ("r2", 2020, "I-1", "Univ A"), ("r3", 2021, "I-1", "University A"),
             ("r4", 2021, "I-1", "University A"), ("r5", 2021, "I-1", "University A"),
             ("r6", 2021, "I-2", "Zeta"), ("r7", 2021, "I-2", "Alpha"), ("r8", 2021, None, None),
             ("r9", 2021, None, "Lab B")]
    records = [{"record_id": r, "year": y} for r, y, _, _ in names]
    contributors = [{"record_id": r, "position": 1, "name": "X", "is_corresponding": True} for r, *_ in names]
    affiliations = [{"record_id": r, "position": 1, "institution": n, "institution_id": i, "country": "FRA"}
                    for r, _, i, n in names if n is not None]
    return RecordSet.from_rows(records, contributors, affiliations, [], read=len(names))


def test_unit_names_are_the_most_frequent_name_ties_alphabetical(duckdb_engine):
    loaded = load_recordset(duckdb_engine, named_records())
    got = unit_names(loaded, "institution")
    assert list(got.columns) == ["unit", "name"] and got.index.tolist() == [0, 1, 2]
    assert got.to_dict("list") == {"unit": ["I-1", "I-2", "Lab B"], "name": ["University A", "Alpha", "Lab B"]}
    in_2020 = unit_names(loaded, "institution", period=2020)
    assert in_2020.to_dict("list") == {"unit": ["I-1"], "name": ["Univ A"]}
    none = unit_names(loaded, "institution", period=1999)
    assert list(none.columns) == ["unit", "name"] and len(none) == 0


def test_unit_names_of_a_grouping_come_from_its_mapping(toy_loaded):
    mapping = pd.DataFrame({"unit": ["MIT", "Oxford", "ETH"], "group": ["G1", "G1", "G2"],
                            "group_name": ["Group one", "Group one (old name)", "Group two"]})
    grouping = Grouping(name="g", base="institution", mapping=mapping)
    got = unit_names(toy_loaded, "g", grouping=grouping)
    assert list(got.columns) == ["unit", "name"] and got.index.tolist() == [0, 1]
    assert got.to_dict("list") == {"unit": ["G1", "G2"], "name": ["Group one", "Group two"]}
    nameless = unit_names(toy_loaded, "g", grouping=Grouping("g", "institution", mapping[["unit", "group"]]))
    assert list(nameless.columns) == ["unit", "name"] and len(nameless) == 0


# --------------------------------------------------------------------------- errors
def test_level_errors_name_the_key_and_the_levels(duckdb_engine, toy):
    country_only = load_recordset(duckdb_engine, toy, levels=("country",))
    with pytest.raises(SpecError) as unknown:
        count_units(country_only, "region")
    assert str(unknown.value) == ("key 'count.levels': unknown level 'region'. Levels: institution, city, country "
                                  "or a grouping declared in [groupings]")
    with pytest.raises(SpecError) as not_loaded:
        count_units(country_only, "city")
    assert str(not_loaded.value) == ("key 'count.levels': level 'city' was not loaded; load the records with "
                                     "levels including it")
    with pytest.raises(SpecError) as grouping:
        count_units(country_only, "metro", grouping=Grouping("metro", "city", METRO))
    assert str(grouping.value) == "key 'groupings.metro': grouping 'metro' maps level 'city', which was not loaded"
    assert grouping.value.key == "groupings.metro"


def test_read_grouping_keeps_unit_group_and_name(tmp_path):
    path = tmp_path / "metro.csv"
    # a repeated row is the same mapping; other columns are left out
    path.write_text("unit,group,group_name,note\nA,X,Ex,n1\nA,X,Ex,n2\nB,Y,Why,n3\n", encoding="utf-8")
    grouping = read_grouping("metro", "city", path)
    assert (grouping.name, grouping.base, grouping.unmapped) == ("metro", "city", "keep")
    assert list(grouping.mapping.columns) == ["unit", "group", "group_name"]
    assert grouping.mapping.to_dict("list") == {"unit": ["A", "B"], "group": ["X", "Y"], "group_name": ["Ex", "Why"]}
    assert grouping.mapping.index.tolist() == [0, 1]
    assert read_grouping("metro", "country", path, unmapped="other").unmapped == "other"
    plain = tmp_path / "plain.csv"
    plain.write_text("group,unit\nX,A\n", encoding="utf-8")
    assert list(read_grouping("m", "institution", plain).mapping.columns) == ["unit", "group"]


def test_read_grouping_errors(tmp_path):
    path = tmp_path / "metro.csv"
    # two units mapped twice, their groups out of order: the first unit is named, its groups sorted
    path.write_text("unit,group\nA,Y\nB,P\nA,X\nB,Q\nC,Z\n", encoding="utf-8")
    with pytest.raises(DataError) as twice:
        read_grouping("metro", "city", path)
    assert str(twice.value) == f"{path}, column 'unit': unit 'A' is mapped to several groups (X, Y); map each unit once"
    assert (twice.value.file, twice.value.column, twice.value.reason) == (str(path), "unit", "duplicate_key")
    assert twice.value.failures.to_dict("list") == {"unit": ["A", "B", "A", "B"], "group": ["Y", "P", "X", "Q"]}
    path.write_text("city,group\nA,X\n", encoding="utf-8")
    with pytest.raises(DataError) as schema:
        read_grouping("metro", "city", path)
    assert str(schema.value) == (f"{path}: mapping file needs columns 'unit' and 'group'; missing ['unit']; "
                                 "found ['city', 'group']")
    assert (schema.value.file, schema.value.reason) == (str(path), "schema")
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="the mapping file is empty"):
        read_grouping("metro", "city", path)
    with pytest.raises(SpecError) as base:
        read_grouping("metro", "region", path)
    assert str(base.value) == ("key 'groupings.metro.from': a grouping maps one of institution, city, country; "
                               "got 'region'")
    with pytest.raises(SpecError) as unmapped:
        read_grouping("metro", "city", path, unmapped="drop")
    assert str(unmapped.value) == "key 'groupings.metro.unmapped': unmapped must be 'keep' or 'other'; got 'drop'"


def test_unknown_with_a_helper_and_an_unlinked_author_is_one_pair_row(duckdb_engine):
    # r1 (w=2, 6 citations, top share 1): A at Paris (FRA), B without address, nobody marked
    # corresponding. B's half goes to unknown (full 2, fractional 1); the corresponding credit
    # (2) goes to unknown through a helper row, which carries no full or fractional credit.
    # The pair (r1, unknown) has both rows; the drill-down sums them into one.
    rs = RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020, "weight": 2.0, "citations": 6}],
        [{"record_id": "r1", "position": 1, "name": "A", "is_corresponding": False},
         {"record_id": "r1", "position": 2, "name": "B", "is_corresponding": False}],
        [{"record_id": "r1", "position": 1, "institution": "Paris U", "city": "Paris", "country": "FRA"}],
        [], read=1)
    loaded = load_recordset(duckdb_engine, rs)
    view = level_view(loaded, "country")
    rows = duckdb_engine.execute(view.filter(view.unit == "unknown").order_by("is_helper"))
    assert rows["is_helper"].tolist() == [False, True]  # the case under test: two rows, one pair
    pairs = record_unit_credits(loaded, "country", "corresponding_author")
    assert list(zip(pairs["record_key"], pairs["unit"])) == [(0, "FRA"), (0, "unknown")]
    unknown = pairs.iloc[1]
    assert unknown[["p_full", "p_frac", "p_corresponding_author"]].tolist() == [2.0, 1.0, 2.0]
    # citation sums weighted by the corresponding credit: all of it on unknown
    assert unknown[["cit_weight", "cit_sum"]].tolist() == [2.0, 12.0]
    fra = pairs.iloc[0]
    assert fra[["p_full", "p_frac", "p_corresponding_author", "cit_weight"]].tolist() == [2.0, 1.0, 0.0, 0.0]
    # the drill-down and the per-unit counts agree
    counts = count_units(loaded, "country", "corresponding_author").set_index("unit")
    assert counts.loc["unknown", ["p_full", "p_frac", "p_corresponding_author", "cit_sum"]].tolist() == [
        2.0, 1.0, 2.0, 12.0]


def test_merge_helper_rows_only_within_a_record_when_unknown_sorts_first(duckdb_engine):
    # Groups named to sort around "unknown" put a helper row first in its record, and right
    # after the previous record's unknown row. r1, r3: C / D (first, nobody corresponding) at
    # Berlin; r2: A (corresponding) at Paris, B without address; r4: E at Paris, F without
    # address, nobody corresponding. Only r4's two unknown rows are one pair.
    rs = RecordSet.from_rows(
        [{"record_id": f"r{i}", "year": 2020} for i in range(1, 5)],
        [{"record_id": "r1", "position": 1, "name": "C", "is_corresponding": False},
         {"record_id": "r2", "position": 1, "name": "A", "is_corresponding": True},
         {"record_id": "r2", "position": 2, "name": "B", "is_corresponding": False},
         {"record_id": "r3", "position": 1, "name": "D", "is_corresponding": False},
         {"record_id": "r4", "position": 1, "name": "E", "is_corresponding": False},
         {"record_id": "r4", "position": 2, "name": "F", "is_corresponding": False}],
        [{"record_id": "r1", "position": 1, "institution": "Berlin U", "city": "Berlin", "country": "DEU"},
         {"record_id": "r2", "position": 1, "institution": "Paris U", "city": "Paris", "country": "FRA"},
         {"record_id": "r3", "position": 1, "institution": "Berlin U", "city": "Berlin", "country": "DEU"},
         {"record_id": "r4", "position": 1, "institution": "Paris U", "city": "Paris", "country": "FRA"}],
        [], read=4)
    loaded = load_recordset(duckdb_engine, rs)
    zones = Grouping(name="zones", base="country",
                     mapping=pd.DataFrame({"unit": ["FRA", "DEU"], "group": ["a-FRA", "z-DEU"]}))
    pairs = record_unit_credits(loaded, "zones", "corresponding_author", grouping=zones)
    got = list(zip(pairs["record_key"], pairs["unit"], pairs["p_frac"], pairs["p_corresponding_author"]))
    assert got == [(0, "unknown", 0.0, 1.0), (0, "z-DEU", 1.0, 0.0),
                   (1, "a-FRA", 0.5, 1.0), (1, "unknown", 0.5, 0.0),
                   (2, "unknown", 0.0, 1.0), (2, "z-DEU", 1.0, 0.0),
                   (3, "a-FRA", 0.5, 0.0), (3, "unknown", 0.5, 1.0)]


def test_pair_credit_frame_adds_a_helper_row_to_the_same_pairs_row_before_it():
    import pyarrow as pa

    from innometrics.rankings.counting import pair_credit_frame

    rows = pd.DataFrame({
        "record_key": [0, 0, 1, 1, 2, 3, 3, 4],
        "unit": ["FRA", "unknown", "unknown", "unknown", "unknown", "DEU", "unknown", "ITA"],
        "is_helper": [False, True, False, True, True, False, True, False],
        "p_full": [2.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        "p_frac": [0.1 + 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "p_corr": [0.5, 0.25, 0.0, 1.0, 3.0, 0.0, 1.0, 0.0],
        "n_links": [1, 0, 2, 5, 0, 1, 0, 0],
    })
    table = pa.Table.from_pandas(rows, preserve_index=False)
    table = pa.Table.from_batches(table.to_batches(max_chunksize=3))  # chunks end inside pairs
    merged = pair_credit_frame(table, "corr")
    # (0, FRA) and (0, unknown) differ in unit; (1, unknown) has both rows: summed, integers
    # too; (2, unknown) is a helper row alone; (3, DEU) then (3, unknown)'s helper row: two
    # units; (4, ITA) counts nothing and is dropped
    assert list(merged.columns) == ["record_key", "unit", "p_full", "p_frac", "p_corr", "n_links"]
    assert list(zip(merged["record_key"], merged["unit"])) == [
        (0, "FRA"), (0, "unknown"), (1, "unknown"), (2, "unknown"), (3, "DEU"), (3, "unknown")]
    assert merged["p_corr"].tolist() == [0.5, 0.25, 1.0, 3.0, 0.0, 1.0]
    assert merged["p_full"].tolist() == [2.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert merged["n_links"].tolist() == [1, 0, 7, 0, 1, 0]
    assert merged["p_frac"].iloc[0] == 0.3 != 0.1 + 0.2  # rounded to DECIMALS
    assert merged.index.tolist() == list(range(6))
    assert rows["p_corr"].tolist() == [0.5, 0.25, 0.0, 1.0, 3.0, 0.0, 1.0, 0.0]  # the input is not changed


def test_pair_credit_frame_equals_a_group_by_of_its_pairs_rounded(monkeypatch):
    """Against pandas: sum each (record, unit) pair's rows, round, drop rows counting nothing;
    blocks of rounding smaller than Arrow's chunks, and nulls, as a large result has them."""
    import pyarrow as pa

    from innometrics.rankings import counting
    from innometrics.rankings.counting import pair_credit_frame, round_floats

    rng = np.random.default_rng(7)
    n = 5_000
    keys = np.sort(rng.integers(0, 1_500, n))
    unit = np.where(rng.random(n) < 0.3, "unknown", rng.choice(["a", "b", "c"], n))
    rows = pd.DataFrame({"record_key": keys, "unit": unit, "is_helper": unit == "unknown"})
    rows.loc[rows["unit"] != "unknown", "is_helper"] = False
    rows.loc[rows.index % 2 == 0, "is_helper"] = False  # some unknown rows are not helpers
    rows = rows.drop_duplicates(["record_key", "unit", "is_helper"]).sort_values(["record_key", "unit", "is_helper"])
    m = len(rows)
    rows["p_full"] = np.where(rng.random(m) < 0.2, 0.0, rng.random(m) / 3)
    rows["p_frac"] = np.where(rng.random(m) < 0.2, 0.0, rng.random(m) / 7)
    rows["cit_sum"] = rng.random(m) * 1e4 / 3
    rows.loc[rows.index[::17], "cit_sum"] = np.nan
    rows = rows.reset_index(drop=True)
    table = pa.Table.from_batches(pa.Table.from_pandas(rows, preserve_index=False).to_batches(max_chunksize=999))
    monkeypatch.setattr(counting, "_ROUND_BLOCK", 128)
    got = pair_credit_frame(table, "fractional")

    summed = rows.groupby(["record_key", "unit"], sort=True, as_index=False).agg(
        p_full=("p_full", "sum"), p_frac=("p_frac", "sum"), cit_sum=("cit_sum", lambda v: v.sum(skipna=False)))
    expected = round_floats(summed)
    expected = expected[(expected["p_full"] != 0) | (expected["p_frac"] != 0)].reset_index(drop=True)
    assert (rows.groupby(["record_key", "unit"]).size() == 2).sum() > 100  # pairs merged
    assert len(got) < len(summed)  # rows dropped
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)


@pytest.mark.parametrize(("chunks", "expected"), [
    ([[0, 0, 1], [1, 2]], True),  # equal keys within a chunk and across a boundary
    ([[0, 1, 5], [], [5, 9]], True),  # an empty chunk between two that touch
    ([[], [3]], True),
    ([], True),
    ([[0, 2, 1]], False),  # a decrease within a chunk, after its second value
    ([[1, 5, 9], [6, 10]], False),  # a decrease across a boundary, only against the last value
    ([[4], [3, 7]], False),
    ([[1, 5, 9], [], [8]], False),  # across an empty chunk
])
def test_ascending_reads_a_sorted_column_chunk_by_chunk(chunks, expected):
    """The drill-down's check that a stored pair table came back in order (else it is sorted)."""
    import pyarrow as pa

    from innometrics.rankings.counting import _ascending

    column = pa.chunked_array([pa.array(c, type=pa.int64()) for c in chunks], type=pa.int64())
    assert _ascending(column) is expected
    flat = np.concatenate([np.asarray(c, dtype=np.int64) for c in chunks]) if chunks else np.array([])
    assert expected == bool((np.diff(flat) >= 0).all())  # the test's cases are what they say


def test_pair_credit_frame_keeps_a_float32_column_float32_rounded_as_round_floats():
    import pyarrow as pa

    from innometrics.rankings.counting import pair_credit_frame, round_floats

    rows = pd.DataFrame({"record_key": [0, 1, 1], "unit": ["FRA", "unknown", "unknown"],
                         "is_helper": [False, False, True],
                         "p_full": [1.0, 1.0, 0.0],
                         "p_frac": np.array([1 / 3, 0.1, 0.2], dtype=np.float32)})
    got = pair_credit_frame(pa.Table.from_pandas(rows, preserve_index=False), "fractional")
    assert got["p_frac"].dtype == np.float32
    expected = round_floats(pd.DataFrame({"p_frac": np.array([1 / 3, np.float32(0.1) + np.float32(0.2)],
                                                              dtype=np.float32)}))["p_frac"]
    assert got["p_frac"].tolist() == expected.tolist()
    assert got["p_frac"].iloc[0] == np.round(np.float32(1 / 3), 10) != np.round(1 / 3, 10)


def test_the_drill_down_of_pair_tables_stored_without_an_order_is_sorted(toy_loaded):
    expected = record_unit_credits(toy_loaded, "country", "first_author")
    # the pair table rebuilt in reverse order, as a table built by hand may be
    engine = toy_loaded.engine
    table = toy_loaded.pairs["country"]
    reversed_rows = engine.materialise(engine.fresh_name("rev"), table.order_by(ibis.desc("record_key")))
    hand = replace(toy_loaded, pairs={**dict(toy_loaded.pairs.items()), "country": reversed_rows})
    assert engine.execute_sorted(reversed_rows, ["record_key"], stored=True)["record_key"].iloc[0] == 4
    pd.testing.assert_frame_equal(record_unit_credits(hand, "country", "first_author"), expected)
