"""Affiliation rows of a record set resolved to ROR organisations, and roll-up along ROR parents.

:func:`resolve_affiliations` matches each affiliation's address as written (``raw``; the
parsed ``institution`` when there is no raw address) with the
:class:`~innometrics.entities.institutions.matcher.AffiliationMatcher`. A matched row gets the
organisation's ROR id (``https://ror.org/<id>``) as ``institution_id``, its ROR display name as
``institution``, its GeoNames city as ``city``, and its country when the address gave none. An
unmatched row keeps the address parser's normalised name (its unit is that name, flagged
``matched = false`` in rankings).

:func:`rollup_mapping` maps ROR units to their parents (``parent``) or their top ancestors
(``top``), as a ``unit, group, group_name, share`` table for the ranking engine's grouping
mechanism (a unit with several parents splits its fractional credit among them), which
re-aggregates to distinct (record, group) pairs, so a record with authors at an institute and
at its parent counts once for the parent under full counting.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from innometrics.entities.countries import country_from_alpha2, country_names
from innometrics.entities.applicants import applicant_match_texts
from innometrics.entities.institutions.matcher import AffiliationMatcher, shared_matcher
from innometrics.entities.institutions.ror import ROR_PREFIX, Registry, bare_id

ROLLUPS = ("none", "parent", "top")

#: ROR types of the applicants matched to ROR: universities and public research
#: organisations (ROR's ``education``, ``facility``, ``government``, ``healthcare``,
#: ``nonprofit``, ``archive``). Companies keep their harmonised names: ROR holds a
#: fraction of the world's firms, mostly one legal entity of a group, so a company
#: match would split a firm's patents between its ROR entity and its other names.
RESEARCH_TYPES = frozenset({"education", "facility", "government", "healthcare", "nonprofit", "archive"})


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def resolve_affiliations(affiliations: pd.DataFrame, matcher: AffiliationMatcher) -> tuple[pd.DataFrame, dict]:
    """Affiliation rows with matched ones set to their ROR organisation, and the match counts.

    Returns
    -------
    affiliations, counts
        The same rows and columns, in order; ``counts`` has ``links`` (rows with an address or
        institution), ``matched`` (of them, matched), ``share_matched``, ``distinct_strings`` and
        ``distinct_matched``.
    """
    aff = affiliations.copy()
    raw = aff["raw"].astype("string") if "raw" in aff else pd.Series(pd.NA, index=aff.index, dtype="string")
    inst = aff["institution"].astype("string")
    text = raw.where(~_blank(raw), inst).fillna("")
    has_text = text.str.strip() != ""
    matches = matcher.match(text.tolist())
    ror = pd.Series([m.ror_id for m in matches], index=aff.index, dtype="string")
    hit = has_text & (ror != "")
    orgs = matcher.index
    pos = {r: i for i, r in enumerate(orgs.ids)}
    org_pos = [pos[bare_id(r)] for r in ror[hit]]
    reg_city = pd.Series([orgs.city[i] for i in org_pos], index=ror[hit].index, dtype="string")
    reg_country = pd.Series([country_from_alpha2(orgs.country[i]) for i in org_pos], index=ror[hit].index,
                            dtype="string")
    aff.loc[hit, "institution_id"] = ror[hit]
    aff.loc[hit, "institution"] = pd.Series([orgs.names[i] for i in org_pos], index=ror[hit].index, dtype="string")
    aff.loc[hit, "city"] = reg_city.where(~_blank(reg_city), aff.loc[hit, "city"])
    no_country = hit & _blank(aff["country"])
    aff.loc[no_country, "country"] = reg_country[no_country[hit]]
    n_links, n_hit = int(has_text.sum()), int(hit.sum())
    distinct = text[has_text].unique()
    counts = {
        "links": n_links,
        "matched": n_hit,
        "share_matched": round(n_hit / n_links, 6) if n_links else 0.0,
        "distinct_strings": int(len(distinct)),
        "distinct_matched": int(text[hit].nunique()),
        "country_from_registry": int(no_country.sum()),
    }
    return aff, counts


def resolve_applicants(names: pd.Series, countries: pd.Series, registry: Registry, *,
                       types: frozenset[str] = RESEARCH_TYPES) -> tuple[pd.DataFrame, dict]:
    """ROR organisations of patent applicants that are universities or public research organisations.

    Each applicant is looked up under the strings of
    :func:`~innometrics.entities.applicants.applicant_match_texts` (none for a firm; a
    Derwent-style ``UNIV TIANJIN`` as ``University of TIANJIN`` and ``TIANJIN
    University``, kept only when the two forms do not name different organisations),
    with its country as evidence (``..., United States``), by the matcher's exact-name
    rules only: applicant names are legal names, and a near name is more often another
    organisation than a misspelling. A match counts only when the organisation has one
    of ``types`` (default :data:`RESEARCH_TYPES`).

    Parameters
    ----------
    names, countries : pandas.Series
        The applicant names as written and their ISO alpha-3 countries (may be NA), aligned.
    registry : Registry
        The ROR registry (:func:`~innometrics.entities.institutions.ror.load_registry`).

    Returns
    -------
    matches, counts
        ``ror_id`` (``https://ror.org/<id>`` or NA) and ``ror_name`` (the ROR display name)
        per input row, on the input's index; ``counts`` has ``applicants`` (distinct names),
        ``looked_up`` (of them, not firms), ``matched`` (matched to a research organisation)
        and ``share_matched`` (matched / applicants).
    """
    matcher = shared_matcher(registry, fuzzy=False)
    country_name = country_names()
    types_of = dict(zip(registry.orgs["ror_id"], registry.orgs["types"].fillna("")))
    decided: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    looked_up = 0
    for name, country in zip(names, countries):
        key = (name if isinstance(name, str) else "", country if isinstance(country, str) else "")
        if key in decided:
            continue
        texts = applicant_match_texts(key[0])
        looked_up += bool(texts)
        where = f", {country_name.get(key[1], key[1])}" if key[1] else ""
        hits = {m.ror_id: m for m in matcher.match([t + where for t in texts]) if m.ror_id}
        m = next(iter(hits.values())) if len(hits) == 1 else None
        ok = m is not None and bool(set(types_of.get(bare_id(m.ror_id), "").split(";")) & types)
        decided[key] = (m.ror_id, m.name) if ok else (None, None)
    rows = [decided[(n if isinstance(n, str) else "", c if isinstance(c, str) else "")]
            for n, c in zip(names, countries)]
    out = pd.DataFrame({"ror_id": pd.array([r for r, _ in rows], dtype="string"),
                        "ror_name": pd.array([n for _, n in rows], dtype="string")}, index=names.index)
    distinct = {k: v for k, v in decided.items() if k[0].strip()}
    n_hit = sum(1 for v in distinct.values() if v[0])
    counts = {"applicants": len(distinct), "looked_up": looked_up, "matched": n_hit,
              "share_matched": round(n_hit / len(distinct), 6) if distinct else 0.0}
    return out, counts


def rollup_mapping(registry: Registry, affiliations: pd.DataFrame, rollup: str) -> pd.DataFrame:
    """``unit, group, group_name, share`` for every institution unit of ``affiliations`` under ``rollup``.

    A unit is the row's ``institution_id`` (a ROR id after :func:`resolve_affiliations`), else
    its ``institution`` name, as the ranking engine keys the institution level. ``parent`` moves
    a ROR unit to its parents, ``top`` up the parent links to the top ancestors
    (:meth:`Registry.rollup_shares`). ROR lists several parents for about a fifth of its child
    organisations (a joint laboratory of a university and a national research organisation), so
    a unit may have several rows: under full counting each group gets the record once, under
    fractional counting each gets ``share`` of the unit's credit (equal split per parent link),
    so the level's total is kept. ``none``, units without a parent and unmatched units map to
    themselves with share 1. ``group_name`` is the ROR display name, or the unmatched unit's name.
    """
    if rollup not in ROLLUPS:
        raise ValueError(f"rollup must be one of {', '.join(ROLLUPS)}; got {rollup!r}")
    ids = affiliations["institution_id"].astype("string")
    unit = ids.where(~_blank(ids), affiliations["institution"].astype("string"))
    units = sorted(set(unit.dropna()))
    names = dict(zip(registry.orgs["ror_id"], registry.orgs["name"]))
    rows = []
    for u in units:
        rid = bare_id(u) if u.startswith(ROR_PREFIX) else None
        if rid is None or rid not in names:
            rows.append((u, u, u, 1.0))
            continue
        for to, share in registry.rollup_shares(rid, rollup).items():
            rows.append((u, ROR_PREFIX + to, names[to], share))
    return pd.DataFrame(rows, columns=["unit", "group", "group_name", "share"])


def institution_details(registry: Registry, units: Iterable[str]) -> pd.DataFrame:
    """``unit, matched, ror_country, ror_city`` for institution units: registry country (alpha-3) and city."""
    orgs = registry.orgs.set_index("ror_id")
    rows = []
    for unit in units:
        rid = bare_id(unit) if isinstance(unit, str) and unit.startswith(ROR_PREFIX) else None
        if rid is not None and rid in orgs.index:
            o = orgs.loc[rid]
            rows.append({"unit": unit, "matched": True, "ror_country": country_from_alpha2(o["country_code"]),
                         "ror_city": o["city"] or None})
        else:
            rows.append({"unit": unit, "matched": False, "ror_country": None, "ror_city": None})
    return pd.DataFrame(rows, columns=["unit", "matched", "ror_country", "ror_city"])


def registry_relations(registry: Registry) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ROR parent links as the Nature Index view's tables: ``child_id, parent_id`` and ``joint_id, partner_id``.

    An organisation with one parent in the registry is its parent's child; one with several
    parents (a joint laboratory of a university and a national research organisation, as ROR
    records them) is a joint institution of those partners. Ids are ``https://ror.org/<id>``.
    """
    rel = registry.parent_map
    single = [(c, ps[0]) for c, ps in sorted(rel.items()) if len(ps) == 1]
    joint = [(c, p) for c, ps in sorted(rel.items()) if len(ps) > 1 for p in ps]
    relations = pd.DataFrame([(ROR_PREFIX + c, ROR_PREFIX + p) for c, p in single], columns=["child_id", "parent_id"])
    joints = pd.DataFrame([(ROR_PREFIX + c, ROR_PREFIX + p) for c, p in joint], columns=["joint_id", "partner_id"])
    return relations, joints
