"""Shared fixtures of the ranking tests: one suite, every engine.

``engine`` is parametrised over DuckDB and Spark (local mode); the Spark case is
marked ``spark`` and skipped with the reason when PySpark or Java is missing.
"""

from __future__ import annotations

import pytest

from innometrics.rankings.engines import connect, spark_available
from rank_samples import toy_records

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def open_engine(name: str):
    if name == "spark":
        ok, why = spark_available()
        if not ok:
            pytest.skip(f"Spark engine unavailable: {why}")
    return connect(name)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request):
    eng = open_engine(request.param)
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def duckdb_engine():
    eng = connect("duckdb")
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def toy():
    return toy_records()


@pytest.fixture(scope="session")
def loaded(engine, toy):
    from innometrics.rankings.credits import load_recordset

    return load_recordset(engine, toy)
