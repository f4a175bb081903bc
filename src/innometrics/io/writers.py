"""Atomic writers for tables and text.

Every output file is written to a temporary file in the target folder and moved
into place with :func:`os.replace`, so a reader never sees a half-written file
and an interrupted build leaves the previous output intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


def clean_stale_temp(target: Path) -> None:
    """Remove the temporary files of ``target`` left by processes that were killed.

    Temporary names carry the writer's process id (``.<name>.<pid>.<random>.tmp``), so
    a file of a live writer is never touched.
    """
    import re

    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[^.]+\.tmp$")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not pid_alive(int(match.group(1))):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (a temporary file's writer may still be running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; on success move it onto ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temp(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    # mkstemp creates files readable by the owner only; outputs get the usual umask mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write ``text`` as UTF-8 atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as indented, key-sorted JSON atomically (stable bytes for equal input)."""
    return write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", path)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Environment variable that turns neutralisation off (``innometrics --raw-csv``).
RAW_CSV_ENV = "INNOMETRICS_RAW_CSV"


def raw_csv() -> bool:
    """True when CSV cells are to be written exactly as they are (``INNOMETRICS_RAW_CSV=1``)."""
    return os.environ.get(RAW_CSV_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_cell(value: Any) -> Any:
    """``value`` made safe for spreadsheets: a text starting with ``= + - @``, tab or CR gets a ``'``.

    OWASP's advice for CSV injection: prefix such a cell with a single quote so Excel,
    LibreOffice and Google Sheets show it as text instead of running it as a formula.
    Numbers are never changed (a float ``-3.2``, nor the text ``"-3.2"``, which no
    spreadsheet reads as a formula).

    >>> neutralise_cell('=HYPERLINK("http://x")'), neutralise_cell("-3.2"), neutralise_cell(-3.2)
    ('\'=HYPERLINK("http://x")', '-3.2', -3.2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`neutralise_cell` applied to its text cells and column names (a copy only if needed)."""
    text_cols = [c for c in df.columns if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))]
    risky = {c: [neutralise_cell(v) for v in df[c].tolist()] for c in text_cols
             if any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in df[c].tolist())}
    names = [neutralise_cell(c) for c in df.columns]
    if not risky and names == list(df.columns):
        return df
    out = df.copy()
    for c, values in risky.items():
        out[c] = pd.Series(values, index=out.index, dtype=object)
    out.columns = names
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike, *, index: bool = False,
              neutralise: bool | None = None) -> Path:
    """Write a CSV (UTF-8, ``\\n`` line ends, full float precision) atomically.

    Text cells that a spreadsheet would run as a formula are neutralised
    (:func:`neutralise_cell`) unless ``neutralise`` is False or, by default, unless
    ``INNOMETRICS_RAW_CSV=1`` (the ``--raw-csv`` option) asks for raw cells.
    """
    if neutralise is None:
        neutralise = not raw_csv()
    if neutralise:
        df = neutralise_frame(df)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=index, lineterminator="\n", float_format=None)
    return Path(path)


def write_parquet(df: pd.DataFrame, path: str | os.PathLike, *, index: bool = False) -> Path:
    """Write a Parquet file atomically."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=index)
    return Path(path)


def write_excel(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike,
    *,
    units: Mapping[str, Mapping[str, str]] | None = None,
    number_format: str = "#,##0.00##",
    column_formats: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write one sheet per table, with frozen headers and number formats.

    Parameters
    ----------
    sheets : mapping of sheet name to DataFrame
        Sheet names are cut to Excel's 31 characters.
    units : mapping, optional
        ``{sheet: {column: unit}}``; the unit is shown in the header as ``column [unit]``.
    column_formats : mapping, optional
        ``{sheet: {column: Excel number format}}`` (e.g. ``"0.00%"`` for shares), overriding
        ``number_format`` for those numeric columns; the stored values are unchanged.
    """
    from openpyxl.utils import get_column_letter

    units = units or {}
    column_formats = column_formats or {}
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, df in sheets.items():
                sheet = str(name)[:31]
                col_units = units.get(name, {})
                out = df.rename(
                    columns={c: f"{c} [{col_units[c]}]" for c in df.columns if col_units.get(c)}
                )
                out.to_excel(writer, sheet_name=sheet, index=False)
                ws = writer.sheets[sheet]
                _text_not_formulas(ws)
                ws.freeze_panes = "A2"
                for j, col in enumerate(df.columns, start=1):
                    letter = get_column_letter(j)
                    width = max([len(str(out.columns[j - 1]))] + [len(str(v)) for v in df[col].head(200)])
                    ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
                    own_format = column_formats.get(name, {}).get(col)
                    if own_format and pd.api.types.is_numeric_dtype(df[col]):
                        for cell in ws[letter][1:]:
                            cell.number_format = own_format
                    elif pd.api.types.is_float_dtype(df[col]):
                        for cell in ws[letter][1:]:
                            cell.number_format = number_format
                    elif pd.api.types.is_integer_dtype(df[col]):
                        for cell in ws[letter][1:]:
                            cell.number_format = "0"
    return Path(path)


def _text_not_formulas(ws: Any) -> None:
    """Store every text cell of a worksheet as text: openpyxl takes a string starting with
    ``=`` for a formula, so ``=HYPERLINK(...)`` from an institution name would become a
    live link. The cell keeps its exact text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` in the format named by the file's extension (.csv, .parquet, .xlsx)."""
    suffix = Path(path).suffix.lower()
    writers: dict[str, Callable[[], Path]] = {
        ".csv": lambda: write_csv(df, path),
        ".parquet": lambda: write_parquet(df, path),
        ".pq": lambda: write_parquet(df, path),
        ".xlsx": lambda: write_excel({"data": df}, path),
    }
    if suffix not in writers:
        from innometrics.errors import DataError

        raise DataError(
            f"cannot write '{suffix}' files; use .csv, .parquet or .xlsx", file=path, reason="format"
        )
    return writers[suffix]()
