"""Engines that run the counting expressions: DuckDB (default) and Apache Spark.

>>> from innometrics.rankings.engines import connect
>>> connect("duckdb").name
'duckdb'
"""

from __future__ import annotations

import re

from innometrics.errors import SpecError
from innometrics.rankings.engines.base import Engine
from innometrics.rankings.engines.duckdb import connect_duckdb
from innometrics.rankings.engines.spark import connect_spark, spark_available

ENGINE_CHOICES = ("duckdb", "duckdb:<file>", "spark", "spark://host:port", "local[N]")


#: A DuckDB memory size: a number and a unit (``10GB``, ``512MiB``).
MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def connect(engine: str | None = None, *, memory_limit: str | None = None) -> Engine:
    """Open the engine named by ``engine``.

    Parameters
    ----------
    engine : str, optional
        ``"duckdb"`` (default, in memory), ``"duckdb:path/to/file.duckdb"``, ``"spark"``
        (local mode, ``local[2]``), ``"local[N]"`` or a ``spark://host:port`` URL.
    memory_limit : str, optional
        DuckDB only: its ``memory_limit`` (e.g. ``"10GB"``; DuckDB's default is 80 % of
        the machine's memory). Past it DuckDB spills to disk: an in-memory database to
        ``.tmp`` in the working folder, a database file to ``<file>.tmp``, which also
        keeps the stored tables compressed (the choice for a billion authorship rows).
    """
    text = (engine or "duckdb").strip()
    if memory_limit is not None:
        if not (text == "duckdb" or text.startswith("duckdb:")):
            raise SpecError(f"a memory limit applies to the DuckDB engine, not '{text}' (Spark takes "
                            "spark.executor.memory; see docs/spark.md).", key="memory_limit")
        if not MEMORY_SIZE.match(str(memory_limit).strip()):
            raise SpecError(f"memory limit '{memory_limit}' is not a size such as 10GB or 512MiB.",
                            key="memory_limit")
        memory_limit = str(memory_limit).strip()
    if text == "duckdb":
        return connect_duckdb(memory_limit=memory_limit)
    if text.startswith("duckdb:"):
        return connect_duckdb(text.split(":", 1)[1], memory_limit=memory_limit)
    if text == "spark":
        return connect_spark("local[2]")
    if text.startswith("spark://") or text.startswith("local["):
        return connect_spark(text)
    raise SpecError(
        f"unknown engine '{text}'. Use one of: {', '.join(ENGINE_CHOICES)}.", key="engine"
    )


__all__ = ["Engine", "connect", "connect_duckdb", "connect_spark", "spark_available", "ENGINE_CHOICES"]
