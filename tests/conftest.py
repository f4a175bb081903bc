"""Shared test helpers and fixtures.

``tests/helpers`` (sample record sets, the independent re-implementation of the counts)
is put on ``sys.path`` for every test folder. ``engine`` is parametrised over DuckDB and
Spark (local mode); the Spark case is marked ``spark`` and skipped with the reason when
PySpark or Java is missing (and fails instead when ``CI=true``: see helpers/tools_present.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS / "helpers"))

from innometrics.rankings.engines import connect  # noqa: E402
from rank_samples import toy_records  # noqa: E402
from tools_present import require_spark  # noqa: E402


def _clear_caches() -> None:
    """Empty every ``lru_cache`` of the ``innometrics`` modules loaded."""
    for name, module in list(sys.modules.items()):
        if name.startswith("innometrics") and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _fresh_caches():
    """Start every test session with innometrics' caches empty.

    Several modules keep built indexes or expressions in ``lru_cache`` (the country
    resolver's name and code indexes, its answers for addresses, the direct fractional
    query). mutmut runs each mutant in a process forked from one that has already run the
    tests, so without this what the original code cached would be reused and the mutated
    code behind it would never run (issue 17: it hid mutants of the country resolver). In
    an ordinary session nothing is cached yet and this costs nothing.
    """
    _clear_caches()
    yield


@pytest.fixture(autouse=True)
def _fresh_caches_while_mutmut_maps_tests():
    """While mutmut records which tests call each function (its "stats" run), empty the
    caches before every test: otherwise only the first test to fill a cache would be mapped
    to the functions behind it, and each mutant of those would run that test alone."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _clear_caches()
    yield


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def open_engine(name: str):
    if name == "spark":
        require_spark()
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
