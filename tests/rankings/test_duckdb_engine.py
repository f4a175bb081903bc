"""The DuckDB engine's result frames: Arrow's conversion where it equals DuckDB's ``df()``."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from innometrics.rankings.engines.duckdb import _plain, arrow_frame, connect_duckdb

QUERIES = {
    "text, numbers, flags": "SELECT * FROM (VALUES ('a', 1::BIGINT, 1.5::DOUBLE, true, 2::INTEGER), "
                            "('b', 2, NULL, false, 3), (NULL, 3, 2.0, true, 4)) t(s, i, f, b, i32)",
    "no rows": "SELECT 'a' AS s, 1::BIGINT AS i, 1.5 AS f WHERE false",
    "all-null text": "SELECT NULL::VARCHAR AS s, 1.0::DOUBLE AS f FROM range(3)",
    "nullable integer": "SELECT CASE WHEN range = 1 THEN NULL ELSE range END::BIGINT AS i FROM range(3)",
    "nullable flag": "SELECT CASE WHEN range = 1 THEN NULL ELSE range > 0 END AS b FROM range(3)",
    "decimal and date": "SELECT 1.25::DECIMAL(10, 2) AS d, DATE '2020-01-02' AS day, [1, 2] AS l",
    "unicode text": "SELECT * FROM (VALUES ('Zürich', 0.1::DOUBLE), ('北京', -0.0), ('', 'nan'::DOUBLE)) t(s, x)",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_arrow_frames_equal_duckdbs_own(name):
    con = duckdb.connect()
    want = con.execute(QUERIES[name]).df()
    table = con.execute(QUERIES[name]).to_arrow_table()
    got = arrow_frame(con, table)
    pd.testing.assert_frame_equal(got, want)
    assert list(got.dtypes) == list(want.dtypes)


def test_only_columns_converted_alike_take_the_arrow_path():
    con = duckdb.connect()
    plain = con.execute(QUERIES["text, numbers, flags"]).to_arrow_table()
    assert all(_plain(c) for c in plain.columns)
    for name in ("all-null text", "nullable integer", "nullable flag", "decimal and date"):
        table = con.execute(QUERIES[name]).to_arrow_table()
        assert not all(_plain(c) for c in table.columns), name


def test_engine_results_come_through_the_arrow_path():
    eng = connect_duckdb()
    t = eng.upload("t", pd.DataFrame({"unit": ["b", "a", "b"], "x": [1.0, 2.0, 3.0]}))
    got = eng.execute(t.group_by("unit").agg(x=t.x.sum()).order_by("unit"))
    assert list(got["unit"]) == ["a", "b"] and list(got["x"]) == [2.0, 4.0]
    assert got["unit"].dtype == pd.DataFrame({"s": ["a"]})["s"].dtype  # pandas' own text type


def test_a_table_stored_in_order_is_read_back_in_that_order_without_a_sort():
    # 600,000 rows: several of DuckDB's row groups (122,880 rows), scanned by both threads
    eng = connect_duckdb(threads=2)
    eng.con.con.execute("SELECT setseed(0.5)")
    # unique (record_key, unit, is_helper), as in a pair table, so the sorted order is one
    base = eng.materialise("base", eng.con.sql(
        "SELECT record_key, unit, is_helper, sum(frac) AS frac FROM (SELECT (random() * 50000)::BIGINT AS record_key, "
        "'u' || (random() * 300)::INT::VARCHAR AS unit, random() < 0.1 AS is_helper, random() AS frac "
        "FROM range(600000)) GROUP BY ALL"))
    assert base.count().execute() > 500_000
    keys = ["record_key", "unit", "is_helper"]
    expected = eng.execute(base.order_by(keys))
    table = eng.materialise("pairs", base, order_by=keys)
    window = table.filter(table.frac > 0.5).select("record_key", "unit", "is_helper")
    pd.testing.assert_frame_equal(eng.execute_sorted(table, keys, stored=True), expected)
    pd.testing.assert_frame_equal(eng.execute_sorted(window, keys, stored=True),
                                  expected[expected["frac"] > 0.5].drop(columns="frac").reset_index(drop=True))
    # the setting is back off afterwards: a plain read is not in stored order
    assert eng.con.con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
    assert not eng.execute(table)["record_key"].is_monotonic_increasing
    # without ``stored`` (or on a table stored without an order) the engine sorts
    pd.testing.assert_frame_equal(eng.execute_sorted(base, keys), expected)
    eng.close()
