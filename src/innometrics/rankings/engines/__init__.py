"""Engines that run the counting expressions: DuckDB (default) and Apache Spark.

>>> from innometrics.rankings.engines import connect
>>> connect("duckdb").name
'duckdb'
"""

from __future__ import annotations

from innometrics.errors import SpecError
from innometrics.rankings.engines.base import Engine
from innometrics.rankings.engines.duckdb import connect_duckdb
from innometrics.rankings.engines.spark import connect_spark, spark_available

ENGINE_CHOICES = ("duckdb", "duckdb:<file>", "spark", "spark://host:port", "local[N]")


def connect(engine: str | None = None) -> Engine:
    """Open the engine named by ``engine``.

    Parameters
    ----------
    engine : str, optional
        ``"duckdb"`` (default, in memory), ``"duckdb:path/to/file.duckdb"``, ``"spark"``
        (local mode, ``local[2]``), ``"local[N]"`` or a ``spark://host:port`` URL.
    """
    text = (engine or "duckdb").strip()
    if text == "duckdb":
        return connect_duckdb()
    if text.startswith("duckdb:"):
        return connect_duckdb(text.split(":", 1)[1])
    if text == "spark":
        return connect_spark("local[2]")
    if text.startswith("spark://") or text.startswith("local["):
        return connect_spark(text)
    raise SpecError(
        f"unknown engine '{text}'. Use one of: {', '.join(ENGINE_CHOICES)}.", key="engine"
    )


__all__ = ["Engine", "connect", "connect_duckdb", "connect_spark", "spark_available", "ENGINE_CHOICES"]
