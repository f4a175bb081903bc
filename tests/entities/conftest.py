"""Fixtures of the entity tests."""

from __future__ import annotations

import os
import sys

import pytest


def _clear_entity_caches() -> None:
    """Empty every ``lru_cache`` of the ``innometrics.entities`` modules loaded."""
    for name, module in list(sys.modules.items()):
        if name.startswith("innometrics.entities") and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _fresh_entity_caches():
    """Start every test session with the resolvers' cached indexes empty.

    The country resolver keeps its indexes (names, codes, translations, subdivisions) and
    its answers for addresses in ``lru_cache``. mutmut runs each mutant in a process forked
    from one that has already run the tests, so without this the indexes built by the
    original code would be reused and the mutated code behind them would never run
    (issue 17). In an ordinary session nothing is cached yet and this costs nothing.
    """
    _clear_entity_caches()
    yield


@pytest.fixture(autouse=True)
def _fresh_entity_caches_while_mutmut_maps_tests():
    """While mutmut records which tests call each function (its "stats" run), rebuild the
    cached indexes before every test: otherwise only the first test to use an index would be
    mapped to the functions behind it, and each mutant of those would run that test alone."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _clear_entity_caches()
    yield
