"""Web of Science tab-delimited export, and CSV tables with WoS tags as columns.

Web of Science's "Tab delimited file" export has one record per line and the field
tags as header (``PT  AU  BA ... UT ...``); lists are joined with ``"; "``
(``AU = "Lang, XN; Li, L"``) and ``C1`` keeps the bracketed author lists
(``[Lang, Xiaona; Li, Lu] Tianjin Hosp, ...; [Li, Yuntao] ...``). The file is UTF-8
(with BOM) or, in older exports, UTF-16.

The R package bibliometrix (``convert2df``) writes the same tags as CSV columns, in
upper case, with ``;`` between list items and without the ``C1`` brackets, which
makes every address of such a record an affiliation with position NULL (the
author-address links are lost in that conversion). Its extra columns (``AU_UN``,
``SR``, ``DB``...) are ignored.

Records are built by :func:`innometrics.records.wos.build_wos_record`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from innometrics.errors import DataError, one_line
from innometrics.io.tables import decode_text, require_columns
from innometrics.records.model import RecordSet
from innometrics.records.collector import RecordCollector, safe_build
from innometrics.records.wos import build_wos_record, split_c1, split_names

REQUIRED_COLUMNS = ["UT", "AU"]
_LIST_COLUMNS = {"AU": split_names, "AF": split_names, "C1": split_c1}


def _decode(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, file=path, encoding="utf-16")
    return decode_text(data, file=path, encoding=encoding)


def read_wos_tab(path: str | os.PathLike, *, encoding: str = "utf-8") -> RecordSet:
    """Read a WoS tab-delimited export or a bibliometrix WoS CSV.

    Parameters
    ----------
    path : path-like
        The file. Tab-separated when its header line contains a tab, else CSV.
    encoding : str
        Text encoding (UTF-16 is recognised by its byte-order mark).

    Returns
    -------
    RecordSet
        ``source_format`` is ``wos_tab``; ``rejects.row`` is the table row (header = 1). A
        row with more fields than the header (text beyond the last column), tab-delimited or
        CSV, is rejected as ``unparsable_record``, so read = used + rejected.

    Raises
    ------
    DataError
        When the columns ``UT`` and ``AU`` are missing or the file cannot be parsed.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path, reason="not_found")
    text = _decode(path, encoding)
    header = text.split("\n", 1)[0]
    sep = "\t" if "\t" in header else ","
    ragged: set[int] = set()
    if sep == "\t":
        df, ragged = _split_tab(text)
    else:
        try:
            df, ragged = _split_csv(text)
        except csv.Error as exc:
            raise DataError(f"cannot parse the file as a CSV Web of Science table: {one_line(exc, 200)}",
                            file=path, reason="unreadable") from None
    df.columns = [str(c).strip().strip('"') for c in df.columns]
    require_columns(df, REQUIRED_COLUMNS, file=path, what="Web of Science table")
    columns = [c for c in df.columns if len(c) == 2 and c.isalnum()]
    collected = RecordCollector(path)
    for i, values in enumerate(df[columns].itertuples(index=False, name=None)):
        row = i + 2
        if i in ragged:
            # More fields than the header: the values cannot be put in their columns with
            # any confidence (a tab inside a field shifts every later one), so the record
            # is not used; its row is named in the rejects.
            collected.reject(row, None, "unparsable_record")
            continue
        fields: dict[str, object] = {}
        for tag, value in zip(columns, values):
            value = (value or "").strip()
            if value == "NA":  # bibliometrix writes R's missing value as the text NA
                value = ""
            fields[tag] = _LIST_COLUMNS[tag](value) if tag in _LIST_COLUMNS else value
        collected.add(row, safe_build(build_wos_record, fields, source_format="wos_tab"))
    return collected.result(read=len(df))


def _split_csv(text: str) -> tuple[pd.DataFrame, set[int]]:
    """The table of a CSV with WoS tags as columns and the positions of its ragged rows.

    Read with the standard :mod:`csv` module rather than pandas so that one row with more
    fields than the header is that row's reject, not a refusal of the whole file; blank
    lines are skipped (:func:`_table`).

    Raises
    ------
    csv.Error
        For text the CSV grammar cannot read (a NUL byte, a field beyond the size limit).
    """
    records = [row for row in csv.reader(io.StringIO(text, newline="")) if any(field.strip() for field in row)]
    if not records:
        return pd.DataFrame(), set()
    names = [c.strip().strip('"') for c in records[0]]
    return _table(names, len(names), records[1:])


def _split_tab(text: str) -> tuple[pd.DataFrame, set[int]]:
    """The table of a tab-delimited export and the positions of its ragged rows.

    Lines end at ``\r\n``, ``\r`` or ``\n``; lines holding nothing but spaces are skipped
    (as pandas does). Web of Science ends every line with a tab, so each line has one empty
    field more than it has tags: the table is as wide as the header's last named column.
    """
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip(" ")]
    if not lines:
        return pd.DataFrame(), set()
    names = [c.strip().strip('"') for c in lines[0].split("\t")]
    width = max((k + 1 for k, name in enumerate(names) if name), default=0)
    return _table(names, width, [line.split("\t") for line in lines[1:]])


def _table(names: list[str], width: int, rows: list[list[str]]) -> tuple[pd.DataFrame, set[int]]:
    """Rows cut to the first ``width`` fields, and the positions of the ragged ones.

    A row is ragged when a field beyond ``width`` holds text (extra empty fields are
    ignored); a shorter row has its missing fields empty. Repeated or empty column names
    keep their first column.
    """
    ragged = {i for i, fields in enumerate(rows) if any(f.strip() for f in fields[width:])}
    padded = [(fields + [""] * width)[:width] for fields in rows]
    keep = [k for k, name in enumerate(names[:width]) if name and name not in names[:k]]
    return pd.DataFrame([[r[k] for k in keep] for r in padded], columns=[names[k] for k in keep], dtype=str), ragged
