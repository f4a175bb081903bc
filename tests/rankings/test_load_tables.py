"""The load's place dictionary and the pair tables built from it, against the row-level credit table."""

from __future__ import annotations

import pandas as pd

from innometrics.rankings.credits import BASE_LEVELS, UNKNOWN, load_recordset, unit_dictionary
from innometrics.rankings.engines import connect_duckdb
from innometrics.records.model import RecordSet


def _recordset() -> RecordSet:
    records = [{"record_id": f"r{i}", "year": 2020 + i % 3, "citations": i} for i in range(6)]
    contributors = [{"record_id": f"r{i}", "position": p, "name": f"a{p}", "is_corresponding": p == 2}
                    for i in range(6) for p in (1, 2)]
    affiliations = [
        {"record_id": "r0", "position": 1, "institution": "MIT", "institution_id": "I1", "city": "Cambridge",
         "country": "USA"},
        {"record_id": "r0", "position": 2, "institution": "Oxford", "institution_id": "I2", "city": "Oxford",
         "country": "GBR"},
        {"record_id": "r1", "position": 1, "institution": "M.I.T.", "institution_id": "I1", "city": "Cambridge",
         "country": "USA"},
        {"record_id": "r1", "position": 1, "institution": "Harvard", "institution_id": None, "city": "Cambridge",
         "country": "USA"},
        {"record_id": "r2", "position": None, "institution": "ETH", "institution_id": "I3", "city": None,
         "country": "CHE"},  # addresses only: split over them
        {"record_id": "r2", "position": None, "institution": None, "institution_id": None, "city": None,
         "country": None},
        {"record_id": "r3", "position": 2, "institution": "Cambridge", "institution_id": "I4", "city": "Cambridge",
         "country": "GBR"},  # author 1 unlinked -> unknown
    ]
    return RecordSet.from_rows(records, contributors, affiliations, [], read=6)


def test_dictionary_numbers_units_once_per_level_with_unknown_zero():
    eng = connect_duckdb()
    loaded = load_recordset(eng, _recordset())
    d = eng.execute(unit_dictionary(loaded.inputs[2]))
    assert d["loc"].is_unique and len(d) == 7  # MIT appears under two names
    for level, col in (("institution", "institution_no"), ("city", "city_no"), ("country", "country_no")):
        pairs = d[[level, col]].drop_duplicates()
        assert pairs[level].is_unique and pairs[col].is_unique  # one number per unit, one unit per number
        assert set(pairs.loc[pairs[level] == UNKNOWN, col]) <= {0}
        assert (pairs.loc[pairs[level] != UNKNOWN, col] > 0).all()
    # "Cambridge, USA" and "Cambridge, GBR" are two cities
    assert d.loc[d["city"].str.startswith("Cambridge"), "city_no"].nunique() == 2


def test_pair_tables_equal_those_from_the_row_level_credit_table():
    rs = _recordset()
    eng = connect_duckdb()
    fast = load_recordset(eng, rs)
    from innometrics.rankings.credits import load_tables

    slow = load_tables(eng, *fast.inputs, keep_rows=True)  # pair tables summed from the stored credit rows
    cols = ["record_key", "unit", "unit_name", "is_helper", "frac", "first", "corr", "n_links", "year", "weight",
            "citations", "top_share", "is_international"]
    for level in BASE_LEVELS:
        a = eng.execute(fast.pairs[level]).sort_values(["record_key", "unit", "is_helper"]).reset_index(drop=True)
        b = eng.execute(slow.pairs[level]).sort_values(["record_key", "unit", "is_helper"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(a[cols], b[cols], check_dtype=False)
        assert abs(a["frac"].sum() - 6.0) < 1e-12
    inst = eng.execute(fast.pairs["institution"])
    # the institution's name on a record is the alphabetically first there; MIT appears under two names
    assert set(inst.loc[inst["unit"] == "I1", "unit_name"]) == {"MIT", "M.I.T."}
    assert set(inst["unit"]) >= {"I1", "I2", "I3", "I4", "Harvard", UNKNOWN}


def _shuffled_recordset(n: int = 300, seed: int = 11) -> RecordSet:
    """Records over five years with several places per author, in no particular order, so
    a stored table's row order is whatever the load made it (a hash aggregation leaves
    these rows out of order)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    places = [("MIT", "I1", "Cambridge", "USA"), ("Oxford", "I2", "Oxford", "GBR"), ("ETH", "I3", "Zurich", "CHE"),
              ("EPFL", "I4", "Lausanne", "CHE"), ("Tsinghua", "I5", "Beijing", "CHN"), (None, None, None, "JPN")]
    records, contributors, affiliations = [], [], []
    for i in rng.permutation(n):
        rid = f"r{i}"
        records.append({"record_id": rid, "year": int(2016 + i % 5), "citations": int(rng.integers(0, 40))})
        for p in range(1, int(rng.integers(1, 4)) + 1):
            contributors.append({"record_id": rid, "position": p, "name": f"a{p}", "is_corresponding": p == 1})
            for k in rng.choice(len(places), size=int(rng.integers(1, 3)), replace=False):
                inst, iid, city, country = places[int(k)]
                affiliations.append({"record_id": rid, "position": p, "institution": inst, "institution_id": iid,
                                     "city": city, "country": country})
    return RecordSet.from_rows(records, contributors, affiliations, [], read=n)


def _load_paths():
    """The three ways :func:`load_tables` builds a pair table: every level from the shared
    location sums, one level straight from the credit rows, and from the stored row-level
    credit table (``keep_rows``)."""
    return [("shared locations", {}), ("one level", {"levels": ("city",)}), ("row-level credits", {"keep_rows": True})]


def test_stored_tables_are_kept_in_the_order_they_are_read_in():
    """Pair tables are stored in PAIR_ORDER and the per (unit, year) sums in UNIT_YEAR_ORDER,
    because the counts read them as stored without a sort (DuckDB keeps storage order):
    stored out of order, ``count_units(by_year=True)`` returned its rows unsorted."""
    from innometrics.rankings.counting import count_units
    from innometrics.rankings.credits import PAIR_ORDER, UNIT_YEAR_ORDER, load_tables

    eng = connect_duckdb()
    inputs = load_recordset(eng, _shuffled_recordset()).inputs
    for path, options in _load_paths():
        loaded = load_tables(eng, *inputs, eager=True, **options)
        for level in options.get("levels", BASE_LEVELS):
            for table, keys in ((loaded.pairs[level], PAIR_ORDER), (loaded.unit_years[level], UNIT_YEAR_ORDER)):
                as_stored = eng.execute_sorted(table, list(keys), stored=True)[list(keys)]
                assert len(as_stored) >= 25, (path, level)  # enough rows for a hash order to show
                pd.testing.assert_frame_equal(
                    as_stored, as_stored.sort_values(list(keys)).reset_index(drop=True), obj=f"{path} {level}")
            counts = count_units(loaded, level, "fractional", by_year=True)
            assert list(zip(counts["unit"], counts["year"])) == sorted(zip(counts["unit"], counts["year"]))


def test_every_stored_table_is_built_once(monkeypatch):
    """An eager load of every level stores the place dictionary and the location sums once,
    shared by the three pair tables, and each pair table and its sums once."""
    from collections import Counter

    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines.base import Engine

    built: Counter = Counter()
    materialise = Engine.materialise

    def counted(self, name, expr, **options):
        built[name] += 1
        return materialise(self, name, expr, **options)

    monkeypatch.setattr(Engine, "materialise", counted)
    eng = connect_duckdb()
    inputs = load_recordset(eng, _shuffled_recordset(n=30)).inputs
    built.clear()
    loaded = load_tables(eng, *inputs, eager=True, tag="t")
    assert dict(built) == {name: 1 for name in loaded.tables.values()}
    assert set(loaded.tables.values()) == {"t_units", "t_locations", "t_facts"} | {
        f"t_{kind}_{lv}" for kind in ("pairs", "unit_years") for lv in BASE_LEVELS}
