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
        ``source_format`` is ``wos_tab``; ``rejects.row`` is the table row (header = 1).

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
    try:
        if sep == "\t":
            df = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False,
                             quoting=csv.QUOTE_NONE, index_col=False)
        else:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"cannot parse the file as a {'tab-delimited' if sep == chr(9) else 'CSV'} "
                        f"Web of Science table: {one_line(exc, 200)}", file=path, reason="unreadable") from None
    df.columns = [str(c).strip().strip('"') for c in df.columns]
    require_columns(df, REQUIRED_COLUMNS, file=path, what="Web of Science table")
    columns = [c for c in df.columns if len(c) == 2 and c.isalnum()]
    collected = RecordCollector(path)
    for i, values in enumerate(df[columns].itertuples(index=False, name=None)):
        row = i + 2
        fields: dict[str, object] = {}
        for tag, value in zip(columns, values):
            value = (value or "").strip()
            if value == "NA":  # bibliometrix writes R's missing value as the text NA
                value = ""
            fields[tag] = _LIST_COLUMNS[tag](value) if tag in _LIST_COLUMNS else value
        collected.add(row, safe_build(build_wos_record, fields, source_format="wos_tab"))
    return collected.result(read=len(df))
