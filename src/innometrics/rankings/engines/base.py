"""The engine object shared by every backend: one Ibis connection plus helpers.

Counting code only ever sees an :class:`Engine`; backend differences (how a
connection is opened, how a pandas frame is uploaded, how results come back) live
in :mod:`~innometrics.rankings.engines.duckdb` and
:mod:`~innometrics.rankings.engines.spark`, nowhere else.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa


_TABLE_COUNTER = itertools.count(1)


@dataclass
class Engine:
    """An open Ibis backend used to load records and run ranking queries.

    Parameters
    ----------
    name : str
        ``"duckdb"`` or ``"spark"``.
    con : ibis backend
        The connection.
    target : str
        Where it runs (``":memory:"``, a database file, ``local[2]``, ``spark://host:7077``).
    """

    name: str
    con: Any
    target: str = ""

    #: Whether a table stored in an order (:meth:`materialise` with ``order_by``) is read
    #: back in that order by :meth:`execute_sorted`; Spark keeps no order between stages.
    keeps_storage_order = False

    def fresh_name(self, prefix: str) -> str:
        """A table name not used before in this process (``rs_1``, ``rs_2`` ...).

        Process-wide, because Spark engines opened one after the other share a session.
        """
        return f"{prefix}_{next(_TABLE_COUNTER)}"

    def upload(self, name: str, df: pd.DataFrame) -> ibis.Table:
        """Create table ``name`` from a pandas frame (nullable dtypes made Arrow-friendly)."""
        return self.con.create_table(name, ibis.memtable(_arrow_friendly(df)), overwrite=True)

    def materialise(self, name: str, expr: ibis.Table, *, order_by: Sequence[str] = ()) -> ibis.Table:
        """Compute ``expr`` once and store it as table ``name`` (the load-time precomputation).

        ``order_by``: store the rows sorted by these columns where the engine keeps storage
        order (:attr:`keeps_storage_order`), so :meth:`execute_sorted` reads them without a
        sort; elsewhere ignored (the sort then happens at read time).
        """
        if order_by and self.keeps_storage_order:
            expr = expr.order_by(list(order_by))
        return self.con.create_table(name, expr, overwrite=True)

    def drop(self, name: str) -> None:
        """Drop table ``name`` if it exists."""
        self.con.drop_table(name, force=True)

    def read_parquet(self, name: str, path: str) -> ibis.Table:
        """Register a Parquet file (or glob) as table ``name`` without copying it."""
        return self.con.read_parquet(path, table_name=name)

    def execute(self, expr: ibis.Expr) -> pd.DataFrame:
        """Run ``expr`` and return a pandas frame."""
        return self.con.execute(expr)

    def execute_sorted(self, expr: ibis.Table, keys: Sequence[str], *, stored: bool = False) -> pd.DataFrame:
        """Run ``expr`` and return its rows sorted by ``keys``.

        ``stored``: ``expr`` only selects and filters rows of one table materialised with
        ``order_by=keys``, so an engine that keeps storage order returns them as stored (at
        10M authorship rows the sort took twice as long as reading the rows); other engines
        sort.
        """
        return self.execute(self._sorted(expr, keys))

    def execute_sorted_arrow(
        self, expr: ibis.Table, keys: Sequence[str], *, stored: bool = False
    ) -> "pa.Table":
        """:meth:`execute_sorted`'s rows as a pyarrow table, for callers that convert
        columns themselves (:func:`~innometrics.rankings.counting.record_unit_credits`
        rounds its floats while copying them out of Arrow); here through the pandas frame."""
        import pyarrow as pa

        return pa.Table.from_pandas(self.execute_sorted(expr, keys, stored=stored), preserve_index=False)

    def to_frame(self, table: "pa.Table") -> pd.DataFrame:
        """``table`` as the pandas frame :meth:`execute` would give for the same rows."""
        return table.to_pandas()

    @staticmethod
    def _sorted(expr: ibis.Table, keys: Sequence[str]) -> ibis.Table:
        return _sorted_expr(expr.op(), tuple(keys))

    def close(self) -> None:
        """Release the connection (the Spark session is stopped by its own module)."""
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect is not None:
            disconnect()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@functools.lru_cache(maxsize=256)
def _sorted_expr(op, keys: tuple[str, ...]) -> ibis.Table:
    """``op``'s rows ordered by ``keys``, built once per query (building an Ibis ``order_by``
    takes about 1 ms, half a per-unit query's time at 1M authorship rows)."""
    return op.to_expr().order_by(list(keys))


def _arrow_friendly(df: pd.DataFrame) -> "pa.Table":
    """A pyarrow table with explicit nullable types (an all-NULL column keeps its type).

    Integers become int64, floats float64, booleans bool and anything else string
    (``str(value)``); pandas missing values (``None``, ``NaN``, ``NA``) become NULL.
    Column-wise, without a Python loop over the values (except ``str()`` of values
    in a column that is not all text).
    """
    import pyarrow as pa

    arrays, fields = [], []
    for col in df.columns:
        s = df[col]
        dtype = str(s.dtype)
        missing = s.isna().to_numpy(dtype=bool)
        if dtype.startswith("Int") or dtype.startswith("int") or dtype.startswith("UInt"):
            typ = pa.int64()
            arr = pa.array(s.to_numpy(dtype="int64", na_value=0), type=typ, mask=missing)
        elif dtype.startswith("float") or dtype.startswith("Float"):
            typ = pa.float64()
            arr = pa.array(s.astype("float64").fillna(0.0).to_numpy(), type=typ, mask=missing)
        elif dtype in ("bool", "boolean"):
            typ = pa.bool_()
            arr = pa.array(s.astype(object).where(~missing, False).astype(bool).to_numpy(), type=typ, mask=missing)
        else:
            typ = pa.string()
            filled = s.astype(object).where(~missing, "")
            if pd.api.types.infer_dtype(filled, skipna=False) != "string":  # numbers, dates ...: str(value)
                filled = filled.map(str)
            arr = pa.array(filled.to_numpy(dtype=object), type=typ, mask=missing)
        arrays.append(arr)
        fields.append(pa.field(str(col), typ, nullable=True))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
