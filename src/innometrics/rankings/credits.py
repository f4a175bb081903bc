"""Load records once and precompute every credit row (the load-time step of counting).

One row of the intermediate ``credits`` table is one (record, contributor,
affiliation) link with the record's credit already split:

``frac``
    Author-level fractional credit (CWTS, Nature Index "Share"): a record of weight
    ``w`` with ``n`` contributors gives contributor ``i`` the credit ``w / n``, split
    equally over its ``k_i`` affiliations, ``w / (n k_i)`` per affiliation row.
    A contributor without affiliation keeps ``w / n`` on the unit ``unknown``.
    A record with addresses but no author-address link (old Web of Science records)
    splits ``w`` equally over its ``m`` addresses, ``w / m`` each.
    A record with neither contributors nor addresses gives ``w`` to ``unknown``.
    So ``sum(frac) = sum(w)`` over any set of records. (When a record has some
    author-address links, its unlinked addresses, if any, take no credit: the
    links say who is where.)
``first``, ``corr``
    First-author and corresponding-author credit: ``w / k`` on each affiliation of the
    first contributor; ``w / (c k)`` on each affiliation of the ``c`` corresponding
    contributors. When the first (or any corresponding) author cannot be linked to an
    address, the credit goes to ``unknown`` through a helper row (``is_helper``), which
    carries no fractional or full credit.

For each base level (institution, city, country) the rows are then aggregated once
into a *pair table*: one row per distinct (record, unit) pair (helper rows apart),
with the summed ``frac``, ``first`` and ``corr`` credits and the record's facts
(``year``, ``weight``, ``citations``, ``top_share``, ``is_international``). Full
counting ``P(u) = sum_r w_r [u appears on r]`` is then ``sum(weight)`` over the pair
rows, and every method, indicator, period and the bootstrap's record-unit matrix is
one scan of one pair table. (Hash aggregation is several times cheaper than
flagging first occurrences with window functions.)

References
----------
Waltman, L. & van Eck, N. J. (2015). Field-normalized citation impact indicators and
the choice of an appropriate counting method. *Journal of Informetrics* 9(4), 872-894.
CWTS Leiden Ranking Open Edition, ``calc_leiden_ranking_open_edition.sql``
(``#pub_author_affiliation``: ``weight = 1 / (n_authors * count(*) over (work, author))``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from innometrics.rankings.engines.base import Engine

UNKNOWN = "unknown"
#: Levels computed at load time; user groupings map one of these.
BASE_LEVELS = ("institution", "city", "country")
#: Proportion defining "top cited" (PP(top 10%)).
TOP_PROPORTION = 0.10


@dataclass
class LoadedRecords:
    """Records loaded into an engine with their precomputed credit rows.

    Attributes
    ----------
    engine : Engine
    pairs : dict of str to ibis.Table
        Per base level, one row per (record, unit, is_helper): ``record_key, unit,
        unit_name, is_helper, frac, first, corr, n_links, year, weight, citations,
        top_share, is_international``.
    facts : ibis.Table
        One row per record: ``record_key, record_id, year, weight, citations,
        top_share, is_international, n_countries, mode``.
    top_proportion : float
    """

    engine: Engine
    pairs: dict[str, ir.Table]
    facts: ir.Table
    top_proportion: float = TOP_PROPORTION
    tables: dict[str, str] = field(default_factory=dict)
    credits: ir.Table | None = None


def load_recordset(
    engine: Engine,
    recordset,
    *,
    weights: pd.Series | None = None,
    top_proportion: float = TOP_PROPORTION,
    levels: tuple[str, ...] = BASE_LEVELS,
) -> LoadedRecords:
    """Upload a :class:`~innometrics.rankings.model.RecordSet` and precompute its credits.

    Parameters
    ----------
    engine : Engine
    recordset : RecordSet
    weights : pandas.Series, optional
        Record weights indexed by ``record_id`` replacing ``records.weight`` (e.g. an
        achievement's significance score read from another column or file).
    top_proportion : float
        The top proportion for PP(top x%) (0.10 = top 10 %).
    levels : tuple of str
        Base levels whose pair tables are built (default all three).
    """
    records = recordset.records.copy()
    if weights is not None:
        records["weight"] = records["record_id"].map(weights).astype("float64")
    records = records[["record_id", "year", "weight", "citations"]]
    contributors = recordset.contributors[["record_id", "position", "is_corresponding"]]
    affiliations = recordset.affiliations[
        ["record_id", "position", "institution", "institution_id", "city", "country"]
    ]
    tag = engine.fresh_name("rs")
    r = engine.upload(f"{tag}_records", _typed(records, {"year": "float64", "citations": "float64"}))
    c = engine.upload(f"{tag}_contributors", contributors)
    a = engine.upload(f"{tag}_affiliations", _typed(affiliations, {"position": "float64"}))
    return load_tables(engine, r, c, a, top_proportion=top_proportion, tag=tag, levels=levels)


def _typed(df: pd.DataFrame, casts: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    for col, dtype in casts.items():
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(dtype)
    return out


def load_tables(
    engine: Engine,
    records: ir.Table,
    contributors: ir.Table,
    affiliations: ir.Table,
    *,
    top_proportion: float = TOP_PROPORTION,
    tag: str | None = None,
    keep_rows: bool = False,
    levels: tuple[str, ...] = BASE_LEVELS,
) -> LoadedRecords:
    """Precompute credits from three engine tables (e.g. Parquet files) and store them.

    ``records`` needs ``record_id, year, weight, citations``; ``contributors`` needs
    ``record_id, position, is_corresponding``; ``affiliations`` needs ``record_id,
    position, institution, institution_id, city, country`` (missing optional columns
    may be NULL). ``keep_rows`` keeps the row-level credit table (one row per link)
    after the pair tables are built; by default it is dropped to save memory.
    ``levels`` limits the pair tables built to the base levels a build needs.
    """
    unknown = [lv for lv in levels if lv not in BASE_LEVELS]
    if unknown:
        raise ValueError(f"unknown base level(s) {unknown}; base levels are {', '.join(BASE_LEVELS)}")
    tag = tag or engine.fresh_name("rs")
    facts_expr = record_facts(records, contributors, affiliations, top_proportion=top_proportion)
    facts = engine.materialise(f"{tag}_facts", facts_expr)
    rows = engine.materialise(f"{tag}_credits", credit_rows(facts, contributors, affiliations))
    tables = {"facts": f"{tag}_facts"}
    pairs = {}
    for level in (lv for lv in BASE_LEVELS if lv in levels):
        pairs[level] = engine.materialise(f"{tag}_pairs_{level}", pair_table(rows, level))
        tables[f"pairs_{level}"] = f"{tag}_pairs_{level}"
    if keep_rows:
        tables["credits"] = f"{tag}_credits"
    else:
        engine.drop(f"{tag}_credits")
        rows = None
    return LoadedRecords(engine=engine, pairs=pairs, facts=facts, top_proportion=top_proportion,
                         tables=tables, credits=rows)


def pair_table(rows: ir.Table, level: str) -> ir.Table:
    """Aggregate credit rows to one row per (record, unit, is_helper) of ``level``.

    The unit's name is the alphabetically first name seen on the record (institution
    names vary between records; :func:`~innometrics.rankings.counting.unit_names`
    picks the most frequent over records).
    """
    t = rows.mutate(unit=rows[level])
    names = {"unit_name": t.institution_name.min()} if level == "institution" else {}
    pairs = t.group_by(["record_key", "unit", "is_helper"]).agg(
        **names,
        frac=t.frac.sum(),
        first=t.first.sum(),
        corr=t.corr.sum(),
        n_links=t.count(),
        year=t.year.arbitrary(),
        weight=t.weight.arbitrary(),
        citations=t.citations.arbitrary(),
        top_share=t.top_share.arbitrary(),
        is_international=t.is_international.arbitrary(),
    )
    if level != "institution":  # a city or country is named by its code
        pairs = pairs.mutate(unit_name=pairs.unit)
    return pairs.select("record_key", "unit", "unit_name", "is_helper", "frac", "first", "corr", "n_links",
                        "year", "weight", "citations", "top_share", "is_international")


def record_facts(
    records: ir.Table, contributors: ir.Table, affiliations: ir.Table, *, top_proportion: float
) -> ir.Table:
    """One row per record: key, year, weight, citations, top share, collaboration, mode.

    ``mode`` is ``authors`` (credit flows through contributors), ``addresses`` (no
    author-address link: credit split over the addresses) or ``none`` (no contributor
    and no address: credit to ``unknown``).
    """
    rec = records.select(
        record_id=records.record_id,
        year=records.year.cast("int64"),
        weight=records.weight.cast("float64").fill_null(1.0),
        citations=records.citations.cast("float64"),
    )
    rec = rec.mutate(record_key=ibis.row_number().over(order_by=rec.record_id))

    authors = contributors.group_by("record_id").agg(
        n_authors=contributors.count(),
        n_corr=contributors.is_corresponding.cast("int64").sum(),
        first_position=contributors.position.cast("int64").min(),
    )
    # A linked position always names a contributor (RecordSet.validate checks it), so
    # "has an author-address link" is a count, with no join. Two or more countries
    # <=> the smallest and largest country codes differ (cheaper than count(DISTINCT)).
    addr = affiliations.group_by("record_id").agg(
        n_addresses=affiliations.count(),
        n_linked=affiliations.position.count(),
        country_min=affiliations.country.min(),
        country_max=affiliations.country.max(),
    )
    f = rec.left_join(authors, "record_id").select(rec, authors.n_authors, authors.n_corr, authors.first_position)
    f = f.left_join(addr, "record_id").select(f, addr.n_addresses, addr.n_linked, addr.country_min, addr.country_max)
    f = f.mutate(
        n_authors=f.n_authors.fill_null(0),
        n_corr=f.n_corr.fill_null(0),
        n_addresses=f.n_addresses.fill_null(0),
        has_linked=f.n_linked.fill_null(0) > 0,
        is_international=(f.country_min != f.country_max).fill_null(False),
    )
    mode = (
        ibis.cases(
            ((f.n_authors > 0) & (f.has_linked | (f.n_addresses == 0)), "authors"),
            (f.n_addresses > 0, "addresses"),
            else_="none",
        )
    )
    f = f.mutate(mode=mode)
    lookup = _top_share_lookup(f, top_proportion)
    f = f.left_join(lookup, (f.year == lookup.t_year) & (f.citations == lookup.t_citations))
    f = f.select(f, top_share=lookup.t_share)
    return f.select(
        "record_key", "record_id", "year", "weight", "citations", "top_share", "is_international",
        "n_authors", "n_corr", "first_position", "n_addresses", "mode",
    )


def _top_share_lookup(f: ir.Table, top_proportion: float) -> ir.Table:
    """Share of each record in the top ``top_proportion`` cited records of its year.

    Fractional assignment of ties at the threshold (Waltman & Schreiber 2013, as in the
    CWTS indicators' ``top_weight_pubs_at_threshold``): among the ``N`` records of a
    year with a citation count, a record with ``c`` citations gets

        clip((p N - N(> c)) / N(= c), 0, 1)

    so records above the threshold get 1, records below get 0, and the ``N(= c)``
    records tied at the threshold share the remaining top positions equally; the sum
    over the year is exactly ``p N``.

    Waltman, L. & Schreiber, M. (2013). On the calculation of percentile-based
    bibliometric indicators. *JASIST* 64(2), 372-379.
    """
    known = f.filter(f.year.notnull() & f.citations.notnull())
    per_value = known.group_by(["year", "citations"]).agg(n_eq=known.count())
    desc = ibis.window(group_by="year", order_by=ibis.desc("citations"), preceding=None, following=0)
    per_value = per_value.mutate(
        n_ge=per_value.n_eq.sum().over(desc),
        n_year=per_value.n_eq.sum().over(ibis.window(group_by="year")),
    )
    share = (
        (top_proportion * per_value.n_year.cast("float64") - (per_value.n_ge - per_value.n_eq).cast("float64"))
        / per_value.n_eq.cast("float64")
    ).clip(lower=0.0, upper=1.0)
    return per_value.select(t_year="year", t_citations="citations", t_share=share)


def credit_rows(facts: ir.Table, contributors: ir.Table, affiliations: ir.Table) -> ir.Table:
    """The credit table (see the module docstring for the formulas)."""
    aff = affiliations.select(
        "record_id",
        position=affiliations.position.cast("int64"),
        institution=ibis.coalesce(affiliations.institution_id.cast("string"), affiliations.institution.cast("string")),
        institution_name=affiliations.institution.cast("string"),
        city=ibis.ifelse(
            affiliations.country.isnull(),
            affiliations.city.cast("string"),
            affiliations.city.cast("string").concat(", ", affiliations.country.cast("string")),
        ),
        country=affiliations.country.cast("string"),
    )
    con = contributors.select(
        "record_id", position=contributors.position.cast("int64"), is_corr=contributors.is_corresponding.cast("boolean")
    )
    fx = facts.select("record_id", "record_key", "weight", "n_authors", "n_corr", "first_position", "n_addresses", "mode",
                      "year", "citations", "top_share", "is_international")
    carried = ("year", "weight", "citations", "top_share", "is_international")

    # Each contributor of an author-mode record with its number k of linked
    # affiliations (0 when it has none) and its record's facts.
    linked = aff.filter(aff.position.notnull())
    k = linked.group_by(["record_id", "position"]).agg(k=linked.count())
    authors_fx = fx.filter(fx.mode == "authors")
    ck = con.left_join(k, ["record_id", "position"]).select(con, k=k.k.fill_null(0))
    ck = ck.join(authors_fx, "record_id")

    # (a) linked contributor-affiliation rows: w / (n k)
    a = linked.join(ck.filter(ck.k > 0), ["record_id", "position"])
    w, kk, n = a.weight, a.k.cast("float64"), a.n_authors.cast("float64")
    rows_a = a.select(
        "record_key", *carried, "position", "institution", "institution_name", "city", "country",
        frac=w / (n * kk),
        first=ibis.ifelse(a.position == a.first_position, w / kk, 0.0),
        corr=ibis.ifelse(a.is_corr & (a.n_corr > 0), w / (a.n_corr.cast("float64") * kk), 0.0),
        role=ibis.literal("author"),
    )

    # (b) contributors without a linked affiliation -> unknown, w / n
    b = ck.filter(ck.k == 0)
    w, n = b.weight, b.n_authors.cast("float64")
    rows_b = b.select(
        "record_key", *carried, "position",
        institution=ibis.null("string"), institution_name=ibis.null("string"),
        city=ibis.null("string"), country=ibis.null("string"),
        frac=w / n,
        first=ibis.ifelse(b.position == b.first_position, w, 0.0),
        corr=ibis.ifelse(b.is_corr & (b.n_corr > 0), w / b.n_corr.cast("float64"), 0.0),
        role=ibis.literal("unlinked_author"),
    )

    # (c) records with addresses but no author-address link: w / m per address
    c = aff.join(fx.filter(fx.mode == "addresses"), "record_id")
    rows_c = c.select(
        "record_key", *carried, "position", "institution", "institution_name", "city", "country",
        frac=c.weight / c.n_addresses.cast("float64"),
        first=ibis.literal(0.0),
        corr=ibis.literal(0.0),
        role=ibis.literal("address"),
    )

    # (d) unknown rows: whole records without contributors and addresses, and helper
    # rows carrying first/corresponding credit that no address can take
    d = fx.filter((fx.mode != "authors") | (fx.n_corr == 0))
    is_none = d.mode == "none"
    rows_d = d.select(
        "record_key", *carried,
        position=ibis.null("int64"),
        institution=ibis.null("string"), institution_name=ibis.null("string"),
        city=ibis.null("string"), country=ibis.null("string"),
        frac=ibis.ifelse(is_none, d.weight, 0.0),
        first=ibis.ifelse(d.mode == "authors", 0.0, d.weight),
        corr=d.weight,
        role=ibis.ifelse(is_none, "no_authors", "helper"),
    )

    rows = rows_a.union(rows_b).union(rows_c).union(rows_d)
    rows = rows.mutate(
        institution=rows.institution.fill_null(UNKNOWN),
        city=rows.city.fill_null(UNKNOWN),
        country=rows.country.fill_null(UNKNOWN),
        is_helper=rows.role == "helper",
    )
    return rows.select(
        "record_key", "year", "weight", "citations", "top_share", "is_international",
        "position", "role", "is_helper", "institution", "institution_name", "city", "country",
        "frac", "first", "corr",
    )
