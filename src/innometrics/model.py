"""The data model shared by the three engines.

Indicator panel (long layout)
    One row per observation, columns :data:`PANEL_COLUMNS`:

    ============ ======================================================
    ``unit``      unit code (country ISO code, province code ``CN-BJ``,
                  institution id ...), string
    ``period``    the period, an integer year (``2023``)
    ``indicator`` indicator code, string
    ``value``     float; missing values are NaN
    ============ ======================================================

    The key ``(unit, period, indicator)`` is unique.

Indicator metadata
    One row per indicator or aggregate, columns :data:`INDICATOR_META_COLUMNS`:
    ``code, name, unit`` (unit of measure), ``direction`` (+1 higher is better, -1 lower is
    better), ``weight``, ``parent`` (code of the aggregate one level up, empty at the top),
    ``level`` (1 = indicator, increasing upwards as in COINr), ``denominator`` (code of the
    indicator to divide by, e.g. population), ``target`` (for distance-to-target methods).
    The ``parent`` links form a tree: no cycles, and every parent is itself a code
    (:func:`validate_hierarchy`).

Unit metadata
    One row per unit, columns :data:`UNIT_META_COLUMNS` (``code, name, type, parent``)
    plus any number of group columns (``region``, ``income_group`` ...).

COINr's formats map onto this model one to one: ``iData`` is the wide layout of the panel
(``uCode`` = unit, ``Time`` = period, one column per indicator, ``uName`` and ``*_group``
columns are unit metadata) and ``iMeta`` is the indicator metadata (``iCode`` = code,
``iName`` = name, ``Direction``, ``Weight``, ``Parent``, ``Level``, ``Denominator``,
``Target``, ``Unit``).
"""

from __future__ import annotations

import pandas as pd

from innometrics.errors import DataError

PANEL_COLUMNS = ["unit", "period", "indicator", "value"]
PANEL_KEY = ["unit", "period", "indicator"]

INDICATOR_META_COLUMNS = [
    "code",
    "name",
    "unit",
    "direction",
    "weight",
    "parent",
    "level",
    "denominator",
    "target",
]

UNIT_META_COLUMNS = ["code", "name", "type", "parent"]

#: COINr iMeta column -> our indicator metadata column.
COINR_IMETA_TO_META = {
    "iCode": "code",
    "iName": "name",
    "Unit": "unit",
    "Direction": "direction",
    "Weight": "weight",
    "Parent": "parent",
    "Level": "level",
    "Denominator": "denominator",
    "Target": "target",
}

def coerce_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Return ``panel`` with the canonical column order and dtypes, sorted by key."""
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise DataError(
            f"panel lacks required columns {missing}; expected {PANEL_COLUMNS}",
            reason="missing_columns",
        )
    extra = [c for c in panel.columns if c not in PANEL_COLUMNS]
    out = panel[PANEL_COLUMNS + extra].copy()
    out["unit"] = out["unit"].astype("string")
    out["indicator"] = out["indicator"].astype("string")
    out["period"] = out["period"].astype("Int64")
    out["value"] = out["value"].astype("float64")
    return out.sort_values(PANEL_KEY, kind="stable").reset_index(drop=True)



def validate_hierarchy(
    meta: pd.DataFrame,
    *,
    code: str = "code",
    parent: str = "parent",
    file: object = None,
    row_offset: int = 2,
) -> None:
    """Check that the ``parent`` links of ``meta`` form a forest.

    Raises :class:`~innometrics.errors.DataError` naming the file and row when a code is
    duplicated, a parent code is not itself a code (an orphan), or the links contain a
    cycle (``A -> B -> A``). ``row_offset`` converts the 0-based frame position into the
    file's line number (2 when line 1 is the header).
    """
    codes = meta[code].astype("string")
    dup_mask = (codes.duplicated(keep=False) & codes.notna()).to_numpy(dtype=bool)
    if dup_mask.any():
        first = int(dup_mask.argmax())  # position, not label: the index may repeat too
        value = codes.iloc[first]
        raise DataError(
            f"code '{value}' appears {int((codes == value).sum())} times; codes must be unique",
            file=file,
            row=first + row_offset,
            column=code,
            reason="duplicate_code",
        )
    known = set(codes.dropna())
    parents = meta[parent].astype("string")
    for pos, (c, p) in enumerate(zip(codes, parents)):
        if pd.isna(p) or str(p).strip() == "":
            continue
        if p not in known:
            raise DataError(
                f"parent '{p}' of '{c}' is not a code in this table (orphan); "
                f"expected one of the codes or an empty parent for the top level",
                file=file,
                row=pos + row_offset,
                column=parent,
                reason="orphan",
            )
    parent_of = {c: p for c, p in zip(codes, parents) if not pd.isna(c) and not pd.isna(p) and str(p).strip()}
    position = {c: i for i, c in enumerate(codes)}
    for start in parent_of:
        seen = [start]
        node = start
        while node in parent_of:
            node = parent_of[node]
            if node in seen:
                cycle = " -> ".join(seen[seen.index(node):] + [node])
                raise DataError(
                    f"the hierarchy has a cycle: {cycle}; each code needs a path up to a top-level code",
                    file=file,
                    row=position[start] + row_offset,
                    column=parent,
                    reason="cycle",
                )
            seen.append(node)
