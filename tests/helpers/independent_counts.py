"""Independent re-implementation of fractional / full country and institution counts.

A deliberately plain, standard-library (+ pycountry) implementation, written without reading
innometrics' readers or counting code, used by ``test_independent_counts.py`` to cross-check the
project's ranking build on Web of Science plain-text and Scopus CSV exports.

Counting rules (CWTS Leiden Ranking / Nature Index author-level fractional counting):

* every record has weight 1 and ``n`` authors;
* an author linked to ``k`` distinct addresses gives ``1 / (n * k)`` to each address;
* an author without any address gives ``1 / n`` to ``"unknown"``;
* a record with addresses but no author-address links splits 1 equally over its distinct addresses;
* a record with neither authors nor addresses gives 1 to ``"unknown"``;
* an address whose country cannot be resolved gives its credit to ``"unknown"``;
* full counting: each unit appearing on a record counts 1 for that record.

Source conventions chosen here (where the definition leaves room):

* records without any author (WoS ``[Anonymous]``, empty Scopus ``Authors``) are not counted;
* WoS records without ``C1`` link the corresponding author(s) of ``RP`` to the RP address;
  Scopus records without any affiliation do the same with ``Correspondence Address``;
* WoS ``C1`` lines without a bracketed author list are ignored when other lines have one;
* the country is the last comma part of an address, matched whole (WoS forms, aliases, pycountry).

So the fractional counts of a level always sum to the number of records.

References: Waltman & van Eck (2015), "Field-normalized citation impact indicators and the choice
of an appropriate counting method", J. Informetrics 9(4); Nature Index methodology ("Share").
"""

from __future__ import annotations

import csv
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry

UNKNOWN = "unknown"

# WoS / Scopus spellings that pycountry.lookup does not resolve (checked by hand).
_ALIASES = {
    "peoples r china": "CHN", "pr china": "CHN", "p.r. china": "CHN", "people's republic of china": "CHN",
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "north ireland": "GBR", "northern ireland": "GBR",
    "uk": "GBR", "u.k": "GBR", "u.k.": "GBR", "united kingdom": "GBR",
    "usa": "USA", "u.s.a.": "USA", "us": "USA", "united states": "USA", "united states of america": "USA",
    "russia": "RUS", "turkey": "TUR", "turkiye": "TUR", "palestine": "PSE", "u arab emirates": "ARE",
    "uae": "ARE", "south korea": "KOR", "korea": "KOR", "north korea": "PRK", "iran": "IRN",
    "taiwan": "TWN", "vietnam": "VNM", "czech republic": "CZE", "cote ivoire": "CIV",
    "bosnia & herceg": "BIH", "trinidad tobago": "TTO", "papua n guinea": "PNG", "dem rep congo": "COD",
    "rep congo": "COG", "cent afr republ": "CAF", "equat guinea": "GNQ", "guinea bissau": "GNB",
    "sao tome & prin": "STP", "st kitts & nevi": "KNA", "antigua & barbu": "ATG", "byelarus": "BLR",
    "macedonia": "MKD", "brunei": "BRN", "laos": "LAO", "syria": "SYR", "bolivia": "BOL",
    "venezuela": "VEN", "tanzania": "TZA", "moldova": "MDA", "micronesia": "FSM", "vatican": "VAT",
    "kosovo": "XKX",  # user-assigned code, not in ISO 3166-1
}
_US_TAIL = re.compile(r"(^|\s)USA$")
# Scopus sometimes ends a US address with the state instead of the country. Georgia is left out:
# it is also a country.
_US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana",
    "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri",
    "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
    "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
    "washington", "west virginia", "wisconsin", "wyoming", "district of columbia",
}


@lru_cache(maxsize=None)
def country_iso3(text: str) -> str | None:
    """ISO 3166-1 alpha-3 of the country part of an address, or None when unresolvable.

    ``"CA 94305 USA"`` and ``"NY USA"`` (WoS US addresses) and a bare US state name (Scopus) give USA.
    Only the whole country part is matched: no substring or fuzzy matching.
    """
    s = text.strip().rstrip(".").strip()
    if not s:
        return None
    if _US_TAIL.search(s):
        return "USA"
    low = " ".join(s.lower().split())
    if low in _ALIASES:
        return _ALIASES[low]
    if low in _US_STATES:
        return "USA"
    if len(s) <= 2 or (len(s) == 3 and not s.isupper()):
        # "and" is not Andorra and "PA" (a US state) is not Panama: only upper-case alpha-3 codes
        return None
    try:
        return pycountry.countries.lookup(s).alpha_3
    except LookupError:
        return None


@dataclass
class Rec:
    """One bibliographic record reduced to what counting needs."""

    rid: str
    n_authors: int
    addresses: list[str] = field(default_factory=list)  # distinct, in order of first appearance
    author_links: list[list[int]] = field(default_factory=list)  # per author, address indices
    linked: bool = False  # whether author-address links exist at all
    issues: list[str] = field(default_factory=list)  # parsing notes for investigation


def _norm_name(s: str) -> str:
    return " ".join(s.replace(".", " ").lower().split())


# ----------------------------------------------------------------------------- Web of Science


def _wos_fields(path: Path) -> list[dict[str, list[str]]]:
    records, cur, tag = [], {}, None
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("   "):
            if tag is not None:
                cur.setdefault(tag, []).append(line[3:])
            continue
        if not line.strip():
            continue
        tag = line[:2]
        if tag == "ER":
            records.append(cur)
            cur, tag = {}, None
            continue
        if tag in ("FN", "VR", "EF"):
            tag = None
            continue
        cur.setdefault(tag, []).append(line[3:])
    return records


_BRACKET = re.compile(r"^\[(.*?)\]\s*(.*)$")


def read_wos(path: str | Path) -> list[Rec]:
    """Parse a WoS plain-text export; C1's ``[A; B] address`` lines link authors to addresses."""
    out = []
    for f in _wos_fields(Path(path)):
        rid = (f.get("UT") or [""])[0].strip()
        full = [a.strip() for a in f.get("AF", [])] or [a.strip() for a in f.get("AU", [])]
        full = [a for a in full if a and a != "[Anonymous]"]
        rec = Rec(rid=rid, n_authors=len(full))
        rec.author_links = [[] for _ in full]
        by_name = defaultdict(list)
        for i, a in enumerate(full):
            by_name[_norm_name(a)].append(i)
        for line in f.get("C1", []):
            m = _BRACKET.match(line.strip())
            names, addr = (m.group(1), m.group(2)) if m else (None, line.strip())
            addr = addr.strip().rstrip(".").strip()
            if addr not in rec.addresses:
                rec.addresses.append(addr)
            j = rec.addresses.index(addr)
            if names is None:
                rec.issues.append(f"unlinked address {addr!r}")
                continue
            rec.linked = True
            for name in names.split(";"):
                hits = by_name.get(_norm_name(name), [])
                if not hits:
                    rec.issues.append(f"bracket name {name.strip()!r} not in AF")
                if len(hits) > 1:
                    rec.issues.append(f"bracket name {name.strip()!r} matches {len(hits)} authors")
                for i in hits:
                    if j not in rec.author_links[i]:
                        rec.author_links[i].append(j)
        if not f.get("C1"):
            _link_reprint(rec, f)
        out.append(rec)
    return out


_RP = re.compile(r"^(.*?)\s*\((?:corresponding|reprint) author\),\s*(.*)$")


def _link_reprint(rec: Rec, f: dict[str, list[str]]) -> None:
    """Without C1, the RP line still links the corresponding author(s) to an address.

    ``RP Surname, I (corresponding author), Address, City, Country.``; several
    corresponding authors may share one address (``A, X; B, Y (corresponding author), ...``).
    """
    short = [_norm_name(a) for a in f.get("AU", []) if a.strip() != "[Anonymous]"]
    for line in f.get("RP", []):
        m = _RP.match(line.strip())
        if not m:
            rec.issues.append(f"unparsed RP {line!r}")
            continue
        addr = m.group(2).strip().rstrip(".").strip()
        hits = sorted({i for name in m.group(1).split(";") for i, a in enumerate(short) if a == _norm_name(name)})
        if not hits or not addr:
            rec.issues.append(f"RP author not in AU: {line!r}")
            continue
        if addr not in rec.addresses:
            rec.addresses.append(addr)
        j = rec.addresses.index(addr)
        rec.linked = True
        rec.issues.append(f"RP address used: {addr!r}")
        for i in hits:
            if i < len(rec.author_links) and j not in rec.author_links[i]:
                rec.author_links[i].append(j)


# ----------------------------------------------------------------------------- Scopus


_SEP = re.compile(r"[\s,;]+")


def _unescape(text: str) -> str:
    """Decode HTML entities ("&amp;", Scopus's "& amp;", "&#x201D;") so their ";" is not a separator."""
    return html.unescape(re.sub(r"&\s+amp;", "&amp;", text))


def _split_semi(text: str) -> list[str]:
    return _unescape(text).split(";")


def _segment(text: str, affs: list[str]) -> list[str] | None:
    """Split ``text`` into known affiliations joined by "," or ";" (dynamic programming).

    A piece without a resolvable country that is followed by ";" is a fragment of the next
    affiliation (Scopus splits "Univ X; Dept Y, City, Country" into two entries), so it is
    joined to it.
    """
    text = text.strip().strip(",;").strip()
    if not text:
        return []
    best: dict[int, list[tuple[str, str]]] = {0: []}
    for pos in range(len(text) + 1):
        if pos not in best:
            continue
        for a in affs:
            if text.startswith(a, pos):
                end = pos + len(a)
                m = _SEP.match(text, end)
                nxt = m.end() if (m and m.end() > end) else end
                if (nxt == len(text) or nxt > end) and nxt not in best:
                    best[nxt] = best[pos] + [(a, text[end:nxt])]
    pieces = best.get(len(text))
    if pieces is None:
        return None
    out, carry = [], ""
    for aff, sep in pieces:
        aff = f"{carry}, {aff}" if carry else aff
        if ";" in sep and country_iso3(aff.split(",")[-1]) is None:
            carry = aff
            continue
        out.append(aff)
        carry = ""
    if carry:
        out.append(carry)
    return out


def _author_entries(awa: str, names: list[str]) -> list[str] | None:
    """Cut ``Authors with affiliations`` at each author's name (in author order).

    Returns each author's affiliation text (name removed) or None when the names do not line up.
    """
    out, pos = [], 0
    for i, name in enumerate(names):
        if not awa.startswith(name, pos):
            return None
        start = pos + len(name)
        if i + 1 < len(names):
            m = re.compile(r";\s*(?=" + re.escape(names[i + 1]) + r"(,|;|$))").search(awa, start)
            if m is None:
                return None
            out.append(awa[start:m.start()])
            pos = m.end()
        else:
            out.append(awa[start:])
    return out


def read_scopus(path: str | Path) -> list[Rec]:
    """Parse a Scopus CSV export.

    ``Authors with affiliations`` is ``"Name, aff1, aff2; Name2, aff..."``: the text is cut at the
    author names (``Authors``, or ``Author full names`` without the Scopus id, whichever it uses),
    and each author's text is split into the record's ``Affiliations`` entries.
    """
    csv.field_size_limit(1 << 30)
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            rid = row["EID"].strip()
            authors = [a.strip() for a in (row.get("Authors") or "").split(";") if a.strip()]
            authors = [a for a in authors if a != "[No author name available]"]
            full = [re.sub(r"\s*\(\d+\)$", "", a.strip()) for a in (row.get("Author full names") or "").split(";")]
            full = [a for a in full if a]
            awa = _unescape(row.get("Authors with affiliations") or "").strip()
            aff_list = []
            for a in _split_semi(row.get("Affiliations") or ""):
                a = a.strip().strip(",").strip()
                if a and a not in aff_list:
                    aff_list.append(a)
            affs = sorted(aff_list, key=len, reverse=True)
            rec = Rec(rid=rid, n_authors=len(authors))
            rec.author_links = [[] for _ in authors]
            entries = None
            if awa:
                entries = _author_entries(awa, full) if len(full) == len(authors) else None
                entries = entries or _author_entries(awa, authors)
                if entries is None:
                    rec.issues.append(f"names do not line up in {awa[:120]!r}")
            for i, text in enumerate(entries or []):
                seg = _segment(text, affs)
                if seg is None:
                    rec.issues.append(f"unsplittable entry {text!r}")
                    seg = [text.strip().strip(",;").strip()]
                if seg:
                    rec.linked = True
                for addr in seg:
                    if addr not in rec.addresses:
                        rec.addresses.append(addr)
                    j = rec.addresses.index(addr)
                    if j not in rec.author_links[i]:
                        rec.author_links[i].append(j)
            if not rec.linked:
                rec.addresses = list(aff_list)
            if not rec.addresses:
                _link_correspondence(rec, row.get("Correspondence Address") or "", authors)
            out.append(rec)
    return out


def _link_correspondence(rec: Rec, text: str, authors: list[str]) -> None:
    """Without any affiliation, ``Correspondence Address`` ("N. Surname; address; email: ...")
    still links the corresponding author to an address (as RP does in WoS)."""
    parts = [p.strip() for p in _unescape(text).split(";")]
    if len(parts) < 2 or not parts[1] or parts[1].lower().startswith("email:"):
        return
    surname = " ".join(t for t in parts[0].split() if not t.endswith("."))
    hits = [i for i, a in enumerate(authors) if surname and a.startswith(surname + " ")]
    if len(hits) != 1:
        rec.issues.append(f"correspondence author {parts[0]!r} not matched")
        return
    rec.addresses.append(parts[1])
    rec.author_links[hits[0]].append(0)
    rec.linked = True
    rec.issues.append(f"correspondence address used: {parts[1]!r}")


# ----------------------------------------------------------------------------- counting


def country_of(address: str) -> str:
    return country_iso3(address.split(",")[-1]) or UNKNOWN


#: A street as Web of Science writes it: a house number first, or a street word last.
_WOS_STREET = re.compile(r"^\d+\s|\b(lane|st|ave|rd|road|street|blvd|dr|way)\.?$", re.IGNORECASE)


def institution_of(address: str) -> str:
    """The first comma part (WoS puts the organisation first); a street there names none.

    Spellings folded as the ranking does: a leading "The", a leading "Adm Headquarters"
    (the central administration is the organisation), and WoS's German "Gesell"
    (Gesellschaft) as its English "Soc" (Society).
    """
    first = address.split(",")[0].strip()
    if not first or _WOS_STREET.search(first):
        return UNKNOWN
    first = re.sub(r"^(the|adm headquarters)\s+", "", first, flags=re.IGNORECASE)
    return " ".join("Soc" if w.lower() == "gesell" else w for w in first.split())


def record_credits(rec: Rec, unit_of) -> dict[str, float]:
    """Fractional credit of one record per unit (sums to 1)."""
    credit: dict[str, float] = defaultdict(float)
    if rec.linked and rec.n_authors:
        for links in rec.author_links:
            if not links:
                credit[UNKNOWN] += 1.0 / rec.n_authors
            for j in links:
                credit[unit_of(rec.addresses[j])] += 1.0 / (rec.n_authors * len(links))
    elif rec.addresses:
        for a in rec.addresses:
            credit[unit_of(a)] += 1.0 / len(rec.addresses)
    else:
        credit[UNKNOWN] += 1.0
    return credit


def used(records: list[Rec]) -> list[Rec]:
    """Records that are counted: those with at least one author (others have no one to credit)."""
    return [r for r in records if r.n_authors > 0]


def count(records: list[Rec], level: str = "country") -> tuple[dict[str, float], dict[str, int]]:
    """Return ``(fractional, full)`` counts per unit at ``level`` ("country" or "institution").

    Full counts include every unit that receives credit on the record (``unknown`` too).
    """
    unit_of = country_of if level == "country" else institution_of
    frac: dict[str, float] = defaultdict(float)
    full: dict[str, int] = defaultdict(int)
    for rec in used(records):
        for unit, c in record_credits(rec, unit_of).items():
            frac[unit] += c
            full[unit] += 1
    return dict(frac), dict(full)


def read(path: str | Path, fmt: str) -> list[Rec]:
    return read_wos(path) if fmt == "wos" else read_scopus(path)
