"""The ROR registry sample (cut from ROR's data, CC0; see DATA_SOURCES.md), loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parents[2] / "data"
SAMPLE = DATA / "ror" / "ror-v2-sample.json.gz"


@pytest.fixture(scope="session")
def ror_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ror-cache")


@pytest.fixture(scope="session")
def registry(ror_cache):
    from innometrics.entities.institutions.ror import load_registry

    return load_registry(SAMPLE, cache_dir=ror_cache)


@pytest.fixture(scope="session")
def matcher(registry):
    from innometrics.entities.institutions.matcher import AffiliationMatcher

    return AffiliationMatcher(registry)
