"""Generic table layout: records, contributors and affiliations as CSV or Parquet.

A folder holds ``records.csv`` (or ``.parquet``), and optionally
``contributors.csv`` and ``affiliations.csv`` (either extension), with the columns
of the record model (:mod:`innometrics.records.model`):

``records``  ``record_id`` required; ``year``, ``type``, ``title``, ``weight``
             (default 1.0; e.g. an achievement's significance score), ``citations``
             optional.
``contributors``  ``record_id``, ``position`` required; ``name``, ``identifier``,
             ``is_corresponding`` (true/false/1/0/yes/no) optional.
``affiliations``  ``record_id`` and at least one of ``raw``, ``institution``,
             ``country`` required; ``position`` optional (empty = not linked to an
             author); ``institution_id``, ``city``, ``country_raw`` optional. The reader
             keeps them as written; the resolution step
             (:func:`innometrics.entities.resolve.resolve_records`) parses missing
             institution/city/country from ``raw`` (as a Web of Science address when the
             record's ``source_format`` is ``wos`` or ``wos_tab``) and reads ``country`` as an
             ISO 3166-1 code (alpha-2, alpha-3 or numeric) or a country name in any
             language pycountry translates (never as an address, so ``CA`` is Canada),
             keeping a name or non-alpha-3 code in ``country_raw``.

A ``rejects`` table written by :meth:`RecordSet.to_parquet` is carried over, so a
RecordSet round-trips with the same counts. Records are rejected for a missing or
repeated ``record_id``, an unparsable ``year``/``weight``/``citations``, an unusable
contributor row (``unparsable_contributor``) or having neither contributors nor
affiliations (``no_authors``); the resolution step rejects a record with an affiliation
whose ``country`` names no country (``unknown_country``: an unknown code such as ``ZZZ``,
an ambiguous name), giving the affiliations file and row. Contributor or affiliation rows naming a record that
is not in ``records`` at all are a DataError (the tables do not belong together).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from innometrics.errors import DataError
from innometrics.io.tables import read_table, require_columns
from innometrics.records.model import RecordSet, read_counts_json

_EXTENSIONS = (".parquet", ".pq", ".csv")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def find_table(directory: Path, name: str) -> Path | None:
    """``directory/name.parquet`` or ``.pq`` or ``.csv``, whichever exists first, else a
    folder ``directory/name/`` of Parquet parts (as the OpenAlex snapshot converter writes)."""
    for ext in _EXTENSIONS:
        path = directory / f"{name}{ext}"
        if path.exists():
            return path
    folder = directory / name
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return folder
    return None


def _read(path: Path, encoding: str) -> pd.DataFrame:
    """A table file, or a folder of Parquet parts read as one table."""
    if not path.is_dir():
        return read_table(path, encoding=encoding)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pa.concat_tables([pq.read_table(p) for p in sorted(path.glob("*.parquet"))]).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot read the folder as Parquet parts of one table: {exc}", file=path,
                        reason="unreadable") from None


def is_tables_dir(path: str | os.PathLike) -> bool:
    """True when ``path`` is a folder with a ``records`` table."""
    path = Path(path)
    return path.is_dir() and find_table(path, "records") is not None


def _cells(df: pd.DataFrame, column: str) -> list[str]:
    """A column as stripped strings ('' for missing), whatever the file type."""
    if column not in df.columns:
        return [""] * len(df)
    return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip() for v in df[column]]


def _int_or_bad(text: str) -> tuple[int | None, bool]:
    if text == "":
        return None, True
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)), True
    return None, False


def _first_row(path: Path) -> int:
    return 2 if path.suffix.lower() == ".csv" else 1


def read_tables(path: str | os.PathLike, *, encoding: str = "utf-8") -> RecordSet:
    """Read the generic table layout from a folder.

    Parameters
    ----------
    path : path-like
        The folder (see the module docstring for the tables and columns).
    encoding : str
        Encoding of CSV files.

    Returns
    -------
    RecordSet
        ``source_format`` is ``tables``.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise DataError("expected a folder with records.csv or records.parquet", file=directory,
                        reason="not_found")
    records_path = find_table(directory, "records")
    if records_path is None:
        raise DataError("no records.csv or records.parquet in the folder; the table layout needs a "
                        "records table with a record_id column", file=directory, reason="missing_table")
    rec = _read(records_path, encoding)
    require_columns(rec, ["record_id"], file=records_path, what="records table")

    con_path = find_table(directory, "contributors")
    con = _read(con_path, encoding) if con_path else pd.DataFrame(columns=["record_id", "position"])
    if con_path:
        require_columns(con, ["record_id", "position"], file=con_path, what="contributors table")
    aff_path = find_table(directory, "affiliations")
    aff = _read(aff_path, encoding) if aff_path else pd.DataFrame(columns=["record_id", "raw"])
    if aff_path:
        require_columns(aff, ["record_id"], file=aff_path, what="affiliations table")
        if not {"raw", "institution", "country"} & set(aff.columns):
            raise DataError("the affiliations table needs at least one of the columns 'raw', "
                            f"'institution', 'country'; found {list(aff.columns)}", file=aff_path, row=1,
                            reason="missing_columns")

    rejects: list[dict] = []
    rej_path = find_table(directory, "rejects")
    if rej_path:
        prior = _read(rej_path, encoding)
        require_columns(prior, ["reason"], file=rej_path, what="rejects table")
        for f, r, i, why in zip(_cells(prior, "file"), _cells(prior, "row"), _cells(prior, "record_id"),
                                _cells(prior, "reason")):
            row, _ = _int_or_bad(r)
            rejects.append({"file": f or None, "row": row, "record_id": i or None, "reason": why})

    # -- records -----------------------------------------------------------------
    first = _first_row(records_path)
    records: list[dict] = []
    rejected_ids: set[str] = set()
    row_of: dict[str, int] = {}
    columns = {c: _cells(rec, c) for c in ("record_id", "year", "type", "title", "weight", "citations", "source_format")}
    for i in range(len(rec)):
        row = first + i
        rid = columns["record_id"][i]

        def reject(reason: str) -> None:
            rejects.append({"file": str(records_path), "row": row, "record_id": rid or None, "reason": reason})

        if not rid:
            reject("missing_id")
            continue
        if rid in row_of:
            reject("duplicate_id")
            continue
        row_of[rid] = row
        year, ok = _int_or_bad(columns["year"][i])
        if not ok or (year is not None and not 1000 <= year <= 2999):
            reject("unparsable_year")
            rejected_ids.add(rid)
            continue
        citations, ok = _int_or_bad(columns["citations"][i])
        if not ok or (citations is not None and citations < 0):
            reject("unparsable_citations")
            rejected_ids.add(rid)
            continue
        weight_text = columns["weight"][i]
        try:
            weight = float(weight_text) if weight_text else 1.0
        except ValueError:
            weight = -1.0
        if not weight >= 0 or weight == float("inf"):
            reject("unparsable_weight")
            rejected_ids.add(rid)
            continue
        records.append({
            "record_id": rid, "year": year, "type": columns["type"][i] or None,
            "title": columns["title"][i] or None, "weight": weight, "citations": citations,
            "source_format": columns["source_format"][i] or "tables",
        })

    known_ids = set(row_of)
    # -- contributors --------------------------------------------------------------
    contributors: list[dict] = []
    bad_contributor: set[str] = set()
    if con_path:
        ids, positions = _cells(con, "record_id"), _cells(con, "position")
        names, idents, corr = _cells(con, "name"), _cells(con, "identifier"), _cells(con, "is_corresponding")
        _check_orphans(ids, known_ids, con_path)
        seen: set[tuple[str, int]] = set()
        for i, rid in enumerate(ids):
            position, ok = _int_or_bad(positions[i])
            flag = corr[i].lower()
            if not ok or position is None or position < 1 or (rid, position) in seen or flag not in _TRUE | _FALSE:
                bad_contributor.add(rid)
                continue
            seen.add((rid, position))
            contributors.append({"record_id": rid, "position": position, "name": names[i] or None,
                                 "identifier": idents[i] or None, "is_corresponding": flag in _TRUE})

    # -- affiliations ----------------------------------------------------------------
    # kept as written: the resolution step parses "raw" and reads "country" as a code or name
    affiliations: list[dict] = []
    origins: list[tuple[str, int]] = []
    if aff_path:
        ids = _cells(aff, "record_id")
        _check_orphans(ids, known_ids, aff_path)
        cols = {c: _cells(aff, c) for c in ("position", "raw", "institution", "institution_id", "city",
                                             "country", "country_raw")}
        first_aff = _first_row(aff_path)
        for i, rid in enumerate(ids):
            position, ok = _int_or_bad(cols["position"][i])
            if not ok or (position is not None and position < 1):
                bad_contributor.add(rid)
                continue
            affiliations.append({"record_id": rid, "position": position,
                                 **{c: cols[c][i] or None for c in ("raw", "institution", "institution_id", "city",
                                                                      "country", "country_raw")}})
            origins.append((str(aff_path), first_aff + i))

    # -- per-record checks that need the child tables --------------------------------
    linked_ok = {(c["record_id"], c["position"]) for c in contributors}
    for a in affiliations:
        if a["position"] is not None and (a["record_id"], a["position"]) not in linked_ok:
            bad_contributor.add(a["record_id"])
    has_children = {c["record_id"] for c in contributors} | {a["record_id"] for a in affiliations}
    kept = []
    for record in records:
        rid = record["record_id"]
        if rid in bad_contributor:
            reason = "unparsable_contributor"
        else:
            reason = None if rid in has_children else "no_authors"
        if reason:
            rejects.append({"file": str(records_path), "row": row_of[rid], "record_id": rid, "reason": reason})
            rejected_ids.add(rid)
        else:
            kept.append(record)
    contributors = [c for c in contributors if c["record_id"] not in rejected_ids and c["record_id"] in row_of]
    used_ids = {r["record_id"] for r in kept}
    contributors = [c for c in contributors if c["record_id"] in used_ids]
    keep = [i for i, a in enumerate(affiliations) if a["record_id"] in used_ids]
    affiliations, origins = [affiliations[i] for i in keep], [origins[i] for i in keep]
    read = len(kept) + len(rejects)
    sources = [str(p) for p in (records_path, con_path, aff_path) if p]
    meta_path = directory / "counts.json"
    if meta_path.exists():
        sources = read_counts_json(meta_path)[1] or sources
    return RecordSet.from_rows(kept, contributors, affiliations, rejects, read=read, sources=sources,
                               origins=origins)


def _check_orphans(ids: list[str], known: set[str], path: Path) -> None:
    missing = [(i, rid) for i, rid in enumerate(ids) if rid not in known]
    if missing:
        first = _first_row(path)
        failures = pd.DataFrame({"row": [first + i for i, _ in missing], "record_id": [r for _, r in missing]})
        raise DataError(
            f"{len(missing)} row(s) name a record_id that is not in the records table "
            f"(first: {missing[0][1]!r}); every row must belong to a record of the same folder",
            file=path, row=first + missing[0][0], column="record_id", reason="orphan", failures=failures,
        )
