"""Harmonised patent applicant (assignee) names.

Applicant names vary between records of one organisation: ``Samsung Electronics
Co., Ltd.``, ``SAMSUNG ELECTRONICS CO LTD``, ``Samsung Electronics Co Ltd``. The
harmonised key folds them to one: accents and case folded, the legal form stripped
with `cleanco <https://pypi.org/project/cleanco/>`_ (its table of legal forms of
many countries: ``Inc``, ``GmbH``, ``SRL``, ``Co Ltd``, ``KK``, ...) until nothing
more is removed, and punctuation and repeated spaces removed. The rule follows the
first steps of the OECD HAN (Harmonised Applicant Names) method (Thoma et al. 2010,
"Harmonizing and combining large datasets - an application to firm-level patent and
accounting data", NBER WP 15851): character cleaning, legal-form removal, spacing.
:func:`applicant_match_texts` gives the strings under which an applicant that is a
university or research organisation is looked up in ROR
(:func:`innometrics.entities.institutions.resolve.resolve_applicants`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from cleanco import basename

from innometrics.entities.countries import fold_ascii

_PUNCT = re.compile(r"[^\w\s&]+")
_SPACES = re.compile(r"\s+")
#: Legal forms written as words before the name (Japanese ``Kabushiki Kaisha Toshiba``)
#: or as abbreviations cleanco does not list.
_PREFIXES = ("KABUSHIKI KAISHA ", "KK ", "YUGEN KAISHA ")
_SUFFIXES = (" KABUSHIKI KAISHA", " AKTIENGESELLSCHAFT", " CO LTD", " CO", " CORP", " LTD", " INC", " SA",
             " S A", " AG", " GMBH", " LLC", " SRL", " S R L", " SPA", " S P A", " BV", " NV", " AB", " AS",
             " PLC", " LIMITED", " CORPORATION", " COMPANY")


@lru_cache(maxsize=200_000)
def harmonise_applicant(name: str | None) -> str | None:
    """The harmonised key of an applicant name (upper case, no legal form, no punctuation).

    >>> harmonise_applicant("Samsung Electronics Co., Ltd.")
    'SAMSUNG ELECTRONICS'
    >>> harmonise_applicant("SAMSUNG ELECTRONICS CO LTD")
    'SAMSUNG ELECTRONICS'
    >>> harmonise_applicant("Siemens Aktiengesellschaft")
    'SIEMENS'
    >>> harmonise_applicant("NESTEC S.A.")
    'NESTEC'
    """
    if name is None:
        return None
    text = _SPACES.sub(" ", str(name)).strip()
    if not text:
        return None
    previous = None
    while text != previous:  # strip legal forms until none is left ("Co., Ltd.")
        previous = text
        stripped = basename(text).strip(" ,.;-")
        text = stripped or text
    folded = fold_ascii(text.replace("&", " and "))  # empty for names in CJK or Cyrillic script
    text = (folded or _SPACES.sub(" ", _PUNCT.sub(" ", text))).strip().upper()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix):], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text.strip() or None


#: Words of universities, research organisations and hospitals: an applicant with a
#: legal form is looked up in ROR only when its name has one (``YISSUM RESEARCH
#: DEVELOPMENT COMPANY OF THE HEBREW UNIVERSITY``), so firms are not matched by
#: accident to organisations whose names look like theirs.
_ACADEMIC = re.compile(r"\b(UNIV\w*|INST\w*|COLL\w*|SCHOOL|ACAD\w*|RES|RESEARCH|LAB\w*|HOSP\w*|"
                       r"CENT(ER|RE)|CNRS|CSIC|FORSCHUNG\w*|HOCHSCHULE|POLYTECHN\w*|FOUNDATION|TRUSTEES|REGENTS|"
                       r"OSPEDALE|NATIONAL SECURITY)\b")
_DERWENT_UNIV = re.compile(r"^UNIV(?:ERSITY)?\s+(?!OF\b)(.+)$")


def has_legal_form(name: str) -> bool:
    """Whether the name carries a company's legal form (``Inc``, ``GmbH``, ``Co Ltd``...).

    >>> has_legal_form("Magic Leap, Inc."), has_legal_form("UNIV TIANJIN")
    (True, False)
    """
    text = _SPACES.sub(" ", _PUNCT.sub(" ", fold_ascii(str(name)) or str(name))).strip().upper()
    return harmonise_applicant(name) != text


def applicant_match_texts(name: str | None) -> list[str]:
    """The strings under which an applicant is looked up in ROR; ``[]`` for a firm.

    A name with a legal form and no word of a university or research organisation is a
    firm (``[]``). Espacenet and Lens write universities Derwent-style, ``UNIV`` first
    (``UNIV SOUTHERN CALIFORNIA``, ``UNIV TIANJIN``): such a name is looked up as
    ``University of ...`` and as ``... University``, and the caller keeps a match only
    when the forms agree.

    >>> applicant_match_texts("UNIV SOUTHERN CALIFORNIA")
    ['University of SOUTHERN CALIFORNIA', 'SOUTHERN CALIFORNIA University']
    >>> applicant_match_texts("Vertex Pharmaceuticals Incorporated")
    []
    >>> applicant_match_texts("Wayne State University")
    ['Wayne State University']
    """
    if not isinstance(name, str) or not name.strip():
        return []
    text = _SPACES.sub(" ", name).strip().strip(",;")
    upper = fold_ascii(text).upper() or text.upper()
    if has_legal_form(text) and not _ACADEMIC.search(upper):
        return []
    m = _DERWENT_UNIV.match(text)
    if m:
        rest = m.group(1).strip()
        return [f"University of {rest}", f"{rest} University"]
    return [text]
