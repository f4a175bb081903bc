"""OpenAlex works: JSON Lines (snapshot, API pages) and flattened CSV exports.

JSON (https://docs.openalex.org/api-entities/works/work-object): one work per line
in the snapshot (``works/updated_date=*/part_*.gz``, gzip is read transparently) or
an API page ``{"meta": ..., "results": [work, ...]}`` / a JSON list of works. Used:
``id``, ``publication_year``, ``type``, ``display_name``/``title``, ``cited_by_count``,
``corresponding_author_ids`` and ``authorships[]`` with ``author`` (``id``,
``display_name``, ``orcid``), ``institutions[]`` (``id``, ``display_name``, ``ror``,
``country_code``), ``countries``, ``is_corresponding``, ``raw_affiliation_strings``
and ``affiliations[]`` (``raw_affiliation_string``, ``institution_ids``).
Each authorship gives one affiliation row per institution (country from its
``country_code``; raw string and city from the raw affiliation string that OpenAlex
matched to that institution), one row per raw string matched to no institution, and,
when the author has neither, one row per country in ``countries``.

Flattened CSV (e.g. the export of the Python package biblium): nested lists are joined
with ``|``; per-author columns (``authorships.author.id``, ``...display_name``,
``...orcid``, ``authorships.is_corresponding``) stay aligned with the authors, but
``authorships.institutions`` and ``authorships.affiliations`` concatenate the lists of
all authors without boundaries, so the author-institution link is lost: the record's
distinct institutions become affiliations with position NULL (linked to the author
when the work has a single author). Prefer JSON Lines for author-level counting.

Identifiers are the short OpenAlex ids (``A5074473734``, ``I181565077``).
"""

from __future__ import annotations

import ast
import gzip
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from innometrics.errors import DataError, reading
from innometrics.io.tables import decode_text, read_table, require_columns
from innometrics.records.model import RecordSet
from innometrics.records.collector import RecordCollector, safe_build

_OPENALEX = re.compile(r"^https?://openalex\.org/")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")


def short_id(value: Any) -> str | None:
    """``https://openalex.org/A5074473734`` -> ``A5074473734``."""
    if value is None or value == "":
        return None
    return _OPENALEX.sub("", str(value).strip()) or None


def _orcid(value: Any) -> str | None:
    m = _ORCID.search(str(value or ""))
    return m.group(1) if m else None


def _institution_rows(record_id: str, position: int | None, institutions: list[dict],
                      affiliations: list[dict], raw_strings: list[str], countries: list[str]) -> list[dict]:
    """Affiliation rows of one authorship (or of a whole flattened work)."""
    raw_of: dict[str, str] = {}
    matched_raw: set[str] = set()
    for aff in affiliations or []:
        raw = (aff.get("raw_affiliation_string") or "").strip()
        for iid in aff.get("institution_ids") or []:
            if raw:
                raw_of.setdefault(short_id(iid), raw)
                matched_raw.add(raw)
    if len(institutions or []) == 1 and len(raw_strings or []) == 1 and not raw_of:
        raw_of[short_id(institutions[0].get("id"))] = raw_strings[0]
        matched_raw.add(raw_strings[0])
    rows: list[dict] = []
    seen: set[str | None] = set()
    for inst in institutions or []:
        iid = short_id(inst.get("id"))
        if iid in seen and iid is not None:
            continue
        seen.add(iid)
        raw = raw_of.get(iid)
        rows.append({
            "record_id": record_id, "position": position, "raw": (raw or inst.get("display_name") or None),
            "institution": inst.get("display_name") or None, "institution_id": iid, "city": None,
            # the ISO alpha-2 code as OpenAlex writes it; resolved with the other country fields
            "country": _text(inst.get("country_code")), "country_raw": None,
        })
    for raw in raw_strings or []:
        raw = (raw or "").strip()
        if raw and raw not in matched_raw and not institutions:
            rows.append({"record_id": record_id, "position": position, "raw": raw, "institution": None,
                         "institution_id": None, "city": None, "country": None, "country_raw": None})
    if not rows:
        for code in dict.fromkeys(c.strip() for c in countries or [] if c and c.strip()):
            rows.append({"record_id": record_id, "position": position, "raw": None, "institution": None,
                         "institution_id": None, "city": None, "country": code, "country_raw": None})
    return rows


def _text(value: object) -> str | None:
    """A stripped non-empty string, or None."""
    text = str(value).strip() if value is not None else ""
    return text or None


def _record_fields(work: dict) -> tuple[str | None, dict | None]:
    record_id = short_id(work.get("id"))
    if record_id is None:
        return "missing_id", None
    year = work.get("publication_year")
    if year not in (None, ""):
        try:
            year = int(str(year).strip())
        except ValueError:
            return "unparsable_year", {"record_id": record_id}
        if not 1000 <= year <= 2999:
            return "unparsable_year", {"record_id": record_id}
    else:
        year = None
    cited = work.get("cited_by_count")
    if cited not in (None, ""):
        try:
            cited = int(str(cited).strip())
        except ValueError:
            return "unparsable_citations", {"record_id": record_id}
    else:
        cited = None
    return None, {
        "record_id": record_id, "year": year, "type": (work.get("type") or None),
        "title": work.get("display_name") or work.get("title") or None, "weight": 1.0,
        "citations": cited, "source_format": "openalex",
    }


def build_openalex_work(work: dict) -> tuple[str | None, dict | None, list[dict], list[dict]]:
    """Model rows of one OpenAlex work object: ``(reject_reason, record, contributors, affiliations)``."""
    reason, record = _record_fields(work)
    if reason:
        return reason, record, [], []
    record_id = record["record_id"]
    authorships = work.get("authorships") or []
    if not authorships:
        return "no_authors", record, [], []
    corresponding_ids = {short_id(a) for a in work.get("corresponding_author_ids") or []}
    contributors, affiliations = [], []
    for position, authorship in enumerate(authorships, start=1):
        author = authorship.get("author") or {}
        author_id = short_id(author.get("id"))
        flag = authorship.get("is_corresponding")
        contributors.append({
            "record_id": record_id, "position": position,
            "name": author.get("display_name") or authorship.get("raw_author_name"),
            "identifier": author_id or _orcid(author.get("orcid")),
            "is_corresponding": bool(flag) if flag is not None else author_id in corresponding_ids,
        })
        affiliations.extend(_institution_rows(
            record_id, position, authorship.get("institutions") or [], authorship.get("affiliations") or [],
            authorship.get("raw_affiliation_strings") or [], authorship.get("countries") or []))
    return None, record, contributors, affiliations


def _iter_json_works(path: Path, encoding: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or the exception) for each work of a JSON/JSONL file."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        with reading(path, "gzip file"):
            data = gzip.decompress(data)
    text = decode_text(data, file=path, encoding=encoding)
    stripped = text.lstrip()
    if stripped.startswith("[") or (stripped.startswith("{") and "\n{" not in stripped.rstrip()):
        try:
            whole = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            whole = None
        if isinstance(whole, list):
            yield from ((i + 1, w) for i, w in enumerate(whole))
            return
        if isinstance(whole, dict):
            if isinstance(whole.get("results"), list):
                yield from ((i + 1, w) for i, w in enumerate(whole["results"]))
            else:
                yield 1, whole
            return
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:  # a line nested too deeply is rejected alone
            yield number, exc


def _read_json(path: Path, encoding: str) -> RecordSet:
    collected = RecordCollector(path)
    read = 0
    for number, work in _iter_json_works(path, encoding):
        read += 1
        if not isinstance(work, dict):
            collected.reject(number, None, "unparsable_record")
            continue
        collected.add(number, safe_build(build_openalex_work, work))
    if read == 0:
        raise DataError("no OpenAlex work found; expected JSON Lines with one work object per line",
                        file=path, reason="format")
    return collected.result(read=read)


def _split_bar(value: str) -> list[str]:
    return [] if not value else value.split("|")


def _split_dicts(value: str) -> list[dict]:
    """``{...}|{...}`` (Python or JSON dict literals) -> list of dicts; unparsable items skipped."""
    if not value:
        return []
    out = []
    for piece in re.split(r"(?<=\})\|(?=\{)", value):
        try:
            item = ast.literal_eval(piece)
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            try:
                item = json.loads(piece)
            except (json.JSONDecodeError, RecursionError):
                continue
        if isinstance(item, dict):
            out.append(item)
    return out


def _flat_work(row: dict) -> dict:
    """Rebuild a work object from a flattened CSV row (authorship lists aligned by author)."""
    ids = _split_bar(row.get("authorships.author.id", ""))
    names = _split_bar(row.get("authorships.author.display_name", ""))
    raw_names = _split_bar(row.get("authorships.raw_author_name", ""))
    orcids = _split_bar(row.get("authorships.author.orcid", ""))
    flags = _split_bar(row.get("authorships.is_corresponding", ""))
    n = max(len(ids), len(names), len(raw_names))

    def at(values: list[str], i: int) -> str | None:
        return values[i] if len(values) == n and values[i] else None

    authorships = [{
        "author": {"id": at(ids, i), "display_name": at(names, i) or at(raw_names, i), "orcid": at(orcids, i)},
        "is_corresponding": (at(flags, i) == "True") if len(flags) == n else None,
    } for i in range(n)]
    return {
        "id": row.get("id"), "publication_year": row.get("publication_year"), "type": row.get("type"),
        "display_name": row.get("display_name") or row.get("title"), "cited_by_count": row.get("cited_by_count"),
        "corresponding_author_ids": _split_bar(row.get("corresponding_author_ids", "")),
        "authorships": authorships,
    }


def _read_flat_csv(path: Path, encoding: str) -> RecordSet:
    df = read_table(path, encoding=encoding)
    require_columns(df, ["id", "authorships.author.id"], file=path, what="OpenAlex CSV export")
    collected = RecordCollector(path)
    for i, row in enumerate(df.to_dict("records")):
        work = _flat_work(row)
        reason, record, cons, _ = safe_build(build_openalex_work, work)
        # The flat export loses the author-institution nesting: institutions are linked
        # to the author only on single-author works.
        kept = collected.add(i + 2, (reason, record, cons, []))
        if kept is None:
            continue
        position = 1 if len(cons) == 1 else None
        collected.affiliations.extend(_institution_rows(
            kept["record_id"], position, _split_dicts(row.get("authorships.institutions", "")),
            _split_dicts(row.get("authorships.affiliations", "")),
            _split_bar(row.get("authorships.raw_affiliation_strings", "")),
            _split_bar(row.get("authorships.countries", ""))))
    return collected.result(read=len(df))


def read_openalex(path: str | os.PathLike, *, encoding: str = "utf-8") -> RecordSet:
    """Read OpenAlex works from JSON Lines / JSON (optionally gzipped) or a flattened CSV.

    Returns
    -------
    RecordSet
        ``source_format`` is ``openalex``; ``rejects.row`` is the JSON line (or the CSV
        row, header = 1). Broken JSON lines are rejected as ``unparsable_record``.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path, reason="not_found")
    if path.suffix.lower() in {".csv", ".tsv"}:
        return _read_flat_csv(path, encoding)
    return _read_json(path, encoding)
