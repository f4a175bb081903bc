"""Skip a test only when an external tool is genuinely absent, never in CI.

``.ci/run`` installs Java (for Spark) and Chromium with chromedriver, so with ``CI=true`` a
missing tool is a broken CI image, and the test fails instead of vanishing as a skip.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def tool_missing(reason: str) -> None:
    """Skip with ``reason`` locally; fail with it when ``CI=true``."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: .ci/run installs it, so its absence is a failure)", pytrace=False)
    pytest.skip(reason)


def require_spark() -> None:
    """Skip (fail in CI) unless PySpark and a Java runtime are present."""
    from innometrics.rankings.engines import spark_available

    ok, why = spark_available()
    if not ok:
        tool_missing(f"Spark engine unavailable: {why}")
