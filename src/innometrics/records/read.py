"""Readers of bibliographic exports into the record model.

:func:`read_records` reads one file, or a folder, into a
:class:`~innometrics.records.model.RecordSet`:

==========  ==================================================================
format      input
==========  ==================================================================
wos         Web of Science plain-text export (``savedrecs.txt``)
wos_tab     Web of Science tab-delimited export, or a CSV with WoS tags as
            columns (bibliometrix ``convert2df`` output)
scopus      Scopus CSV export (``Authors with affiliations``)
openalex    OpenAlex works as JSON Lines (snapshot / API) or flattened CSV
tables      a folder with records / contributors / affiliations tables
espacenet   Espacenet patent CSV export (``NAME [CC]`` parties, IPC, CPC)
lens        Lens.org patent CSV export (2021 and current layouts)
patentsview PatentsView bulk tables (``g_patent.tsv`` ... , zipped or not)
patstat     a folder with PATSTAT-style tables (applications, persons, ...)
==========  ==================================================================

``path`` may also be a glob (``exports/pizza_*.csv``). Exports come in slices
(Espacenet 500 records a file, Web of Science 500 or 1,000, Scopus 2,000): a folder
or glob is read as one set, and a record id already read from an earlier slice is
rejected as ``duplicate_id`` with the later file's name, so it is counted once.
Patent families derived from priority numbers are computed over all slices together.

A folder that is not a table layout is read file by file (e.g. WoS exports split in
chunks of 500 or 1,000 records); a record id seen in an earlier file is rejected as
``duplicate_id``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Callable

import pandas as pd

from innometrics.errors import DataError, reading
from innometrics.records.model import RecordSet
from innometrics.records.scopus import NamesCountry

__all__ = ["FORMATS", "detect_format", "read_records", "combine_record_sets"]

#: format name -> (module, function) of its reader.
FORMATS: dict[str, tuple[str, str]] = {
    "wos": ("innometrics.records.wos", "read_wos"),
    "wos_tab": ("innometrics.records.wos_tab", "read_wos_tab"),
    "scopus": ("innometrics.records.scopus", "read_scopus"),
    "openalex": ("innometrics.records.openalex", "read_openalex"),
    "tables": ("innometrics.records.tables", "read_tables"),
    "espacenet": ("innometrics.records.espacenet", "read_espacenet"),
    "lens": ("innometrics.records.lens", "read_lens"),
    "patentsview": ("innometrics.records.patentsview", "read_patentsview"),
    "patstat": ("innometrics.records.patstat", "read_patstat"),
}
#: Formats whose reader takes a folder as one input (not file by file).
FOLDER_FORMATS = ("tables", "patentsview", "patstat")
_SKIP_FILES = {"counts.json", "manifest.json", "readme.md", "readme.txt"}


def _reader(name: str) -> Callable[..., RecordSet]:
    if name not in FORMATS:
        raise DataError(f"unknown records format {name!r}; expected one of {', '.join(FORMATS)}",
                        reason="format")
    module, function = FORMATS[name]
    return getattr(importlib.import_module(module), function)


def _head_text(path: Path, size: int = 65536) -> str:
    data = path.open("rb").read(size)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="ignore")
    return data.decode("utf-8-sig", errors="ignore")


def detect_format(path: str | os.PathLike) -> str:
    """The format of a file or folder, from its content.

    Raises
    ------
    DataError
        When the content matches none of :data:`FORMATS`.
    """
    from innometrics.records.tables import is_tables_dir

    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path, reason="not_found")
    if path.is_dir():
        from innometrics.records.patentsview import is_patentsview_dir
        from innometrics.records.patstat import is_patstat_dir

        if is_tables_dir(path):
            return "tables"
        if is_patentsview_dir(path):
            return "patentsview"
        if is_patstat_dir(path):
            return "patstat"
        raise DataError("a folder is read as the table layout only when it holds records.csv or "
                        "records.parquet (or g_patent.tsv for PatentsView, applications.csv for PATSTAT)",
                        file=path, reason="format")
    detected = _format_from_content(path)
    _check_extension(path, detected)
    return detected


#: File name endings each format is exported with; a file whose ending belongs to none is
#: refused, and one whose content says another format is refused with both named.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "wos": (".txt", ".ciw"),
    "wos_tab": (".txt", ".tsv", ".tab", ".csv", ".xls"),
    "scopus": (".csv", ".txt"),
    "openalex": (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz", ".gz", ".csv", ".txt"),
    "espacenet": (".csv", ".txt"),
    "lens": (".csv",),
}


def _check_extension(path: Path, detected: str) -> None:
    name = path.name.lower()
    if "." not in name.lstrip("."):
        return  # no extension: the content alone decides
    if name.endswith(EXTENSIONS[detected]):
        return
    owners = [fmt for fmt, endings in EXTENSIONS.items() if name.endswith(endings)]
    suffix = "".join(path.suffixes[-2:]) if name.endswith(".gz") else path.suffix
    if owners:
        raise DataError(f"the content looks like {detected} but the extension '{suffix}' is that of "
                        f"{' or '.join(owners)}; rename the file or give the format explicitly",
                        file=path, reason="format_mismatch")
    raise DataError(f"'{suffix}' is not an extension of a records export (expected "
                    f"{', '.join(sorted({e for v in EXTENSIONS.values() for e in v}))}); is this the "
                    "right file?", file=path, reason="format_mismatch")


def _looks_like_json(text: str) -> bool:
    """True when ``text`` starts as a JSON object or array (not a TOML ``[table]`` header)."""
    import re

    return bool(re.match(r"\s*(\{\s*(\"|\})|\[\s*(\{|\]|$))", text))


def _format_from_content(path: Path) -> str:
    name = path.name.lower()
    head = _head_text(path)
    stripped = head.lstrip()
    first_line = stripped.splitlines()[0] if stripped else ""
    if first_line.startswith(("FN ", "PT ")) or first_line in {"FN", "PT"}:
        return "wos"
    with path.open("rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    if gzipped or _looks_like_json(stripped):
        return "openalex"
    if name.endswith((".jsonl", ".ndjson")) and not stripped:
        return "openalex"  # an empty JSON Lines file: the reader says no work was found
    if "\t" in first_line:
        columns = {c.strip().strip('"') for c in first_line.split("\t")}
        if {"UT", "AU"} <= columns:
            return "wos_tab"
    columns = {c.strip().strip('"') for c in _csv_header(head)}
    if head.startswith("Title,Publication number") or "â€‚[" in head or \
            {"Publication number", "Inventor(s)", "Applicant(s)"} <= columns:
        return "espacenet"
    if {"Lens ID", "Jurisdiction", "Kind"} <= columns:
        return "lens"
    if "EID" in columns and ({"Authors", "Author full names"} & columns):
        return "scopus"
    if {"UT", "AU"} <= columns:
        return "wos_tab"
    if "id" in columns and ({"authorships.author.id", "publication_year"} & columns):
        return "openalex"
    raise DataError(
        "cannot tell the format of the file from its content; expected a Web of Science plain-text "
        "(starts with 'FN'/'PT') or tab-delimited export, a Scopus CSV (with an 'EID' column), "
        "OpenAlex JSON Lines or CSV, an Espacenet or Lens.org patent CSV, or pass format= explicitly "
        f"({', '.join(FORMATS)})",
        file=path, row=1, reason="format",
    )


def _csv_header(head: str) -> list[str]:
    import csv
    import io

    try:
        return next(csv.reader(io.StringIO(head)))
    except (StopIteration, csv.Error):
        return []


def combine_record_sets(parts: list[RecordSet]) -> RecordSet:
    """Concatenate RecordSets; a record id already used by an earlier part is rejected.

    The rejected duplicate keeps its file and row from the part's source (its first
    source file) and the reason ``duplicate_id``.
    """
    if len(parts) == 1:
        return parts[0]
    seen: set[str] = set()
    records, contributors, affiliations, rejects, origins = [], [], [], [], []
    read = 0
    sources: list[str] = []
    for part in parts:
        read += part.counts["read"]
        sources.extend(part.sources)
        rejects.append(part.rejects)
        dup = part.records["record_id"].isin(seen)
        if dup.any():
            dup_ids = set(part.records.loc[dup, "record_id"])
            rejects.append(pd.DataFrame({
                "file": (part.sources[0] if part.sources else None),
                "row": pd.array([None] * len(dup_ids), dtype="Int64"),
                "record_id": sorted(dup_ids),
                "reason": "duplicate_id",
            }))
        keep_ids = set(part.records.loc[~dup, "record_id"])
        seen |= keep_ids
        records.append(part.records[~dup])
        contributors.append(part.contributors[part.contributors["record_id"].isin(keep_ids)])
        kept = part.affiliations["record_id"].isin(keep_ids)
        affiliations.append(part.affiliations[kept])
        if origins is not None and part.origins is not None:
            origins.append(part.origins[kept.to_numpy()])
        else:
            origins = None
    return RecordSet.from_rows(
        pd.concat(records, ignore_index=True),
        pd.concat(contributors, ignore_index=True),
        pd.concat(affiliations, ignore_index=True),
        pd.concat([r for r in rejects if len(r)], ignore_index=True) if any(len(r) for r in rejects) else [],
        read=read,
        sources=sources,
        origins=pd.concat(origins, ignore_index=True) if origins else None,
    )


def read_records(path: str | os.PathLike, format: str | None = None, *,
                 allow_missing_affiliations: bool = False, names_country: NamesCountry | None = None,
                 **options) -> RecordSet:
    """Read bibliographic records into a validated RecordSet, as the export states them.

    The affiliations are raw: addresses as written, country fields as written. The
    resolution stage turns them into organisations, cities and ISO countries:
    :func:`innometrics.entities.resolve.read_resolved` reads and resolves in one call.

    Parameters
    ----------
    path : path-like
        A file, a table-layout folder, or a folder of export files of one format.
    format : {"wos", "wos_tab", "scopus", "openalex", "tables", "espacenet", "lens", "patentsview", "patstat"}, optional
        Detected from the content when omitted (:func:`detect_format`).
    allow_missing_affiliations : bool
        Read a Scopus export that has neither ``Affiliations`` nor ``Authors with
        affiliations`` (its countries then come from correspondence addresses alone);
        by default such a file is an error.
    names_country : callable, optional
        ``names_country(text) -> bool``, whether an address part names a country; the
        Scopus reader uses it to split an author's entry into affiliations where the
        record's ``Affiliations`` cannot (see :func:`innometrics.records.scopus.read_scopus`).
    **options
        Passed to the reader (e.g. ``encoding``).

    Returns
    -------
    RecordSet
        ``counts`` reconcile: ``read = used + rejected``.

    Raises
    ------
    DataError
        For a missing file, an unknown or undetectable format, a wrong encoding or
        missing required columns. A bad record never raises: it is rejected.

    Examples
    --------
    >>> rs = read_records("tests/data/bibliographic/wos_biblium_500.txt")  # doctest: +SKIP
    >>> rs.counts  # doctest: +SKIP
    {'read': 500, 'used': 499, 'rejected': 1}
    """
    from innometrics.records.patent_fields import fill_derived_families

    files = _slices(path, format)
    if files is not None:
        parts = [_read_one(p, format, allow_missing_affiliations, names_country, options) for p in files]
        rs = combine_record_sets(parts)
    else:
        rs = _read_one(Path(path), format, allow_missing_affiliations, names_country, options)
    rs.records = fill_derived_families(rs.records)
    return rs.validate()


def _read_one(path: Path, format: str | None, allow_missing_affiliations: bool,
              names_country: NamesCountry | None, options: dict) -> RecordSet:
    name = format if format is not None else detect_format(path)
    if name == "scopus":
        options = {**options, "allow_missing_affiliations": allow_missing_affiliations,
                   "names_country": names_country}
    with reading(path, f"{name} file"):
        return _reader(name)(path, **options).validate()


def _slices(path: str | os.PathLike, format: str | None) -> list[Path] | None:
    """The files of a folder or glob read as slices of one export (None: read ``path`` as one input)."""
    from innometrics.records.tables import is_tables_dir

    text = str(path)
    if any(ch in Path(text).name for ch in "*?["):
        import glob

        files = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
        if not files:
            raise DataError("the glob matches no file", file=text, reason="not_found")
        return files
    path = Path(path)
    if not path.exists():
        raise DataError("file not found; check the path (relative paths are resolved against the "
                        "current folder or the spec's folder)", file=path, reason="not_found")
    if not path.is_dir() or format in FOLDER_FORMATS or is_tables_dir(path):
        return None
    if format is None:
        try:
            if detect_format(path) in FOLDER_FORMATS:
                return None
        except DataError:
            pass
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.name.lower() not in _SKIP_FILES)
    if not files:
        raise DataError("the folder holds no export file", file=path, reason="not_found")
    return files
