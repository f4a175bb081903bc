"""The matcher's lookup structures, built once from a registry and cached beside its tables.

Building them normalises every registry name (about 150,000 in the full dump) and fits a
TF-IDF model, which takes seconds; matching a batch of strings takes less. So the structures
are pickled into the registry's cache folder (``matcher-index.pkl``, keyed like the Parquet
tables by the dump's SHA-256 and :data:`INDEX_FORMAT`) and later runs load them in a fraction
of a second. The pickle is only ever read from the cache folder this module wrote.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pycountry

from innometrics.entities.countries import country_vocabulary
from innometrics.entities.institutions.normalise import ascii_text, normalise
from innometrics.entities.institutions.ror import Registry

#: Bumped whenever the index changes shape or meaning.
INDEX_FORMAT = 14
#: Names shorter than this (characters, normalised) are matched exactly only: fuzzy would be noise.
FUZZY_MIN_CHARS = 10
#: An organisation name found inside the names of at least this many unrelated organisations is
#: generic (``Department of Biological Sciences``, ``University Hospital``).
GENERIC_CONTAINERS = 2
#: Words of a unit inside a larger organisation; a registered name that is a known
#: organisation's name plus only such words (``Yale School of Medicine``) is a unit of it.
UNIT_WORDS = frozenset(
    "school faculty college department division medicine medical center health science sciences "
    "graduate hospital hospitals clinic clinical campus institute research of and for at in the "
    "system healthcare dental dentistry nursing pharmacy law business engineering public".split())

def country_names() -> dict[str, str]:
    """Normalised country name or alpha-3 code -> ISO alpha-2: the package's one country
    vocabulary (:func:`innometrics.entities.countries.country_vocabulary`), normalised as
    the matcher normalises strings, and the alpha-3 codes."""
    alpha_2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    alpha_2["XKX"] = "XK"  # Kosovo: the user-assigned codes the EU and the World Bank use
    out: dict[str, str] = {}
    for name, code in sorted(country_vocabulary().items()):
        key = normalise(name)
        if key and code in alpha_2:
            out.setdefault(key, alpha_2[code])
    for alpha_3, code in alpha_2.items():  # alpha-3 codes, as the resolver reads a code ("..., DEU")
        out.setdefault(alpha_3.lower(), code)
    return out


KINDS = ("ror_display", "label", "alias")


@dataclass
class MatcherIndex:
    """Arrays per organisation (by position) and dictionaries from normalised names to positions."""

    ids: np.ndarray
    names: np.ndarray
    country: np.ndarray
    #: GeoNames city name of the first location ("" when none).
    city: np.ndarray
    active: np.ndarray
    education: np.ndarray
    #: ROR type ``funder`` (the organisation is also in the Crossref Funder Registry).
    funder: np.ndarray
    #: Every ROR type of the organisation (``education``, ``healthcare``, ``facility`` ...).
    types: list[frozenset]
    #: The organisation is the parent of at least one other in the registry.
    has_parts: np.ndarray
    current: np.ndarray
    places: list[frozenset]
    #: Normalised name -> organisation position * 4 + name kind code, for names of one organisation
    #: (ints pickle and load several times faster than lists of tuples).
    name_codes: dict[str, int]
    #: Normalised name -> [(organisation position, name kind)] for names shared by organisations.
    name_multi: dict[str, list[tuple[int, str]]]
    acronyms: dict[str, list[int]]
    countries: dict[str, str]
    place_words: set[str]
    parents: dict[int, list[int]]
    related: dict[int, set[int]]
    generic: set[str]
    unit_of: dict[str, int]
    word_df: dict[str, int] = field(default_factory=dict)
    #: Every proper word-prefix of a name ("university of" for "university of tokyo").
    prefixes: set[str] = field(default_factory=set)
    tfidf: TrigramTfidf | None = None
    sha256: str = ""

    def owners(self, key: str) -> list[tuple[int, str]] | None:
        """The organisations having the normalised name ``key``, with the name's kind; None if none."""
        code = self.name_codes.get(key)
        if code is not None:
            return [(code >> 2, KINDS[code & 3])]
        return self.name_multi.get(key)

    def ancestors(self, org: int) -> set[int]:
        """Every organisation above ``org`` along parent links."""
        out: set[int] = set()
        todo = list(self.parents.get(org, []))
        while todo:
            p = todo.pop()
            if p not in out:
                out.add(p)
                todo.extend(self.parents.get(p, []))
        return out


def _spans(words: list[str]):
    n = len(words)
    for s in range(n):
        for e in range(s + 1, n + 1):
            if e - s < n:
                yield s, e


def build_index(registry: Registry) -> MatcherIndex:
    """Build the lookup structures (see :class:`MatcherIndex`) from a loaded registry."""
    orgs = registry.orgs
    ids = orgs["ror_id"].astype(str).to_numpy()
    pos = {rid: i for i, rid in enumerate(ids)}
    places: list[set[str]] = [set() for _ in ids]
    for rid, city in zip(registry.locations["ror_id"], registry.locations["city"].fillna("")):
        if city:
            places[pos[rid]].add(normalise(city))
    name_index: dict[str, list[tuple[int, str]]] = {}
    acronyms: dict[str, list[int]] = {}
    for rid, name, kind in zip(registry.names["ror_id"], registry.names["name"], registry.names["name_type"]):
        i = pos[rid]
        if kind == "acronym":
            a = ascii_text(name).strip()
            if len(a) >= 2 and i not in acronyms.get(a, []):
                acronyms.setdefault(a, []).append(i)
            continue
        key = normalise(name)
        if key:
            lst = name_index.setdefault(key, [])
            if all(o != i for o, _ in lst):
                lst.append((i, kind))
    countries = country_names()
    place_words = set(countries)
    for p in places:
        place_words |= p
    parents = {pos[k]: [pos[p] for p in v] for k, v in registry.parent_map.items()}
    related: dict[int, set[int]] = {}
    for k, v in registry.related_map.items():
        for r in v:
            related.setdefault(pos[k], set()).add(pos[r])
            related.setdefault(pos[r], set()).add(pos[k])
    index = MatcherIndex(
        ids=ids, names=orgs["name"].astype(str).to_numpy(),
        country=orgs["country_code"].fillna("").astype(str).to_numpy(),
        city=orgs["city"].fillna("").astype(str).to_numpy(),
        active=(orgs["status"] == "active").to_numpy(),
        education=orgs["types"].fillna("").str.contains("education").to_numpy(),
        funder=orgs["types"].fillna("").str.contains("funder").to_numpy(),
        types=[frozenset(t.split(";")) if t else frozenset() for t in orgs["types"].fillna("")],
        has_parts=np.isin(np.arange(len(ids)), [p for ps in parents.values() for p in ps]),
        current=np.array([pos[registry.current(r)] if status == "withdrawn" else i
                          for i, (r, status) in enumerate(zip(ids, orgs["status"]))]),
        places=[frozenset(p) for p in places], name_codes={}, name_multi={}, acronyms=acronyms,
        countries=countries, place_words=place_words, parents=parents, related=related,
        generic=set(), unit_of={}, sha256=registry.sha256,
    )
    for key in name_index:
        words = key.split()
        for w in set(words):
            index.word_df[w] = index.word_df.get(w, 0) + 1
        for i in range(1, len(words)):
            index.prefixes.add(" ".join(words[:i]))
    _mark_generic_and_units(index, name_index)
    index.tfidf = _fit_tfidf(name_index)
    for key, owners in name_index.items():
        if len(owners) == 1:
            index.name_codes[key] = owners[0][0] * 4 + KINDS.index(owners[0][1])
        else:
            index.name_multi[key] = owners
    return index


def _mark_generic_and_units(index: MatcherIndex, name_index: dict[str, list[tuple[int, str]]]) -> None:
    """Find generic names and unit names from the registry itself (no labelled data).

    - A name is *generic* when it occurs inside the names of at least :data:`GENERIC_CONTAINERS`
      organisations that are neither its owner, below it, nor related to it: ``University
      Hospital`` is inside dozens of hospital names; ``Chinese Academy of Sciences`` is inside
      names of its own institutes only, so it stays specific.
    - A name is a *unit* of organisation U when it is U's name plus only :data:`UNIT_WORDS`
      (``Johns Hopkins University School of Medicine``); the matcher credits U, as the
      organisation the unit belongs to.
    """
    containers: dict[str, set[int]] = {}
    for key, owners in name_index.items():
        words = key.split()
        if len(words) > 16:
            continue
        owner_set = {o for o, _ in owners}
        for s, e in _spans(words):
            sub = " ".join(words[s:e])
            inner = name_index.get(sub)
            if inner is None:
                continue
            containers.setdefault(sub, set()).update(owner_set)
            rest = words[:s] + words[e:]
            if len(inner) == 1 and all(w in UNIT_WORDS for w in rest) and len(owners) == 1:
                u = inner[0][0]
                o = owners[0][0]
                if o != u and index.education[u]:
                    index.unit_of[key] = u
    for sub, cont in containers.items():
        owners = {o for o, _ in name_index[sub]}
        family: set[int] = set(owners)
        for o in owners:
            family |= index.related.get(o, set())
        unrelated = [c for c in cont if c not in family and not (index.ancestors(c) & owners)
                     and not (index.related.get(c, set()) & owners)]
        if len(unrelated) >= GENERIC_CONTAINERS:
            index.generic.add(sub)


@dataclass
class TrigramTfidf:
    """A fitted TF-IDF model of character 3-grams within words (scikit-learn's ``char_wb``).

    Fitted once with scikit-learn's ``TfidfVectorizer`` when the index is built; matching then
    uses :meth:`transform`, which computes what ``TfidfVectorizer.transform`` computes
    (``char_wb`` trigrams of each word padded with spaces, raw counts times the fitted IDF,
    L2-normalised rows) with numpy and scipy alone, because importing scikit-learn takes about
    2 s of CPU, more than matching thousands of strings (a test checks both agree).
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    names_t: object  # scipy.sparse.csr_matrix, terms x names
    keys: list[str]

    def transform(self, texts: list[str]):
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        voc = self.vocabulary
        for text in texts:
            counts: dict[int, int] = {}
            for w in text.split():
                w = f" {w} "
                for i in range(len(w) - 2):
                    j = voc.get(w[i:i + 3])
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
            cols = sorted(counts)
            vals = np.array([counts[c] for c in cols], dtype=np.float64) * self.idf[cols] if cols else np.zeros(0)
            norm = float(np.sqrt((vals ** 2).sum())) if cols else 0.0
            indices.extend(cols)
            data.extend((vals / norm).tolist() if norm else vals.tolist())
            indptr.append(len(indices))
        return csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32),
                           np.array(indptr, dtype=np.int64)), shape=(len(texts), len(self.idf)))


def fit_tfidf(keys: list[str], max_df: float = 0.01) -> tuple[TrigramTfidf, object]:
    """Fit scikit-learn's TF-IDF of character 3-grams on ``keys``; returns the model and the vectoriser."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Trigrams in more than 1 % of names ("uni", "ver") find nothing specific; dropping them keeps
    # the sparse product small.
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), max_df=max_df, dtype=np.float32)
    mat = vec.fit_transform(keys)
    model = TrigramTfidf({str(k): int(v) for k, v in vec.vocabulary_.items()}, vec.idf_.astype(np.float64),
                         mat.T.tocsr(), keys)
    return model, vec


def _fit_tfidf(name_index: dict[str, list]) -> TrigramTfidf:
    """The fuzzy model over the names long enough for fuzzy matching."""
    return fit_tfidf([k for k in name_index if len(k) >= FUZZY_MIN_CHARS])[0]


def load_index(registry: Registry) -> MatcherIndex:
    """The :class:`MatcherIndex` of ``registry``, from its cache folder when built for the same dump."""
    folder = Path(registry.cache_path) if registry.cache_path else None
    path = folder / "matcher-index.pkl" if folder is not None else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                fmt, sha, index = pickle.load(fh)
            if fmt == INDEX_FORMAT and sha == registry.sha256:
                return index
        except Exception:  # noqa: BLE001 - a broken cache is rebuilt, never trusted
            pass
    index = build_index(registry)
    if path is not None and folder.is_dir():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".matcher-index.", dir=folder)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((INDEX_FORMAT, registry.sha256, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    return index
