"""Text normalisation shared by the registry index and the affiliation strings.

Both sides go through the same steps, so a name matches a string exactly when their
normal forms are equal:

1. HTML entities decoded (``&amp;`` -> ``&``), as publisher metadata carries them;
2. every character transliterated to ASCII with ``anyascii`` (``Universität`` ->
   ``Universitat``, ``北京大学`` -> ``BeiJingDaXue``): a maintained table covering all of
   Unicode, where ``unicodedata`` decomposition only strips accents;
3. lower case; ``&`` -> ``and``; apostrophes dropped (``Women's`` -> ``womens``); any other run
   of non-alphanumerics is one space;
4. token rewrites of abbreviations and spellings that publishers use interchangeably
   (``univ`` -> ``university``, ``centre`` -> ``center``); the article ``the`` dropped.
"""

from __future__ import annotations

import html
import re

from anyascii import anyascii

#: Word-level rewrites applied to names and strings alike (both sides, so never a one-way guess).
TOKEN_REWRITES = {
    "univ": "university", "universty": "university", "universtity": "university", "unversity": "university",
    "inst": "institute", "institut": "institute", "natl": "national", "nat": "national",
    "dept": "department", "hosp": "hospital", "ctr": "center", "cent": "center", "centre": "center",
    "centro": "center", "sci": "science", "sciences": "science", "technol": "technology",
    "tech": "technology", "med": "medical", "coll": "college", "acad": "academy", "res": "research",
    "lab": "laboratory", "labs": "laboratories", "organisation": "organization", "mt": "mount", "the": "",
}

_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
#: Separators between the parts of an affiliation (department, organisation, city, country).
SEGMENT_SPLIT = re.compile(r"[,;\n\r\t|()\[\]/]+|\s[-\u2013\u2014]\s|\s{3,}")


def ascii_text(text: str) -> str:
    """HTML entities decoded, transliterated to ASCII."""
    return anyascii(html.unescape(text))


def tokens(text: str) -> list[str]:
    """Normalised tokens of ``text`` (steps 3-4 above; call on :func:`ascii_text` output)."""
    s = _APOSTROPHES.sub("", text.lower()).replace("&", " and ")
    out = []
    for t in _NON_ALNUM.sub(" ", s).split():
        t = TOKEN_REWRITES.get(t, t)
        if t:
            out.append(t)
    return out


def normalise(text: str) -> str:
    """The normal form of a name or string: tokens joined by one space.

    >>> normalise("The Université de Fribourg &amp; Centre")
    'universite de fribourg and center'
    """
    return " ".join(tokens(ascii_text(text)))


def segments(text: str) -> list[list[str]]:
    """The parts of an affiliation string, each as normalised tokens (empty parts dropped).

    >>> segments("Dept. of Physics, Univ. of Tokyo, Tokyo 113, Japan")
    [['department', 'of', 'physics'], ['university', 'of', 'tokyo'], ['tokyo', '113'], ['japan']]
    """
    out = []
    for part in SEGMENT_SPLIT.split(ascii_text(text)):
        toks = tokens(part)
        if toks:
            out.append(toks)
    return out
