"""PATSTAT-style tables: a folder of CSV (or Parquet) files named after PATSTAT's tables.

For users who hold PATSTAT (EPO Worldwide Patent Statistical Database) and export
the tables they need. Columns keep PATSTAT's names; only the listed ones are read.

=========================  ==========================================================
file                       columns (PATSTAT table)
=========================  ==========================================================
``applications.csv``       ``appln_id`` (key), ``appln_auth`` (office), ``appln_nr``,
                           ``appln_kind``, ``appln_filing_date``, ``earliest_filing_date``
                           (earliest priority), ``earliest_publn_date``, ``docdb_family_id``,
                           ``inpadoc_family_id``, optional ``grant_date``, ``granted``
                           (Y/N), ``appln_title`` (``tls201_appln`` + ``tls202``)
``persons.csv``            ``person_id`` (key), ``person_name`` (or ``psn_name`` /
                           ``han_name``), ``person_ctry_code`` (alpha-2), optional
                           ``person_address`` (``tls206_person``)
``person_application.csv`` ``person_id, appln_id, applt_seq_nr, invt_seq_nr``: a person is
                           an applicant of the application when ``applt_seq_nr > 0`` and an
                           inventor when ``invt_seq_nr > 0`` (both: two rows, one per role)
                           (``tls207_pers_appln``)
``ipc.csv`` (optional)     ``appln_id, ipc_class_symbol`` (``A21B   1/00``) (``tls209``)
``cpc.csv`` (optional)     ``appln_id, cpc_class_symbol`` (``tls224``)
=========================  ==========================================================

Dates are ``YYYY-MM-DD``; PATSTAT's placeholder ``9999-12-31`` means unknown. An
application row without ``appln_id``, with a repeated one or an unparsable date is
rejected; a link row whose application or person is missing, repeated, or with
neither sequence number positive is accounted in ``RecordSet.table_counts``
(``orphan_row``, ``duplicate_row``, ``missing_value``). Families come from the
source (``family_source = "source"``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from innometrics.errors import DataError
from innometrics.io.tables import read_table
from innometrics.records.model import RecordSet
from innometrics.records.patent_fields import compact_class, contributor_rows, join_codes, parse_date

REQUIRED = {
    "applications": ["appln_id"],
    "persons": ["person_id", "person_ctry_code"],
    "person_application": ["person_id", "appln_id", "applt_seq_nr", "invt_seq_nr"],
}


def _file(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".parquet", ".tsv"):
        if (folder / f"{name}{suffix}").is_file():
            return folder / f"{name}{suffix}"
    return None


def is_patstat_dir(path: Path) -> bool:
    """Whether ``path`` holds ``applications`` and ``person_application`` tables."""
    return path.is_dir() and _file(path, "applications") is not None and _file(path, "person_application") is not None


def _read(folder: Path, name: str, required: bool = True) -> tuple[pd.DataFrame | None, str | None]:
    path = _file(folder, name)
    if path is None:
        if required:
            raise DataError(f"missing {name}.csv; a PATSTAT-style folder needs applications, persons and "
                            f"person_application tables", file=folder, reason="not_found")
        return None, None
    if path.suffix == ".parquet":
        df = pd.read_parquet(path).astype("string")
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t" if path.suffix == ".tsv" else ",")
    df.columns = [c.strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED.get(name, []) if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; expected PATSTAT columns {REQUIRED[name]}", file=path,
                        row=1, column=missing[0], reason="schema")
    return df.fillna(""), str(path)


def _date(value: str) -> str | None:
    value = (value or "").strip()
    return None if value.startswith("9999") else parse_date(value)


def _seq(value: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def read_patstat(path: str | os.PathLike) -> RecordSet:
    """Read a PATSTAT-style folder into a RecordSet (see the module doc)."""
    folder = Path(path)
    apps, apps_file = _read(folder, "applications")
    persons, persons_file = _read(folder, "persons")
    links, links_file = _read(folder, "person_application")
    ipc, _ = _read(folder, "ipc", required=False)
    cpc, _ = _read(folder, "cpc", required=False)
    name_col = next((c for c in ("person_name", "psn_name", "han_name") if c in persons.columns), None)

    def col(row, name):
        return (row.get(name) or "").strip()

    ipc_by = ipc.groupby("appln_id")["ipc_class_symbol"].agg(list).to_dict() if ipc is not None else {}
    cpc_by = cpc.groupby("appln_id")["cpc_class_symbol"].agg(list).to_dict() if cpc is not None else {}
    records, rejects, seen = [], [], set()
    for i, row in enumerate(apps.to_dict("records"), start=2):
        rid = col(row, "appln_id")
        if not rid:
            rejects.append({"file": apps_file, "row": i, "record_id": None, "reason": "missing_id"})
            continue
        if rid in seen:
            rejects.append({"file": apps_file, "row": i, "record_id": rid, "reason": "duplicate_id"})
            continue
        try:
            filing = _date(col(row, "appln_filing_date"))
            prio = _date(col(row, "earliest_filing_date")) or filing
            pub = _date(col(row, "earliest_publn_date"))
            grant = _date(col(row, "grant_date"))
        except ValueError:
            rejects.append({"file": apps_file, "row": i, "record_id": rid, "reason": "unparsable_date"})
            continue
        seen.add(rid)
        simple = col(row, "docdb_family_id") or None
        when = prio or filing or pub
        records.append({
            "record_id": rid, "year": int(when[:4]) if when else None,
            "type": "granted" if col(row, "granted").upper() in ("Y", "1", "TRUE") else "application",
            "title": col(row, "appln_title") or None, "source_format": "patstat",
            "family_simple": simple, "family_extended": col(row, "inpadoc_family_id") or simple,
            "family_source": "source" if simple else "none",
            "priority_date": prio, "filing_date": filing, "publication_date": pub, "grant_date": grant,
            "office": col(row, "appln_auth") or None, "kind": col(row, "appln_kind") or None,
            "ipc": join_codes(ipc_by.get(rid, [])), "cpc": join_codes(cpc_by.get(rid, [])),
        })
    person = {r["person_id"].strip(): (r.get(name_col, "").strip() if name_col else "",
                                       r["person_ctry_code"].strip().upper() or None)
              for r in persons.to_dict("records") if r["person_id"].strip()}
    outcomes: dict[str, int] = {}
    parties: dict[str, dict[str, list]] = {}
    link_seen: set[tuple] = set()
    for r in links.to_dict("records"):
        rid, pid = r["appln_id"].strip(), r["person_id"].strip()
        roles = [role for role, c in (("inventor", "invt_seq_nr"), ("applicant", "applt_seq_nr")) if _seq(r[c]) > 0]
        if rid not in seen or pid not in person:
            outcome = "orphan_row"
        elif not roles:
            outcome = "missing_value"
        elif (rid, pid) in link_seen:
            outcome = "duplicate_row"
        else:
            outcome = "used"
            link_seen.add((rid, pid))
            for role in roles:
                seq = _seq(r["invt_seq_nr" if role == "inventor" else "applt_seq_nr"])
                parties.setdefault(rid, {"inventor": [], "applicant": []})[role].append((seq, person[pid]))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    contributors = []
    kept = []
    for rec in records:
        p = parties.get(rec["record_id"])
        if not p:
            rejects.append({"file": apps_file, "row": None, "record_id": rec["record_id"], "reason": "no_parties"})
            continue
        kept.append(rec)
        contributors += contributor_rows(rec["record_id"], [x for _, x in sorted(p["inventor"], key=lambda t: t[0])],
                                         [x for _, x in sorted(p["applicant"], key=lambda t: t[0])])
    rs = RecordSet.from_rows(kept, contributors, [], rejects, read=len(apps),
                             sources=[f for f in (apps_file, persons_file, links_file) if f])
    rs.table_counts = {links_file: {"read": len(links), "used": outcomes.get("used", 0),
                                    "rejected": {k: v for k, v in sorted(outcomes.items()) if k != "used"}}}
    return rs
