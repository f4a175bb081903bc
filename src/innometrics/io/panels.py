"""Read indicator panels (long or wide, CSV/Excel/Parquet) and their metadata.

Every observation read is either *used* (it is in :attr:`PanelRead.panel`) or
*rejected* (a row of :attr:`PanelRead.rejects` with the file, line, column, the value
found and the reason), so ``read == used + rejected`` always holds. Problems that make
the whole file unusable (missing columns, wrong encoding, duplicate keys) raise a
:class:`~innometrics.errors.DataError` naming the file, row and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.errors import DataError
from innometrics.io.tables import MISSING_TOKENS, read_table, require_columns
from innometrics.model import (
    COINR_IMETA_TO_META,
    INDICATOR_META_COLUMNS,
    PANEL_KEY,
    coerce_panel,
    validate_hierarchy,
)

#: Accepted header names for each panel column, first match wins.
UNIT_ALIASES = ("unit", "uCode", "unit_code", "code")
PERIOD_ALIASES = ("period", "Time", "time", "year", "Year")
INDICATOR_ALIASES = ("indicator", "iCode", "indicator_code", "variable")
VALUE_ALIASES = ("value", "Value")
NAME_ALIASES = ("name", "uName", "unit_name")

REJECT_COLUMNS = ["file", "row", "column", "unit", "period", "indicator", "value", "reason"]

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class PanelRead:
    """What a panel reader produced.

    Attributes
    ----------
    panel : DataFrame
        Long panel ``unit, period, indicator, value`` (missing values are NaN rows).
    units : DataFrame
        Unit metadata found in the file (``code``, ``name`` and group columns).
    rejects : DataFrame
        One row per observation that could not be used, with the reason.
    file : str
        The file read.
    layout : str
        ``"long"`` or ``"wide"``.
    """

    panel: pd.DataFrame
    units: pd.DataFrame
    rejects: pd.DataFrame
    file: str
    layout: str
    read: int = field(default=0)

    @property
    def used(self) -> int:
        return len(self.panel)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def summary(self) -> str:
        """One line: ``file: read N = used U + rejected R``."""
        return f"{self.file}: read {self.read:,} = used {self.used:,} + rejected {self.rejected:,}"

    def __repr__(self) -> str:
        n_units = self.panel["unit"].nunique()
        n_ind = self.panel["indicator"].nunique()
        periods = self.panel["period"].dropna()
        span = f"{periods.min()}-{periods.max()}" if len(periods) else "no period"
        return (
            f"<PanelRead {self.layout} panel: {n_units} units x {n_ind} indicators, {span}; "
            f"{self.summary()}>"
        )


def parse_number(text: object) -> float | None:
    """Parse a cell as a float; NaN for missing tokens, ``None`` when not a number.

    Accepts thousands separators (``10,400``) and surrounding spaces.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan")
    if isinstance(text, (int, float, np.integer, np.floating)):
        return float(text)
    s = str(text).strip()
    if s in MISSING_TOKENS:
        return float("nan")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


#: Largest period accepted (``YYYYMM`` month codes fit); a longer number is a bad period.
MAX_PERIOD = 999_999


def parse_period(text: object) -> int | None:
    """Parse a period as an integer year (``2014``, ``2014.0``); ``None`` if impossible.

    Periods are bounded by :data:`MAX_PERIOD` in absolute value, so a 20-digit number is
    a bad period rather than an overflow later on.
    """
    value = parse_number(text)
    if value is None or not np.isfinite(value) or not float(value).is_integer() or abs(value) > MAX_PERIOD:
        return None
    return int(value)


def _pick(columns, aliases, explicit=None):
    if explicit is not None:
        return explicit if explicit in columns else None
    for name in aliases:
        if name in columns:
            return name
    return None


def _reject(file, row, column, unit, period, indicator, value, reason):
    return {
        "file": file,
        "row": row,
        "column": column,
        "unit": unit,
        "period": period,
        "indicator": indicator,
        "value": value,
        "reason": reason,
    }


def _check_duplicates(panel: pd.DataFrame, rows: pd.Series, file: str) -> None:
    # Keys compared as text: a missing period (a wide file without periods) equals itself.
    keys = (pd.Series(["\x1f".join(map(str, k)) for k in panel[PANEL_KEY].itertuples(index=False)], index=panel.index)
            if len(panel) else pd.Series(dtype=object))
    dup_mask = keys.duplicated(keep=False)
    if dup_mask.any():
        dups = panel[dup_mask]
        first = dups.iloc[0]
        same = dups[keys[dup_mask] == keys[dup_mask].iloc[0]]
        lines = ", ".join(str(int(r)) for r in rows[same.index])
        raise DataError(
            f"duplicate key (unit={first['unit']!r}, period={first['period']}, indicator={first['indicator']!r}) "
            f"on rows {lines}; expected one value per unit, period and indicator "
            f"({int(dup_mask.sum())} rows share a key in all)",
            file=file,
            row=int(rows[same.index[0]]),
            column="indicator",
            reason="duplicate_key",
            failures=dups,
        )


def read_panel(
    path: str | os.PathLike,
    *,
    layout: str = "auto",
    sheet: str | int | None = None,
    encoding: str = "utf-8",
    indicators: list[str] | None = None,
    period: int | None = None,
    columns: dict[str, str] | None = None,
    strict: bool = False,
    allow_infinite: bool = False,
) -> PanelRead:
    """Read an indicator panel in long or wide layout.

    Parameters
    ----------
    path : path-like
        CSV, TSV, Excel or Parquet file.
    layout : {"auto", "long", "wide"}
        Long: columns ``unit, period, indicator, value`` (COINr-style aliases ``uCode``,
        ``Time``, ``iCode`` accepted). Wide: one row per unit (and period), one column per
        indicator, as COINr's ``iData``. ``auto`` picks long when indicator and value
        columns exist.
    indicators : list of str, optional
        Known indicator codes (e.g. from the metadata). Observations of other indicators
        are rejected (``unknown_indicator``); in wide layout, only these columns are read
        as indicators.
    period : int, optional
        Period to assign when a wide file has no period column.
    columns : dict, optional
        Explicit header names, e.g. ``{"unit": "province", "period": "year"}``.
    strict : bool
        Raise a DataError on the first rejected observation instead of collecting it.
    allow_infinite : bool
        Keep infinite values (``inf``, ``-Infinity``, ``1e400``); by default they are
        rejected as ``non_finite``, since a growth or a CAGR from them is meaningless.
    """
    file = str(path)
    table = read_table(path, sheet=sheet, encoding=encoding)
    columns = columns or {}
    cols = list(table.columns)
    ind_col = _pick(cols, INDICATOR_ALIASES, columns.get("indicator"))
    val_col = _pick(cols, VALUE_ALIASES, columns.get("value"))
    if layout == "auto":
        layout = "long" if ind_col and val_col else "wide"
    if layout not in {"long", "wide"}:
        raise DataError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}", file=file, reason="layout")
    unit_col = _pick(cols, UNIT_ALIASES, columns.get("unit"))
    period_col = _pick(cols, PERIOD_ALIASES, columns.get("period"))
    if layout == "long":
        required = [unit_col or "unit", period_col or "period", ind_col or "indicator", val_col or "value"]
        require_columns(table, required, file=file, what="long panel")
        result = _read_long(table, file, unit_col, period_col, ind_col, val_col, indicators, allow_infinite)
    else:
        require_columns(table, [unit_col or "unit"], file=file, what="wide panel (one row per unit)")
        result = _read_wide(table, file, unit_col, period_col, period, indicators, allow_infinite)
    if strict and result.rejected:
        first = result.rejects.iloc[0]
        got = first["period"] if first["reason"] == "bad_period" else first["value"]
        raise DataError(
            f"{first['reason'].replace('_', ' ')}: got {got!r} "
            f"({result.rejected} observation(s) rejected in all; run without --strict to list them)",
            file=file,
            row=int(first["row"]),
            column=str(first["column"]),
            reason=str(first["reason"]),
            failures=result.rejects,
        )
    return result


def _read_long(table, file, unit_col, period_col, ind_col, val_col, indicators, allow_infinite=False):
    known = None if indicators is None else set(indicators)
    name_col = _pick(table.columns, NAME_ALIASES)
    rows, rejects = [], []
    for i in range(len(table)):
        line = i + 2
        unit = str(table.iat[i, table.columns.get_loc(unit_col)]).strip()
        ind = str(table.iat[i, table.columns.get_loc(ind_col)]).strip()
        raw_period = table.iat[i, table.columns.get_loc(period_col)]
        raw_value = table.iat[i, table.columns.get_loc(val_col)]
        per = parse_period(raw_period)
        if not unit or unit in MISSING_TOKENS:
            rejects.append(_reject(file, line, unit_col, unit, raw_period, ind, raw_value, "missing_unit"))
            continue
        if not ind or ind in MISSING_TOKENS:
            rejects.append(_reject(file, line, ind_col, unit, raw_period, ind, raw_value, "missing_indicator"))
            continue
        if per is None:
            rejects.append(_reject(file, line, period_col, unit, raw_period, ind, raw_value, "bad_period"))
            continue
        if known is not None and ind not in known:
            rejects.append(_reject(file, line, ind_col, unit, per, ind, raw_value, "unknown_indicator"))
            continue
        val = parse_number(raw_value)
        if val is None:
            rejects.append(_reject(file, line, val_col, unit, per, ind, raw_value, "non_numeric"))
            continue
        if np.isinf(val) and not allow_infinite:
            rejects.append(_reject(file, line, val_col, unit, per, ind, raw_value, "non_finite"))
            continue
        rows.append((unit, per, ind, val, line))
    panel = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value", "_row"])
    _check_duplicates(panel, panel["_row"], file)
    units = pd.DataFrame({"code": pd.Series(dtype="string")})
    if name_col:
        names = table[[unit_col, name_col]].drop_duplicates(unit_col)
        units = pd.DataFrame({"code": names[unit_col].str.strip(), "name": names[name_col].str.strip()})
    return PanelRead(
        panel=coerce_panel(panel.drop(columns="_row")),
        units=units.reset_index(drop=True),
        rejects=pd.DataFrame(rejects, columns=REJECT_COLUMNS),
        file=file,
        layout="long",
        read=len(table),
    )


def _is_text_column(values: pd.Series) -> bool:
    parsed = [parse_number(v) for v in values]
    non_missing = [p for p, v in zip(parsed, values) if str(v).strip() not in MISSING_TOKENS]
    return bool(non_missing) and all(p is None for p in non_missing)


def _read_wide(table, file, unit_col, period_col, period, indicators, allow_infinite=False):
    name_col = _pick(table.columns, NAME_ALIASES)
    skip = {unit_col, period_col, name_col} - {None}
    candidates = [c for c in table.columns if c not in skip]
    if indicators is not None:
        known = set(indicators)
        ind_cols = [c for c in candidates if c in known]
        attr_cols = [c for c in candidates if c not in known]
    else:
        attr_cols = [c for c in candidates if c.endswith("_group") or _is_text_column(table[c])]
        ind_cols = [c for c in candidates if c not in attr_cols]
    rows, rejects = [], []
    n_read = 0
    for i in range(len(table)):
        line = i + 2
        unit = str(table.iat[i, table.columns.get_loc(unit_col)]).strip()
        if period_col is not None:
            raw_period = table.iat[i, table.columns.get_loc(period_col)]
            per = parse_period(raw_period)
        else:
            raw_period, per = period, period
        for c in ind_cols:
            n_read += 1
            raw = table.iat[i, table.columns.get_loc(c)]
            if not unit or unit in MISSING_TOKENS:
                rejects.append(_reject(file, line, unit_col, unit, raw_period, c, raw, "missing_unit"))
                continue
            if period_col is not None and per is None:
                rejects.append(_reject(file, line, period_col, unit, raw_period, c, raw, "bad_period"))
                continue
            val = parse_number(raw)
            if val is None:
                rejects.append(_reject(file, line, c, unit, per, c, raw, "non_numeric"))
                continue
            if np.isinf(val) and not allow_infinite:
                rejects.append(_reject(file, line, c, unit, per, c, raw, "non_finite"))
                continue
            rows.append((unit, per, c, val, line))
    panel = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value", "_row"])
    _check_duplicates(panel, panel["_row"], file)
    unit_frame = table[[unit_col] + ([name_col] if name_col else []) + attr_cols].copy()
    unit_frame = unit_frame.rename(columns={unit_col: "code", **({name_col: "name"} if name_col else {})})
    unit_frame = unit_frame.drop_duplicates("code").reset_index(drop=True)
    return PanelRead(
        panel=coerce_panel(panel.drop(columns="_row")),
        units=unit_frame,
        rejects=pd.DataFrame(rejects, columns=REJECT_COLUMNS),
        file=file,
        layout="wide",
        read=n_read,
    )


def read_indicator_meta(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read indicator metadata (our columns or COINr's ``iMeta``) and validate it.

    Returns a frame with :data:`~innometrics.model.INDICATOR_META_COLUMNS` (plus ``type``
    when present). ``direction`` must be 1 or -1, ``weight`` and ``level`` numeric, and
    the ``parent`` links must form a tree (:func:`~innometrics.model.validate_hierarchy`).
    COINr rows of type ``Group``/``Denominator`` are kept with ``type`` set.
    """
    file = str(path)
    table = read_table(path, sheet=sheet, encoding=encoding)
    table = table.rename(columns={k: v for k, v in COINR_IMETA_TO_META.items() if k in table.columns})
    table = table.rename(columns={"Type": "type"})
    require_columns(table, ["code"], file=file, what="indicator metadata")
    meta = pd.DataFrame({"code": table["code"].astype(str).str.strip()})
    for col in INDICATOR_META_COLUMNS[1:] + ["type"]:
        if col in table.columns:
            meta[col] = table[col].map(lambda v: None if str(v).strip() in MISSING_TOKENS else str(v).strip())
        else:
            meta[col] = None
    for col in ("direction", "weight", "level", "target"):
        parsed = []
        for i, v in enumerate(meta[col]):
            if v is None:
                parsed.append(np.nan)
                continue
            num = parse_number(v)
            if num is None:
                raise DataError(f"expected a number, got {v!r}", file=file, row=i + 2, column=col, reason="non_numeric")
            parsed.append(num)
        meta[col] = pd.Series(parsed, dtype="float64")
    is_ind = meta["type"].isna() | meta["type"].isin(["Indicator", "Aggregate", "indicator", "aggregate"])
    if "direction" in table.columns or "Direction" in table.columns:
        bad = is_ind & meta["direction"].notna() & ~meta["direction"].isin([1.0, -1.0])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"direction must be 1 (higher is better) or -1 (lower is better), got {meta['direction'].iloc[i]:g}",
                file=file,
                row=i + 2,
                column="direction",
                reason="bad_direction",
            )
    meta.loc[is_ind & meta["direction"].isna(), "direction"] = 1.0
    validate_hierarchy(meta[is_ind], file=file)
    return meta


def read_unit_meta(path: str | os.PathLike, *, sheet=None, encoding: str = "utf-8") -> pd.DataFrame:
    """Read unit metadata: ``code`` (or ``uCode``) required; ``name``, ``type``, ``parent`` and group columns kept."""
    file = str(path)
    table = read_table(path, sheet=sheet, encoding=encoding)
    table = table.rename(columns={"uCode": "code", "uName": "name"})
    require_columns(table, ["code"], file=file, what="unit metadata")
    table["code"] = table["code"].str.strip()
    dup = table["code"].duplicated(keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"unit code {table['code'].iloc[i]!r} appears more than once", file=file, row=i + 2, column="code", reason="duplicate_code")
    if "parent" in table.columns:
        validate_hierarchy(table.assign(parent=table["parent"].replace("", None)), file=file)
    return table


def panel_to_wide(panel: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long panel to COINr's wide layout: ``uCode, Time`` then one column per indicator."""
    wide = panel.pivot(index=["unit", "period"], columns="indicator", values="value").sort_index()
    wide.columns.name = None
    wide = wide.reset_index().rename(columns={"unit": "uCode", "period": "Time"})
    return wide


def write_panel(panel: pd.DataFrame, path: str | os.PathLike, *, layout: str = "long") -> Path:
    """Write a panel as CSV, Parquet or Excel (by extension), long or wide."""
    from innometrics.io.writers import write_table

    out = panel_to_wide(panel) if layout == "wide" else coerce_panel(panel)
    return write_table(out, path)
