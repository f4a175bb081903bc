"""Espacenet CSV export (EPO "Export results -> CSV", at most 500 records a file).

One row is one application; its publications are listed together. Columns used:

``Publication number`` (``US2002048624 (A1); US6858243 (B2)``: every publication of
the application with its kind code; the first two letters are the publishing
office), ``Publication date`` (``DD/MM/YYYY``, the first publication),
``Inventor(s)`` and ``Applicant(s)`` (``NAME [CC]; NAME [CC]``, the country the office
recorded; often missing), ``International classification`` (IPC) and ``Cooperative
Patent Classification`` (CPC), ``Application number``, ``Date of application``
(``YYYYMMDD``), ``Priority number(s)`` (``IT2000TO00900 20000928; ...``) and ``Title``.

The record id is the application number (the first publication number when it is
missing). The export has no family id, no grant date and no city: families are
derived from the priority numbers (:mod:`~innometrics.records.patent_fields`) over
all files read together, and ``grant_date`` stays empty.

Encoding. Exports saved through old spreadsheet software come double-mangled: UTF-8
text read as Windows-1252 and saved as Mac Roman, with classic-Mac line ends (CR).
The reader tries UTF-8 first and, when the text shows the mangling (``â€``, ``Ã``)
or is not UTF-8, reverses it (``mac_roman`` -> ``cp1252`` -> UTF-8). A file that
decodes neither way is refused with a message naming the encodings tried.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from innometrics.errors import DataError
from innometrics.records.collector import RecordCollector, safe_build
from innometrics.records.model import RecordSet
from innometrics.records.patent_fields import (contributor_rows, join_codes, parse_date, parse_party,
                                               split_list)

REQUIRED_COLUMNS = ["Publication number", "Inventor(s)", "Applicant(s)", "Application number",
                    "Priority number(s)"]
_MOJIBAKE = ("â€", "Ã©", "Ã¨", "Ã¼", "Ã¶", "Ã", "\u00e2\u20ac")


def decode_espacenet(raw: bytes, path) -> str:
    """The text of an export, undoing the double mangling when present (see the module doc)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not any(m in text for m in _MOJIBAKE):
        return text
    try:
        return raw.decode("mac_roman").encode("cp1252").decode("utf-8")
    except UnicodeError:
        pass
    if text is not None:
        return text
    raise DataError("cannot decode the Espacenet export: it is neither UTF-8 nor UTF-8 mangled through "
                    "Windows-1252 and Mac Roman; re-export it as UTF-8", file=path, reason="encoding")


def _publications(value: str) -> list[tuple[str, str | None]]:
    """``[(number, kind)]`` of ``US2002048624 (A1); US6858243 (B2)``."""
    out = []
    for item in split_list(value):
        number, _, kind = item.partition("(")
        out.append((number.strip(), kind.rstrip(")").strip() or None))
    return out


def _priorities(value: str) -> list[tuple[str, str | None]]:
    """``[(number, ISO date or None)]`` of ``IT2000TO00900 20000928; US19990267981 19990312``."""
    out = []
    for item in split_list(value):
        number, _, when = item.partition(" ")
        out.append((number.strip(), parse_date(when)))
    return out


def build_record(row: dict, source: str):
    """(reject reason, record, contributors, []) of one export row."""
    pubs = _publications(row.get("Publication number") or "")
    application = (row.get("Application number") or "").strip()
    record_id = application or (pubs[0][0] if pubs else "")
    if not record_id:
        return "missing_id", None, [], []
    try:
        pub_date = parse_date(row.get("Publication date"))
        filing = parse_date(row.get("Date of application"))
        prios = _priorities(row.get("Priority number(s)") or "")
    except ValueError:
        return "unparsable_date", {"record_id": record_id}, [], []
    inventors = [parse_party(p) for p in split_list(row.get("Inventor(s)"))]
    applicants = [parse_party(p) for p in split_list(row.get("Applicant(s)"))]
    cons = contributor_rows(record_id, inventors, applicants)
    if not cons:
        return "no_parties", {"record_id": record_id}, [], []
    prio_dates = [d for _, d in prios if d]
    priority = min(prio_dates) if prio_dates else filing
    year = int((priority or pub_date or "")[:4]) if (priority or pub_date) else None
    record = {
        "record_id": record_id,
        "year": year,
        "type": "patent",
        "title": (row.get("Title") or "").strip() or None,
        "source_format": source,
        "family_source": "priority_numbers",
        "priority_date": priority,
        "filing_date": filing,
        "publication_date": pub_date,
        "office": pubs[0][0][:2].upper() if pubs else record_id[:2].upper(),
        "kind": "; ".join(k for _, k in pubs if k) or None,
        "priority_numbers": "; ".join(dict.fromkeys(n for n, _ in prios if n)) or None,
        "ipc": join_codes(split_list(row.get("International classification"))),
        "cpc": join_codes(split_list(row.get("Cooperative Patent Classification"))),
    }
    return None, record, cons, []


def read_espacenet(path: str | os.PathLike) -> RecordSet:
    """Read one Espacenet CSV export into a RecordSet (families derived later, see module doc).

    Raises
    ------
    DataError
        When the file cannot be decoded or lacks the Espacenet columns.
    """
    path = Path(path)
    text = decode_espacenet(path.read_bytes(), path)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise DataError("the file is empty; expected an Espacenet CSV export", file=path, row=1, reason="format")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataError(f"missing column(s) {missing}; expected an Espacenet CSV export with "
                        f"{', '.join(REQUIRED_COLUMNS)}", file=path, row=1, column=missing[0], reason="schema")
    collector = RecordCollector(path)
    read = 0
    for i, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        read += 1
        if len(values) != len(header):
            collector.reject(i, None, "unparsable_record")
            continue
        collector.add(i, safe_build(build_record, dict(zip(header, values)), "espacenet"))
    return collector.result(read)
