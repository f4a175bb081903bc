"""Affiliation strings matched to ROR organisations, deterministically and with a reason.

The method (``docs/institutions.md`` gives its measured accuracy and its failure classes):

1. **Parts and spans.** The string is split into parts at commas, semicolons, brackets and
   line breaks (:func:`~innometrics.entities.institutions.normalise.segments`); every run of
   up to :data:`MAX_SPAN` consecutive words, inside one part or across one part boundary
   (``University of California, Davis``), is looked up in a dictionary of the registry's
   normalised names (ROR display names, labels in every language, aliases). This finds the
   organisation inside a department-level string without guessing where the department ends.
2. **Acronyms need evidence.** Without a full name, an upper-case word equal to a registry
   acronym counts only when the string also names the organisation's city (``MIT, Cambridge``).
3. **Evidence and conflicts.** Countries named in the string (a part that is, or ends with, a
   country name or code) and the cities of candidate organisations found in the string decide
   between organisations of the same name and veto a candidate from another country; then the
   display name beats a label or alias, active beats inactive, a parent beats its part, then
   the one research funder (ROR type ``funder``) among them; a tie matches nothing. A generic
   name (found inside the names of two or more unrelated organisations: ``University
   Hospital``) needs the city or country, or to be the whole string.
4. **The organisation the string is about.** A hit inside a longer hit is dropped (``University
   of California`` inside ``University of California, Davis``). Of a registered part and the
   organisation it belongs to (ROR ``parent`` links, transitively), the organisation wins by
   default (publishers assert it about three times as often on ``crossref_test``);
   ``prefer_part=True`` keeps the registered part (a lab over its university). Of unrelated
   organisations, the last-named university wins, else the last-named organisation:
   affiliations are written from the unit outwards. A string naming only a registered lab gets
   the lab.
5. **Fuzzy fallback.** Strings without an exact hit are compared with the registry names by
   cosine similarity of TF-IDF character 3-grams (scikit-learn's model, sparse), and the best
   :data:`FUZZY_CANDIDATES` are re-scored with ``rapidfuzz`` (normalised Indel similarity, also
   after sorting words); a candidate must reach :data:`FUZZY_MIN`, keep the part's rare words
   and not conflict with a country in the string.
6. **Current organisation.** A withdrawn organisation (a record ROR retired, usually a
   duplicate) with a successor in the registry is replaced by the successor (``matched_on``
   says so). An *inactive* organisation (one that existed and closed or merged) keeps its own
   id: publishers assert the id of the organisation the author belonged to (on
   ``crossref_test`` the gold is the inactive id on 22 of 25 such rows).

Distinct strings are matched once (results are cached by string), so a corpus of many
affiliation links costs one match per distinct string.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from innometrics.entities.institutions.index import FUZZY_MIN_CHARS, MatcherIndex, load_index
from innometrics.entities.institutions.normalise import ascii_text, segments
from innometrics.entities.institutions.ror import ROR_PREFIX, Registry, load_registry

#: Longest run of words looked up as a name (ROR names rarely exceed it).
MAX_SPAN = 14
#: Lowest rapidfuzz score (0-100) for a fuzzy match.
FUZZY_MIN = 90.0
#: Evidence an acronym needs: 2 = the organisation's city is named in the string.
ACRONYM_EVIDENCE = 2
#: Names compared with rapidfuzz for each part of a string without an exact hit.
FUZZY_CANDIDATES = 20
#: A word in fewer registry names than this is rare: a fuzzy match must keep it.
RARE_WORD_DF = 50
#: Which name of an organisation decides between organisations sharing a name.
KIND_RANK = {"ror_display": 0, "unit of": 0, "label": 1, "alias": 2}


@dataclass(frozen=True)
class Match:
    """The decision for one string: the organisation (or none), its score and the reason."""

    ror_id: str
    name: str
    country: str
    score: float
    matched_on: str


NO_MATCH = Match("", "", "", 0.0, "")


@dataclass
class _Hit:
    org: int
    start: int
    end: int
    kind: str
    evidence: int = 0
    weak: bool = False


class AffiliationMatcher:
    """Match affiliation strings to a :class:`~innometrics.entities.institutions.ror.Registry`.

    Parameters
    ----------
    registry : Registry
        The loaded ROR registry.
    fuzzy : bool
        Use the TF-IDF + rapidfuzz fallback for strings without an exact name (default True).
    """

    def __init__(self, registry: Registry | MatcherIndex, *, fuzzy: bool = True, prefer_part: bool = False,
                 units_to_parent: bool = False):
        self.units_to_parent = units_to_parent
        self.index = registry if isinstance(registry, MatcherIndex) else load_index(registry)
        ix = self.index
        self.ids, self.names, self.country, self.active = ix.ids, ix.names, ix.country, ix.active
        self.current, self.places, self.countries = ix.current, ix.places, ix.countries
        self.owners, self.acronyms, self.place_words = ix.owners, ix.acronyms, ix.place_words
        self.parents, self.generic, self.unit_of = ix.parents, ix.generic, ix.unit_of
        self.fuzzy = fuzzy
        self.prefer_part = prefer_part
        self.cache: dict[str, Match] = {}
        self._anc: dict[int, set[int]] = {}

    # ------------------------------------------------------------------ evidence
    def _string_places(self, segs: list[list[str]]) -> tuple[set[str], set[str]]:
        """Countries (alpha-2) named by a whole part of the string (digits ignored), and every word n-gram."""
        countries: set[str] = set()
        grams: set[str] = set()
        for seg in segs:
            words = [t for t in seg if not t.isdigit()]
            for n in range(1, min(4, len(words)) + 1):
                for i in range(len(words) - n + 1):
                    grams.add(" ".join(words[i:i + n]))
            if words:
                # The part is a country, or ends with one (``Beijing China``, ``Tokyo 113 Japan``).
                for n in (3, 2, 1):
                    if len(words) >= n:
                        tail = " ".join(words[-n:])
                        if tail in self.countries and (n == len(words) or len(words) <= n + 2):
                            countries.add(self.countries[tail])
                            break
        return countries, grams

    def _evidence(self, org: int, countries: set[str], grams: set[str]) -> int:
        """+2 city named, +1 country named, -1 another country named (and not this one)."""
        score = 0
        if self.places[org] & grams:
            score += 2
        if countries:
            score += 1 if self.country[org] in countries else -1
        return score

    # ------------------------------------------------------------------ exact
    def _exact_hits(self, segs: list[list[str]], countries: set[str], grams: set[str]) -> list[_Hit]:
        flat: list[str] = []
        seg_of: list[int] = []
        for k, seg in enumerate(segs):
            flat.extend(seg)
            seg_of.extend([k] * len(seg))
        hits: list[_Hit] = []
        n = len(flat)
        prefixes = self.index.prefixes
        for s in range(n):
            for e in range(s + 1, min(n, s + MAX_SPAN) + 1):
                if seg_of[e - 1] - seg_of[s] > 1:
                    break
                key = " ".join(flat[s:e])
                orgs = self.owners(key)
                if not orgs:
                    if key not in prefixes:
                        break  # no registry name starts with these words
                    continue
                if key in self.place_words and not (s == 0 and e == n):
                    continue
                crossing = seg_of[e - 1] != seg_of[s]
                if crossing and not (s == 0 or seg_of[s - 1] != seg_of[s]):
                    # A span across a part boundary must start at a part's beginning.
                    continue
                if self.units_to_parent and key in self.unit_of:
                    # A school or faculty registered on its own, named as its university plus unit
                    # words: the university is the organisation.
                    orgs = [(self.unit_of[key], "unit of")]
                found = self._resolve(orgs, s, e, countries, grams)
                for h in found:
                    h.weak = key in self.generic
                hits.extend(found)
        return hits

    def _resolve(self, orgs: list[tuple[int, str]], s: int, e: int, countries: set[str],
                 grams: set[str]) -> list[_Hit]:
        """Organisations sharing one name: keep those with the best evidence, if that singles one out."""
        cands = [_Hit(o, s, e, kind, self._evidence(o, countries, grams)) for o, kind in orgs]
        cands = [h for h in cands if h.evidence >= 0]
        if len(cands) <= 1:
            return cands
        best = max(h.evidence for h in cands)
        cands = [h for h in cands if h.evidence == best]
        if len(cands) > 1:
            active = [h for h in cands if self.active[h.org]]
            cands = active or cands
        if len(cands) > 1:
            # The organisation whose display name it is over those for which it is a label or alias.
            rank = min(KIND_RANK.get(h.kind, 3) for h in cands)
            cands = [h for h in cands if KIND_RANK.get(h.kind, 3) == rank]
        if len(cands) > 1:
            # Same name, same evidence: a parent and its part -> the parent is the name's owner.
            ids = {h.org for h in cands}
            tops = [h for h in cands if not (set(self.parents.get(h.org, [])) & ids)]
            cands = tops if len(tops) == 1 else cands
        if len(cands) > 1:
            # Still tied: the one organisation that is also a research funder (ROR type ``funder``,
            # i.e. in the Crossref Funder Registry), a registry-wide sign of a larger organisation
            # that publishes more (``Northwestern University``, Evanston, over its namesakes).
            funders = [h for h in cands if self.index.funder[h.org]]
            cands = funders if len(funders) == 1 else cands
        return cands if len(cands) == 1 else []

    def _acronym_hits(self, text: str, countries: set[str], grams: set[str]) -> list[_Hit]:
        """Upper-case words that are registry acronyms, backed by the organisation's city named in the
        string (``MIT, Cambridge, MA``), for strings without a full name."""
        hits = []
        words = ascii_text(text).replace(",", " ").replace("(", " ").replace(")", " ").replace("/", " ").split()
        for j, word in enumerate(words):
            word = word.strip(".;:-")
            if len(word) < 2 or not word.isupper():
                continue
            cands = [(o, self._evidence(o, countries, grams)) for o in self.acronyms.get(word, [])]
            cands = [(o, ev) for o, ev in cands if ev >= ACRONYM_EVIDENCE]
            if len(cands) > 1:
                best = max(ev for _, ev in cands)
                cands = [c for c in cands if c[1] == best]
            if len(cands) == 1:
                hits.append(_Hit(cands[0][0], 1000 + j, 1001 + j, "acronym", cands[0][1]))
        return hits

    def _ancestors(self, org: int) -> set[int]:
        if org not in self._anc:
            self._anc[org] = self.index.ancestors(org)
        return self._anc[org]

    def _choose(self, hits: list[_Hit], n_tokens: int) -> _Hit | None:
        """The organisation the string is about (rules 4 of the module docstring)."""
        if not hits:
            return None
        # Drop hits inside a longer hit of another organisation.
        kept = [h for h in hits if not any(o.start <= h.start and h.end <= o.end and (o.end - o.start) >
                                           (h.end - h.start) for o in hits)]
        # A generic name counts only with evidence or as the whole string.
        kept = [h for h in kept if h.evidence > 0 or not h.weak or (h.start == 0 and h.end == n_tokens)]
        if not kept:
            return None
        orgs = {h.org for h in kept}
        if len(orgs) > 1:
            if self.prefer_part:
                # A registered part beats the organisation it belongs to.
                pick = [h for h in kept if not any(h.org in self._ancestors(o) for o in orgs if o != h.org)]
            else:
                # The organisation a part belongs to beats the part.
                pick = [h for h in kept if not any(o in self._ancestors(h.org) for o in orgs if o != h.org)]
            kept = pick or kept
        if len({h.org for h in kept}) > 1:
            # Unrelated organisations: the last-named university, else the last-named organisation.
            edu = [h for h in kept if self.index.education[h.org]]
            kept = edu or kept
        kept.sort(key=lambda h: h.start)
        return kept[0] if self.prefer_part else kept[-1]

    # ------------------------------------------------------------------ fuzzy
    def _fuzzy_batch(self, items: list[tuple[str, list[list[str]], set[str], set[str]]]) -> dict[str, Match]:
        """Best fuzzy candidate for each string without an exact hit (rule 5 of the module docstring).

        Candidates: the :data:`FUZZY_CANDIDATES` names of highest TF-IDF cosine for each part of the
        string (and each pair of neighbouring parts). Score: rapidfuzz's ``ratio`` (normalised
        Indel similarity) or ``token_sort_ratio`` (the same after sorting words, for ``Szczecin
        University`` against ``University of Szczecin``), whichever is higher; every rare word of
        the part (in fewer than :data:`RARE_WORD_DF` registry names) must be in the name, up to a
        typo (``ratio`` >= 80), so a near-identical generic frame with another place name fails.
        """
        from rapidfuzz import fuzz

        model = self.index.tfidf
        keys = model.keys
        df = self.index.word_df
        queries: list[tuple[int, str]] = []
        for qi, (_text, segs, _c, _g) in enumerate(items):
            parts = [" ".join(s) for s in segs]
            for k, p in enumerate(parts):
                if len(p) >= FUZZY_MIN_CHARS:
                    queries.append((qi, p))
                if k + 1 < len(parts):
                    queries.append((qi, p + " " + parts[k + 1]))
        out: dict[str, Match] = {}
        if not queries:
            return out
        sims = (model.transform([p for _, p in queries]) @ model.names_t).tocsr()
        best: dict[int, tuple[float, int, int, str, str]] = {}
        for row, (qi, p) in enumerate(queries):
            lo, hi = sims.indptr[row], sims.indptr[row + 1]
            if lo == hi:
                continue
            cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
            if hi - lo > FUZZY_CANDIDATES:
                # Top candidates in linear time; ties broken by name order so runs are identical.
                part = np.argpartition(-vals, FUZZY_CANDIDATES)[:FUZZY_CANDIDATES]
                cols, vals = cols[part], vals[part]
            top = cols[np.lexsort((cols, -vals))]
            _text, _segs, countries, grams = items[qi]
            rare = [w for w in p.split() if df.get(w, 0) < RARE_WORD_DF and not w.isdigit()]
            for c in top:
                key = keys[c]
                r = max(fuzz.ratio(p, key), fuzz.token_sort_ratio(p, key))
                if r < FUZZY_MIN:
                    continue
                words = key.split()
                if not all(any(fuzz.ratio(w, x) >= 80 for x in words) for w in rare):
                    continue
                hits = self._resolve(self.owners(key), 0, 0, countries, grams)
                if not hits:
                    continue
                cand = (r, -row, hits[0].org, key, hits[0].kind)
                if qi not in best or cand[:2] > best[qi][:2]:
                    best[qi] = cand
        for qi, (r, _row, org, key, kind) in best.items():
            out[items[qi][0]] = self._result(org, round(r / 100, 3), f"fuzzy {kind}: {key}")
        return out

    # ------------------------------------------------------------------ API
    def _result(self, org: int, score: float, how: str) -> Match:
        cur = int(self.current[org])
        if cur != org:
            how = f"{how}; successor of {self.ids[org]}"
            org = cur
        return Match(ROR_PREFIX + self.ids[org], self.names[org], self.country[org], score, how)

    def _match_exact(self, text: str) -> tuple[Match | None, tuple]:
        segs = segments(text)
        countries, grams = self._string_places(segs)
        hits = self._exact_hits(segs, countries, grams)
        if not hits:
            hits = self._acronym_hits(text, countries, grams)
        h = self._choose(hits, sum(len(x) for x in segs))
        if h is None:
            return None, (text, segs, countries, grams)
        kind = h.kind.replace("ror_display", "display name")
        ev = {1: " + country", 2: " + city", 3: " + city + country"}.get(h.evidence, "")
        return self._result(h.org, 1.0 if h.kind != "acronym" else 0.9, f"exact {kind}{ev}"), ()

    def match_one(self, text: str) -> Match:
        """The match for one string (cached)."""
        return self.match([text])[0]

    def match(self, strings: Iterable[str]) -> list[Match]:
        """Matches for ``strings`` in order; each distinct string is matched once and cached."""
        strings = ["" if s is None or (isinstance(s, float) and np.isnan(s)) else str(s) for s in strings]
        todo = []
        for s in dict.fromkeys(strings):
            if s in self.cache:
                continue
            if not s.strip():
                self.cache[s] = NO_MATCH
                continue
            m, ctx = self._match_exact(s)
            if m is not None:
                self.cache[s] = m
            else:
                todo.append(ctx)
        if todo and self.fuzzy:
            found = self._fuzzy_batch(todo)
            for ctx in todo:
                self.cache[ctx[0]] = found.get(ctx[0], NO_MATCH)
        else:
            for ctx in todo:
                self.cache[ctx[0]] = NO_MATCH
        return [self.cache[s] for s in strings]


def match_frame(strings: Iterable[str], matcher: AffiliationMatcher) -> pd.DataFrame:
    """The output table: ``affiliation, ror_id, name, country, score, matched_on``, one row per string."""
    strings = list(strings)
    ms = matcher.match(strings)
    return pd.DataFrame({
        "affiliation": strings,
        "ror_id": [m.ror_id for m in ms],
        "name": [m.name for m in ms],
        "country": [m.country for m in ms],
        "score": [m.score for m in ms],
        "matched_on": [m.matched_on for m in ms],
    })


#: One matcher per registry (by SHA-256) in this process, so its results cached by string are
#: reused by every build that names the same registry (a rank build and its views).
_MATCHERS: dict[str, AffiliationMatcher] = {}


def shared_matcher(registry: Registry, *, fuzzy: bool = True) -> AffiliationMatcher:
    """The process-wide :class:`AffiliationMatcher` of ``registry`` (default rules; ``fuzzy=False``
    for exact names only)."""
    key = (registry.sha256 or str(id(registry)), fuzzy)
    if key not in _MATCHERS:
        _MATCHERS[key] = AffiliationMatcher(registry, fuzzy=fuzzy)
    return _MATCHERS[key]


def read_affiliations(path: str | os.PathLike, column: str = "affiliation") -> list[str]:
    """The ``affiliation`` column of a CSV (UTF-8, other columns ignored), one string per row."""
    from innometrics.errors import DataError

    path = os.fspath(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found", file=path, reason="missing_file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=path, reason="not_utf8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"not a readable CSV ({str(exc).strip()})", file=path, reason="bad_csv") from None
    if column not in df.columns:
        raise DataError(f"expected a column '{column}'; found {', '.join(map(str, df.columns)) or 'none'}",
                        file=path, column=column, reason="missing_column")
    return df[column].tolist()


def match_file(strings_csv: str | os.PathLike, registry: str | os.PathLike | Registry,
               out: str | os.PathLike | None = None, *, cache_dir: str | os.PathLike | None = None,
               **kwargs) -> pd.DataFrame:
    """Match the ``affiliation`` column of a CSV; write ``out`` (CSV, atomically) when given."""
    from innometrics.io.writers import write_csv

    strings = read_affiliations(strings_csv)
    reg = registry if isinstance(registry, Registry) else load_registry(registry, cache_dir=cache_dir)
    table = match_frame(strings, AffiliationMatcher(reg, **kwargs))
    if out is not None:
        write_csv(table, out)
    return table
