"""Lens.org patent CSV export, both layouts (2021: ``Publication Number``; current:
``Display Key`` with family members).

One row is one publication (record id: ``Lens ID``). Columns used: ``Jurisdiction``
(office), ``Kind``, ``Publication Date``, ``Application Date``, ``Earliest Priority
Date``, ``Priority Numbers`` (``;;``-separated, ``US 83547206 P 20060804`` or ``US
201715458258 A``), ``Title``, ``Applicants`` and ``Inventors`` (``;;``-separated
names; a single ``;`` inside a name, as in ``BACON; RICHARD J.``, is part of the
name), ``Type`` / ``Document Type`` (``Granted Patent``: the publication date is the
grant date), ``IPCR Classifications`` and ``CPC Classifications`` (``;;``-separated),
``Simple Family Members`` and ``Extended Family Members`` (current layout: Lens IDs).

Families: the current layout names the members, so a family's id is its smallest
member Lens ID (``family_source = "source"``); the 2021 layout gives only family
sizes, so families are derived from the priority numbers (``priority_numbers``).
Lens exports carry no country of applicants or inventors: counts by country fall
to ``unknown`` (the priority office is not a residence and is not used as one).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from innometrics.errors import DataError
from innometrics.records.collector import RecordCollector, safe_build
from innometrics.records.model import RecordSet
from innometrics.records.patent_fields import contributor_rows, join_codes, parse_date, split_list

REQUIRED_COLUMNS = ["Lens ID", "Jurisdiction", "Applicants", "Inventors"]


def _priority_number(item: str) -> str:
    """``US83547206`` of ``US 83547206 P 20060804`` (office and number, no kind or date)."""
    parts = item.split()
    return "".join(parts[:2]) if len(parts) >= 2 else item.strip()


def _family_id(members: str | None, own: str) -> str | None:
    ids = split_list(members, ";;")
    return min(ids + [own]) if ids else None


def build_record(row: dict, layout: str):
    record_id = (row.get("Lens ID") or "").strip()
    if not record_id:
        return "missing_id", None, [], []
    try:
        pub = parse_date(row.get("Publication Date"))
        filing = parse_date(row.get("Application Date"))
        priority = parse_date(row.get("Earliest Priority Date")) or filing
    except ValueError:
        return "unparsable_date", {"record_id": record_id}, [], []
    doc_type = (row.get("Document Type") or row.get("Type") or "").strip()
    inventors = [(n, None) for n in split_list(row.get("Inventors"), ";;")]
    applicants = [(n, None) for n in split_list(row.get("Applicants"), ";;")]
    cons = contributor_rows(record_id, inventors, applicants)
    if not cons:
        return "no_parties", {"record_id": record_id}, [], []
    simple = _family_id(row.get("Simple Family Members"), record_id)
    extended = _family_id(row.get("Extended Family Members"), record_id)
    when = priority or pub
    record = {
        "record_id": record_id,
        "year": int(when[:4]) if when else None,
        "type": doc_type or "patent",
        "title": (row.get("Title") or "").strip() or None,
        "citations": None,
        "source_format": "lens",
        "family_simple": simple,
        "family_extended": extended or simple,
        "family_source": "source" if simple else "priority_numbers",
        "priority_date": priority,
        "filing_date": filing,
        "publication_date": pub,
        "grant_date": pub if doc_type.lower().startswith("granted") else None,
        "office": (row.get("Jurisdiction") or "").strip().upper() or None,
        "kind": (row.get("Kind") or "").strip() or None,
        "priority_numbers": "; ".join(dict.fromkeys(_priority_number(p) for p in
                                                    split_list(row.get("Priority Numbers"), ";;"))) or None,
        "ipc": join_codes(split_list(row.get("IPCR Classifications"), ";;")),
        "cpc": join_codes(split_list(row.get("CPC Classifications"), ";;")),
    }
    return None, record, cons, []


def read_lens(path: str | os.PathLike, encoding: str = "utf-8-sig") -> RecordSet:
    """Read a Lens.org patent CSV export (either layout) into a RecordSet.

    Raises
    ------
    DataError
        When the file is not UTF-8 or lacks the Lens columns.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"the file is not {encoding} text (byte {exc.start}); Lens exports are UTF-8",
                        file=path, reason="encoding") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataError("the file is empty; expected a Lens.org patent CSV export", file=path, row=1,
                        reason="format")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataError(f"missing column(s) {missing}; expected a Lens.org patent CSV export", file=path,
                        row=1, column=missing[0], reason="schema")
    layout = "current" if "Display Key" in header else "2021"
    collector = RecordCollector(path)
    read = 0
    # row numbers: csv.reader's line_num is the physical line a record ends on; a record
    # starts one line after the previous record ended
    start = reader.line_num + 1
    for values in reader:
        row_no, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        read += 1
        if len(values) != len(header):
            collector.reject(row_no, None, "unparsable_record")
            continue
        collector.add(row_no, safe_build(build_record, dict(zip(header, values)), layout))
    return collector.result(read)
