"""Readers for COINr's input tables: the wide ``iData`` and the ``iMeta`` framework.

``iData`` has one row per unit (and per ``Time`` for a panel): ``uCode`` (required),
optional ``uName`` and ``Time``, then one column per code described in iMeta
(indicators, denominators, groups, other). ``iMeta`` has one row per code with
``Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type``.

Every problem is a :class:`~innometrics.errors.DataError` naming the file, the line
(the header is line 1), the column and what was expected, following the checks of
COINr's ``check_iData`` and ``check_iMeta`` (COINr 1.1.14, ``R/new_coin.R``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.errors import DataError
from innometrics.io.tables import MISSING_TOKENS, read_table, require_columns

#: iMeta (or long metadata) columns holding per-indicator normalisation parameters, read
#: with ``"meta"`` in the spec (COINr's ``f_n_para = "use_iMeta"``).
META_PARAMETER_COLUMNS = (
    "minmax_lower", "minmax_upper", "zscore_mean", "zscore_sd", "scaled_lower", "scaled_upper",
    "goalpost_lower", "goalpost_upper", "goalpost_scale", "goalpost_trunc2posts", "dist2targ_cap_max",
)

#: iMeta columns COINr requires.
IMETA_REQUIRED = ["Level", "iCode", "Parent", "Direction", "Type", "Weight"]
#: iMeta columns in COINr's layout order.
IMETA_COLUMNS = ["Level", "iCode", "iName", "Direction", "Weight", "Unit", "Target", "Denominator", "Parent", "Type"]
#: Allowed values of iMeta's Type column.
IMETA_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
#: iData columns that are not described in iMeta.
IDATA_SPECIAL = ("uCode", "uName", "Time")


@dataclass(frozen=True)
class CoinrData:
    """COINr inputs after validation.

    Attributes
    ----------
    idata : DataFrame
        All rows of iData; indicator and denominator columns as floats, ``Time`` as
        float when present, other columns as strings (missing = ``NA``).
    imeta : DataFrame
        iMeta in file order, COINr layout columns first.
    indicators, aggregates, denominators, groups : list of str
        Codes by Type, in iMeta file order.
    idata_path, imeta_path : Path
    """

    idata: pd.DataFrame
    imeta: pd.DataFrame
    indicators: list[str]
    aggregates: list[str]
    denominators: list[str]
    groups: list[str]
    idata_path: Path
    imeta_path: Path
    periods: list = field(default_factory=list)


def _missing(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().isin(MISSING_TOKENS)


def parse_numeric(table: pd.DataFrame, column: str, *, file: object, what: str = "a number") -> pd.Series:
    """Parse a text column to floats; missing tokens become NaN; other text is a DataError."""
    text = table[column].astype(str).str.strip()
    miss = text.isin(MISSING_TOKENS)
    values = pd.to_numeric(text.where(~miss, None), errors="coerce")
    bad = values.isna() & ~miss
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"expected {what} (or NA for missing), found '{text.iloc[pos]}' "
            f"({int(bad.sum())} such cell(s) in this column)",
            file=file,
            row=pos + 2,
            column=column,
            reason="non_numeric",
            failures=table.loc[bad.to_numpy(), [column]],
        )
    return values.astype(float)


def _text(table: pd.DataFrame, column: str) -> pd.Series:
    out = table[column].astype(str).str.strip()
    return out.where(~_missing(table[column]), pd.NA).astype("string")


def read_imeta(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate a COINr iMeta table.

    Checks: required columns; Level a positive integer with no gaps; unique iCodes not
    starting with a digit; Type among :data:`IMETA_TYPES`; Direction 1 or -1 and Weight a
    number >= 0 for indicators and aggregates; indicators at Level 1; every parent a code
    one level up; no cycles or orphans (:func:`innometrics.model.validate_hierarchy`);
    every aggregate has children.
    """
    path = Path(path)
    return imeta_from_table(read_table(path), file=path)


def imeta_from_table(raw: pd.DataFrame, *, file: object) -> pd.DataFrame:
    """Validate an iMeta table given as text cells (see :func:`read_imeta`)."""
    from innometrics.model import validate_hierarchy

    path = file
    require_columns(raw, IMETA_REQUIRED, file=path, what="iMeta table")
    meta = pd.DataFrame(index=raw.index)
    for col in raw.columns:
        if col in ("Level", "Direction", "Weight", "Target"):
            meta[col] = parse_numeric(raw, col, file=path)
        else:
            meta[col] = _text(raw, col)
    if meta["iCode"].isna().any():
        pos = int(np.flatnonzero(meta["iCode"].isna().to_numpy())[0])
        raise DataError("iCode is empty; every row needs a code", file=path, row=pos + 2, column="iCode", reason="missing_code")
    for pos, t in enumerate(meta["Type"]):
        if pd.isna(t) or t not in IMETA_TYPES:
            raise DataError(
                f"Type must be one of {', '.join(IMETA_TYPES)}; found '{t}'", file=path, row=pos + 2, column="Type", reason="bad_type"
            )
    for pos, code in enumerate(meta["iCode"]):
        if str(code)[:1].isdigit():
            raise DataError(f"iCode '{code}' starts with a digit, which COINr does not allow", file=path, row=pos + 2, column="iCode", reason="bad_code")
    ia = meta["Type"].isin(["Indicator", "Aggregate"]).to_numpy()
    for col in ("Level", "Direction", "Weight"):
        for pos in np.flatnonzero(ia):
            v = meta[col].iloc[pos]
            ok = not pd.isna(v) and (
                (col == "Level" and float(v).is_integer() and v >= 1)
                or (col == "Direction" and v in (1, -1))
                or (col == "Weight" and v >= 0)
            )
            if not ok:
                expected = {"Level": "an integer >= 1", "Direction": "1 or -1", "Weight": "a number >= 0"}[col]
                raise DataError(
                    f"{col} of '{meta['iCode'].iloc[pos]}' must be {expected}; found {v!r}",
                    file=path, row=int(pos) + 2, column=col, reason=f"bad_{col.lower()}",
                )
    levels = sorted(set(meta.loc[ia, "Level"].astype(int)))
    if levels and levels != list(range(1, max(levels) + 1)):
        raise DataError(f"Level must run 1, 2, ... without gaps; found levels {levels}", file=path, column="Level", reason="level_gap")
    validate_hierarchy(meta.reset_index(drop=True), code="iCode", parent="Parent", file=path)
    level_of = dict(zip(meta.loc[ia, "iCode"], meta.loc[ia, "Level"]))
    type_of = dict(zip(meta["iCode"], meta["Type"]))
    for pos in np.flatnonzero(ia):
        code, parent, level, typ = (meta[c].iloc[pos] for c in ("iCode", "Parent", "Level", "Type"))
        if typ == "Indicator" and level != 1:
            raise DataError(f"indicator '{code}' must be at Level 1; found Level {int(level)}", file=path, row=int(pos) + 2, column="Level", reason="bad_level")
        if typ == "Aggregate" and level == 1:
            raise DataError(f"aggregate '{code}' cannot be at Level 1 (that is the indicator level)", file=path, row=int(pos) + 2, column="Level", reason="bad_level")
        if not pd.isna(parent):
            if parent not in level_of:
                raise DataError(
                    f"parent '{parent}' of '{code}' is not an indicator or aggregate code (it is a {type_of.get(parent, 'unknown code')})",
                    file=path, row=int(pos) + 2, column="Parent", reason="orphan",
                )
            if level_of[parent] != level + 1:
                raise DataError(
                    f"parent '{parent}' of '{code}' is at Level {int(level_of[parent])}; expected Level {int(level) + 1}",
                    file=path, row=int(pos) + 2, column="Parent", reason="bad_parent_level",
                )
        elif level != max(levels):
            raise DataError(
                f"'{code}' (Level {int(level)}) has no Parent; only the top level ({max(levels)}) may have none",
                file=path, row=int(pos) + 2, column="Parent", reason="orphan",
            )
    parents = set(meta.loc[ia, "Parent"].dropna())
    for pos in np.flatnonzero((meta["Type"] == "Aggregate").to_numpy()):
        if meta["iCode"].iloc[pos] not in parents:
            raise DataError(f"aggregate '{meta['iCode'].iloc[pos]}' has no children", file=path, row=int(pos) + 2, column="iCode", reason="childless")
    for col in IMETA_COLUMNS:
        if col not in meta.columns:
            meta[col] = pd.NA if col not in ("Target",) else np.nan
    rest = [c for c in meta.columns if c not in IMETA_COLUMNS]
    return meta[IMETA_COLUMNS + rest].reset_index(drop=True)


def idata_from_table(raw: pd.DataFrame, imeta: pd.DataFrame, *, file: object, imeta_path: object = None) -> pd.DataFrame:
    """Validate a COINr iData table given as text cells against ``imeta``.

    Checks: ``uCode`` present, non-empty and unique (per ``Time`` for a panel); every
    column other than ``uCode, uName, Time`` is a code of iMeta; every indicator,
    denominator and group code of iMeta is a column; indicators, denominators and
    ``Time`` are numeric.
    """
    path = file
    require_columns(raw, ["uCode"], file=path, what="iData table")
    codes = set(imeta["iCode"].astype(str))
    unknown = [c for c in raw.columns if c not in IDATA_SPECIAL and c not in codes]
    if unknown:
        raise DataError(
            f"column(s) {', '.join(repr(c) for c in unknown)} are not described in iMeta"
            + (f" ({imeta_path})" if imeta_path else "")
            + "; add a row for each to iMeta (Type Indicator, Denominator, Group or Other) or remove the column",
            file=path, row=1, column=unknown[0], reason="unknown_column",
        )
    needed = imeta.loc[imeta["Type"] != "Aggregate", "iCode"].astype(str)
    absent = [c for c in needed if c not in raw.columns]
    if absent:
        raise DataError(
            f"iMeta code(s) {', '.join(repr(c) for c in absent)} have no column in iData; expected one column per indicator, "
            "denominator and group",
            file=path, row=1, column=absent[0], reason="missing_columns",
        )
    data = pd.DataFrame(index=raw.index)
    data["uCode"] = _text(raw, "uCode")
    if data["uCode"].isna().any():
        pos = int(np.flatnonzero(data["uCode"].isna().to_numpy())[0])
        raise DataError("uCode is empty; every unit needs a code", file=path, row=pos + 2, column="uCode", reason="missing_code")
    if "uName" in raw.columns:
        data["uName"] = _text(raw, "uName")
    if "Time" in raw.columns:
        data["Time"] = parse_numeric(raw, "Time", file=path, what="a numeric Time (e.g. a year)")
        if data["Time"].isna().any():
            pos = int(np.flatnonzero(data["Time"].isna().to_numpy())[0])
            raise DataError("Time is empty; every row of a panel needs its period", file=path, row=pos + 2, column="Time", reason="missing_time")
    key = ["uCode", "Time"] if "Time" in data.columns else ["uCode"]
    dup = data.duplicated(key, keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        what = " and Time" if len(key) == 2 else ""
        raise DataError(
            f"uCode{what} '{' / '.join(str(data[k].iloc[pos]) for k in key)}' appears more than once; each unit{what} must be unique",
            file=path, row=pos + 2, column="uCode", reason="duplicate_key",
        )
    type_of = dict(zip(imeta["iCode"].astype(str), imeta["Type"]))
    for col in raw.columns:
        if col in IDATA_SPECIAL:
            continue
        if type_of[col] in ("Indicator", "Denominator"):
            data[col] = parse_numeric(raw, col, file=path, what=f"a number for {type_of[col].lower()} '{col}'")
        else:
            data[col] = _text(raw, col)
    overlap = set(data["uCode"]) & set(raw.columns)
    if overlap:
        raise DataError(f"uCode(s) {', '.join(sorted(overlap))} are also column names; COINr does not allow this", file=path, column="uCode", reason="code_clash")
    return data.reset_index(drop=True)


def read_coinr(
    idata_path: str | os.PathLike, imeta_path: str | os.PathLike, *, units_path: str | os.PathLike | None = None
) -> CoinrData:
    """Read the index inputs, validated against each other (COINr ``new_coin``'s checks).

    ``idata_path`` is COINr's wide iData, or our long panel (``unit, period, indicator,
    value``); ``imeta_path`` is COINr's iMeta, or our indicator metadata (``code, name,
    direction, weight, parent, level, denominator, target``). ``units_path`` (optional)
    is unit metadata whose extra columns become group columns (for group imputation).
    """
    head = read_table(imeta_path)
    if "iCode" in head.columns:
        imeta = imeta_from_table(head, file=Path(imeta_path))
    else:
        imeta = _imeta_from_our_meta(imeta_path)
    table = read_table(idata_path)
    if "uCode" not in table.columns or {"indicator", "value"} <= set(table.columns):
        table = _idata_from_long_panel(idata_path, imeta)
    if units_path is not None:
        table, imeta = _add_unit_meta(table, imeta, units_path)
    idata = idata_from_table(table, imeta, file=Path(idata_path), imeta_path=imeta_path)

    def codes(t: str) -> list[str]:
        return [str(c) for c in imeta.loc[imeta["Type"] == t, "iCode"]]

    periods = []
    if "Time" in idata.columns:
        periods = [int(p) if float(p).is_integer() else p for p in sorted(pd.unique(idata["Time"]).tolist())]
    return CoinrData(
        idata=idata,
        imeta=imeta,
        indicators=codes("Indicator"),
        aggregates=codes("Aggregate"),
        denominators=codes("Denominator"),
        groups=codes("Group"),
        idata_path=Path(idata_path),
        imeta_path=Path(imeta_path),
        periods=periods,
    )


def _imeta_from_our_meta(path: str | os.PathLike) -> pd.DataFrame:
    """Our indicator metadata (:data:`innometrics.model.INDICATOR_META_COLUMNS`) as a validated iMeta.

    ``Type`` is Indicator at level 1 and Aggregate above, unless a ``type`` column says
    otherwise; codes named in ``denominator`` but absent from the table become
    Denominator rows; a missing weight is 1.
    """
    from innometrics.io.panels import read_indicator_meta

    meta = read_indicator_meta(path)
    if meta["level"].isna().any():
        pos = int(np.flatnonzero(meta["level"].isna().to_numpy())[0])
        typ = meta["type"].iloc[pos]
        if pd.isna(typ) or str(typ).lower() in ("indicator", "aggregate"):
            raise DataError("level is empty; the index needs a level for every indicator (1) and aggregate (2, 3, ...)",
                            file=path, row=pos + 2, column="level", reason="missing_level")

    def fmt(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "NA"
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    rows = []
    for r in meta.itertuples(index=False):
        typ = r.type if isinstance(r.type, str) and r.type else ("Indicator" if r.level == 1 else "Aggregate")
        typ = typ[:1].upper() + typ[1:].lower()
        weight = r.weight if not pd.isna(r.weight) else (1.0 if typ in ("Indicator", "Aggregate") else np.nan)
        rows.append({
            "Level": fmt(r.level), "iCode": r.code, "iName": fmt(r.name if r.name else r.code), "Direction": fmt(r.direction),
            "Weight": fmt(weight), "Unit": fmt(r.unit), "Target": fmt(r.target), "Denominator": fmt(r.denominator),
            "Parent": fmt(r.parent), "Type": typ,
        })
    # per-indicator normalisation parameters (COINr's use_iMeta columns) ride along
    table = read_table(path)
    extra = [c for c in META_PARAMETER_COLUMNS if c in table.columns]
    if extra:
        key = "code" if "code" in table.columns else "iCode"
        by_code = table.set_index(table[key].astype(str).str.strip())
        for r in rows:
            for c in extra:
                v = by_code[c].get(r["iCode"]) if r["iCode"] in by_code.index else None
                r[c] = "NA" if v is None or str(v).strip() in MISSING_TOKENS else str(v).strip()
    known = {r["iCode"] for r in rows}
    for d in dict.fromkeys(r["Denominator"] for r in rows if r["Denominator"] != "NA"):
        if d not in known:
            rows.append({"Level": "NA", "iCode": d, "iName": d, "Direction": "NA", "Weight": "NA", "Unit": "NA",
                         "Target": "NA", "Denominator": "NA", "Parent": "NA", "Type": "Denominator"})
    return imeta_from_table(pd.DataFrame(rows, dtype=object), file=Path(path))


def _idata_from_long_panel(path: str | os.PathLike, imeta: pd.DataFrame) -> pd.DataFrame:
    """A long panel (``unit, period, indicator, value``) pivoted to iData text cells."""
    from innometrics.io.panels import panel_to_wide, read_panel

    known = [str(c) for c in imeta.loc[imeta["Type"].isin(["Indicator", "Denominator"]), "iCode"]]
    result = read_panel(path, layout="long", indicators=known, strict=True)
    wide = panel_to_wide(result.panel)
    for code in known:
        if code not in wide.columns:
            wide[code] = np.nan
    names = result.units.set_index("code")["name"] if "name" in result.units.columns else None
    if names is not None:
        wide.insert(1, "uName", wide["uCode"].map(names))
    return wide.astype(object).where(wide.notna(), "NA").astype(str)


def _add_unit_meta(table: pd.DataFrame, imeta: pd.DataFrame, path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join unit metadata: ``name`` becomes ``uName``, other columns become Group columns of iMeta."""
    from innometrics.io.panels import read_unit_meta

    units = read_unit_meta(path).set_index("code")
    missing = sorted(set(table["uCode"].astype(str)) - set(units.index))
    if missing:
        raise DataError(f"units {', '.join(missing[:10])} of the data have no row in the unit metadata",
                        file=path, column="code", reason="unknown_unit")
    table = table.copy()
    if "name" in units.columns and "uName" not in table.columns:
        table.insert(1, "uName", table["uCode"].astype(str).map(units["name"]))
    extra = [c for c in units.columns if c not in ("name", "type", "parent") and c not in table.columns]
    rows = []
    for c in extra:
        table[c] = table["uCode"].astype(str).map(units[c]).fillna("NA")
        if c not in set(imeta["iCode"]):
            rows.append({"Level": np.nan, "iCode": c, "iName": c, "Type": "Group"})
    if rows:
        imeta = pd.concat([imeta, pd.DataFrame(rows)], ignore_index=True)
    return table, imeta
