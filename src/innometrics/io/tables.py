"""Read CSV, Excel and Parquet files into string-typed tables with clear errors.

Values are read as text so that the callers decide how to parse them and can report
every cell they could not use; nothing is converted or dropped silently here.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.errors import DataError, one_line, reading

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
    if kind in {"csv", "tsv"}:
        return read_csv_text(path, encoding=encoding, sep="\t" if kind == "tsv" else ",")
    with reading(path, f"{kind} file"):
        if kind == "excel":
            raw = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, header=None)
            raw = raw.map(_excel_text)
            header = list(raw.iloc[0]) if len(raw) else []
            df = raw.iloc[1:].reset_index(drop=True)
            df.columns = header
        else:
            df = pd.read_parquet(path)
            # Typed columns (integer unit codes, float values) become text like the other formats.
            df = df.astype(object).map(_parquet_text)
    return _checked_header(df, [str(c) for c in df.columns], path)


def _parquet_text(value: object) -> str:
    """A Parquet cell as text: missing values empty, numbers in their shortest exact form."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def _excel_text(value: object) -> str:
    """An Excel cell as text: blanks empty, whole floats without '.0'."""
    if pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_csv_text(path: str | os.PathLike, *, what: str = "table", encoding: str = "utf-8",
                  sep: str = ",") -> pd.DataFrame:
    """Read a CSV with every cell as text; the raw header is checked before pandas sees it.

    pandas renames a repeated column (``value``, ``value.1``), so the duplicate check
    runs on the header as written (:func:`parse_csv_rows`). Empty files, rows longer than
    the header, open quotes and undecodable bytes are DataErrors naming the file and the
    line. Short rows are padded with empty cells; an empty header cell is named
    ``Unnamed: <position>`` as pandas does.
    """
    path = Path(path)
    with reading(path, what):
        data = path.read_bytes()
    text = decode_text(data, file=path, encoding=encoding)
    if not text.strip():
        raise DataError(f"the {what} is empty; expected a header line and rows", file=path, row=1,
                        reason="empty")
    rows = parse_csv_rows(text, sep=sep, file=path, what=what)
    header = [c.strip() or f"Unnamed: {j}" for j, c in enumerate(rows[0])]
    check_unique_header(header, file=path)
    width = len(header)
    body = rows[1:]
    for k, row in enumerate(body):
        if len(row) > width:
            raise DataError(f"this row has {len(row)} fields but the header has {width}; quote fields that "
                            f"contain '{sep}' or remove the extra separators", file=path, row=_line_of(k, rows),
                            reason="ragged_row")
        if len(row) < width:
            body[k] = row + [""] * (width - len(row))
    cells = np.empty((len(body), width), dtype=object)
    if body:
        cells[:, :] = body
    # dtype=object keeps one block: inferring string columns costs an Arrow array per column
    return pd.DataFrame(cells, columns=header, dtype=object)


def _line_of(k: int, rows: list) -> int | None:
    return getattr(rows, "lines", {}).get(k + 1)


class _Rows(list):
    """Parsed rows with the file line each starts on (``lines[i]``), for messages."""

    lines: dict[int, int]


def parse_csv_rows(text: str, *, sep: str = ",", file: object = None, what: str = "table") -> list[list[str]]:
    """Split CSV text into rows of fields (blank lines skipped), with Python's C ``csv`` parser.

    Why not ``pandas.read_csv``: it builds one Arrow string array per column, which takes
    minutes for 100,000 columns, and renames repeated headers before they can be checked;
    this path is linear in the file's size. A quote left open at the end of the file is a
    DataError naming the line where the field starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows = _Rows()
    rows.lines = {}
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            rows.lines[len(rows)] = start
            rows.append(row)
    except csv.Error as exc:
        raise DataError(f"cannot read the {what}: {one_line(exc, 120)} (a quote is not closed or is "
                        "followed by text)", file=file, row=reader.line_num, reason="unreadable") from None
    if not rows:
        raise DataError(f"the {what} is empty; expected a header line and rows", file=file, row=1,
                        reason="empty")
    return rows


def check_unique_header(names: list[str], *, file: object) -> None:
    """A DataError for the first repeated column name (one pass, linear in the header's length)."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"column '{name}' appears more than once in the header", file=file, row=1,
                            column=name, reason="duplicate_column")
        seen.add(name)


def _checked_header(df: pd.DataFrame, names: list[str], path: Path) -> pd.DataFrame:
    names = [str(c).strip() for c in names]
    if len(names) != df.shape[1]:
        names = [str(c).strip() for c in df.columns]
    check_unique_header(names, file=path)
    df.columns = names
    return df


def shown_columns(columns, limit: int = 20) -> str:
    """The first ``limit`` column names quoted, and how many there are in all when more."""
    names = [repr(str(c)) for c in list(columns)[: limit + 1]]
    if len(columns) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... ({len(columns):,} columns in all)"


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
            f"found columns: {shown_columns(df.columns)}.{hint}",
            file=file,
            row=1,
            column=missing[0],
            reason="missing_columns",
        )
