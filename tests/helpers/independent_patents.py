"""Independent plain-Python inventor-country counts of Espacenet CSV exports.

Written from the export's documentation (tests/data/patents and the shared README), not
from innometrics' reader: the standard library's csv module, the decoding recipe of the
sample README, a regular expression for ``NAME [CC]`` and pycountry for the codes.

Rules (OECD fractional counting by inventor country, per application):

* a row listing neither inventor nor applicant is not counted;
* an inventor named twice on one row is one inventor;
* each of the ``n`` inventors of a row gives ``1 / n`` to their country (``unknown``
  when the name carries no ``[CC]`` or the code is not an ISO country);
* a row with applicants but no inventor gives 1 to ``unknown``;
* full counting: 1 to each distinct country of the row's inventors.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

import pycountry

CC = re.compile(r"\[([A-Za-z]{2})\]\s*$")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("mac_roman").encode("cp1252").decode("utf-8")
    except UnicodeError:
        return raw.decode("utf-8")


def _alpha3(code: str) -> str:
    c = pycountry.countries.get(alpha_2=code.upper())
    return c.alpha_3 if c else "unknown"


def inventor_country_counts(folder: Path) -> tuple[dict[str, float], dict[str, float], int]:
    """(fractional, full, rows counted) over every ``*.csv`` export in ``folder``."""
    frac: dict[str, float] = defaultdict(float)
    full: dict[str, float] = defaultdict(float)
    counted = 0
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(_decode(path.read_bytes()), newline="")))
        for row in rows:
            inventors = [p.strip() for p in (row["Inventor(s)"] or "").split(";") if p.strip()]
            applicants = [p.strip() for p in (row["Applicant(s)"] or "").split(";") if p.strip()]
            if not inventors and not applicants:
                continue
            counted += 1
            people: dict[str, str] = {}
            for p in inventors:
                m = CC.search(p)
                name = CC.sub("", p).replace("\u2002", " ").strip().upper()
                people.setdefault(name, _alpha3(m.group(1)) if m else "unknown")
            if not people:
                frac["unknown"] += 1.0
                full["unknown"] += 1.0
                continue
            for country in people.values():
                frac[country] += 1.0 / len(people)
            for country in set(people.values()):
                full[country] += 1.0
    return dict(frac), dict(full), counted
