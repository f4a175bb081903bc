"""Scopus CSV export.

Columns used (Scopus "Export -> CSV", all citation and bibliographic fields):

``EID`` (record id), ``Authors`` (``Wu, H.; Cui, H.`` or ``Parise O.; Kronenberger R.``),
``Author full names`` (``Wu, Haowei (58737453200); ...``), ``Author(s) ID``,
``Title``, ``Year``, ``Cited by``, ``Document Type``, ``Affiliations`` (the distinct
affiliations of the record, ``; ``-separated), ``Authors with affiliations`` and
``Correspondence Address``.

``Authors with affiliations`` is ``Surname, Given, Affiliation 1, Affiliation 2; ...``:
one ``;``-separated entry per author, in author order, the name followed by *all*
that author's affiliations joined with ``", "``, so an affiliation boundary is not
marked. It is recovered by splitting the text after the name into a sequence of the
record's ``Affiliations`` (each itself ``Organisation, City, [Postal code,] Country``);
when that fails, the text is one affiliation. A record whose ``Authors with
affiliations`` is empty gets its ``Affiliations`` with position NULL.

``Correspondence Address`` is ``K. Xiao; Address; email: ...``; the name is matched to
an author by surname and first initial, and the address is added to that author when
the author has no other affiliation.
"""

from __future__ import annotations

import html
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from innometrics.errors import DataError
from innometrics.io.tables import read_table, require_columns
from innometrics.records.collector import RecordCollector, safe_build
from innometrics.records.model import RecordSet
from innometrics.records.wos import fold_name

#: Whether a text (an address or its last part) names a country. The reader knows no
#: countries itself: the resolution stage passes one in (``read_records(...,
#: names_country=...)``, :func:`innometrics.entities.resolve.read_resolved`).
NamesCountry = Callable[[str], bool]

REQUIRED_COLUMNS = ["EID"]
_NO_AUTHOR = "[no author name available]"
_ID_SUFFIX = re.compile(r"\s*\((\d+)\)\s*$")


def _cell(row: dict, column: str) -> str:
    """A cell as text, HTML entities decoded (Scopus writes ``Merck & amp; Co.``)."""
    value = row.get(column, "")
    if value is None:
        return ""
    text = str(value)
    if "&" in text:
        text = html.unescape(re.sub(r"&\s+(amp|lt|gt|quot|apos);", r"&\1;", text))
    return re.sub(r"\s+", " ", text).strip()


def _is_initials(token: str) -> bool:
    """``K.``, ``M.A.``, ``J.-P.``, ``É.``, ``QTS``: initials rather than a surname."""
    letters = token.replace(".", "").replace("-", "")
    return bool(letters) and letters.isalpha() and letters.isupper() and (
        "." in token or len(letters) <= 3) and len(letters) <= 4


def split_authors(value: str, n_ids: int) -> list[str]:
    """Author names of ``Authors`` (``;``-separated, or ``,`` in exports before 2017)."""
    if not value or value.lower() == _NO_AUTHOR:
        return []
    if ";" in value or n_ids <= 1:
        return [a.strip() for a in value.split(";") if a.strip()]
    parts = [a.strip() for a in value.split(",") if a.strip()]
    return parts if len(parts) == n_ids else [value]


def surname_initial(name: str) -> tuple[str, str]:
    """(folded surname, first initial) of ``Xiao, K.``, ``de Asmundis C.`` or ``M.A. Talias``.

    >>> surname_initial("M.A. Talias"), surname_initial("de Asmundis C."), surname_initial("Wu, Haowei")
    (('talias', 'm'), ('de asmundis', 'c'), ('wu', 'h'))
    >>> surname_initial("Y. HU"), surname_initial("HU Y.")
    (('hu', 'y'), ('hu', 'y'))
    """
    name = name.strip()
    if "," in name:
        surname, given = name.split(",", 1)
        return fold_name(surname), fold_name(given)[:1]
    tokens = name.split()
    if len(tokens) > 1 and not ("." in tokens[0] and _is_initials(tokens[0])) and _is_initials(tokens[-1]):
        return fold_name(" ".join(tokens[:-1])), fold_name(tokens[-1])[:1]
    lead = 0
    while lead < len(tokens) - 1 and _is_initials(tokens[lead]):
        lead += 1
    if lead:
        return fold_name(" ".join(tokens[lead:])), fold_name(tokens[0])[:1]
    return fold_name(name), ""


def same_person(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Surname-initial keys match: equal initials and equal surnames, or one surname
    ends the other (``Machado`` / ``Goncalves Machado``) or starts it (truncated)."""
    (sa, ia), (sb, ib) = a, b
    if not sa or not sb or (ia and ib and ia != ib):
        return False
    if sa == sb:
        return True
    short, long = sorted((sa, sb), key=len)
    return long.endswith(" " + short) or (len(short) >= 5 and long.startswith(short))


def _address_parts(text: str) -> tuple[str, ...]:
    """The non-empty parts of an address text, cut at "," and ";" (``Australia;, Baylor`` has two)."""
    return tuple(part for part, _ in _parts_and_separators(text))


def _parts_and_separators(text: str) -> list[tuple[str, str]]:
    """``(part, separator after it)`` for the non-empty parts of ``text`` cut at "," and ";"."""
    out: list[tuple[str, str]] = []
    for token in re.split(r"([,;])", text):
        if token in {",", ";"}:
            if out:
                out[-1] = (out[-1][0], out[-1][1] + token)
        elif token.strip():
            out.append((token.strip(), ""))
    return out


def _segment(text: str, known: tuple[str, ...], names_country: NamesCountry | None = None) -> list[str] | None:
    """Split ``text`` into a sequence of ``known`` affiliations (or None).

    Both are compared as sequences of parts (:func:`_address_parts`), so the separators
    and their spacing do not matter: Scopus joins an author's affiliations with ", "
    but sometimes leaves a stray ";" (``..., Australia;, Baylor College ...``), a space
    before a comma (``Reed , PhD``) or a trailing comma. The affiliations are returned
    as written in ``Affiliations``, except that Scopus also cuts one affiliation at a
    ";" into entries of ``Affiliations`` (``Ludwig-Maximilians-Universität München;
    LMU Munich School of Management, ..., Germany``, ``Dr.; Senior Lecturer, ...``): a
    piece naming no country followed by ";" is joined to the next piece (only when
    ``names_country`` is given: without it every piece stands alone).
    """
    if not known:
        return None
    by_parts: dict[tuple[str, ...], str] = {}
    for affiliation in known:
        by_parts.setdefault(_address_parts(affiliation), affiliation)
    tokens = _parts_and_separators(text)
    parts = tuple(part for part, _ in tokens)
    n = len(parts)

    @lru_cache(maxsize=None)
    def solve(start: int) -> tuple[tuple[str, int], ...] | None:
        if start == n:
            return ()
        for end in range(n, start, -1):  # longest affiliation first
            piece = by_parts.get(parts[start:end])
            if piece is not None:
                rest = solve(end)
                if rest is not None:
                    return ((piece, end),) + rest
        return None

    found = solve(0)
    if not found:
        return None
    pieces: list[str] = []
    carry = ""
    for piece, end in found:
        piece = f"{carry}, {piece}" if carry else piece
        if names_country is not None and end < n and ";" in tokens[end - 1][1] and not names_country(piece):
            carry = piece
            continue
        pieces.append(piece)
        carry = ""
    return pieces


def _split_at_countries(text: str, names_country: NamesCountry | None = None) -> list[str]:
    """Fallback split of ``Org, City, Country, Org2, City2, Country2`` after each country.

    A part naming a country ends an affiliation unless the next part names one too
    (``Ohio, United States``, ``Hong Kong, Hong Kong``): the affiliation ends at the
    last of them. Without ``names_country`` the text is one affiliation.
    """
    if names_country is None:
        return [text]
    parts = list(_address_parts(text))
    countries = [names_country(part) for part in parts]
    pieces, current = [], []
    for i, part in enumerate(parts):
        current.append(part)
        if i < len(parts) - 1 and len(current) > 1 and countries[i] and not countries[i + 1]:
            pieces.append(", ".join(current))
            current = []
    if current:
        pieces.append(", ".join(current))
    return pieces


def _author_entries(value: str, variants: list[list[str]]) -> list[tuple[int, str]]:
    """(position, affiliation text) for each entry of ``Authors with affiliations``."""
    chunks = [c.strip() for c in value.split(";") if c.strip()]
    entries: list[tuple[int, str]] = []
    if len(chunks) == len(variants):
        # one entry per author: assign in order, whatever the spelling of the name
        return [(i + 1, _strip_name(chunk, variants[i])) for i, chunk in enumerate(chunks)]
    position = 0
    for chunk in chunks:
        matched = None
        if position < len(variants):
            for name in variants[position]:
                if name and (chunk == name or chunk.startswith(name + ",") or chunk.startswith(name + " ,")):
                    matched = chunk[len(name):].lstrip(" ,")
                    break
        if matched is None and entries and position >= 1:
            # a ";" inside an affiliation: the chunk continues the previous entry
            prev_pos, prev_text = entries[-1]
            if position >= len(variants) or not any(chunk.startswith(v) for v in variants[position] if v):
                entries[-1] = (prev_pos, f"{prev_text}; {chunk}")
                continue
        if position >= len(variants):
            break
        if matched is None:
            matched = _strip_name(chunk, variants[position])
        position += 1
        entries.append((position, matched))
    return entries


def _strip_name(chunk: str, names: list[str]) -> str:
    """The affiliation text of an entry: the entry without its leading author name.

    A name spelled differently from ``Authors``/``Author full names`` is dropped by
    its number of comma-separated parts.
    """
    for name in names:
        if name and (chunk == name or chunk.startswith(name + ",") or chunk.startswith(name + " ,")):
            return chunk[len(name):].lstrip(" ,")
    n_parts = names[0].count(",") + 1 if names else 1
    return ", ".join(chunk.split(", ")[n_parts:])


def _affiliation_row(record_id: str, position: int | None, raw: str) -> dict:
    """An affiliation row with the address as written; the resolution step splits it."""
    return {"record_id": record_id, "position": position, "raw": raw.strip(), "institution": None,
            "institution_id": None, "city": None, "country": None, "country_raw": None}


def build_scopus_record(row: dict, names_country: NamesCountry | None = None
                        ) -> tuple[str | None, dict | None, list[dict], list[dict]]:
    """Model rows of one Scopus CSV row: ``(reject_reason, record, contributors, affiliations)``.

    ``names_country`` tells where one affiliation ends in an author's entry when the
    record's ``Affiliations`` do not (:func:`_split_at_countries`).
    """
    record_id = _cell(row, "EID") or None
    if record_id is None:
        return "missing_id", None, [], []
    year_text = _cell(row, "Year")
    if year_text and not re.fullmatch(r"\d{4}", year_text):
        return "unparsable_year", {"record_id": record_id}, [], []
    cited = _cell(row, "Cited by")
    if cited and not cited.isdigit():
        return "unparsable_citations", {"record_id": record_id}, [], []
    ids = [i.strip() for i in _cell(row, "Author(s) ID").rstrip(";").split(";") if i.strip()]
    short = split_authors(_cell(row, "Authors"), len(ids))
    full_raw = [f.strip() for f in _cell(row, "Author full names").split(";") if f.strip()]
    full = [_ID_SUFFIX.sub("", f) for f in full_raw]
    full_ids = [m.group(1) if (m := _ID_SUFFIX.search(f)) else None for f in full_raw]
    if full and full[0].lower() == _NO_AUTHOR:
        full = []
    names = full if full and (not short or len(full) == len(short)) else short
    if not names:
        return "no_authors", {"record_id": record_id}, [], []
    n = len(names)
    identifiers = full_ids if len(full_ids) == n and all(full_ids) else (ids if len(ids) == n else [None] * n)

    corresponding: dict[int, str] = {}
    corr = _cell(row, "Correspondence Address")
    if corr and corr.split(";")[0].strip():
        corr_name, _, rest = corr.partition(";")
        address = re.split(r";\s*email:", rest, maxsplit=1)[0].strip().strip(";").strip()
        key = surname_initial(corr_name)
        for exact in (True, False):
            for i in range(n):
                candidates = [names[i]] + ([short[i]] if len(short) == n else [])
                keys = [surname_initial(c) for c in candidates]
                if any(k == key if exact else same_person(k, key) for k in keys):
                    corresponding[i + 1] = address
                    break
            if corresponding:
                break

    record = {
        "record_id": record_id, "year": int(year_text) if year_text else None,
        "type": _cell(row, "Document Type").lower() or None, "title": _cell(row, "Title") or None,
        "weight": 1.0, "citations": int(cited) if cited else None, "source_format": "scopus",
    }
    contributors = [{"record_id": record_id, "position": i + 1, "name": names[i], "identifier": identifiers[i],
                     "is_corresponding": (i + 1) in corresponding} for i in range(n)]

    known = tuple(a.strip(" ,") for a in _cell(row, "Affiliations").split(";") if a.strip(" ,"))
    affiliations: list[dict] = []
    seen: set[tuple[int | None, str]] = set()

    def add(position: int | None, raw: str) -> None:
        if raw and (position, raw) not in seen:
            seen.add((position, raw))
            affiliations.append(_affiliation_row(record_id, position, raw))

    linked_text = _cell(row, "Authors with affiliations")
    if linked_text:
        variants = [[full[i] if i < len(full) else "", short[i] if i < len(short) else ""] for i in range(n)]
        variants = [[v for v in vs if v] for vs in variants]
        for position, text in _author_entries(linked_text, variants):
            if not text:
                continue
            for raw in _segment(text, known, names_country) or _split_at_countries(text, names_country):
                add(position, raw)
    elif known:
        for raw in known:
            add(None, raw)
    if not affiliations or any(a["position"] is not None for a in affiliations):
        linked = {a["position"] for a in affiliations}
        for position, address in corresponding.items():
            # an address of at least two comma-separated parts (not a bare name or e-mail)
            if position not in linked and sum(1 for p in address.rstrip(".").split(",") if p.strip()) > 1:
                add(position, address)
    return None, record, contributors, affiliations


#: The columns that carry a Scopus record's affiliations; without both, only the
#: correspondence address is left, which changes what a ranking counts.
AFFILIATION_COLUMNS = ("Affiliations", "Authors with affiliations")


def read_scopus(path: str | os.PathLike, *, encoding: str = "utf-8",
                allow_missing_affiliations: bool = False, names_country: NamesCountry | None = None) -> RecordSet:
    """Read a Scopus CSV export.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8 with or without BOM).
    encoding : str
        Text encoding.
    allow_missing_affiliations : bool
        Accept an export without the :data:`AFFILIATION_COLUMNS` (ranked from
        correspondence addresses alone); an error by default.
    names_country : callable, optional
        ``names_country(text) -> bool``: whether an address part names a country, used to
        split an author's entry into affiliations where the record's ``Affiliations``
        cannot; the resolution stage passes
        :func:`innometrics.entities.addresses.names_country`. Without it such an entry is
        one affiliation.

    Returns
    -------
    RecordSet
        ``source_format`` is ``scopus``; ``rejects.row`` is the CSV row (header = 1).

    Raises
    ------
    DataError
        When ``EID`` or both ``Authors`` and ``Author full names`` are missing.
    """
    path = Path(path)
    df = read_table(path, encoding=encoding) if path.suffix.lower() in {".csv", ".txt"} else None
    if df is None:
        raise DataError("expected a Scopus .csv export", file=path, reason="format")
    require_columns(df, REQUIRED_COLUMNS, file=path, what="Scopus export")
    if not {"Authors", "Author full names"} & set(df.columns):
        require_columns(df, ["Authors"], file=path, what="Scopus export")
    if not allow_missing_affiliations and not set(AFFILIATION_COLUMNS) & set(df.columns):
        raise DataError("the Scopus export has neither 'Affiliations' nor 'Authors with affiliations', so "
                        "institutions and countries would come from correspondence addresses alone; export "
                        "with affiliations, or set allow_missing_affiliations = true under [records]",
                        file=path, row=1, column="Affiliations", reason="missing_columns")
    collected = RecordCollector(path)
    for i, row in enumerate(df.to_dict("records")):
        collected.add(i + 2, safe_build(build_scopus_record, row, names_country))
    return collected.result(read=len(df))
