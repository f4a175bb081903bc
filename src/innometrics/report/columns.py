"""Meaning-aware column formats, shared by the HTML tables and the Excel workbook.

A column is formatted by what it means, read from its name and checked against its
values, not by its data type:

=============  ==========================================  ==============  ==============
kind           columns                                     HTML            Excel
=============  ==========================================  ==============  ==============
``rank``       rank, Rank, rank_*, *_rank, Rank_*          ``12``          ``0``
``count``      count, p_full, n, n_*, *_count, people ...  ``1,234``       ``#,##0``
``id``         geonameid, *_id, id, isonumeric             ``2867714``     ``0``
``year``       year, period, Time, first_period ...        ``2023``        ``0``
``percent``    share, share_*, pp_*, cagr (in [0, 1])       ``24.1 %``      ``0.0%``
``pvalue``     p_value, pvalue, *_pvalue                   ``1.2e-05``     ``0.00E+00``
``multiple``   multiple                                    ``2.72``        ``0.00``
``decimal``    any other number, decimals fixed per column ``18.42``       ``#,##0.00``
``text``       anything else (``1940s`` stays ``1940s``)    as is           as is
=============  ==========================================  ==============  ==============

Decimals of a ``decimal`` column are fixed for the whole column from its largest
absolute value (0 from 1,000, 1 from 100, 2 from 1, else 3), so a column reads
aligned. A ``share`` column is a proportion only when every value lies in [0, 1] and
the values add up to at most 1 (Nature Index "Share" is a fractional count, 87.6).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: Units of well-known columns, written beside the header (HTML) or in it (Excel).
COLUMN_UNITS = {
    "multiple": "x, last / first",
    "cagr": "% a year",
    "p_full": "records, full count",
    "p_frac": "records, fractional count",
    "count": "records",
    "weight": "relative weight",
    "Weight": "relative weight",
    "latitude": "degrees",
    "longitude": "degrees",
    "radius_km": "km",
    "population": "people",
}

_RANK = re.compile(r"^(rank|rank_.*|.*_rank|rank_in_.*)$", re.IGNORECASE)
_ID = re.compile(r"^(id|.*_id|geonameid|isonumeric|iso_numeric)$", re.IGNORECASE)
_YEAR = re.compile(r"^(year|period|time|first_period|last_period|base_period|base_year)$|_year$", re.IGNORECASE)
_COUNT = re.compile(
    r"^(count|p_full|p_full_(lb|ub)|n|n_.*|.*_count|people|designations|records|rows|columns|n_points|"
    r"p_int_collab|cities|units|population|read|used|rejected|duplicates)$",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"^(share|share_.*|.*_share|pp_.*|cagr|cagr_.*|share_of_.*)$", re.IGNORECASE)
_PVALUE = re.compile(r"^(p_value|pvalue|pval|p\.value|.*_pvalue|.*_p_value)$", re.IGNORECASE)
_LOWER_BETTER = re.compile(r"^(rank|rank_.*|.*_rank|rank_in_.*)$", re.IGNORECASE)


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").dropna()


@dataclass(frozen=True)
class ColumnFormat:
    """How one column is shown: ``kind`` (see the module table), fixed ``decimals``, its ``unit``
    and whether lower values are better (ranks)."""

    kind: str
    decimals: int = 0
    unit: str = ""
    lower_is_better: bool = False

    def text(self, value: Any) -> str:
        """``value`` as the HTML table shows it ('' for missing)."""
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return ""
        if self.kind == "text" or isinstance(value, str) or isinstance(value, bool):
            return str(value)
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        if self.kind in ("id", "year"):
            return str(int(x)) if x.is_integer() else str(value)
        if self.kind in ("rank", "count"):
            return f"{x:,.0f}" if x.is_integer() else f"{x:,.{max(self.decimals, 1)}f}"
        if self.kind == "percent":
            return f"{x * 100:,.{self.decimals}f} %"
        if self.kind == "pvalue":
            return f"{x:.1e}" if x and abs(x) < 0.001 else f"{x:.3f}"
        if self.kind == "multiple":
            return f"{x:,.2f}"
        return f"{x:,.{self.decimals}f}"

    @property
    def excel(self) -> str | None:
        """The Excel number format (None for text)."""
        if self.kind in ("id", "year", "rank"):
            return "0"
        if self.kind == "count":
            return "#,##0" if self.decimals == 0 else "#,##0." + "0" * self.decimals
        if self.kind == "percent":
            return "0." + "0" * self.decimals + "%" if self.decimals else "0%"
        if self.kind == "pvalue":
            return "0.00E+00"
        if self.kind == "multiple":
            return "0.00"
        if self.kind == "decimal":
            return "#,##0" if self.decimals == 0 else "#,##0." + "0" * self.decimals
        return None


def decimals_for(values: pd.Series) -> int:
    """Fixed decimals of a column from its largest absolute value: 0 from 1,000, 1 from 100,
    2 from 1, 3 below (4 below 0.01)."""
    if not len(values):
        return 2
    top = float(values.abs().max())
    if top >= 1000:
        return 0
    if top >= 100:
        return 1
    if top >= 1:
        return 2
    return 3 if top >= 0.01 or top == 0 else 4


def column_format(name: Any, series: pd.Series) -> ColumnFormat:
    """The :class:`ColumnFormat` of column ``name`` holding ``series``."""
    col = str(name)
    unit = COLUMN_UNITS.get(col, "")
    if pd.api.types.is_bool_dtype(series):
        return ColumnFormat("text")
    numeric = pd.api.types.is_numeric_dtype(series)
    values = _numbers(series) if numeric else pd.Series(dtype=float)
    if not numeric:
        return ColumnFormat("text", unit=unit)
    integral = bool(len(values)) and bool((values == values.round()).all())
    if _YEAR.search(col) and (integral or not len(values)):
        return ColumnFormat("year")
    if _ID.match(col) and (integral or not len(values)) and not _COUNT.match(col):
        return ColumnFormat("id")
    if _RANK.match(col):
        return ColumnFormat("rank", decimals=0 if integral else 1, lower_is_better=True)
    if _PVALUE.match(col):
        return ColumnFormat("pvalue")
    if col.lower() == "multiple":
        return ColumnFormat("multiple", unit=unit)
    if _PERCENT.match(col) and len(values) and values.between(-1.0, 1.0).all():
        is_share = col.lower() == "share"
        if not is_share or float(values.sum()) <= 1.0 + 1e-6:
            top = float(values.abs().max()) * 100
            return ColumnFormat("percent", decimals=1 if top >= 1 or top == 0 else 2,
                                unit="% a year" if col.lower().startswith("cagr") else "%")
    if col.lower() == "share":
        unit = "records, fractional count"
    if _COUNT.match(col):
        return ColumnFormat("count", decimals=0 if integral else 1, unit=unit)
    return ColumnFormat("decimal", decimals=0 if integral and len(values) else decimals_for(values), unit=unit)


def column_formats(df: pd.DataFrame) -> dict[Any, ColumnFormat]:
    """Column -> :class:`ColumnFormat` for every column of ``df``."""
    return {c: column_format(c, df[c]) for c in df.columns}
