"""The record model of contribution rankings: records, contributors, affiliations.

Every reader (:mod:`innometrics.records.read`) returns a :class:`RecordSet`, four
pandas DataFrames with fixed columns and dtypes, and the reconciliation of the input:
``read = used + rejected``.

``records``
    ``record_id`` (str, unique), ``year`` (Int64, nullable), ``type`` (str),
    ``title`` (str), ``weight`` (float, default 1.0), ``citations`` (Int64, nullable),
    ``source_format`` (str). Patent records (one per application, or per
    publication when the source has no application grouping) also fill
    ``family_simple`` (DOCDB simple family: same priorities), ``family_extended``
    (INPADOC extended family: linked by any shared priority), ``family_source``
    (``source`` when the data give the ids, ``priority_numbers`` when derived from
    shared priority numbers, ``none``), the dates ``priority_date`` (earliest),
    ``filing_date``, ``publication_date`` (earliest), ``grant_date`` (ISO
    ``YYYY-MM-DD``), ``office`` (publishing office, alpha-2), ``kind``,
    ``priority_numbers``, ``ipc`` and ``cpc`` (``; ``-separated compact codes such as
    ``A21B1/00``). They are NULL for papers.
``contributors``
    ``record_id``, ``position`` (1-based author order), ``name``, ``identifier``
    (ORCID, OpenAlex author id or Scopus author id; nullable), ``is_corresponding``,
    ``role`` and ``country``. For patents one table holds both roles: ``role`` is
    ``inventor`` or ``applicant``, ``position`` numbers inventors first and then
    applicants (1..n over the record), and ``country`` is the party's ISO alpha-3
    country as the office recorded it (NULL when not given). Papers leave both NULL
    and carry countries on affiliations.
``affiliations``
    ``record_id``, ``position`` (Int64; NULL when the address is not linked to an
    author, as in old Web of Science records), ``raw`` (the address as written),
    ``institution``, ``institution_id``, ``city``, ``country`` (ISO 3166-1 alpha-3),
    ``country_raw``. A contributor with k affiliations has k rows.

Two stages fill these tables. A reader fills only what the export states: ``raw``, and
``institution``, ``institution_id``, ``city`` and ``country`` when the export has a
field for them (OpenAlex's institution and ``country_code``, a table's columns), with
``country`` the field's text as written (a code or a name); patent parties' ``country``
is the office's code. The resolution step
(:func:`innometrics.entities.resolve.resolve_records`) then splits ``raw`` into
organisation, city and country where the export did not, reads every country field
as an ISO code or name (alpha-3 afterwards; the text kept in ``country_raw``) and
rejects a record whose country field names no country (``unknown_country``).
``rejects``
    ``file``, ``row`` (1-based: the line a record starts on in text files, the CSV
    row with the header as row 1 in tables), ``record_id`` (nullable), ``reason``.

The layout follows the Nature Index / CWTS authorship model: credit flows from a
record to its contributors and from each contributor to its affiliations
(Waltman & van Eck 2015, "Field-normalized citation impact indicators and the choice
of an appropriate counting method", J. Informetrics 9(4), 872-894).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from innometrics.errors import DataError, reading
from innometrics.io.writers import write_csv, write_json, write_parquet

#: Columns and pandas dtypes of ``RecordSet.records``.
RECORD_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "year": "Int64",
    "type": "string",
    "title": "string",
    "weight": "float64",
    "citations": "Int64",
    "source_format": "string",
    # patents (NULL for papers): families, dates (ISO ``YYYY-MM-DD``), office, kind, classes
    "family_simple": "string",
    "family_extended": "string",
    "family_source": "string",
    "priority_date": "string",
    "filing_date": "string",
    "publication_date": "string",
    "grant_date": "string",
    "office": "string",
    "kind": "string",
    "priority_numbers": "string",
    "ipc": "string",
    "cpc": "string",
}
#: Columns and pandas dtypes of ``RecordSet.contributors``.
CONTRIBUTOR_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "position": "int64",
    "name": "string",
    "identifier": "string",
    "is_corresponding": "bool",
    # patents: ``inventor`` or ``applicant`` (NULL for paper authors) and the party's country
    "role": "string",
    "country": "string",
}
#: Columns and pandas dtypes of ``RecordSet.affiliations``.
AFFILIATION_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "position": "Int64",
    "raw": "string",
    "institution": "string",
    "institution_id": "string",
    "city": "string",
    "country": "string",
    "country_raw": "string",
}
#: Columns and pandas dtypes of ``RecordSet.rejects``.
REJECT_COLUMNS: dict[str, str] = {
    "file": "string",
    "row": "Int64",
    "record_id": "string",
    "reason": "string",
}

#: The frames of a RecordSet, in order, with their column schemas.
TABLES: dict[str, dict[str, str]] = {
    "records": RECORD_COLUMNS,
    "contributors": CONTRIBUTOR_COLUMNS,
    "affiliations": AFFILIATION_COLUMNS,
    "rejects": REJECT_COLUMNS,
}

#: Reject reason codes used by the readers.
REJECT_REASONS: dict[str, str] = {
    "missing_id": "the record has no identifier (WoS UT, Scopus EID, OpenAlex id, record_id)",
    "duplicate_id": "an earlier record of the same input has the same identifier",
    "unparsable_year": "the publication year is present but is not a year",
    "unparsable_citations": "the citation count is present but is not a whole number",
    "unparsable_weight": "the weight is present but is not a non-negative number",
    "no_authors": "the record lists no author",
    "unknown_country": "an affiliation's country column holds no known country code or name",
    "unparsable_record": "the record cannot be parsed (broken JSON line, unterminated record)",
    "no_parties": "the patent lists neither inventor nor applicant",
    "unparsable_date": "a date is present but is not a date",
    "orphan_row": "the table row refers to a patent or person that is not in the patents table",
    "duplicate_row": "the row repeats an earlier row with the same key",
    "missing_value": "a required value of the row is empty",
    "withdrawn": "the patent was withdrawn before issue",
}


def empty_frame(schema: dict[str, str]) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of ``schema``."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in schema.items()})


def coerce_frame(rows: list[dict] | pd.DataFrame, schema: dict[str, str], *, name: str) -> pd.DataFrame:
    """Build a frame with exactly the columns of ``schema``, cast to its dtypes.

    Missing optional columns are added as NA; extra columns are dropped. Used by the
    readers so that every RecordSet has the same layout whatever the source.
    """
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if df.empty and not len(df.columns):
        return empty_frame(schema)
    out = {}
    for col, dtype in schema.items():
        if col in df.columns:
            values = df[col]
        elif dtype == "bool":
            values = pd.Series(False, index=df.index)
        elif dtype == "float64" and col == "weight":
            values = pd.Series(1.0, index=df.index)
        else:
            values = pd.Series(pd.NA, index=df.index, dtype="object")
        if dtype == "string":
            values = values.astype("object").where(values.notna(), None).astype("string")
        out[col] = values.astype(dtype)
    return pd.DataFrame(out).reset_index(drop=True)


def read_counts_json(path: Path) -> tuple[dict[str, int], list[str]]:
    """The ``counts`` and ``sources`` written next to a record set (``counts.json``).

    Raises :class:`~innometrics.errors.DataError` naming the file (and the line and column
    of a JSON syntax error) when the file is not a JSON object with ``counts`` (whole
    numbers by name) and ``sources`` (a list of file names), each optional.
    """
    def bad(what: str, **where) -> DataError:
        return DataError(f"{path.name} {what}; expected a JSON object like "
                         '{"counts": {"read": 10, "used": 9, "rejected": 1}, "sources": ["file.txt"]}',
                         file=path, reason="malformed_counts", **where)

    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise bad(f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})", row=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise bad(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(meta, dict):
        raise bad(f"holds a JSON {type(meta).__name__}, not an object")
    counts, sources = meta.get("counts", {}), meta.get("sources", [])
    if not isinstance(counts, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise bad(f"has 'counts' = {counts!r}, not whole numbers by name", column="counts")
    if not isinstance(sources, list) or not all(isinstance(v, str) for v in sources):
        raise bad(f"has 'sources' = {sources!r}, not a list of file names", column="sources")
    return dict(counts), list(sources)


@dataclass
class RecordSet:
    """Records, their contributors and affiliations, the rejected input and the counts.

    Attributes
    ----------
    records, contributors, affiliations, rejects : pandas.DataFrame
        See :data:`RECORD_COLUMNS`, :data:`CONTRIBUTOR_COLUMNS`,
        :data:`AFFILIATION_COLUMNS`, :data:`REJECT_COLUMNS`.
    counts : dict
        ``{"read": n, "used": n, "rejected": n}`` with ``read = used + rejected``,
        ``used = len(records)`` and ``rejected = len(rejects)``.
    sources : list of str
        The files read (for manifests).

    Examples
    --------
    >>> rs = RecordSet.empty()
    >>> rs.counts
    {'read': 0, 'used': 0, 'rejected': 0}
    """

    records: pd.DataFrame
    contributors: pd.DataFrame
    affiliations: pd.DataFrame
    rejects: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: Row accounting of linked tables (PatentsView, PATSTAT): file -> ``{"read": n,
    #: "used": n, "rejected": {reason: n}}``; empty for single-table exports.
    table_counts: dict[str, dict] = field(default_factory=dict)
    #: Where each affiliation row was read (``file``, ``row``; aligned with
    #: ``affiliations``), kept in memory by the readers so that the resolution step
    #: (:func:`innometrics.entities.resolve.resolve_records`) can name the input row of
    #: an affiliation it rejects. None when unknown (a RecordSet built by hand).
    origins: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def empty(cls) -> "RecordSet":
        """A RecordSet without records."""
        frames = {name: empty_frame(schema) for name, schema in TABLES.items()}
        return cls(**frames, counts={"read": 0, "used": 0, "rejected": 0})

    @classmethod
    def from_rows(
        cls,
        records: list[dict] | pd.DataFrame,
        contributors: list[dict] | pd.DataFrame,
        affiliations: list[dict] | pd.DataFrame,
        rejects: list[dict] | pd.DataFrame,
        *,
        read: int,
        sources: list[str] | None = None,
        origins: list[tuple[str, int | None]] | pd.DataFrame | None = None,
    ) -> "RecordSet":
        """Assemble a RecordSet from row dicts (or frames) and the number of records read.

        ``origins`` gives, for each affiliation row in order, the ``(file, row)`` it was read from.
        """
        rs = cls(
            records=coerce_frame(records, RECORD_COLUMNS, name="records"),
            contributors=coerce_frame(contributors, CONTRIBUTOR_COLUMNS, name="contributors"),
            affiliations=coerce_frame(affiliations, AFFILIATION_COLUMNS, name="affiliations"),
            rejects=coerce_frame(rejects, REJECT_COLUMNS, name="rejects"),
            sources=list(sources or []),
        )
        rs.counts = {"read": int(read), "used": len(rs.records), "rejected": len(rs.rejects)}
        if origins is not None and len(origins) == len(rs.affiliations):
            frame = origins if isinstance(origins, pd.DataFrame) else pd.DataFrame(origins, columns=["file", "row"])
            rs.origins = frame.astype({"file": "string", "row": "Int64"}).reset_index(drop=True)
        return rs

    def __repr__(self) -> str:
        c = self.counts
        linked = int(self.affiliations["position"].notna().sum())
        countries = self.affiliations["country"].nunique()
        return (
            f"RecordSet(read={c.get('read')}, used={c.get('used')}, rejected={c.get('rejected')}; "
            f"{len(self.records)} records, {len(self.contributors)} contributors, "
            f"{len(self.affiliations)} affiliations ({linked} linked to an author), "
            f"{countries} countries)"
        )

    def validate(self) -> "RecordSet":
        """Check columns, dtypes, keys, referential integrity and the counts.

        Raises
        ------
        DataError
            With ``reason`` one of ``schema``, ``duplicate_key``, ``orphan``, ``counts``
            and the failing rows in ``failures``.
        """
        for name, schema in TABLES.items():
            df = getattr(self, name)
            if list(df.columns) != list(schema):
                raise DataError(
                    f"RecordSet.{name} has columns {list(df.columns)}; expected {list(schema)}",
                    reason="schema",
                )
            for col, dtype in schema.items():
                if str(df[col].dtype) != dtype and not (dtype == "string" and str(df[col].dtype).startswith("string")):
                    raise DataError(
                        f"RecordSet.{name}.{col} has dtype {df[col].dtype}; expected {dtype}",
                        column=col,
                        reason="schema",
                    )
        rec = self.records
        for col in ("record_id",):
            if rec[col].isna().any():
                raise DataError("records with a missing record_id", column=col, reason="missing_id",
                                failures=rec[rec[col].isna()])
        dup = rec[rec["record_id"].duplicated(keep=False)]
        if len(dup):
            raise DataError(f"{dup['record_id'].nunique()} record_id value(s) appear more than once, e.g. "
                            f"{dup['record_id'].iloc[0]!r}", column="record_id", reason="duplicate_key",
                            failures=dup)
        con = self.contributors
        dup = con[con.duplicated(["record_id", "position"], keep=False)]
        if len(dup):
            raise DataError("contributors repeat a (record_id, position) pair", column="position",
                            reason="duplicate_key", failures=dup)
        if (con["position"] < 1).any():
            raise DataError("contributor positions must start at 1", column="position", reason="schema",
                            failures=con[con["position"] < 1])
        ids = set(rec["record_id"])
        for name, df in (("contributors", con), ("affiliations", self.affiliations)):
            orphan = df[~df["record_id"].isin(ids)]
            if len(orphan):
                raise DataError(f"{len(orphan)} {name} row(s) refer to a record_id that is not in records, "
                                f"e.g. {orphan['record_id'].iloc[0]!r}", column="record_id", reason="orphan",
                                failures=orphan)
        aff = self.affiliations
        linked = aff[aff["position"].notna()]
        keys = pd.MultiIndex.from_frame(con[["record_id", "position"]].astype({"position": "int64"}))
        probe = pd.MultiIndex.from_arrays([linked["record_id"], linked["position"].astype("int64")])
        missing = linked[~probe.isin(keys)]
        if len(missing):
            raise DataError(f"{len(missing)} affiliation row(s) point to a (record_id, position) without "
                            f"contributor", column="position", reason="orphan", failures=missing)
        c = self.counts
        if c.get("used") != len(rec) or c.get("rejected") != len(self.rejects) or \
                c.get("read") != c.get("used", 0) + c.get("rejected", 0):
            raise DataError(f"counts {c} do not reconcile: read must equal used + rejected, used = "
                            f"{len(rec)} records and rejected = {len(self.rejects)} rejects", reason="counts")
        return self

    def to_parquet(self, directory: str | os.PathLike) -> Path:
        """Write the four frames as ``<name>.parquet`` and the counts as ``counts.json``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            write_parquet(getattr(self, name), directory / f"{name}.parquet")
        write_json({"counts": self.counts, "sources": self.sources}, directory / "counts.json")
        return directory

    def to_csv(self, directory: str | os.PathLike) -> Path:
        """Write the four frames as ``<name>.csv`` (the generic table layout) and ``counts.json``.

        The folder is read back by ``read_records(directory)`` with the same rows and counts.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            # The table layout is machine data read back by read_records: cells stay raw.
            write_csv(getattr(self, name), directory / f"{name}.csv", neutralise=False)
        write_json({"counts": self.counts, "sources": self.sources}, directory / "counts.json")
        return directory

    @classmethod
    def from_parquet(cls, directory: str | os.PathLike) -> "RecordSet":
        """Read a RecordSet written by :meth:`to_parquet` (and validate it)."""
        directory = Path(directory)
        frames = {}
        for name, schema in TABLES.items():
            path = directory / f"{name}.parquet"
            if not path.exists():
                raise DataError(f"missing {name}.parquet; expected the four files written by "
                                f"RecordSet.to_parquet", file=path, reason="not_found")
            with reading(path, "Parquet table"):
                table = pd.read_parquet(path)
            frames[name] = coerce_frame(table, schema, name=name)
        meta_path = directory / "counts.json"
        if meta_path.exists():
            counts, sources = read_counts_json(meta_path)
        else:
            n_used, n_rej = len(frames["records"]), len(frames["rejects"])
            counts, sources = {"read": n_used + n_rej, "used": n_used, "rejected": n_rej}, []
        return cls(**frames, counts={k: int(v) for k, v in counts.items()}, sources=list(sources)).validate()
