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

Load cost. Loading computes nothing; the Parquet inputs of :func:`load_tables` are
scanned in place, not copied. The record facts are stored on first use, and each
level's pair table on first use (:class:`PairTables`) in one query that joins the
linked affiliations to the contributors' per-affiliation credits, sums the links
per (record, unit) and only then joins the record facts to the (much shorter)
result. A build pays for the levels it ranks. With several levels the credit
rows are computed once for all of them: the distinct places of the affiliations
(institution, name, city, country) are numbered (:func:`unit_dictionary`, a short
table), the credit rows are summed once per (record, place number) over integer
keys (:func:`location_sums`; the one join of the affiliations to the
contributors' credits, and the one long aggregation), and each level's pair table
sums those much shorter rows by the level's unit number and only then joins the
unit names and record facts (:func:`level_pairs`). At 10M authorship rows a
DuckDB profile of the former per-level path spent about 40 % in the (record, unit)
aggregation over string keys and most of the rest in the per-level joins of the
affiliations to the contributors. A one-off fractional count needs
none of this: :func:`linked_fractional_sums` computes it in one query over the
inputs, with a check that the full rules add nothing (see
:func:`~innometrics.rankings.counting.unit_counts`).

References
----------
Waltman, L. & van Eck, N. J. (2015). Field-normalized citation impact indicators and
the choice of an appropriate counting method. *Journal of Informetrics* 9(4), 872-894.
CWTS Leiden Ranking Open Edition, ``calc_leiden_ranking_open_edition.sql``
(``#pub_author_affiliation``: ``weight = 1 / (n_authors * count(*) over (work, author))``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


class PairTables(Mapping):
    """The pair tables of a load, one per base level, each built on first use.

    Behaves as a read-only ``dict`` of level name to Ibis table. A level's pair
    table is computed and stored (:meth:`Engine.materialise`) the first time it is
    looked up, straight from the credit-row expression over the loaded inputs, so a
    build asking for one level pays for that level only, and no row-level credit
    table is ever stored (unless the load kept it).
    """

    def __init__(self, build, levels: tuple[str, ...]):
        self._build = build
        self._levels = tuple(levels)
        self._tables: dict[str, ir.Table] = {}

    def __getitem__(self, level: str) -> ir.Table:
        if level not in self._levels:
            raise KeyError(level)
        if level not in self._tables:
            self._tables[level] = self._build(level)
        return self._tables[level]

    def __contains__(self, level) -> bool:  # without building the table
        return level in self._levels

    def __iter__(self):
        return iter(self._levels)

    def __len__(self) -> int:
        return len(self._levels)

    def built(self) -> tuple[str, ...]:
        """The levels whose pair table has been computed so far."""
        return tuple(lv for lv in self._levels if lv in self._tables)

    def __repr__(self) -> str:
        return f"PairTables(levels={self._levels}, built={self.built()})"


#: The order a pair table is stored in (where the engine keeps one): the drill-down
#: (:func:`~innometrics.rankings.counting.record_unit_credits`) reads its rows in this
#: order instead of sorting every pair row.
PAIR_ORDER = ("record_key", "unit", "is_helper")
#: The order a level's per (unit, year) sums are stored in, for the yearly counts.
UNIT_YEAR_ORDER = ("unit", "year")


@dataclass
class LoadedRecords:
    """Records loaded into an engine, with their credits computed on demand.

    Attributes
    ----------
    engine : Engine
    pairs : mapping of str to ibis.Table
        Per base level, one row per (record, unit, is_helper): ``record_key, unit,
        unit_name, is_helper, frac, first, corr, n_links, year, weight, citations,
        top_share, is_international``, stored in :data:`PAIR_ORDER` where the engine
        keeps storage order (DuckDB). A :class:`PairTables` builds each level's table
        on first use.
    unit_years : mapping of str to ibis.Table
        Per base level, the pair table summed per (unit, year) (:func:`unit_year_sums`),
        stored with the pair table (in :data:`UNIT_YEAR_ORDER` where the engine keeps
        storage order); the per-unit counts of any period are sums of its
        rows (:func:`~innometrics.rankings.counting.count_units`). Empty when the
        records were loaded without it.
    facts : ibis.Table
        One row per record: ``record_key, record_id, year, weight, citations,
        top_share, is_international, n_authors, n_corr, first_position, n_addresses,
        mode``; computed and stored on first use.
    inputs : tuple of ibis.Table
        The ``records, contributors, affiliations`` tables as loaded (e.g. Parquet
        files, scanned in place), read by queries that need no stored table
        (:func:`~innometrics.rankings.counting.unit_counts`).
    top_proportion : float
    """

    engine: Engine
    pairs: Mapping[str, ir.Table]
    inputs: tuple[ir.Table, ir.Table, ir.Table]
    top_proportion: float = TOP_PROPORTION
    tables: dict[str, str] = field(default_factory=dict)
    credits: ir.Table | None = None
    unit_years: Mapping[str, ir.Table] = field(default_factory=dict)
    facts_builder: Callable[[], ir.Table] | None = field(default=None, repr=False)
    _facts: ir.Table | None = field(default=None, repr=False)

    @property
    def facts(self) -> ir.Table:
        if self._facts is None:
            self._facts = self.facts_builder()
        return self._facts

    def facts_built(self) -> bool:
        """Whether the record facts have been computed and stored."""
        return self._facts is not None


def load_recordset(
    engine: Engine,
    recordset,
    *,
    weights: pd.Series | None = None,
    top_proportion: float = TOP_PROPORTION,
    levels: tuple[str, ...] = BASE_LEVELS,
) -> LoadedRecords:
    """Upload a :class:`~innometrics.records.model.RecordSet` and precompute its credits.

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
        Base levels whose pair tables can be used (default all three); each is built
        on first use.
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
    eager: bool = False,
) -> LoadedRecords:
    """Load records from three engine tables (e.g. Parquet files); credits are computed on demand.

    ``records`` needs ``record_id, year, weight, citations``; ``contributors`` needs
    ``record_id, position, is_corresponding``; ``affiliations`` needs ``record_id,
    position, institution, institution_id, city, country`` (missing optional columns
    may be NULL). Inputs stay where they are (a Parquet file is scanned, not copied).

    Nothing is computed at load time: the record facts are stored on first use, and
    the pair table of each of ``levels`` on first use (``eager=True`` builds the
    facts, every pair table and its per (unit, year) sums now,
    :func:`unit_year_sums`), each in one query from the inputs and the
    facts (with several levels, a numbered dictionary of the places and the credit
    rows summed once per record and place, :func:`location_sums`, are stored once and
    shared by every level's pair table). A one-off fractional
    count (:func:`~innometrics.rankings.counting.unit_counts`) needs neither and
    reads the inputs directly. ``keep_rows`` also stores the row-level credit table
    (one row per link; :func:`credit_rows`) and builds the pair tables from it.

    The inputs must be consistent as :meth:`RecordSet.validate
    <innometrics.records.model.RecordSet.validate>` checks (unique record ids and
    (record, position) contributors; every linked affiliation names a contributor);
    the readers guarantee it.
    """
    unknown = [lv for lv in levels if lv not in BASE_LEVELS]
    if unknown:
        raise ValueError(f"unknown base level(s) {unknown}; base levels are {', '.join(BASE_LEVELS)}")
    tag = tag or engine.fresh_name("rs")
    tables: dict[str, str] = {}
    shared: dict[str, ir.Table] = {}

    def build_facts() -> ir.Table:
        expr = record_facts(records, contributors, affiliations, top_proportion=top_proportion)
        tables["facts"] = f"{tag}_facts"
        return engine.materialise(f"{tag}_facts", expr)

    def build(level: str) -> ir.Table:
        facts = loaded.facts
        if loaded.credits is not None:
            table = engine.materialise(f"{tag}_pairs_{level}", pair_table(loaded.credits, level, facts=facts),
                                       order_by=PAIR_ORDER)
        elif len(levels) == 1:  # one level: its pair table straight from the credit rows, one query
            rows = credit_rows(facts, contributors, affiliations, carried=())
            table = engine.materialise(f"{tag}_pairs_{level}", pair_table(rows, level, facts=facts),
                                       order_by=PAIR_ORDER)
        else:
            if "locations" not in shared:  # computed once for all levels
                shared["units"] = engine.materialise(f"{tag}_units", unit_dictionary(affiliations))
                tables["units"] = f"{tag}_units"
                rows = credit_rows(facts, contributors, affiliations, carried=(), units=shared["units"])
                shared["locations"] = engine.materialise(f"{tag}_locations", location_sums(rows))
                tables["locations"] = f"{tag}_locations"
            table = engine.materialise(
                f"{tag}_pairs_{level}", level_pairs(shared["locations"], shared["units"], level, facts),
                order_by=PAIR_ORDER)
        tables[f"pairs_{level}"] = f"{tag}_pairs_{level}"
        return table

    def build_unit_years(level: str) -> ir.Table:
        tables[f"unit_years_{level}"] = f"{tag}_unit_years_{level}"
        return engine.materialise(f"{tag}_unit_years_{level}", unit_year_sums(pairs[level]), order_by=UNIT_YEAR_ORDER)

    stored = tuple(lv for lv in BASE_LEVELS if lv in levels)
    pairs = PairTables(build, stored)
    loaded = LoadedRecords(engine=engine, pairs=pairs, inputs=(records, contributors, affiliations),
                           top_proportion=top_proportion, tables=tables, facts_builder=build_facts,
                           unit_years=PairTables(build_unit_years, stored))
    if keep_rows:
        loaded.credits = engine.materialise(f"{tag}_credits", credit_rows(loaded.facts, contributors, affiliations))
        tables["credits"] = f"{tag}_credits"
    if eager:
        for level in pairs:
            loaded.unit_years[level]  # builds the pair table first
    return loaded


def linked_fractional_sums(
    records: ir.Table,
    contributors: ir.Table,
    affiliations: ir.Table,
    level: str,
    *,
    years: tuple[int, int] | None = None,
) -> ir.Table:
    """Fractional credit of the linked affiliations per unit, straight from the inputs.

    One query, no stored table: for every affiliation row linked to contributor
    ``i`` of record ``r`` (``n_r`` contributors, ``k_i`` linked affiliations),
    ``w_r / (n_r k_i)`` is added to the row's unit of ``level`` (``unknown`` when the
    row has none). Columns ``unit, p_frac, coverage, n_max, n_records`` (the last:
    the number of records in ``years``, the same on every row), where

        coverage = sum over linked rows of 1 / (n_r k_i) = sum_r n_linked(r) / n_r

    (``n_linked(r)``: contributors of ``r`` with a linked affiliation), so each record
    adds at most 1, and exactly 1 when all its contributors are linked. When the
    summed ``coverage`` equals the number of records (in ``years``), every record
    has contributors and all of them are linked: no credit goes to ``unknown`` for
    unlinked authors and no record splits its weight over addresses, so ``p_frac``
    is the complete author-level fractional count
    (:func:`~innometrics.rankings.counting.unit_counts` checks this, and otherwise
    falls back to the pair tables). A record short of links lowers the sum by at
    least ``1 / n_max``, far above floating-point error.

    This is the hand-written query's work (count each author's affiliations, join
    the record's author count and weight) with the affiliation count taken from a
    hash aggregation joined back, which scales better than a window partitioned by
    (record, author).
    """
    # Two separate scans of the affiliations (cheap), rather than one shared
    # subquery that the engine would store to read twice. Unlinked rows (NULL
    # position) drop out of the equi-join by themselves; filtering them first made
    # DuckDB 1.5 plan the joins three times slower.
    linked = affiliations.select(
        "record_id", position=affiliations.position.cast("int64"), unit=_unit_columns(affiliations)[level])
    keys = affiliations.select("record_id", position=affiliations.position.cast("int64"))
    k = keys.group_by(["record_id", "position"]).agg(k=keys.count())
    n = contributors.group_by("record_id").agg(n=contributors.count())
    def in_years(table: ir.Table) -> ir.Table:
        if years is None:
            return table
        return table.filter(table.year.cast("int64").between(int(years[0]), int(years[1])))

    rec = in_years(records).select("record_id", w=records.weight.cast("float64").fill_null(1.0))
    rows = linked.join(k, ["record_id", "position"]).join(n, "record_id").join(rec, "record_id")
    nk = rows.n.cast("float64") * rows.k.cast("float64")
    rows = rows.select(unit=rows.unit.fill_null(UNKNOWN), frac=rows.w / nk, cover=1.0 / nk, n=rows.n)
    sums = rows.group_by("unit").agg(p_frac=rows.frac.sum(), coverage=rows.cover.sum(), n_max=rows.n.max())
    # counted on its own expression, not on ``rec``: sharing ``rec`` would make the
    # engine store it, and an unfiltered count is read from the Parquet metadata
    return sums.mutate(n_records=in_years(records).count().as_scalar())


#: Record facts repeated on every pair row (joined after aggregating the links).
CARRIED = ("year", "weight", "citations", "top_share", "is_international")


def pair_table(rows: ir.Table, level: str, *, facts: ir.Table | None = None) -> ir.Table:
    """Aggregate credit rows to one row per (record, unit, is_helper) of ``level``.

    The unit's name is the alphabetically first name seen on the record (institution
    names vary between records; :func:`~innometrics.rankings.counting.unit_names`
    picks the most frequent over records). With ``facts`` (the record facts table)
    the links are summed on their own and the record's facts joined to the much
    shorter aggregate, rather than carried through the aggregation.
    """
    t = rows.mutate(unit=rows[level])
    names = {"unit_name": t.institution_name.min()} if level == "institution" else {}
    sums = dict(frac=t.frac.sum(), first=t.first.sum(), corr=t.corr.sum(), n_links=t.count())
    if facts is None:
        pairs = t.group_by(["record_key", "unit", "is_helper"]).agg(
            **names, **sums, **{c: t[c].arbitrary() for c in CARRIED}
        )
    else:
        agg = t.group_by(["record_key", "unit", "is_helper"]).agg(**names, **sums)
        fx = facts.select(f_record_key=facts.record_key, **{c: facts[c] for c in CARRIED})
        pairs = agg.join(fx, agg.record_key == fx.f_record_key).select(agg, *(fx[c] for c in CARRIED))
    if level != "institution":  # a city or country is named by its code
        pairs = pairs.mutate(unit_name=pairs.unit)
    return pairs.select("record_key", "unit", "unit_name", "is_helper", "frac", "first", "corr", "n_links",
                        *CARRIED)


#: The credit columns of a pair table, one per counting rule that reads the pair rows
#: directly: ``full`` is the record's weight on a non-helper row (full counting),
#: ``frac``, ``first`` and ``corr`` the summed credits.
CREDITS = ("full", "frac", "first", "corr")


def pair_credit(pairs: ir.Table, credit: str) -> ir.FloatingColumn:
    """The ``credit`` column of :data:`CREDITS` on the rows of a pair table."""
    if credit == "full":  # a helper row carries no full credit
        return ibis.ifelse(pairs.is_helper, 0.0, pairs.weight)
    return pairs[credit]


def unit_year_sums(pairs: ir.Table) -> ir.Table:
    """A pair table summed per (unit, year): every sum a ranking's indicators need.

    For each credit ``c`` of :data:`CREDITS` (``full`` = ``w_r`` on a non-helper
    row, ``frac``, ``first``, ``corr``), with ``C_r`` = 1 when record ``r`` has a
    citation count:

    ``c = sum c``, ``c_cited = sum c C_r``, ``c_citations = sum c C_r cit_r``,
    ``c_top = sum c C_r top_r``, ``full_international = sum full [r international]``
    and ``n_records``, the number of non-helper rows (records the unit appears on),

    over the pair rows of the unit and year. The per-unit sums of any period are sums
    of these rows (a year, a window, all years): the queries of a ranking read
    one row per (unit, year) instead of one per (record, unit), so each is a fraction
    of one scan of the pair table (at 10M authorship rows the institution pair table
    has 2.4M rows, this table 178,000). The per-unit formulas are those of
    :func:`~innometrics.rankings.counting.unit_aggregates`.
    """
    cited = pairs.citations.notnull()
    sums = {}
    for c in CREDITS:
        credit = pair_credit(pairs, c)
        sums[c] = credit.sum()
        sums[f"{c}_cited"] = ibis.ifelse(cited, credit, 0.0).sum()
        sums[f"{c}_citations"] = ibis.ifelse(cited, credit * pairs.citations, 0.0).sum()
        sums[f"{c}_top"] = ibis.ifelse(cited, credit * pairs.top_share, 0.0).sum()
    sums["full_international"] = ibis.ifelse(pairs.is_international, pair_credit(pairs, "full"), 0.0).sum()
    sums["n_records"] = ibis.ifelse(pairs.is_helper, 0, 1).sum().cast("int64")
    return pairs.group_by(["unit", "year"]).agg(**sums)


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


def _unit_columns(affiliations: ir.Table) -> dict[str, ir.Column]:
    """The unit of each base level on an affiliation row (``city`` qualified by country)."""
    country = affiliations.country.cast("string")
    city = affiliations.city.cast("string")
    return {
        "institution": ibis.coalesce(affiliations.institution_id.cast("string"),
                                     affiliations.institution.cast("string")),
        "city": ibis.ifelse(country.isnull(), city, city.concat(", ", country)),
        "country": country,
    }


def _affiliation_units(affiliations: ir.Table) -> ir.Table:
    """Affiliation rows with the unit of each base level (``city`` qualified by country)."""
    units = _unit_columns(affiliations)
    return affiliations.select(
        "record_id",
        position=affiliations.position.cast("int64"),
        institution=units["institution"],
        institution_name=affiliations.institution.cast("string"),
        city=units["city"],
        country=units["country"],
    )


def contributor_credits(
    facts: ir.Table, contributors: ir.Table, affiliations: ir.Table, *, carried: tuple[str, ...] = CARRIED
) -> ir.Table:
    """One row per contributor of an author-mode record, with its credit per affiliation.

    ``k`` is the contributor's number of linked affiliations (0 when it has none);
    ``frac = w / (n k)``, ``first = w / k`` for the first author and ``corr = w /
    (c k)`` for each of the ``c`` corresponding authors (``k`` read as 1 when it is
    0: that credit goes to ``unknown``). Columns ``record_id, position, record_key,
    k, frac, first, corr`` and the record facts in ``carried``. A load serving
    several levels stores this table once and joins each level's affiliations to it.
    """
    aff = affiliations.select("record_id", position=affiliations.position.cast("int64"))
    con = contributors.select(
        "record_id", position=contributors.position.cast("int64"), is_corr=contributors.is_corresponding.cast("boolean")
    )
    fx = facts.select("record_id", "record_key", "weight", "n_authors", "n_corr", "first_position", "mode",
                      *(c for c in carried if c != "weight"))
    # unlinked rows (NULL position) form groups that no contributor matches; not
    # filtering them out first keeps DuckDB's join plans fast (see linked_fractional_sums)
    k = aff.group_by(["record_id", "position"]).agg(k=aff.count())
    ck = con.left_join(k, ["record_id", "position"]).select(con, k=k.k.fill_null(0))
    ck = ck.join(fx.filter(fx.mode == "authors"), "record_id")
    w, n, kk = ck.weight, ck.n_authors.cast("float64"), ck.k.cast("float64")
    has = ck.k > 0
    return ck.select(
        "record_id", "position", "record_key", "k", *carried,
        frac=ibis.ifelse(has, w / (n * kk), w / n),
        first=ibis.ifelse(ck.position == ck.first_position, ibis.ifelse(has, w / kk, w), 0.0),
        corr=ibis.ifelse(ck.is_corr & (ck.n_corr > 0),
                         ibis.ifelse(has, w / (ck.n_corr.cast("float64") * kk), w / ck.n_corr.cast("float64")), 0.0),
    )


def credit_rows(
    facts: ir.Table,
    contributors: ir.Table,
    affiliations: ir.Table,
    *,
    carried: tuple[str, ...] = CARRIED,
    units: ir.Table | None = None,
) -> ir.Table:
    """The credit table (see the module docstring for the formulas).

    ``carried`` names the record facts repeated on each row (none when the pair
    tables join them after aggregating). With
    ``units`` (a :func:`unit_dictionary`), each row carries its location number
    ``loc`` (NULL for rows of no address: ``unknown`` at every level) instead of the
    unit names, so the rows are summed over integer keys (:func:`location_sums`).
    """
    if units is None:
        aff = _affiliation_units(affiliations)
        unit_cols = {"institution": "string", "institution_name": "string", "city": "string", "country": "string"}
    else:
        aff = _located_affiliations(affiliations, units)
        unit_cols = {"loc": "int64"}
    fx = facts.select("record_id", "record_key", "weight", "n_addresses", "mode", "n_corr",
                      *(c for c in carried if c != "weight"))
    ck = contributor_credits(facts, contributors, affiliations, carried=carried)
    no_unit = {c: ibis.null(t) for c, t in unit_cols.items()}

    # (a) linked contributor-affiliation rows, w / (n k), and (b) contributors
    # without a linked affiliation, one row each with no unit (-> unknown), w / n.
    # Unlinked affiliations (NULL position) match no contributor in the joins below.
    # one left join of the contributors to their linked affiliations, so the
    # contributors' expression is not computed (or cached) twice
    linked = aff
    ab = ck.left_join(linked, (ck.record_id == linked.record_id) & (ck.position == linked.position))
    rows_ab = ab.select(
        ck.record_key, *(ck[c] for c in carried), position=ck.position,
        **{c: linked[c] for c in unit_cols},
        frac=ck.frac, first=ck.first, corr=ck.corr,
        role=ibis.ifelse(ck.k > 0, "author", "unlinked_author"),
    )

    # (c) records with addresses but no author-address link: w / m per address
    c = aff.join(fx.filter(fx.mode == "addresses"), "record_id")
    rows_c = c.select(
        "record_key", *carried, "position", *unit_cols,
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
        **no_unit,
        frac=ibis.ifelse(is_none, d.weight, 0.0),
        first=ibis.ifelse(d.mode == "authors", 0.0, d.weight),
        corr=d.weight,
        role=ibis.ifelse(is_none, "no_authors", "helper"),
    )

    rows = rows_ab.union(rows_c).union(rows_d)
    if units is None:
        rows = rows.mutate(
            institution=rows.institution.fill_null(UNKNOWN),
            city=rows.city.fill_null(UNKNOWN),
            country=rows.country.fill_null(UNKNOWN),
        )
    rows = rows.mutate(is_helper=rows.role == "helper")
    return rows.select(
        "record_key", *carried, "position", "role", "is_helper", *unit_cols, "frac", "first", "corr",
    )


#: The per-level number of a unit in :func:`unit_dictionary` (0 is ``unknown``).
LEVEL_IDS = {"institution": "institution_no", "city": "city_no", "country": "country_no"}


def unit_dictionary(affiliations: ir.Table) -> ir.Table:
    """Number the distinct locations of the affiliations, and their unit at each level.

    One row per distinct (institution, institution name, city, country) of the
    affiliation rows (missing units read ``unknown``): ``loc`` (1, 2, ...), the unit
    names, and per level a number (``institution_no``, ``city_no``, ``country_no``;
    0 for ``unknown``, the same number for the same unit) and ``name_no`` (the
    institution name's rank in alphabetical order, NULL when there is none). The
    dictionary is short (one row per place, not per author), and the load sums the
    credit rows over these integers instead of strings (hash aggregation over
    integer keys is several times cheaper), decoding the names only in the much
    shorter pair tables.
    """
    aff = _affiliation_units(affiliations)
    u = aff.select(
        institution=aff.institution.fill_null(UNKNOWN),
        institution_name=aff.institution_name,
        city=aff.city.fill_null(UNKNOWN),
        country=aff.country.fill_null(UNKNOWN),
    ).distinct()
    keys = ["institution", "institution_name", "city", "country"]
    numbered = {
        # int64 on every engine (Spark's ranking functions are int32)
        LEVEL_IDS[lv]: ibis.ifelse(u[lv] == UNKNOWN, 0, ibis.dense_rank().over(order_by=u[lv]) + 1).cast("int64")
        for lv in BASE_LEVELS
    }
    name_no = ibis.ifelse(u.institution_name.isnull(), ibis.null("int64"),
                          (ibis.dense_rank().over(order_by=u.institution_name) + 1).cast("int64"))
    return u.select(*keys, loc=(ibis.row_number().over(order_by=keys) + 1).cast("int64"), name_no=name_no,
                    **numbered)


def _located_affiliations(affiliations: ir.Table, units: ir.Table) -> ir.Table:
    """Affiliation rows as ``record_id, position, loc`` (their number in ``units``)."""
    aff = _affiliation_units(affiliations)
    aff = aff.select(
        "record_id", "position",
        institution=aff.institution.fill_null(UNKNOWN),
        institution_name=aff.institution_name,
        city=aff.city.fill_null(UNKNOWN),
        country=aff.country.fill_null(UNKNOWN),
    )
    u = units.select(u_institution="institution", u_name="institution_name", u_city="city", u_country="country",
                     u_loc="loc")
    on = [aff.institution == u.u_institution, aff.institution_name.identical_to(u.u_name),
          aff.city == u.u_city, aff.country == u.u_country]
    j = aff.join(u, on)
    return j.select("record_id", "position", loc=j.u_loc.cast("int64"))


def location_sums(rows: ir.Table) -> ir.Table:
    """Credit rows (with ``loc``) summed per (record, location, helper flag).

    Columns ``record_key, loc, is_helper, frac, first, corr, n_links``; every level's
    pair table is a sum of these rows (:func:`level_pairs`), so the long credit rows
    are aggregated once, over integer keys, for all levels.
    """
    return rows.group_by(["record_key", "loc", "is_helper"]).agg(
        frac=rows.frac.sum(), first=rows.first.sum(), corr=rows.corr.sum(), n_links=rows.count())


def level_pairs(locations: ir.Table, units: ir.Table, level: str, facts: ir.Table) -> ir.Table:
    """A level's pair table from the location sums: the same rows as :func:`pair_table`.

    The locations are mapped to the level's unit numbers (a location without one is
    ``unknown``, number 0), summed per (record, unit number, helper flag), and only
    then given the unit's name and the record's facts (joins to short tables).
    """
    no_col = LEVEL_IDS[level]
    u = units.select(d_loc="loc", d_no=units[no_col], d_name_no="name_no")
    j = locations.left_join(u, locations.loc == u.d_loc)
    j = j.select(locations, unit_no=j.d_no.fill_null(0), name_no=j.d_name_no)
    names = {"name_no": j.name_no.min()} if level == "institution" else {}
    agg = j.group_by(["record_key", "unit_no", "is_helper"]).agg(
        **names, frac=j.frac.sum(), first=j.first.sum(), corr=j.corr.sum(), n_links=j.n_links.sum())
    decode = units.group_by(units[no_col].name("c_no")).agg(c_unit=units[level].min())
    p = agg.left_join(decode, agg.unit_no == decode.c_no)
    p = p.select(p, unit=p.c_unit.fill_null(UNKNOWN))
    if level == "institution":
        nm = units.filter(units.name_no.notnull()).group_by(units.name_no.name("n_no")).agg(
            n_name=units.institution_name.min())
        p = p.left_join(nm, p.name_no == nm.n_no)
        p = p.select(p, unit_name=p.n_name)
    else:  # a city or country is named by its code
        p = p.mutate(unit_name=p.unit)
    fx = facts.select(f_record_key=facts.record_key, **{c: facts[c] for c in CARRIED})
    p = p.join(fx, p.record_key == fx.f_record_key)
    return p.select("record_key", "unit", "unit_name", "is_helper", "frac", "first", "corr", "n_links", *CARRIED)
