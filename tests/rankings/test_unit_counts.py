"""unit_counts: one method's counts, read from the inputs when nothing is stored yet.

The direct fractional query (no pair table) must give exactly the numbers of the
pair-table path (count_units), and must hand over to the pair tables whenever the
full rules add credit the linked affiliations do not carry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innometrics.rankings.counting import COUNT_METHODS, Grouping, count_column, count_units, unit_counts
from innometrics.rankings.credits import load_recordset, load_tables
from innometrics.records.model import RecordSet
from innometrics.entities.resolve import read_resolved

DATA = Path(__file__).resolve().parents[1] / "data" / "bibliographic"


def clean_recordset(n_records: int = 120, seed: int = 11, *, country_gaps: bool = True) -> RecordSet:
    """Every record has 1-6 contributors, each linked to 1-3 affiliations (the direct case)."""
    rng = np.random.default_rng(seed)
    countries = ["USA", "CHN", "DEU", "GBR", "FRA", "JPN"] + ([None] if country_gaps else [])
    records, contributors, affiliations = [], [], []
    for r in range(n_records):
        rid = f"C{r:04d}"
        records.append(dict(record_id=rid, year=int(rng.integers(2015, 2021)),
                            weight=float(rng.choice([1.0, 0.5, 2.0])), citations=int(rng.poisson(5))))
        for p in range(1, int(rng.integers(1, 7)) + 1):
            contributors.append(dict(record_id=rid, position=p, name=f"a{p}", is_corresponding=p == 1))
            for _ in range(int(rng.integers(1, 4))):
                inst = int(rng.zipf(1.6)) % 25
                affiliations.append(dict(record_id=rid, position=p, institution=f"Inst{inst}",
                                         institution_id=None if inst % 3 else f"I{inst}",
                                         city=None if inst % 5 == 0 else f"City{inst % 9}",
                                         country=countries[inst % len(countries)]))
    return RecordSet.from_rows(records, contributors, affiliations, [], read=n_records)


def with_changes(rs: RecordSet, *, unlink=None, drop_contributors_of=None, unlink_record=None) -> RecordSet:
    """A copy of ``rs`` with one flaw that makes the full rules add credit."""
    con, aff = rs.contributors.copy(), rs.affiliations.copy()
    if unlink is not None:  # one contributor loses its addresses: its credit goes to unknown
        rid, pos = unlink
        aff = aff[~((aff["record_id"] == rid) & (aff["position"] == pos))]
    if drop_contributors_of is not None:  # a record without contributors or addresses
        con = con[con["record_id"] != drop_contributors_of]
        aff = aff[aff["record_id"] != drop_contributors_of]
    if unlink_record is not None:  # addresses without author links: split over addresses
        aff.loc[aff["record_id"] == unlink_record, "position"] = pd.NA
    return RecordSet.from_rows(rs.records, con.reset_index(drop=True), aff.reset_index(drop=True), [],
                               read=len(rs.records))


def expected(rs: RecordSet, engine, level, method="fractional", **kwargs) -> pd.DataFrame:
    """The pair-table path on a load of its own."""
    col = count_column(method)
    df = count_units(load_recordset(engine, rs), level, method, **kwargs)[["unit", col]]
    return df[df[col] != 0].reset_index(drop=True)


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got["unit"].tolist() == want["unit"].tolist()
    np.testing.assert_allclose(got.iloc[:, 1].to_numpy(float), want.iloc[:, 1].to_numpy(float), rtol=0, atol=1e-9)


@pytest.mark.parametrize("level", ["institution", "city", "country"])
@pytest.mark.parametrize("period", [None, 2017, (2016, 2018)])
def test_direct_fractional_equals_pair_path_and_builds_nothing(engine, level, period):
    rs = clean_recordset()
    loaded = load_recordset(engine, rs)
    got = unit_counts(loaded, level, period=period)
    assert loaded.pairs.built() == () and not loaded.facts_built()  # read from the inputs only
    assert_same(got, expected(rs, engine, level, period=period))
    if level != "institution":  # some affiliations have no country (or city)
        assert "unknown" in set(got["unit"])
    years = range(2015, 2021) if period is None else ([period] if isinstance(period, int) else range(2016, 2019))
    assert got["p_frac"].sum() == pytest.approx(rs.records[rs.records["year"].isin(list(years))]["weight"].sum())


@pytest.mark.parametrize("flaw", [
    {"unlink": ("C0007", 1)},  # one author of one record loses its addresses
    {"drop_contributors_of": "C0003"},  # a record with neither contributors nor addresses
    {"unlink_record": "C0005"},  # a record whose addresses are not linked to authors
])
@pytest.mark.parametrize("level", ["institution", "country"])
def test_full_rules_hand_over_to_the_pair_table(engine, flaw, level):
    rs = with_changes(clean_recordset(), **flaw)
    loaded = load_recordset(engine, rs)
    got = unit_counts(loaded, level)
    assert loaded.pairs.built() == (level,)  # the shortfall was detected
    assert_same(got, expected(rs, engine, level))
    assert got["p_frac"].sum() == pytest.approx(rs.records["weight"].sum())


def test_shortfall_outside_the_period_keeps_the_direct_path(duckdb_engine):
    rs = with_changes(clean_recordset(), unlink=("C0007", 1))
    year = int(rs.records.loc[rs.records["record_id"] == "C0007", "year"].iloc[0])
    other = 2015 if year != 2015 else 2016
    loaded = load_recordset(duckdb_engine, rs)
    got = unit_counts(loaded, "country", period=other)
    assert loaded.pairs.built() == ()
    assert_same(got, expected(rs, duckdb_engine, "country", period=other))


@pytest.mark.parametrize("unmapped", ["keep", "other"])
def test_groupings_on_the_direct_path(engine, unmapped):
    rs = clean_recordset()
    mapping = pd.DataFrame({"unit": ["USA", "GBR", "FRA", "DEU"], "group": ["AMER", "EUR", "EUR", "EUR"]})
    grouping = Grouping(name="region", base="country", mapping=mapping, unmapped=unmapped)
    loaded = load_recordset(engine, rs)
    got = unit_counts(loaded, "region", grouping=grouping)
    assert loaded.pairs.built() == ()
    assert_same(got, expected(rs, engine, "region", grouping=grouping))
    assert ("other" in set(got["unit"])) == (unmapped == "other")


@pytest.mark.parametrize("method", COUNT_METHODS)
def test_every_method_once_pairs_exist(engine, method):
    rs = clean_recordset()
    loaded = load_recordset(engine, rs)
    count_units(loaded, "city")  # builds the city pair table
    got = unit_counts(loaded, "city", method)
    assert_same(got, expected(rs, engine, "city", method))


@pytest.mark.parametrize("name", ["wos_biblium_500.txt", "scopus_biblium_200.csv", "openalex_biblium_613.csv"])
def test_real_exports(duckdb_engine, name):
    rs = read_resolved(DATA / name)
    for level in ("country", "institution"):
        got = unit_counts(load_recordset(duckdb_engine, rs), level)
        assert_same(got, expected(rs, duckdb_engine, level))
        assert got["p_frac"].sum() == pytest.approx(rs.records["weight"].fillna(1.0).sum())


def test_parquet_inputs_scanned_in_place(duckdb_engine, tmp_path):
    rs = clean_recordset(country_gaps=False)
    paths = {}
    for name in ("records", "contributors", "affiliations"):
        df = getattr(rs, name)
        if name == "affiliations":
            df = df.astype({"position": "float64"})
        paths[name] = tmp_path / f"{name}.parquet"
        df.to_parquet(paths[name])
    tables = [duckdb_engine.read_parquet(f"pq_{n}", str(p)) for n, p in paths.items()]
    loaded = load_tables(duckdb_engine, *tables, levels=("country",))
    assert loaded.tables == {}  # nothing stored by the load
    got = unit_counts(loaded, "country")
    assert loaded.tables == {}  # nor by a direct count
    # the hand-computed rule: each affiliation row gets w / (n k)
    aff, con, rec = rs.affiliations, rs.contributors, rs.records.set_index("record_id")
    n = con.groupby("record_id").size()
    k = aff.groupby(["record_id", "position"])["country"].transform("size")
    credit = aff["record_id"].map(rec["weight"]) / (aff["record_id"].map(n) * k)
    hand = credit.groupby(aff["country"]).sum()
    assert got.set_index("unit")["p_frac"].to_dict() == pytest.approx(hand.to_dict(), abs=1e-9)


def test_unknown_level_and_method_are_errors(duckdb_engine):
    from innometrics.errors import SpecError, UnknownMethodError

    loaded = load_recordset(duckdb_engine, clean_recordset(20))
    with pytest.raises(SpecError, match="unknown level"):
        unit_counts(loaded, "planet")
    with pytest.raises(UnknownMethodError):
        unit_counts(loaded, "country", "harmonic")


def test_duckdb_compiles_each_expression_once_but_keeps_no_in_memory_data(duckdb_engine):
    import ibis

    from innometrics.rankings.engines import duckdb as duck

    t = duckdb_engine.upload(duckdb_engine.fresh_name("cache"), pd.DataFrame({"a": [1, 1, 2]}))
    expr = t.group_by("a").agg(n=t.count()).order_by("a")
    first = duckdb_engine.execute(expr)
    assert duck._COMPILED[expr.op()].startswith("SELECT")
    rebuilt = t.group_by("a").agg(n=t.count()).order_by("a")  # equal expression, same compiled text
    pd.testing.assert_frame_equal(duckdb_engine.execute(rebuilt), first)
    assert first["n"].tolist() == [2, 1]
    mem = ibis.memtable(pd.DataFrame({"a": [5, 5]}))
    in_memory = mem.group_by("a").agg(n=mem.count())
    assert duckdb_engine.execute(in_memory)["n"].tolist() == [2]
    assert in_memory.op() not in duck._COMPILED
