"""Country names in addresses to ISO 3166-1 alpha-3 codes.

Bibliographic databases write countries in their own spellings: Web of Science uses
``Peoples R China``, ``England``, ``U Arab Emirates``, ``USA`` after a US ZIP code
(``Boston, MA 02115 USA``); Scopus uses ``United States``, ``Russian Federation``,
``Viet Nam``; OpenAlex gives ISO alpha-2 codes. :func:`normalise_country` resolves
them with pycountry's ISO 3166 data (current countries, historic countries, and the
four constituent countries of the United Kingdom, which pycountry lists as
subdivisions of GBR), matching

1. the exact name, official name, common name or alpha-3 code, case- and
   accent-insensitively;
2. WoS abbreviations token by token: every word of the text starts the same word of
   the name (``Papua N Guinea`` -> Papua New Guinea, ``Cent Afr Republ`` -> Central
   African Republic), accepted only when exactly one country matches;

and only then :data:`ALIASES`, a short list of WoS/Scopus spellings that no ISO name
contains (each entry says why).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

#: Spellings that pycountry's ISO 3166 names cannot resolve, and why.
ALIASES: dict[str, str] = {
    "peoples r china": "CHN",  # WoS; ISO name is "China"
    "pr china": "CHN",  # common in raw affiliation strings
    "korea": "KOR",  # WoS/Scopus "Korea" means the Republic of Korea; ISO names both Koreas "Korea, ..."
    "rep congo": "COG",  # WoS; word order differs from "Congo"
    "dem rep congo": "COD",  # WoS; ISO "Congo, The Democratic Republic of the"
    "cote ivoire": "CIV",  # WoS drops the "d'" of Cote d'Ivoire
    "byelarus": "BLR",  # WoS historic transliteration of Belarus
    "turkey": "TUR",  # ISO 3166 renamed the country "Turkiye" (2022); pycountry >= 24 lacks the old name
    "macau": "MAC",  # ISO spells it "Macao"
    "cape verde": "CPV",  # ISO renamed it "Cabo Verde" (2013)
    "swaziland": "SWZ",  # ISO renamed it "Eswatini" (2018)
    "uk": "GBR",  # not an ISO code (GB is)
    "uae": "ARE",  # common abbreviation in Scopus affiliations
    "kosovo": "XKX",  # no ISO code; XKX is the user-assigned code used by the EU, IMF and World Bank
    "bosnia and herceg": "BIH",  # WoS truncation; "Herceg" is not a prefix of "Herzegovina"
    "macedonia": "MKD",  # WoS before 2019; ISO name is "North Macedonia"
    "vatican": "VAT",  # ISO "Holy See (Vatican City State)"
    "fed rep ger": "DEU",  # WoS records before 1991 (West Germany)
    "w germany": "DEU",  # WoS records before 1991 (West Germany)
}

_ST = re.compile(r"\bst\b")


def _fold(text: str) -> str:
    """Lower-case ASCII words: accents removed, punctuation as spaces, '&' as 'and'."""
    text = unicodedata.normalize("NFKD", text)
    # drop accents and modifier letters (the okina of "Hawaiʻi")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Mn", "Lm", "Sk"})
    text = text.lower().replace("&", " and ").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return _ST.sub("saint", text)


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[str, str], list[tuple[tuple[str, ...], str]]]:
    """Folded names -> alpha-3, and the token tuples of every name for prefix matching."""
    exact: dict[str, str] = {}
    tokens: list[tuple[tuple[str, ...], str]] = []

    def add(name: str | None, code: str) -> None:
        if not name:
            return
        folded = _fold(name)
        exact.setdefault(folded, code)
        tokens.append((tuple(folded.split()), code))
        # "Korea, Republic of" is also written "Republic of Korea"
        if ", " in name:
            head, tail = name.split(", ", 1)
            exact.setdefault(_fold(f"{tail} {head}"), code)

    for c in pycountry.countries:
        exact[c.alpha_3.lower()] = c.alpha_3
        for attr in ("name", "official_name", "common_name"):
            add(getattr(c, attr, None), c.alpha_3)
    for c in pycountry.historic_countries:
        if getattr(c, "alpha_3", None):
            add(c.name, c.alpha_3)
    for sub in pycountry.subdivisions.get(country_code="GB"):
        if sub.type in {"Country", "Province"}:  # England, Scotland, Wales, Northern Ireland
            add(sub.name.split(" [")[0], "GBR")
    return exact, tokens


def _prefix_match(folded: str) -> str | None:
    words = folded.split()
    if not words:
        return None
    if len(words) == 1 and len(words[0]) < 5:
        return None  # "San", "Col": too short to abbreviate a country name safely
    hits = {
        code
        for name_words, code in _name_index()[1]
        if len(name_words) >= len(words) and all(n.startswith(w) for w, n in zip(words, name_words))
    }
    return hits.pop() if len(hits) == 1 else None


def _resolve(folded: str) -> str | None:
    if not folded:
        return None
    if folded in ALIASES:
        return ALIASES[folded]
    exact = _name_index()[0]
    if folded in exact:
        return exact[folded]
    return _prefix_match(folded)


#: Old Web of Science records end US addresses with the state and ZIP code, no country.
_US_STATE = re.compile(r"[A-Z]{2}(?: \d{5}(?:-\d{4})?)?")


@lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    return frozenset(s.code[3:] for s in pycountry.subdivisions.get(country_code="US"))


@lru_cache(maxsize=1)
def _us_state_names() -> frozenset[str]:
    return frozenset(_fold(s.name) for s in pycountry.subdivisions.get(country_code="US") if s.type == "State")


def country_from_alpha2(code: str | None) -> str | None:
    """ISO alpha-3 of an ISO alpha-2 code (as OpenAlex writes countries), or None.

    >>> country_from_alpha2("CN")
    'CHN'
    """
    if not code:
        return None
    country = pycountry.countries.get(alpha_2=str(code).strip().upper())
    return country.alpha_3 if country else None


def strip_postal_codes(text: str) -> str:
    """Remove postal codes: words containing a digit (``02115``, ``H-1051``, ``WC1E``).

    >>> strip_postal_codes("MA 02115 USA")
    'MA USA'
    >>> strip_postal_codes("Beijing 100871")
    'Beijing'
    >>> strip_postal_codes("NL-1001 NG Amsterdam")
    'Amsterdam'
    """
    kept: list[str] = []
    after_code = False
    for word in text.split():
        if any(ch.isdigit() for ch in word):
            after_code = True
            continue
        if after_code and re.fullmatch(r"[A-Z]{2}", word) and kept == []:
            continue  # the letters of a Dutch postcode: "NL-1001 NG Amsterdam"
        after_code = False
        kept.append(word)
    return " ".join(kept)


@lru_cache(maxsize=4096)
def normalise_country(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-3 code of a country written in an address, or None.

    Parameters
    ----------
    text : str or None
        A country name (``Peoples R China``, ``United States``, ``England``), the last
        part of an address with a postal code (``MA 02115 USA``), or a whole address
        (its last comma-separated part is used). ISO alpha-2 codes are not accepted
        (``CA`` or ``IN`` in an address are US states; see :func:`country_from_alpha2`),
        except that a bare US state code with or without ZIP (``NY 10027``) is read as
        USA, as old Web of Science records write US addresses without the country;
        so is a US state name that names no country (``California``, not ``Georgia``).

    Returns
    -------
    str or None
        The alpha-3 code, or None when the text names no country.

    Examples
    --------
    >>> normalise_country("Peoples R China"), normalise_country("MA 02115 USA")
    ('CHN', 'USA')
    >>> normalise_country("Scotland"), normalise_country("Russian Federation")
    ('GBR', 'RUS')
    >>> normalise_country("Dept Phys") is None
    True
    >>> normalise_country("COLUMBIA UNIV,GRAD SCH BUSINESS,NEW YORK,NY 10027.")
    'USA'

    """
    if text is None:
        return None
    text = str(text).strip().rstrip(".").strip()
    if not text:
        return None
    if "," in text:
        text = text.rsplit(",", 1)[1].strip()
    if _US_STATE.fullmatch(text) and text[:2] in _us_states():
        return "USA"
    folded = _fold(strip_postal_codes(text))
    found = _resolve(folded)
    if found:
        return found
    if folded in _us_state_names():
        return "USA"  # "Stanford, California": Scopus occasionally omits the country
    words = folded.split()
    # "MA USA", "NSW Australia", "Ontario Canada": try the trailing words alone
    for start in range(1, len(words)):
        found = _resolve(" ".join(words[start:]))
        if found:
            return found
    return None
