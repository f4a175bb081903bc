"""DuckDB engine (the default): in memory or in a database file.

A database file keeps the loaded credit table between runs and lets DuckDB spill to
disk, which is how 100M authorship rows stay under a few GB of memory.
"""

from __future__ import annotations

import os

import ibis
import ibis.expr.operations as ops
import numpy as np
import pandas as pd
import pyarrow as pa

from innometrics.rankings.engines.base import Engine


class DuckDBEngine(Engine):
    """DuckDB engine; results come back through Arrow (:func:`arrow_frame`).

    Ibis's generic result conversion costs about 5 ms per query, as much as a ranking
    query over a million credit rows; the SQL is still compiled by Ibis.
    """

    keeps_storage_order = True

    def execute_sorted(self, expr, keys, *, stored: bool = False) -> pd.DataFrame:
        if not stored:
            return super().execute_sorted(expr, keys)
        return self.to_frame(self.execute_sorted_arrow(expr, keys, stored=True))

    def execute_sorted_arrow(self, expr, keys, *, stored: bool = False) -> pa.Table:
        if not stored:
            return self._arrow(self._sorted(expr, keys))
        # Off for this engine (connect_duckdb); on, DuckDB returns a scan's rows in the
        # order they were stored, through filters and projections
        con = self.con.con
        con.execute("SET preserve_insertion_order = true")
        try:
            return self._arrow(expr)
        finally:
            con.execute("SET preserve_insertion_order = false")

    def execute(self, expr) -> pd.DataFrame:
        sql = self._sql(expr)
        if sql is None:  # Ibis registers the in-memory data; keep none alive here
            return self.con.execute(expr)
        return self.to_frame(self.con.con.execute(sql).to_arrow_table())

    def to_frame(self, table: pa.Table) -> pd.DataFrame:
        return arrow_frame(self.con.con, table)

    def _arrow(self, expr) -> pa.Table:
        sql = self._sql(expr)
        return self.con.to_pyarrow(expr) if sql is None else self.con.con.execute(sql).to_arrow_table()

    @staticmethod
    def _sql(expr) -> str | None:
        """``expr``'s SQL, compiled once (:data:`_COMPILED`); ``None`` for an expression
        over in-memory data, which Ibis itself must run."""
        key = expr.op()
        sql = _COMPILED.get(key)
        if sql is None:
            if key.find(ops.InMemoryTable):
                return None
            sql = str(ibis.to_sql(expr, dialect="duckdb"))
            if len(_COMPILED) >= _COMPILED_MAX:  # oldest first out
                del _COMPILED[next(iter(_COMPILED))]
            _COMPILED[key] = sql
        return sql


#: pandas' own text type when it reads text as pyarrow strings (pandas >= 3), as
#: DuckDB's ``df()`` returns text there; ``None`` keeps Python objects (pandas 2).
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan) if int(pd.__version__.split(".")[0]) >= 3 else None


def _plain(column: pa.ChunkedArray) -> bool:
    """Whether pyarrow's conversion of ``column`` gives what DuckDB's ``df()`` gives."""
    t = column.type
    if pa.types.is_floating(t):
        return True
    if pa.types.is_integer(t) or pa.types.is_boolean(t):  # df() makes nullable columns Int64/boolean
        return column.null_count == 0
    if pa.types.is_string(t) or pa.types.is_large_string(t):  # df() makes an all-null column objects
        return column.null_count < len(column) or len(column) == 0
    return False


def arrow_frame(con, table: pa.Table) -> pd.DataFrame:
    """A query's Arrow result as the frame DuckDB's ``df()`` would give.

    ``df()`` turns text into Python strings and pandas then into Arrow strings again
    (46 of the 78 ms of the yearly counts of 178,000 (unit, year) rows at 10M
    authorship rows); pyarrow's conversion keeps the text as it is. It is used when
    every column is text, floating point, or integer/boolean without missing values,
    where the two conversions give the same frame (tested); anything else (decimals,
    dates, nullable integers) goes through ``df()`` of the Arrow table.
    """
    if all(_plain(col) for col in table.columns):
        mapper = None if _TEXT is None else {pa.string(): _TEXT, pa.large_string(): _TEXT}.get
        return table.to_pandas(types_mapper=mapper)
    return con.from_arrow(table).df()


#: SQL compiled from Ibis expressions, by expression (structural equality: the same
#: query on the same tables compiles to the same text). Compiling a load query
#: takes 10-20 ms, as long as running it on a million rows.
_COMPILED: dict = {}
_COMPILED_MAX = 128


def connect_duckdb(
    database: str | os.PathLike | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | os.PathLike | None = None,
) -> Engine:
    """Open a DuckDB engine.

    Parameters
    ----------
    database : path, optional
        A DuckDB database file; ``None`` or ``":memory:"`` for an in-memory database.
    threads : int, optional
        DuckDB worker threads (default: all cores).
    memory_limit : str, optional
        DuckDB ``memory_limit`` setting, e.g. ``"6GB"``.
    temp_directory : path, optional
        Where DuckDB spills intermediate results and, for an in-memory database,
        stored tables when ``memory_limit`` is reached.

    Examples
    --------
    >>> eng = connect_duckdb()
    >>> eng.name, eng.target
    ('duckdb', ':memory:')
    """
    target = ":memory:" if database in (None, "", ":memory:") else str(database)
    # Load-time tables are read back through GROUP BY, or in storage order only where a
    # query asks for it (DuckDBEngine.execute_sorted; a CREATE TABLE AS with ORDER BY
    # stores its rows in order either way), so DuckDB need not keep insertion order
    # otherwise (less memory and faster parallel CREATE TABLE AS).
    config = {"preserve_insertion_order": False}
    if threads is not None:
        config["threads"] = int(threads)
    if memory_limit is not None:
        config["memory_limit"] = str(memory_limit)
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = ibis.duckdb.connect(target, **config)
    return DuckDBEngine(name="duckdb", con=con, target=target)
