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
