"""The resolution stage: what a record set's raw strings name.

A reader (:mod:`innometrics.records`) keeps what an export states; this step turns it
into entities, so every reader and table input is resolved by the same rules:

- an affiliation's ``raw`` address is split into organisation, city and country
  (:func:`~innometrics.entities.addresses.parse_address`, Web of Science style for
  records whose ``source_format`` is ``wos`` or ``wos_tab``, Scopus style otherwise)
  where the export gave no field for them; a ``raw`` that is only the institution's
  name (OpenAlex's display name standing in for a missing raw string) is not parsed;
- a country field (``affiliations.country`` as written by the reader: OpenAlex's
  ``country_code``, a table's ``country`` column) is read as an ISO 3166-1 code or a
  country name, never as an address, so ``CA`` is Canada
  (:func:`~innometrics.entities.countries.resolve_country`, ``kind="auto"``); the text
  is kept in ``country_raw`` unless it is the alpha-3 code itself. A field naming no
  country rejects its record (``unknown_country``, with the affiliation's file and row);
- within one input file, a university written alone and with one campus city is one
  unit (:func:`~innometrics.entities.addresses.fold_single_campuses`), for the names
  parsed from addresses;
- a patent party's ``country`` (the office's code) becomes ISO alpha-3, or NULL when the
  code is not a country's (``EP``, ``WO``).

Resolving a resolved set changes nothing, so the tables a RecordSet writes read back
the same.
"""

from __future__ import annotations

import os

import pandas as pd

from innometrics.entities.addresses import fold_single_campuses, names_country, parse_address
from innometrics.entities.countries import resolve_country
from innometrics.records.model import RecordSet
from innometrics.records.read import read_records

__all__ = ["read_resolved", "resolve_records"]

#: Record formats whose addresses are written the Web of Science way (institution first).
WOS_STYLE_FORMATS = frozenset({"wos", "wos_tab"})


def _alpha_3(text: object, kind: str, cache: dict[str, str | None]) -> str | None:
    """Alpha-3 of a country field read as ``kind`` (:func:`resolve_country`), cached by text; None if none."""
    if text is None or text is pd.NA:
        return None
    if text not in cache:
        found = resolve_country(text, kind=kind)
        cache[text] = found.alpha_3 if found else None
    return cache[text]


def resolve_records(rs: RecordSet) -> RecordSet:
    """Resolve the addresses and country fields of a record set read by a reader.

    Parameters
    ----------
    rs : RecordSet
        As :func:`innometrics.records.read.read_records` returns it.

    Returns
    -------
    RecordSet
        A new set with ``institution``, ``city``, ``country`` (alpha-3) and
        ``country_raw`` filled as the module docstring says; records whose country
        field names no country move to ``rejects`` (``read`` is unchanged, so the counts
        still reconcile).
    """
    aff = rs.affiliations
    formats = dict(zip(rs.records["record_id"], rs.records["source_format"]))
    origins = rs.origins if rs.origins is not None and len(rs.origins) == len(aff) else None
    rows = aff.to_dict("records")
    country_cache: dict[str, str | None] = {}
    bad: dict[str, tuple[str | None, int | None]] = {}  # record_id -> origin of its first unknown country
    parsed_from_raw: list[bool] = []
    for i, row in enumerate(rows):
        row = {k: (None if v is pd.NA else v) for k, v in row.items()}
        rows[i] = row
        raw = row["raw"]
        style = "wos" if formats.get(row["record_id"]) in WOS_STYLE_FORMATS else "scopus"
        text = row["country"]
        wanted = not (row["institution"] and row["city"] and (text or row["country_raw"]))
        parsed = parse_address(raw, style=style) if wanted and raw and raw != row["institution"] else None
        if text:
            country = _alpha_3(text, "auto", country_cache)
            if country is None:
                if row["record_id"] not in bad:
                    bad[row["record_id"]] = ((origins["file"].iloc[i], origins["row"].iloc[i])
                                             if origins is not None else (None, None))
                country_raw = row["country_raw"]
            else:
                country_raw = row["country_raw"] or (None if text == country else text)
        else:
            country = parsed.country if parsed else None
            country_raw = row["country_raw"] or (parsed.country_raw if parsed else None)
        parsed_from_raw.append(not row["institution"] and parsed is not None and not row["institution_id"])
        row.update(institution=row["institution"] or (parsed.institution if parsed else None),
                   city=row["city"] or (parsed.city if parsed else None),
                   country=country, country_raw=country_raw)

    # one input file, one spelling of a single-campus university
    files = origins["file"].tolist() if origins is not None else [None] * len(rows)
    by_file: dict[object, list[int]] = {}
    for i, from_raw in enumerate(parsed_from_raw):
        if from_raw:
            by_file.setdefault(files[i], []).append(i)
    for positions in by_file.values():
        for i, name in zip(positions, fold_single_campuses([rows[i]["institution"] for i in positions])):
            rows[i]["institution"] = name

    contributors = rs.contributors.copy()
    party_cache: dict[str, str | None] = {}
    if contributors["country"].notna().any():
        contributors["country"] = pd.array([_alpha_3(c, "code", party_cache) for c in contributors["country"]],
                                           dtype="string")

    records, rejects = rs.records, rs.rejects
    keep = [i for i, row in enumerate(rows) if row["record_id"] not in bad]
    if bad:
        records = records[~records["record_id"].isin(bad)]
        contributors = contributors[~contributors["record_id"].isin(bad)]
        order = {rid: n for n, rid in enumerate(rs.records["record_id"])}
        new = pd.DataFrame([{"file": file, "row": row, "record_id": rid, "reason": "unknown_country"}
                            for rid, (file, row) in sorted(bad.items(), key=lambda kv: order.get(kv[0], 0))])
        rejects = pd.concat([rejects, new.astype({"file": "string", "row": "Int64", "record_id": "string",
                                                  "reason": "string"})], ignore_index=True)
    out = RecordSet.from_rows(records, contributors, [rows[i] for i in keep], rejects, read=rs.counts["read"],
                              sources=rs.sources,
                              origins=origins.iloc[keep].reset_index(drop=True) if origins is not None else None)
    out.table_counts = rs.table_counts
    return out.validate()


def read_resolved(path: str | os.PathLike, format: str | None = None, **options) -> RecordSet:
    """Read an export and resolve it: ``resolve_records(read_records(path, format, ...))``.

    The Scopus reader is given :func:`~innometrics.entities.addresses.names_country` to
    find where one affiliation ends in an author's entry. ``options`` go to
    :func:`~innometrics.records.read.read_records` (``allow_missing_affiliations``,
    ``encoding``).

    Examples
    --------
    >>> rs = read_resolved("tests/data/bibliographic/wos_biblium_500.txt")  # doctest: +SKIP
    >>> rs.affiliations[["institution", "city", "country"]].head(2)  # doctest: +SKIP
    """
    return resolve_records(read_records(path, format, names_country=names_country, **options))
