"""Parsing shared by the patent readers: parties, dates, priority numbers, classes, families.

Families. When a source gives no family identifier, it is derived from the priority
numbers, as the EPO defines its families (EPO, "Patent families", Espacenet help;
Martinez 2010, "Insight into different types of patent families", OECD STI WP
2010/2): the DOCDB **simple** family groups applications with exactly the same
priorities, so its key is the sorted set of a record's priority numbers; the
INPADOC **extended** family links applications that share at least one priority,
directly or through other members, so it is a connected component of the
record-priority graph (union-find below: no graph library is needed for one pass).
A record without priority numbers is its own priority (its application number).
Both are computed over the records read together, so a family is complete only as
far as the export holds its members; ``family_source = "priority_numbers"`` says so.
"""

from __future__ import annotations

import re
from datetime import date


#: ``NAME [CC]`` (Espacenet: the space before the bracket is U+2002 EN SPACE).
_PARTY = re.compile(r"^(?P<name>.*?)[\s\u2002]*\[(?P<cc>[A-Za-z]{2})\]\s*$")
_IPC_SPACES = re.compile(r"\s+")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def split_list(value: str | None, sep: str = ";") -> list[str]:
    """Non-empty stripped items of a separated list (``None`` -> ``[]``)."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(sep) if item.strip()]


def parse_party(text: str) -> tuple[str, str | None]:
    """``(name, country code as written or None)`` of ``NAME [CC]``.

    The code is the office's (ISO alpha-2 for a country, also ``EP``, ``WO``); the
    resolution step reads it as a country (:func:`innometrics.entities.resolve.resolve_records`).

    >>> parse_party("BLANCHET JEAN\u2002[FR]")
    ('BLANCHET JEAN', 'FR')
    >>> parse_party("CRAIG TODD W")
    ('CRAIG TODD W', None)
    """
    m = _PARTY.match(text.strip())
    if not m:
        return text.strip(), None
    return m.group("name").strip(), m.group("cc").upper()


def parse_date(text: str | None) -> str | None:
    """ISO ``YYYY-MM-DD`` of ``YYYYMMDD``, ``DD/MM/YYYY`` or ``YYYY-MM-DD``; None when empty or zero.

    Raises
    ------
    ValueError
        When the text is present but is not a valid date.

    >>> parse_date("20011105"), parse_date("24/08/2001"), parse_date("00000000")
    ('2001-11-05', '2001-08-24', None)
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text or set(text) <= {"0"}:
        return None
    for pattern, order in ((_DATE8, (1, 2, 3)), (_ISO, (1, 2, 3)), (_DMY, (3, 2, 1))):
        m = pattern.match(text)
        if m:
            y, mo, d = (int(m.group(i)) for i in order)
            return date(y, mo, d).isoformat()
    raise ValueError(f"not a date: {text!r}")


def compact_class(code: str) -> str:
    """An IPC/CPC code without spaces (``H04N   3/12`` -> ``H04N3/12``), upper case."""
    return _IPC_SPACES.sub("", code).upper()


def join_codes(codes: list[str]) -> str | None:
    """Distinct compact codes in first-seen order, ``; ``-joined (None when there is none)."""
    seen: dict[str, None] = {}
    for c in codes:
        c = compact_class(c)
        if c:
            seen.setdefault(c, None)
    return "; ".join(seen) or None


def derive_families(priorities: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """Simple and extended family keys of each record from its priority numbers.

    Parameters
    ----------
    priorities : dict
        record id -> its priority numbers (application numbers of the priorities);
        an empty list makes the record its own priority.

    Returns
    -------
    dict
        record id -> ``(simple, extended)``: the simple key is the sorted priorities
        joined by ``|``; the extended key is the smallest priority number of the
        record's connected component (records sharing any priority, transitively).

    >>> fam = derive_families({"a": ["P1"], "b": ["P1", "P2"], "c": ["P2"], "d": []})
    >>> fam["a"], fam["b"][1] == fam["c"][1] == "P1", fam["d"]
    (('P1', 'P1'), True, ('d', 'd'))
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smallest number is the root

    keys = {rid: sorted(set(p)) or [rid] for rid, p in priorities.items()}
    for nums in keys.values():
        for other in nums[1:]:
            union(nums[0], other)
        find(nums[0])
    return {rid: ("|".join(nums), find(nums[0])) for rid, nums in keys.items()}


def contributor_rows(record_id: str, inventors: list[tuple[str, str | None]],
                     applicants: list[tuple[str, str | None]]) -> list[dict]:
    """Contributor rows of one patent: inventors (positions 1..n), then applicants.

    Each party is ``(name, country code as written or None)``; a name repeated within one role
    (the same inventor listed twice) is kept once.
    """
    rows: list[dict] = []
    for role, parties in (("inventor", inventors), ("applicant", applicants)):
        seen: set[str] = set()
        for name, country in parties:
            key = name.upper()
            if not name or key in seen:
                continue
            seen.add(key)
            rows.append({"record_id": record_id, "position": len(rows) + 1, "name": name, "identifier": None,
                         "is_corresponding": False, "role": role, "country": country})
    return rows


def fill_derived_families(records):
    """Fill ``family_simple`` / ``family_extended`` of records whose ``family_source`` is
    ``priority_numbers`` (over all the records given, e.g. every slice of an export).

    Returns a copy of the records frame; other records are unchanged.
    """
    if "family_source" not in records.columns:
        return records
    todo = (records["family_source"] == "priority_numbers").fillna(False)
    if not todo.any():
        return records
    sub = records.loc[todo, ["record_id", "priority_numbers"]]
    prios = {rid: split_list(p if isinstance(p, str) else None) for rid, p in
             zip(sub["record_id"], sub["priority_numbers"])}
    fam = derive_families(prios)
    out = records.copy()
    out.loc[todo, "family_simple"] = [fam[r][0] for r in sub["record_id"]]
    out.loc[todo, "family_extended"] = [fam[r][1] for r in sub["record_id"]]
    return out
