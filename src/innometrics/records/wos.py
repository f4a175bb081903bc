"""Web of Science plain-text export ("Other file formats" -> "Plain text file").

The file is a sequence of tagged records::

    FN Clarivate Analytics Web of Science
    VR 1.0
    PT J
    AU Lang, XN
       Li, L
    AF Lang, Xiaona
       Li, Lu
    C1 [Lang, Xiaona; Li, Lu] Tianjin Hosp, Pharm Dept, Tianjin, Peoples R China.
    RP Li, L (corresponding author), Tianjin Hosp, Pharm Dept, Tianjin, Peoples R China.
    PY 2023
    TC 4
    UT WOS:001071531700001
    ER

A tag is two characters at the start of a line followed by a space; lines starting
with three spaces continue the field. ``AU``, ``AF`` and ``C1`` have one item per
line. The bracketed names before a ``C1`` address (full ``AF`` names) link authors to
that address; addresses without brackets (records before 2008) become affiliations
with position NULL. ``RP`` names the corresponding author(s) (``(corresponding
author)``, formerly ``(reprint author)``) with an address.

The record builder :func:`build_wos_record` is shared with the tab-delimited reader
(:mod:`innometrics.records.wos_tab`). Field tags are documented by Clarivate,
"Web of Science Core Collection field tags"
(https://webofscience.help.clarivate.com/en-us/Content/export-records.htm).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from innometrics.errors import DataError
from innometrics.io.tables import decode_text
from innometrics.records.model import RecordSet
from innometrics.records.collector import RecordCollector, safe_build

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_RP_SPLIT = re.compile(r";\s*(?=[^;()]+?\((?:corresponding|reprint) author\))", re.IGNORECASE)
_RP_ENTRY = re.compile(r"^\s*(.+?)\s*\((?:corresponding|reprint) author\)\s*,?\s*(.*)$", re.IGNORECASE)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_YEAR = re.compile(r"^\d{4}$")
_LIST_TAGS = {"AU", "AF", "C1", "CR", "BA", "BF", "CA", "GP"}


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """Lower-case ASCII letters and single spaces: ``Vargas-Sánchez, Alfonso`` -> ``vargas sanchez alfonso``."""
    name = unicodedata.normalize("NFKD", name.replace("ı", "i").replace("ł", "l").replace("ø", "o"))
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def split_c1(value: str) -> list[str]:
    """Split a one-line ``C1`` (tab-delimited export, CSV) into addresses.

    Semicolons inside ``[...]`` separate names, not addresses.

    >>> split_c1("[Li, A; Wu, B] Univ X, Beijing, Peoples R China; [Li, A] Univ Y, Tokyo, Japan")
    ['[Li, A; Wu, B] Univ X, Beijing, Peoples R China', '[Li, A] Univ Y, Tokyo, Japan']
    """
    items, depth, current = [], 0, []
    for ch in value:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [i for i in items if i]


def split_names(value: str) -> list[str]:
    """Split a one-line author list (``Lang, XN; Li, L`` or ``PESTANA MH;SANCHEZ AV``)."""
    return [n.strip() for n in value.split(";") if n.strip()]


def _parse_int(text: str | None) -> tuple[int | None, bool]:
    """(value, ok): empty -> (None, True); not a whole number -> (None, False)."""
    if text is None or not str(text).strip():
        return None, True
    text = str(text).strip()
    if re.fullmatch(r"\d+", text):
        return int(text), True
    return None, False


def _author_lookup(short: list[str], full: list[str]) -> dict[str, int]:
    """Folded author names (full and short) -> 1-based position (first occurrence wins)."""
    lookup: dict[str, int] = {}
    for names in (full, short):
        for i, name in enumerate(names, start=1):
            lookup.setdefault(fold_name(name), i)
    return lookup


def _homonyms(full: list[str]) -> dict[str, list[int]]:
    """Folded full names carried by several authors -> their positions, in order."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(full, start=1):
        positions.setdefault(fold_name(name), []).append(i)
    return {k: v for k, v in positions.items() if len(v) > 1}


def _bracket_positions(bracket: str, lookup: dict[str, int], homonyms: dict[str, list[int]]) -> list[int | None]:
    """Positions of the names in one ``[...]`` list; the k-th "Wang, Wei" of a list is
    the k-th author of that name (two authors may share a full name)."""
    seen: dict[str, int] = {}
    positions: list[int | None] = []
    for name in bracket.split(";"):
        key = fold_name(name)
        if key in homonyms:
            k = seen.get(key, 0)
            seen[key] = k + 1
            positions.append(homonyms[key][min(k, len(homonyms[key]) - 1)])
        else:
            positions.append(lookup.get(key))
    return positions


def parse_corresponding(rp: str) -> list[tuple[str, str]]:
    """(name, address) pairs of an ``RP`` field.

    >>> parse_corresponding("Zhang, Y (corresponding author), Macquarie Univ, Sydney, NSW 2113, Australia.; "
    ...                     "Wang, K (corresponding author), Nanyang Technol Univ, Singapore 639798, Singapore.")
    [('Zhang, Y', 'Macquarie Univ, Sydney, NSW 2113, Australia.'), ('Wang, K', 'Nanyang Technol Univ, Singapore 639798, Singapore.')]
    """
    pairs = []
    for chunk in _RP_SPLIT.split(rp or ""):
        m = _RP_ENTRY.match(chunk)
        if m:
            pairs.append((m.group(1).strip(), m.group(2).strip()))
    return pairs


def _affiliation(record_id: str, position: int | None, raw: str) -> dict:
    """An affiliation row with the address as written; the resolution step splits it."""
    return {"record_id": record_id, "position": position, "raw": raw.strip(), "institution": None,
            "institution_id": None, "city": None, "country": None, "country_raw": None}


def build_wos_record(fields: dict[str, object], *, source_format: str) -> tuple[str | None, dict | None, list[dict], list[dict]]:
    """Turn the fields of one WoS record into model rows.

    Parameters
    ----------
    fields : dict
        Tag -> value. ``AU``, ``AF`` and ``C1`` are lists of items; other tags strings.
    source_format : str
        Stored in ``records.source_format``.

    Returns
    -------
    (reject_reason, record, contributors, affiliations)
        ``reject_reason`` is None for a usable record; otherwise a code of
        :data:`innometrics.records.model.REJECT_REASONS` and the rows are empty.
    """
    def text(tag: str) -> str:
        value = fields.get(tag)
        if isinstance(value, list):
            return " ".join(v.strip() for v in value)
        return (value or "").strip() if isinstance(value, str) else ""

    def items(tag: str) -> list[str]:
        value = fields.get(tag)
        if isinstance(value, list):
            return [v.strip() for v in value if v.strip()]
        return []

    record_id = text("UT") or None
    if record_id is None:
        return "missing_id", None, [], []
    year_text = text("PY")
    if not year_text:
        # early-access records carry their year in EA ("JAN 2024") until PY is set
        found = re.search(r"\b(1[89]\d\d|20\d\d)\b", text("EA"))
        year_text = found.group(1) if found else ""
    if year_text and not _YEAR.match(year_text):
        return "unparsable_year", {"record_id": record_id}, [], []
    citations, ok = _parse_int(text("TC"))
    if not ok:
        return "unparsable_citations", {"record_id": record_id}, [], []
    short, full = items("AU"), items("AF")
    if len(full) != len(short):
        full = full if full else short
        short = short if len(short) == len(full) else full
    names = full or short
    names = [n for n in names if n.lower() != "[anonymous]"]
    if not names:
        return "no_authors", {"record_id": record_id}, [], []
    full, short = (full or short)[: len(names)], short[: len(names)]
    lookup = _author_lookup(short, full)
    homonyms = _homonyms(full)

    orcids: dict[int, str] = {}
    for entry in split_names(text("OI")):
        name, _, ident = entry.partition("/")
        m = _ORCID.search(ident)
        pos = lookup.get(fold_name(name))
        if m and pos is not None:
            orcids.setdefault(pos, m.group(1))

    corresponding: dict[int, list[str]] = {}
    for name, address in parse_corresponding(text("RP")):
        pos = lookup.get(fold_name(name))
        if pos is not None:
            corresponding.setdefault(pos, [])
            if address:
                corresponding[pos].append(address)

    record = {
        "record_id": record_id,
        "year": int(year_text) if year_text else None,
        "type": text("DT").lower() or None,
        "title": text("TI") or None,
        "weight": 1.0,
        "citations": citations,
        "source_format": source_format,
    }
    contributors = [
        {
            "record_id": record_id,
            "position": i,
            "name": name,
            "identifier": orcids.get(i),
            "is_corresponding": i in corresponding,
        }
        for i, name in enumerate(names, start=1)
    ]

    affiliations: list[dict] = []
    seen: set[tuple[int | None, str]] = set()

    def add(position: int | None, raw: str) -> None:
        key = (position, raw)
        if raw and key not in seen:
            seen.add(key)
            affiliations.append(_affiliation(record_id, position, raw))

    addresses = items("C1")
    for entry in addresses:
        if entry.startswith("["):
            close = entry.find("]")
            bracket, raw = entry[1:close], entry[close + 1 :].strip()
            positions = _bracket_positions(bracket, lookup, homonyms)
            linked = [p for p in positions if p is not None]
            for p in linked:
                add(p, raw)
            if not linked:
                add(None, raw)
        else:
            add(None, entry)
    has_links = any(a["position"] is not None for a in affiliations)
    if not addresses or has_links:
        # the RP address is the only address of a record without C1, and completes
        # the links of a corresponding author missing from the C1 brackets
        linked_positions = {a["position"] for a in affiliations}
        for pos, rp_addresses in corresponding.items():
            if pos not in linked_positions:
                for raw in rp_addresses:
                    add(pos, raw)
    return None, record, contributors, affiliations


def iter_tagged_records(text: str, *, file: object):
    """Yield ``(line_number, fields, terminated)`` for each ``PT ... ER`` record."""
    fields: dict[str, list[str]] | None = None
    start, tag = 0, None
    saw_header = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("   ") or (line.startswith(" ") and tag is not None and fields is not None):
            if fields is not None and tag is not None:
                fields[tag].append(line.strip())
            continue
        m = _TAG_LINE.match(line.rstrip())
        if not m:
            if fields is None and not saw_header:
                raise DataError(
                    f"line does not start with a two-letter Web of Science field tag: {line[:60]!r}; "
                    "expected a plain-text export starting with 'FN' or 'PT'",
                    file=file, row=number, reason="format",
                )
            continue
        saw_header = True
        tag, value = m.group(1), (m.group(2) or "")
        if tag == "PT":
            if fields is not None:
                yield start, fields, False
            fields, start = {"PT": [value]}, number
        elif tag == "ER":
            if fields is not None:
                yield start, fields, True
            fields, tag = None, None
        elif fields is not None:
            fields.setdefault(tag, []).append(value)
    if fields is not None:
        yield start, fields, False


def _as_builder_fields(raw: dict[str, list[str]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for tag, lines in raw.items():
        if tag in _LIST_TAGS:
            out[tag] = lines
        elif tag in {"RP", "OI", "RI", "EM"}:
            # continuation lines of these lists break after a separator or mid-item
            out[tag] = " ".join(lines)
        else:
            out[tag] = " ".join(lines)
    return out


def read_wos(path: str | os.PathLike, *, encoding: str = "utf-8") -> RecordSet:
    """Read a Web of Science plain-text export.

    Parameters
    ----------
    path : path-like
        ``savedrecs.txt`` as exported by Web of Science (UTF-8, with or without BOM).
    encoding : str
        Text encoding.

    Returns
    -------
    RecordSet
        ``source_format`` is ``wos``. Rejected: records without ``UT``
        (``missing_id``), a repeated ``UT`` (``duplicate_id``), a ``PY`` that is not a
        year, no author, a record not closed by ``ER`` (``unparsable_record``).

    Raises
    ------
    DataError
        When the file is not a WoS plain-text export or not valid text.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path, reason="not_found")
    text = decode_text(path.read_bytes(), file=path, encoding=encoding)
    collected = RecordCollector(path)
    read = 0
    for line, raw, terminated in iter_tagged_records(text, file=path):
        read += 1
        fields = _as_builder_fields(raw)
        if not terminated:
            ut = " ".join(raw.get("UT", [])).strip() or None
            collected.reject(line, ut, "unparsable_record")
            continue
        collected.add(line, safe_build(build_wos_record, fields, source_format="wos"))
    if read == 0:
        raise DataError("no 'PT ... ER' record found; expected a Web of Science plain-text export",
                        file=path, reason="format")
    return collected.result(read=read)
