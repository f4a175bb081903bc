"""Read CSV, Excel and Parquet files into string-typed tables with clear errors.

Values are read as text so that the callers decide how to parse them and can report
every cell they could not use; nothing is converted or dropped silently here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from innometrics.errors import DataError

#: File extensions understood by :func:`read_table`.
TABLE_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".xlsx": "excel", ".xlsm": "excel", ".parquet": "parquet", ".pq": "parquet"}

#: Cell texts read as a missing value (R's ``NA``, spreadsheets' blanks and dashes).
MISSING_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", "NULL", "null", "..", "-", "—"})


def table_format(path: str | os.PathLike) -> str:
    """The format of ``path`` from its extension, or a DataError listing the known ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        known = ", ".join(sorted(TABLE_FORMATS))
        raise DataError(
            f"unknown file type '{suffix}'; expected one of {known}", file=path, reason="format"
        )
    return TABLE_FORMATS[suffix]


def decode_text(data: bytes, *, file: object, encoding: str = "utf-8") -> str:
    """Decode ``data``; a wrong encoding is a DataError naming the line and byte.

    A UTF-8 byte-order mark is removed. The error suggests ``--encoding`` because
    Chinese statistical files are often GBK/GB18030 encoded.
    """
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise DataError(
            f"the file is not valid {encoding} (bytes {bad} at byte {exc.start}); "
            f"expected {encoding} text: re-save the file as UTF-8 or pass the right "
            f"encoding (e.g. --encoding gb18030)",
            file=file,
            row=line,
            reason="encoding",
        ) from None


def read_table(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a CSV/TSV, Excel or Parquet file with every cell as text (or NA).

    Parameters
    ----------
    path : path-like
        The file; its extension selects the format (:data:`TABLE_FORMATS`).
    sheet : str or int, optional
        Excel sheet name or 0-based position (default: the first sheet).
    encoding : str
        Text encoding of CSV files (default UTF-8, with or without BOM).

    Returns
    -------
    pandas.DataFrame
        Columns as in the file (names stripped of surrounding spaces), object dtype,
        empty cells as empty strings for text formats. Row ``i`` of the frame is line
        ``i + 2`` of the file (line 1 is the header).
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path, reason="not_found")
    kind = table_format(path)
    try:
        if kind in {"csv", "tsv"}:
            text = decode_text(path.read_bytes(), file=path, encoding=encoding)
            sep = "\t" if kind == "tsv" else ","
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
        elif kind == "excel":
            df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
            df = df.map(lambda v: "" if pd.isna(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        else:
            df = pd.read_parquet(path)
    except DataError:
        raise
    except (pd.errors.ParserError, ValueError, OSError, KeyError) as exc:
        raise DataError(f"cannot read the file as {kind}: {exc}", file=path, reason="unreadable") from None
    df.columns = [str(c).strip() for c in df.columns]
    dup = [c for c in df.columns if list(df.columns).count(c) > 1]
    if dup:
        raise DataError(f"column '{dup[0]}' appears more than once in the header", file=path, row=1, column=dup[0], reason="duplicate_column")
    return df


def require_columns(df: pd.DataFrame, required: list[str], *, file: object, what: str = "table") -> None:
    """Raise a DataError naming the missing columns and those that were found."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        hint = ""
        if len(df.columns) == 1:
            header = str(df.columns[0])
            sep = next((s for s in (";", "\t", "|") if s in header), None)
            if sep is not None:
                shown = "tab" if sep == "\t" else f"'{sep}'"
                hint = (f" The header looks separated by {shown}, not by commas: save the file as comma-separated "
                        "CSV (or tab-separated with a .tsv extension).")
        raise DataError(
            f"the {what} lacks required column(s) {', '.join(repr(c) for c in missing)}; "
            f"found columns: {', '.join(repr(c) for c in df.columns)}.{hint}",
            file=file,
            row=1,
            column=missing[0],
            reason="missing_columns",
        )
