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
   Hospital``) needs the city or country, or to be the whole string (with the rules; the learned
   choice weighs it as a feature).
4. **The organisation the string is about.** A hit inside a longer hit is dropped (``University
   of California`` inside ``University of California, Davis``). With ``choice="rules"``: of a
   registered part and the organisation it belongs to (ROR ``parent`` links, transitively), the
   organisation wins (publishers assert it about three times as often on ``crossref_test``);
   ``prefer_part=True`` keeps the registered part (a lab over its university). Of unrelated
   organisations, the last-named university wins, else the last-named organisation:
   affiliations are written from the unit outwards. A string naming only a registered lab gets
   the lab. A generic name without evidence (rule 3) is dropped.

   **4b. Learned choice (default, ``choice="learned"``).** After dropping hits inside a longer
   hit, each organisation still named gets :data:`CHOICE_FEATURES` (name kind, city or
   country named, generic or common-word name, where it stands in the string, ROR type,
   parent/part/related links to the other candidates, ...), and two logistic models whose
   coefficients are shipped as data (``data/institutions/matcher_choice.json``, fitted by
   ``benchmarks/train_matcher_choice.py`` on the even rows of ``crossref_test``) decide: the
   string is matched when some candidate's probability reaches the model's threshold (else the
   fuzzy step), and the candidate of highest rank score is the match. ``matched_on`` says so
   (``learned choice of 3 organisations (p 0.82)``) when several organisations were named.
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

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from innometrics.entities.institutions.index import FUZZY_MIN_CHARS, MatcherIndex, load_index
from innometrics.entities.institutions.normalise import ascii_text, normalise, segments
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
#: ROR organisation types, each a feature of the learned choice.
ORG_TYPES = ("education", "healthcare", "facility", "government", "company", "nonprofit", "archive", "other",
             "funder")
#: Features of one candidate organisation for the learned choice (rule 4b of the module docstring),
#: in the order of the coefficients in ``data/institutions/matcher_choice.json``.
CHOICE_FEATURES = (
    "label", "alias", "acronym", "city_named", "country_named", "overlaps_other_hit",
    "generic_name", "generic_without_evidence", "whole_string", "fills_part", "starts_part", "inactive",
    "withdrawn", "part_of_other", "parent_of_other", "related_to_other", "has_parent", "has_parts",
    "last_named", "first_named", "last_named_university", "only_candidate", "span_words",
    "common_words_only", "common_words_without_evidence", "has_very_rare_word",
    "name_contains_other", "name_inside_other",
    "part_x_facility", "part_x_education", "part_x_healthcare", "related_x_healthcare", "related_x_education",
    *(f"type_{t}" for t in ORG_TYPES),
)


@dataclass(frozen=True)
class ChoiceModel:
    """Two linear models over :data:`CHOICE_FEATURES` of the candidate organisations of one string.

    - *Whether*: ``p = 1 / (1 + exp(-(intercept + sum(coef[f] * x[f]))))``, a logistic model of
      "this candidate is the organisation the string is about", fitted on every candidate; the
      string has an exact match when some candidate reaches ``p >= threshold`` (else it goes to
      the fuzzy step).
    - *Which*: ``sum(rank[f] * x[f])``, a logistic model of "a is the organisation rather than b"
      fitted on the differences ``x(a) - x(b)`` of pairs of candidates of one string; the
      candidate of highest rank score is matched.
    """

    coef: dict[str, float]
    intercept: float
    threshold: float
    rank: dict[str, float]

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.coef[k] * v for k, v in features.items() if v)
        return 1.0 / (1.0 + math.exp(-z))

    def rank_score(self, features: dict[str, float]) -> float:
        return sum(self.rank[k] * v for k, v in features.items() if v)


@lru_cache(maxsize=1)
def choice_model() -> ChoiceModel:
    """The shipped coefficients (``data/institutions/matcher_choice.json``, written by
    ``benchmarks/train_matcher_choice.py``)."""
    path = resources.files("innometrics").joinpath("data", "institutions", "matcher_choice.json")
    spec = json.loads(path.read_text(encoding="utf-8"))
    if not sorted(spec["coef"]) == sorted(spec["rank"]) == sorted(CHOICE_FEATURES):
        raise ValueError(f"{path}: its features are not the matcher's CHOICE_FEATURES (retrain it)")
    return ChoiceModel({k: float(v) for k, v in spec["coef"].items()}, float(spec["intercept"]),
                       float(spec["threshold"]), {k: float(v) for k, v in spec["rank"].items()})


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
    prefer_part : bool
        Of a registered part and its organisation, the part (rules only; default False).
    choice : str
        ``"learned"`` (default): the organisation among those a string names is chosen by the
        shipped logistic model (rule 4b); ``"rules"``: by the fixed rules of rule 4.
    min_probability : float
        With the learned choice, leave a string unmatched (and out of the fuzzy step) when the
        chosen organisation's probability is below this (default 0: the model's own threshold
        alone). Raising it trades recall for precision; on the held-out half of
        ``crossref_test``, 0.7 gives precision 0.930 at recall 0.824 (docs/institutions.md).
    """

    def __init__(self, registry: Registry | MatcherIndex, *, fuzzy: bool = True, prefer_part: bool = False,
                 units_to_parent: bool = False, choice: str = "learned", min_probability: float = 0.0):
        if choice not in ("learned", "rules"):
            raise ValueError(f"choice must be 'learned' or 'rules', not {choice!r}")
        if not 0.0 <= min_probability <= 1.0:
            raise ValueError(f"min_probability must be between 0 and 1, not {min_probability}")
        if min_probability and (choice == "rules" or prefer_part):
            raise ValueError("min_probability needs the learned choice (the rules give no probability)")
        self.min_probability = float(min_probability)
        # prefer_part is a rule of its own: the learned model was fitted to the organisation publishers chose.
        self.choice = "rules" if prefer_part else choice
        self.model = choice_model() if self.choice == "learned" else None
        self._norm_name: dict[int, str] = {}
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

    def candidate_features(self, hits: list[_Hit], segs: list[list[str]]) -> list[tuple[_Hit, dict[str, float]]]:
        """Each organisation among ``hits`` (its longest hit; hits inside a longer hit dropped) with its
        :data:`CHOICE_FEATURES` (rule 4b of the module docstring): booleans (as 0/1) and
        ``span_words``, the hit's length in words / 10 (at most 1)."""
        if not hits:
            return []
        n = sum(len(x) for x in segs)
        words = [w for seg in segs for w in seg]
        starts, ends, at = set(), set(), 0
        for seg in segs:
            starts.add(at)
            at += len(seg)
            ends.add(at)
        by_org: dict[int, list[tuple[_Hit, bool]]] = {}
        for h in hits:
            if len(hits) > 1 and any(o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start)
                                     for o in hits):
                continue  # inside a longer name (University of California in University of California, Davis)
            # A name overlapping another across its edge (Centre College in ... Health Science Center
            # College of Pharmacy) is often two names run together.
            overlap = len(hits) > 1 and any(o.org != h.org and o.start < h.end and h.start < o.end
                                            and not (o.start <= h.start and h.end <= o.end)
                                            and not (h.start <= o.start and o.end <= h.end) for o in hits)
            by_org.setdefault(h.org, []).append((h, overlap))
        orgs = list(by_org)
        ancestors = {o: self._ancestors(o) for o in orgs}
        last_start = {o: max(h.start for h, _ in by_org[o]) for o in orgs}
        order = sorted(orgs, key=lambda o: (last_start[o], o))
        universities = [o for o in order if self.index.education[o]]
        df = self.index.word_df
        out = []
        for o in orgs:
            hs = by_org[o]
            h = max(hs, key=lambda t: (t[0].end - t[0].start, -KIND_RANK.get(t[0].kind, 3)))[0]
            others = [x for x in orgs if x != o]
            types = self.index.types[o]
            is_part = any(x in ancestors[o] for x in others)
            related = any(x in self.index.related.get(o, ()) for x in others)
            span = [] if h.kind == "acronym" else words[h.start:h.end]
            rarest = min((df.get(w, 0) for w in span), default=0)
            name = f" {self._normalised_name(o)} " if others else ""
            other_names = [f" {self._normalised_name(x)} " for x in others]
            f = {
                "label": h.kind == "label", "alias": h.kind == "alias", "acronym": h.kind == "acronym",
                "city_named": h.evidence >= 2, "country_named": h.evidence % 2 == 1,
                "overlaps_other_hit": all(t[1] for t in hs),
                "generic_name": all(t[0].weak for t in hs),
                "generic_without_evidence": all(t[0].weak for t in hs) and h.evidence <= 0
                and not (h.start == 0 and h.end == n),
                "whole_string": h.start == 0 and h.end == n,
                "fills_part": h.start in starts and h.end in ends, "starts_part": h.start in starts,
                "inactive": not self.active[o], "withdrawn": int(self.current[o]) != o,
                "part_of_other": is_part, "parent_of_other": any(o in ancestors[x] for x in others),
                "related_to_other": related,
                "has_parent": bool(self.parents.get(o)), "has_parts": bool(self.index.has_parts[o]),
                "last_named": order[-1] == o, "first_named": len(order) > 1 and order[0] == o,
                "last_named_university": bool(universities) and universities[-1] == o,
                "only_candidate": len(orgs) == 1, "span_words": min(h.end - h.start, 10) / 10,
                "common_words_only": rarest >= RARE_WORD_DF,
                "common_words_without_evidence": rarest >= RARE_WORD_DF and h.evidence <= 0,
                "has_very_rare_word": rarest < 5,
                "name_contains_other": any(x in name for x in other_names),
                "name_inside_other": any(name in x for x in other_names),
                "part_x_facility": is_part and "facility" in types,
                "part_x_education": is_part and "education" in types,
                "part_x_healthcare": is_part and "healthcare" in types,
                "related_x_healthcare": related and "healthcare" in types,
                "related_x_education": related and "education" in types,
            }
            for t in ORG_TYPES:
                f[f"type_{t}"] = t in types
            out.append((h, f))
        return out

    def _normalised_name(self, org: int) -> str:
        if org not in self._norm_name:
            self._norm_name[org] = normalise(self.names[org])
        return self._norm_name[org]

    def _choose_learned(self, hits: list[_Hit], segs: list[list[str]]) -> tuple[_Hit | None, float, int]:
        """The candidate of highest rank score under :func:`choice_model` (ties: the later-named,
        then the registry order), its probability and the number of candidates; no hit when no
        candidate's probability reaches the model's threshold."""
        cands = self.candidate_features(hits, segs)
        if not cands:
            return None, 0.0, 0
        probs = [self.model.probability(f) for _, f in cands]
        if max(probs) < self.model.threshold:
            return None, max(probs), len(cands)
        if len(cands) == 1:
            return cands[0][0], probs[0], 1
        best = max(range(len(cands)), key=lambda j: (self.model.rank_score(cands[j][1]), cands[j][0].start,
                                                      -cands[j][0].org))
        return cands[best][0], probs[best], len(cands)

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
        note = ""
        if self.choice == "learned":
            h, p, k = self._choose_learned(hits, segs)
            if h is not None and p < self.min_probability:
                return NO_MATCH, ()  # named, but not surely enough: no fuzzy guess either
            if k > 1:
                note = f"; learned choice of {k} organisations (p {p:.2f})"
        else:
            h = self._choose(hits, sum(len(x) for x in segs))
        if h is None:
            return None, (text, segs, countries, grams)
        kind = h.kind.replace("ror_display", "display name")
        ev = {1: " + country", 2: " + city", 3: " + city + country"}.get(h.evidence, "")
        return self._result(h.org, 1.0 if h.kind != "acronym" else 0.9, f"exact {kind}{ev}{note}"), ()

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
