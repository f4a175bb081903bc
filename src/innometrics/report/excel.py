"""Excel export of a results folder that people can use as it opens.

One sheet per table, with a bold, frozen header, an autofilter, column widths, units in
the header (``p_frac [records, fractional count]``) and number formats by meaning
(:mod:`innometrics.report.columns`, the same as the HTML tables: ranks and counts whole,
ids plain, proportions as percentages, p-values scientific, fixed decimals per column).
A first ``README`` sheet says what the workbook holds and carries the provenance: kind,
counts, input files with their SHA-256, the step log and the specification. The stored
values are the CSVs' values.

The file is written atomically and is byte-identical for the same results: the document
properties carry a fixed date and every zip entry a fixed time stamp.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import zipfile
from pathlib import Path

import pandas as pd

from innometrics.io.writers import atomic_path
from innometrics.report.columns import COLUMN_UNITS, column_formats  # noqa: F401  (COLUMN_UNITS re-exported)
from innometrics.report.context import ResultsDir

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Document date written into every workbook (a real date would make two runs differ).
FIXED_DATE = _dt.datetime(2000, 1, 1)
README_SHEET = "README"


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


def _with_measures(results: ResultsDir, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The trends table with each indicator's unit of measure beside it (from indicators.csv)."""
    if results.kind != "trends" or name != "trends" or "indicator" not in df.columns:
        return df
    meta = results.table(results.tables.get("indicators", "indicators.csv"))
    if meta is None or "code" not in meta.columns or "unit" not in meta.columns:
        return df
    units = dict(zip(meta["code"].astype(str), meta["unit"]))
    out = df.copy()
    out.insert(list(df.columns).index("indicator") + 1, "measure", [units.get(str(c)) for c in df["indicator"]])
    return out


def readme_rows(results: ResultsDir, sheets: dict[str, str]) -> list[tuple[str, str]]:
    """The README sheet: what this is, the sheets, counts, inputs, log and spec."""
    m = results.manifest
    rows = [("what", f"innometrics {results.kind} results from {results.path.name}"),
            ("kind", results.kind), ("created_by", str(m.get("created_by", "")))]
    counts = m.get("counts") or {}
    if isinstance(counts, dict):
        rows += [(f"count {k}", str(v)) for k, v in counts.items()]
    for item in m.get("inputs") or []:
        if isinstance(item, dict):
            rows.append((f"input {item.get('path', '')}", f"sha256 {item.get('sha256', '')}"))
    for sheet, rel in sheets.items():
        rows.append((f"sheet {sheet}", rel))
    log = m.get("log") or results.json("log.json") or []
    if isinstance(log, dict):
        log = log.get("log") or log.get("steps") or [log]
    for i, entry in enumerate(log if isinstance(log, list) else [], start=1):
        if isinstance(entry, dict):
            params = json.dumps(entry.get("params"), sort_keys=True, ensure_ascii=False, default=str)
            rows.append((f"log {i}", f"{entry.get('step', '')}: {entry.get('method', '')} {params}"))
    spec_text = m.get("spec_text")
    if not spec_text and m.get("spec"):
        spec_text = json.dumps(m.get("spec"), indent=2, sort_keys=True, ensure_ascii=False, default=str)
    for i, line in enumerate((spec_text or "").splitlines(), start=1):
        rows.append((f"spec line {i}", line))
    return rows


def export_excel(results: ResultsDir, path: str | Path) -> Path:
    """Write the README sheet and every CSV table of the results folder to ``path``, one sheet each."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    tables = {name: rel for name, rel in results.all_tables().items() if rel.lower().endswith(".csv") and results.has(rel)}
    readme_sheet, *table_sheets = sheet_names([README_SHEET] + list(tables))
    names = dict(zip(tables, table_sheets))
    wb = Workbook()
    ws = wb.active
    ws.title = readme_sheet
    ws.append(["item", "value"])
    for row in readme_rows(results, {names[n]: rel for n, rel in tables.items()}):
        ws.append(list(row))
    _style(ws, widths=[28, 100], Font=Font, get_column_letter=get_column_letter)
    for cell in ws["B"][1:]:
        cell.alignment = Alignment(wrap_text=False)
    for name, rel in tables.items():
        df = _with_measures(results, name, results.table(rel))
        ws = wb.create_sheet(names[name])
        meaning = column_formats(df)
        ws.append([f"{c} [{meaning[c].unit}]" if meaning[c].unit else str(c) for c in df.columns])
        for values in df.astype(object).where(df.notna(), None).itertuples(index=False):
            ws.append([_cell(v) for v in values])
        widths = []
        for j, col in enumerate(df.columns, start=1):
            fmt = meaning[col].excel
            if fmt and pd.api.types.is_numeric_dtype(df[col]):
                for cell in ws[get_column_letter(j)][1:]:
                    cell.number_format = fmt
            texts = [meaning[col].text(v) for v in df[col].head(300)]
            widths.append(min(max([len(str(ws.cell(row=1, column=j).value))] + [len(t) for t in texts]) + 2, 60))
        _style(ws, widths=widths, Font=Font, get_column_letter=get_column_letter)
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.properties.creator = "innometrics"
    with atomic_path(path) as tmp:
        wb.save(tmp)
        _normalise_zip(Path(tmp))
    return Path(path)


def _cell(value):
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _style(ws, *, widths, Font, get_column_letter) -> None:
    """Bold frozen header, autofilter over the table, column widths."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if ws.max_column and ws.max_row:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, width)


def _normalise_zip(path: Path) -> None:
    """Rewrite the xlsx zip with fixed entry times and order, so the same workbook gives the same bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    modified = _dt.datetime(2000, 1, 1).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                              lambda m: b"<dcterms:" + m.group(1) + m.group(2) + b">" + modified.encode() + b"</dcterms:" + m.group(1) + b">",
                              data)
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
