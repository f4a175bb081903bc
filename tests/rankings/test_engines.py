"""DuckDB and Spark run the same counting expressions and must agree exactly.

Marked ``spark``: skipped with the reason when PySpark or Java is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.rankings.counting import COUNT_METHODS, Grouping, count_units, record_unit_credits, total_weight
from innometrics.rankings.credits import load_recordset
from innometrics.rankings.engines import connect
from tools_present import require_spark
from innometrics.records.model import RecordSet

pytestmark = pytest.mark.spark


def small_recordset(n_records: int = 150, seed: int = 5) -> RecordSet:
    """Random but seeded records with every credit path: linked, unlinked, no address."""
    rng = np.random.default_rng(seed)
    countries = ["USA", "CHN", "DEU", "GBR", "FRA", "JPN", None]
    records, contributors, affiliations = [], [], []
    for r in range(n_records):
        rid = f"W{r:04d}"
        records.append(dict(record_id=rid, year=int(rng.integers(2015, 2021)), weight=float(rng.choice([1.0, 0.5, 2.0])),
                            citations=None if rng.random() < 0.1 else int(rng.poisson(8))))
        n = int(rng.integers(0, 6))
        unlinked = rng.random() < 0.15
        for p in range(1, n + 1):
            contributors.append(dict(record_id=rid, position=p, name=f"a{p}", is_corresponding=bool(rng.random() < 0.3)))
            for _ in range(int(rng.integers(0, 4))):
                inst = int(rng.zipf(1.6)) % 25
                country = countries[inst % len(countries)]
                affiliations.append(dict(record_id=rid, position=None if unlinked else p, institution=f"Inst{inst}",
                                         institution_id=None if inst % 3 else f"I{inst}",
                                         city=None if inst % 5 == 0 else f"City{inst % 9}", country=country))
    return RecordSet.from_rows(records, contributors, affiliations, [], read=n_records)


@pytest.fixture(scope="module")
def both():
    require_spark()
    rs = small_recordset()
    duck = connect("duckdb")
    spark = connect("spark")
    yield load_recordset(duck, rs), load_recordset(spark, rs)
    duck.close()


def _canonical(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df.sort_values(keys, kind="mergesort").reset_index(drop=True)
    for c in df.columns:
        if c in ("record_key", "year"):
            df[c] = df[c].astype("int64")
        elif c != "unit":
            df[c] = df[c].astype("float64").round(9)
    return df


@pytest.mark.parametrize("method", ["full", "fractional", "first_author", "corresponding_author"])
@pytest.mark.parametrize("level", ["institution", "city", "country"])
def test_same_counts_on_duckdb_and_spark(both, level, method):
    duck, spark = both
    a = _canonical(count_units(duck, level, method), ["unit"])
    b = _canonical(count_units(spark, level, method), ["unit"])
    assert len(a) > 3
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_same_windows_yearly_pairs_and_groupings(both):
    duck, spark = both
    assert total_weight(duck, period=(2016, 2018)) == total_weight(spark, period=(2016, 2018))
    for kwargs, keys in (({"period": (2016, 2018)}, ["unit"]), ({"by_year": True}, ["unit", "year"])):
        a = _canonical(count_units(duck, "country", "fractional", **kwargs), keys)
        b = _canonical(count_units(spark, "country", "fractional", **kwargs), keys)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    a = _canonical(record_unit_credits(duck, "institution", "full"), ["record_key", "unit"])
    b = _canonical(record_unit_credits(spark, "institution", "full"), ["record_key", "unit"])
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    grouping = Grouping("region", "country", pd.DataFrame({"unit": ["DEU", "GBR", "FRA"], "group": ["EU", "EU", "EU"]}))
    a = _canonical(count_units(duck, "region", "full", grouping=grouping), ["unit"])
    b = _canonical(count_units(spark, "region", "full", grouping=grouping), ["unit"])
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_fractional_totals_reconcile_on_both(both):
    for loaded in both:
        total, _ = total_weight(loaded)
        for method in COUNT_METHODS:
            if method == "full":
                continue
            df = count_units(loaded, "country", method)
            col = {"fractional": "p_frac"}.get(method, f"p_{method}")
            assert df[col].sum() == pytest.approx(total, abs=1e-7)
