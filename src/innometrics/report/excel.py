"""Excel export of a results folder: one sheet per table, with units, frozen headers
and number formats (through :func:`innometrics.io.writers.write_excel`, atomic)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from innometrics.io.writers import write_excel
from innometrics.report.context import ResultsDir

#: Units of well-known columns, shown in the header as ``column [unit]``.
COLUMN_UNITS = {
    "multiple": "x, last / first",
    "cagr": "fraction a year",
    "p_full": "records, full count",
    "p_frac": "records, fractional count",
    "share": "fraction of all credit",
    "weight": "relative weight",
    "Weight": "relative weight",
}

#: Excel number formats of well-known columns (fractions shown as percentages).
COLUMN_FORMATS = {
    "share": "0.00%",
    "cagr": "0.00%",
    "multiple": "0.00",
}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names (31 characters, no ``[]:*?/\\``) for ``names``, in order."""
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "table"
        candidate = base[:31]
        k = 2
        while candidate.lower() in used:
            suffix = f"~{k}"
            candidate = base[: 31 - len(suffix)] + suffix
            k += 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def export_excel(results: ResultsDir, path: str | Path) -> Path:
    """Write every CSV table of the manifest to ``path``, one sheet each, plus an ``about`` sheet.

    Values are the CSVs' values (read with the same reader as the report), so the
    workbook and the CSVs hold the same numbers.
    """
    tables = {name: rel for name, rel in results.all_tables().items() if rel.lower().endswith(".csv") and results.has(rel)}
    *table_sheets, about_sheet = sheet_names(list(tables) + ["about"])
    names = dict(zip(tables, table_sheets))
    sheets: dict[str, pd.DataFrame] = {}
    units: dict[str, dict[str, str]] = {}
    formats: dict[str, dict[str, str]] = {}
    for name, rel in tables.items():
        df = results.table(rel)
        sheet = names[name]
        sheets[sheet] = df
        col_units = {c: COLUMN_UNITS[c] for c in df.columns if c in COLUMN_UNITS}
        if col_units:
            units[sheet] = col_units
        col_formats = {c: f for c in df.columns for key, f in COLUMN_FORMATS.items()
                       if str(c) == key or str(c).startswith(f"{key}_")}
        if col_formats:
            formats[sheet] = col_formats
    m = results.manifest
    about = [("kind", results.kind), ("created_by", str(m.get("created_by", "")))]
    counts = m.get("counts") or {}
    if isinstance(counts, dict):
        about += [(f"count {k}", str(v)) for k, v in counts.items()]
    for item in m.get("inputs") or []:
        if isinstance(item, dict):
            about.append((f"input {item.get('path', '')}", f"sha256 {item.get('sha256', '')}"))
    for name, rel in tables.items():
        about.append((f"sheet {names[name]}", rel))
    sheets[about_sheet] = pd.DataFrame(about, columns=["item", "value"])
    return write_excel(sheets, path, units=units, column_formats=formats)
