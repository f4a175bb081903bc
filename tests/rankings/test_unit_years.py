"""The per (unit, year) sums stored at load, and the counts read from them.

``count_units`` reads a base level's counts from :func:`unit_year_sums` (one row per unit and
year) instead of the pair table (one row per record and unit). These tests pin the stored sums
on a record set worked by hand, and check that every method, period and level gives the numbers
the pair-table query gives (the same formulas added in another order).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from innometrics.rankings.counting import METHOD_CREDITS, count_units, unit_year_counts
from innometrics.rankings.credits import BASE_LEVELS, CREDITS, UNKNOWN, load_recordset, unit_year_sums
from innometrics.rankings.engines import connect_duckdb
from innometrics.records.model import RecordSet


def _hand_recordset() -> RecordSet:
    """Three records, worked by hand below.

    r1 (2020, weight 2, 10 citations): a1 at MIT (USA), a2 at ETH (CHE); a2 corresponding.
    r2 (2020, weight 1, no citation count): a1 at MIT; a2 without address.
    r3 (2021, weight 1, 4 citations): a1 without address, a2 at MIT; nobody corresponding.
    """
    records = [
        {"record_id": "r1", "year": 2020, "weight": 2.0, "citations": 10},
        {"record_id": "r2", "year": 2020, "weight": 1.0, "citations": None},
        {"record_id": "r3", "year": 2021, "weight": 1.0, "citations": 4},
    ]
    contributors = [
        {"record_id": "r1", "position": 1, "name": "a1", "is_corresponding": False},
        {"record_id": "r1", "position": 2, "name": "a2", "is_corresponding": True},
        {"record_id": "r2", "position": 1, "name": "a1", "is_corresponding": False},
        {"record_id": "r2", "position": 2, "name": "a2", "is_corresponding": False},
        {"record_id": "r3", "position": 1, "name": "a1", "is_corresponding": False},
        {"record_id": "r3", "position": 2, "name": "a2", "is_corresponding": False},
    ]
    affiliations = [
        {"record_id": "r1", "position": 1, "institution": "MIT", "institution_id": "I1", "city": "Cambridge",
         "country": "USA"},
        {"record_id": "r1", "position": 2, "institution": "ETH", "institution_id": "I2", "city": "Zurich",
         "country": "CHE"},
        {"record_id": "r2", "position": 1, "institution": "MIT", "institution_id": "I1", "city": "Cambridge",
         "country": "USA"},
        {"record_id": "r3", "position": 2, "institution": "MIT", "institution_id": "I1", "city": "Cambridge",
         "country": "USA"},
    ]
    return RecordSet.from_rows(records, contributors, affiliations, [], read=3)


def _rows(df: pd.DataFrame) -> dict[tuple[str, int], dict[str, float]]:
    return {(r["unit"], int(r["year"])): r for r in df.to_dict("records")}


def test_unit_year_sums_worked_by_hand():
    eng = connect_duckdb()
    loaded = load_recordset(eng, _hand_recordset(), levels=("country",))
    got = _rows(eng.execute(unit_year_sums(loaded.pairs["country"])))
    assert set(got) == {("USA", 2020), ("CHE", 2020), ("USA", 2021), (UNKNOWN, 2020), (UNKNOWN, 2021)}
    usa20, che20, usa21 = got[("USA", 2020)], got[("CHE", 2020)], got[("USA", 2021)]
    # full: r1 (w 2) and r2 (w 1); frac: r1 gives 2/2, r2 gives 1/2
    assert usa20["full"] == 3.0 and usa20["frac"] == 1.5
    # only r1 has a citation count: its credit, times 10 citations
    assert usa20["full_cited"] == 2.0 and usa20["full_citations"] == 20.0
    assert usa20["frac_cited"] == 1.0 and usa20["frac_citations"] == 10.0
    # first author a1 is at MIT on r1 and r2; r1's corresponding author a2 is at ETH, r2 has none
    assert usa20["first"] == 3.0 and usa20["corr"] == 0.0
    assert che20["corr"] == 2.0 and che20["corr_citations"] == 20.0 and che20["first"] == 0.0
    # r1 is international (USA and CHE): its full credit; r2 is not
    assert usa20["full_international"] == 2.0 and che20["full_international"] == 2.0
    # ... and r3 neither: a (unit, year) without international records sums to 0, not missing
    assert usa21["full_international"] == 0.0 and got[(UNKNOWN, 2021)]["full_international"] == 0.0
    # r3: a1 without address -> first-author credit through a helper row on unknown, no full credit there
    assert usa21["frac"] == 0.5 and usa21["first"] == 0.0 and usa21["full"] == 1.0
    assert got[(UNKNOWN, 2021)]["first"] == 1.0 and got[(UNKNOWN, 2021)]["frac"] == 0.5
    assert got[(UNKNOWN, 2021)]["full"] == 1.0  # a1's share makes unknown appear on r3
    assert got[(UNKNOWN, 2020)]["frac"] == 0.5 and got[(UNKNOWN, 2020)]["full_cited"] == 0.0  # r2: not cited
    # a (unit, year) without a cited record sums to 0 citations, not missing, under every credit
    # (the pair-table query's cit_sum and top_sum are 0 there too)
    for c in CREDITS:
        assert [got[(UNKNOWN, 2020)][f"{c}_{s}"] for s in ("cited", "citations", "top")] == [0.0, 0.0, 0.0], c
    # the top-10% flag: a record's top share, times its credit, only where cited
    for c in CREDITS:
        for row in got.values():
            assert row[f"{c}_top"] <= row[f"{c}_cited"] + 1e-12
    # fractional credit reconciles to the total weight (2 + 1 + 1)
    assert sum(r["frac"] for r in got.values()) == 4.0


def test_unit_year_counts_sum_over_the_years_by_default():
    eng = connect_duckdb()
    loaded = load_recordset(eng, _hand_recordset(), levels=("country",))
    sums = unit_year_sums(loaded.pairs["country"])
    # the default is one row per unit: USA's 2020 and 2021 rows added (r1, r2 and r3)
    got = eng.execute(unit_year_counts(sums, "fractional")).set_index("unit")
    assert "year" not in got.columns
    assert sorted(got.index) == sorted(["USA", "CHE", UNKNOWN])
    assert got.loc["USA", "p_full"] == 4.0 and got.loc["USA", "p_frac"] == 2.0
    by_year = eng.execute(unit_year_counts(sums, "fractional", by_year=True))
    assert len(by_year) == 5 and "year" in by_year.columns


def _random_recordset(seed: int = 7, n: int = 120) -> RecordSet:
    """Records over five years with missing citation counts, unaddressed authors, address-only
    records, several affiliations per author and unequal weights."""
    rng = np.random.default_rng(seed)
    places = [("MIT", "I1", "Cambridge", "USA"), ("Harvard", None, "Cambridge", "USA"),
              ("Oxford", "I2", "Oxford", "GBR"), ("ETH", "I3", "Zurich", "CHE"), ("EPFL", "I4", "Lausanne", "CHE"),
              ("Tsinghua", "I5", "Beijing", "CHN"), (None, None, None, "JPN"), ("Lab", None, None, None)]
    records, contributors, affiliations = [], [], []
    for i in range(n):
        rid = f"r{i}"
        cit = None if rng.random() < 0.25 else int(rng.integers(0, 60))
        records.append({"record_id": rid, "year": int(2016 + i % 5), "weight": float(rng.choice([1.0, 0.5, 2.0])),
                        "citations": cit})
        n_auth = int(rng.integers(1, 5))
        corr = set(rng.choice(np.arange(1, n_auth + 1), size=int(rng.integers(0, 3)), replace=True).tolist())
        address_only = rng.random() < 0.1
        for p in range(1, n_auth + 1):
            contributors.append({"record_id": rid, "position": p, "name": f"a{p}", "is_corresponding": p in corr})
            for k in rng.choice(len(places), size=int(rng.integers(0, 3)), replace=False):
                inst, iid, city, country = places[int(k)]
                affiliations.append({"record_id": rid, "position": None if address_only else p, "institution": inst,
                                     "institution_id": iid, "city": city, "country": country})
    return RecordSet.from_rows(records, contributors, affiliations, [], read=n)


class _Unbuilt(dict):
    """Pair tables that may be asked whether a level exists but never for its table."""

    def __getitem__(self, level):
        raise AssertionError(f"the pair table of {level} was read")

    def __contains__(self, level):
        return level in BASE_LEVELS


@pytest.fixture(scope="module")
def loads():
    eng = connect_duckdb()
    rs = _random_recordset()
    stored = load_recordset(eng, rs)
    for level in BASE_LEVELS:
        stored.unit_years[level]
    from_pairs = dataclasses.replace(stored, unit_years={})  # every count from the pair tables
    only_sums = dataclasses.replace(stored, pairs=_Unbuilt())  # fails if a count reads a pair table
    return from_pairs, only_sums


@pytest.mark.parametrize("method", sorted(METHOD_CREDITS))
@pytest.mark.parametrize("period", [None, 2018, (2017, 2019), (2030, 2031)])
@pytest.mark.parametrize("by_year", [False, True])
def test_counts_from_the_stored_sums_equal_those_from_the_pair_table(loads, method, period, by_year):
    from_pairs, only_sums = loads
    for level in BASE_LEVELS:
        want = count_units(from_pairs, level, method, period=period, by_year=by_year)
        got = count_units(only_sums, level, method, period=period, by_year=by_year)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-9)
        if period != (2030, 2031):
            assert len(got) > 2  # not a vacuous comparison
        else:
            assert got.empty


def test_the_eager_load_stores_the_sums_of_every_level():
    eng = connect_duckdb()
    from innometrics.rankings.credits import load_tables

    lazy = load_recordset(eng, _random_recordset(n=20))
    loaded = load_tables(eng, *lazy.inputs, eager=True)
    assert loaded.pairs.built() == BASE_LEVELS and loaded.unit_years.built() == BASE_LEVELS
    assert all(f"unit_years_{lv}" in loaded.tables for lv in BASE_LEVELS)
    # loaded.tables names every stored table (what a caller drops to free the engine)
    stored = {row[0] for row in eng.con.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {loaded.tables[f"unit_years_{lv}"] for lv in BASE_LEVELS} <= stored
    # the stored sums are the pair table's: frac per unit over the years
    pairs = eng.execute(loaded.pairs["city"]).groupby("unit")["frac"].sum()
    sums = eng.execute(loaded.unit_years["city"]).groupby("unit")["frac"].sum()
    pd.testing.assert_series_equal(sums.sort_index(), pairs.sort_index(), rtol=1e-12)


@pytest.mark.parametrize("period", [None, 2018, (2017, 2019), (2030, 2031)])
def test_names_from_the_stored_sums_equal_those_from_the_pair_table(loads, period):
    from innometrics.rankings.counting import unit_names

    from_pairs, only_sums = loads
    for level in ("city", "country"):
        want = unit_names(from_pairs, level, period=period)
        got = unit_names(only_sums, level, period=period)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert (got["unit"] == got["name"]).all()
        if period != (2030, 2031):
            assert len(got) > 2
        else:
            assert got.empty


def test_a_unit_only_on_helper_rows_has_no_name():
    """r4 (2022): its one author is at ETH and nobody is marked corresponding, so the
    corresponding-author credit goes to unknown through a helper row alone: unknown gets corr
    credit in 2022 but appears on no record then, so it is not named for 2022."""
    from innometrics.rankings.counting import unit_names

    rs = _hand_recordset()
    rs = RecordSet.from_rows(
        pd.concat([rs.records, pd.DataFrame([{"record_id": "r4", "year": 2022, "weight": 1.0}])]),
        pd.concat([rs.contributors, pd.DataFrame([{"record_id": "r4", "position": 1, "name": "b",
                                                   "is_corresponding": False}])]),
        pd.concat([rs.affiliations, pd.DataFrame([{"record_id": "r4", "position": 1, "institution": "ETH",
                                                   "institution_id": "I2", "city": "Zurich", "country": "CHE"}])]),
        [], read=4)
    eng = connect_duckdb()
    loaded = load_recordset(eng, rs, levels=("country",))
    sums = eng.execute(loaded.unit_years["country"])
    by_key = {(u, int(y)): (n, c) for u, y, n, c in zip(sums["unit"], sums["year"], sums["n_records"], sums["corr"])}
    assert by_key == {("USA", 2020): (2, 0.0), ("CHE", 2020): (1, 2.0), ("USA", 2021): (1, 0.0),
                      (UNKNOWN, 2020): (1, 1.0), (UNKNOWN, 2021): (1, 1.0), ("CHE", 2022): (1, 0.0),
                      (UNKNOWN, 2022): (0, 1.0)}
    only_sums = dataclasses.replace(loaded, pairs=_Unbuilt())
    assert list(unit_names(only_sums, "country", period=2022)["unit"]) == ["CHE"]
    assert list(unit_names(only_sums, "country")["unit"]) == ["CHE", "USA", UNKNOWN]
    counts = count_units(only_sums, "country", "corresponding_author", period=2022)
    assert dict(zip(counts["unit"], counts["p_corresponding_author"])) == {"CHE": 0.0, UNKNOWN: 1.0}
