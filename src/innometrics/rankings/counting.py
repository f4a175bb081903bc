"""Counting methods, written once as Ibis expressions and run on any engine.

A counting method is a small registered function ``method(view) -> column`` giving
the credit of each row of a *level view*: the pair table of
:mod:`~innometrics.rankings.credits`, one row per distinct (record, unit) pair of the
level (``is_helper`` rows apart) with the summed credits of its links. A unit's count
is the sum of that column over its rows, so every ranking is one scan::

    SELECT unit, sum(<method column>) FROM view GROUP BY unit

>>> from innometrics.registry import method_names
>>> {"full", "fractional", "first_author", "corresponding_author"} <= set(method_names("count"))
True
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from innometrics.errors import DataError, SpecError
from innometrics.io.tables import read_csv_text
from innometrics.registry import get_method, register
from innometrics.rankings.credits import (
    BASE_LEVELS,
    PAIR_ORDER,
    UNKNOWN,
    LoadedRecords,
    linked_fractional_sums,
    pair_credit,
)

Period = int | tuple[int, int] | None

#: Decimals kept from engine sums. Parallel engines add floats in varying order, so
#: the last bits of a sum can change between runs; rounding makes ties, ranks and
#: output files reproducible.
DECIMALS = 10


def round_floats(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every float column rounded to :data:`DECIMALS` (stable outputs), as a new frame.

    A NumPy float column is rounded by ``np.round`` (what ``Series.round`` calls) and the
    frame is assembled from the columns without copying the others: copying every column
    first, then rounding through pandas, took about as long as a per-unit query at 1M
    authorship rows, and setting columns one by one into a copy still 2.5 times this.
    ``df`` itself is not changed.
    """
    columns = {}
    for i, (_, column) in enumerate(df.items()):  # by position: names need not be unique
        dtype = column.dtype
        if pd.api.types.is_float_dtype(dtype):
            plain = isinstance(dtype, np.dtype)  # not an extension type such as "Float64"
            column = np.round(column.to_numpy(), DECIMALS) if plain else column.round(DECIMALS)
        columns[i] = column
    out = pd.DataFrame(columns, index=df.index, copy=False)
    out.columns = df.columns
    return out


def drop_zero_rows(df: pd.DataFrame, method: str) -> pd.DataFrame:
    """The rows of a count with a non-zero full, fractional or ``method`` count, indexed from 0.

    Helper-only pairs (the ``unknown`` unit's share of a record whose other authors are
    linked) sum to zero everywhere; most counts have none, and then nothing is copied.
    """
    keep = nonzero_counts(df, method)
    if not keep.all():
        df = df[keep]
    return df.reset_index(drop=True)


def nonzero_counts(df: pd.DataFrame, method: str) -> np.ndarray:
    """Which rows of a count have a non-zero full, fractional or ``method`` count."""
    def nonzero(name: str) -> np.ndarray:  # compared as NumPy arrays: a third of pandas' time
        return df[name].to_numpy(dtype="float64", na_value=np.nan) != 0

    return nonzero("p_full") | nonzero("p_frac") | nonzero(count_column(method))


# --------------------------------------------------------------------------- methods
@register("count", "full")
def full(view: ir.Table) -> ir.FloatingColumn:
    """Full counting: each unit on a record gets the record's weight once.

    ``P_full(u) = sum_r w_r * [u appears on r]``, where a unit "appears" when one of
    the record's linked affiliations (or, for records without author links, one of its
    addresses) belongs to it; contributors without address make ``unknown`` appear.
    Nature Index "Count"; CWTS Leiden Ranking full counting (``full_p``).

    Examples
    --------
    A record with two authors at MIT and one at ETH gives MIT 1 and ETH 1.
    """
    return pair_credit(view, "full")


@register("count", "fractional")
def fractional(view: ir.Table) -> ir.FloatingColumn:
    """Author-level fractional counting.

    ``P_frac(u) = sum_r sum_{i in r} sum_{a in A_i, a in u} w_r / (n_r k_i)``: a
    record of weight ``w_r`` with ``n_r`` contributors gives each contributor
    ``w_r / n_r``, split equally over its ``k_i`` affiliations; unaffiliated
    contributors' credit goes to ``unknown``; records without author-address links
    split ``w_r`` equally over their addresses. Totals reconcile: ``sum_u P_frac(u) =
    sum_r w_r``. Nature Index "Share"; CWTS ``#pub_author_affiliation`` weights.

    Examples
    --------
    Two authors, the first at MIT and Oxford, the second at ETH: MIT 1/4, Oxford 1/4,
    ETH 1/2.
    """
    return view.frac


@register("count", "first_author")
def first_author(view: ir.Table) -> ir.FloatingColumn:
    """First-author counting: the record's weight goes to the first author's units.

    ``P_first(u) = sum_r sum_{a in A_first(r), a in u} w_r / k_first(r)``: split
    equally over the first author's ``k`` affiliations; ``unknown`` when the first
    author has no linked address. Totals reconcile to ``sum_r w_r``.
    (Gauffriau et al. 2007, "Publication, cooperation and productivity measures in
    scientific research", *Scientometrics* 73(2), 175-214: "first-author counting".)
    """
    return view.first


@register("count", "corresponding_author")
def corresponding_author(view: ir.Table) -> ir.FloatingColumn:
    """Corresponding-author counting (reprint-author counting).

    ``P_corr(u) = sum_r sum_{i in C_r} sum_{a in A_i, a in u} w_r / (|C_r| k_i)``:
    the record's weight is split equally over its ``|C_r|`` corresponding authors and
    each one's share over its ``k_i`` affiliations; records without a marked (or
    linkable) corresponding author credit ``unknown``. Totals reconcile to ``sum_r w_r``.
    """
    return view.corr


COUNT_METHODS = ("full", "fractional", "first_author", "corresponding_author")
#: The pair-table credit column each of :data:`COUNT_METHODS` sums
#: (:data:`~innometrics.rankings.credits.CREDITS`): their counts and indicators are read
#: from the per (unit, year) sums stored at load (:func:`unit_year_counts`).
METHOD_CREDITS = {"full": "full", "fractional": "frac", "first_author": "first", "corresponding_author": "corr"}


def count_column(name: str) -> str:
    """Output column of a method's count: ``p_<method>`` (``p_full``, ``p_first_author`` ...), but
    ``p_frac`` for ``fractional``."""
    return "p_frac" if name == "fractional" else f"p_{name}"


# --------------------------------------------------------------------------- levels
@dataclass(frozen=True)
class Grouping:
    """A user level: units of a base level mapped to groups (city -> metropolitan area).

    Parameters
    ----------
    name : str
        The new level's name (``metro``).
    base : str
        The level mapped (``institution``, ``city`` or ``country``).
    mapping : pandas.DataFrame
        Columns ``unit`` and ``group`` (optionally ``group_name`` and ``share``). A unit
        may map to several groups (one row each). Full counting credits each of its
        groups with the record once. ``share`` is the part of the unit's fractional,
        first-author and corresponding-author credit a group receives (a joint
        laboratory of two universities: 0.5 each, so the level's total is kept); without
        it each group receives the unit's whole credit (the Nature Index's joint
        institutions, credited to every partner).
    unmapped : str
        ``"keep"`` (an unmapped unit is its own group) or ``"other"`` (all go to
        ``other``).
    """

    name: str
    base: str
    mapping: pd.DataFrame
    unmapped: str = "keep"


def read_grouping(name: str, base: str, path: str | os.PathLike, *, unmapped: str = "keep") -> Grouping:
    """Read a mapping CSV with columns ``unit, group`` (and optional ``group_name``).

    Raises
    ------
    DataError
        When columns are missing or a unit is mapped to two groups.
    SpecError
        When ``base`` is not a base level or ``unmapped`` is unknown.
    """
    if base not in BASE_LEVELS:
        raise SpecError(f"a grouping maps one of {', '.join(BASE_LEVELS)}; got '{base}'", key=f"groupings.{name}.from")
    if unmapped not in ("keep", "other"):
        raise SpecError(f"unmapped must be 'keep' or 'other'; got '{unmapped}'", key=f"groupings.{name}.unmapped")
    df = read_csv_text(path, what="mapping file")
    missing = {"unit", "group"} - set(df.columns)
    if missing:
        raise DataError(f"mapping file needs columns 'unit' and 'group'; missing {sorted(missing)}; found "
                        f"{list(df.columns)}", file=path, reason="schema")
    df = df[[c for c in ("unit", "group", "group_name") if c in df.columns]].drop_duplicates()
    dup = df[df["unit"].duplicated(keep=False)]
    if len(dup):
        raise DataError(f"unit '{dup['unit'].iloc[0]}' is mapped to several groups "
                        f"({', '.join(sorted(dup[dup['unit'] == dup['unit'].iloc[0]]['group']))}); map each unit once",
                        file=path, column="unit", reason="duplicate_key", failures=dup)
    return Grouping(name=name, base=base, mapping=df.reset_index(drop=True), unmapped=unmapped)


def filter_period(table: ir.Table, period: Period) -> ir.Table:
    """Rows of records published in ``period`` (a year or an inclusive ``(first, last)`` window)."""
    if period is None:
        return table
    if isinstance(period, int):
        return table.filter(table.year == period)
    first, last = period
    return table.filter(table.year.between(int(first), int(last)))


def period_key(period) -> Period:
    """``period`` as a cache key: a window given as a list (as a spec gives it) becomes a tuple."""
    return tuple(period) if isinstance(period, list) else period


def loaded_base_level(loaded: LoadedRecords, level: str, grouping: Grouping | None = None) -> str:
    """The base level a query of ``level`` reads (the grouping's base for a grouping).

    Raises
    ------
    SpecError
        When ``level`` is neither a base level nor a grouping, or its base level was
        not loaded.
    """
    if grouping is not None:
        if grouping.base not in loaded.pairs:
            raise SpecError(f"grouping '{grouping.name}' maps level '{grouping.base}', which was not loaded",
                            key=f"groupings.{grouping.name}")
        return grouping.base
    if level not in BASE_LEVELS:
        raise SpecError(f"unknown level '{level}'. Levels: {', '.join(BASE_LEVELS)} or a grouping "
                        f"declared in [groupings]", key="count.levels")
    if level not in loaded.pairs:
        raise SpecError(f"level '{level}' was not loaded; load the records with levels including it",
                        key="count.levels")
    return level


def level_view(
    loaded: LoadedRecords,
    level: str,
    *,
    period: Period = None,
    grouping: Grouping | None = None,
) -> ir.Table:
    """The (record, unit) pair rows of ``level`` in ``period``.

    Base levels read the pair tables built at load time; a grouping maps the base
    level's units to groups and re-aggregates to distinct (record, group) pairs in the
    same query (a record with two cities of one cluster counts once for it).
    """
    base_level = loaded_base_level(loaded, level, grouping)
    if grouping is None:
        return filter_period(loaded.pairs[base_level], period)
    engine = loaded.engine
    mapping = grouping.mapping[["unit", "group"]].rename(columns={"unit": "m_unit", "group": "m_group"})
    if "share" in grouping.mapping.columns:
        mapping["m_share"] = grouping.mapping["share"].astype("float64").to_numpy()
    m = engine.upload(engine.fresh_name(f"map_{grouping.name}"), mapping)
    base = filter_period(loaded.pairs[base_level], period)
    joined = base.left_join(m, base.unit == m.m_unit)
    fallback = joined.unit if grouping.unmapped == "keep" else ibis.literal("other")
    group = ibis.ifelse(joined.unit == UNKNOWN, UNKNOWN, ibis.coalesce(joined.m_group, fallback))
    share = ibis.coalesce(joined.m_share, 1.0) if "m_share" in mapping.columns else ibis.literal(1.0)
    t = joined.mutate(group=group, share=share)
    pairs = t.group_by(["record_key", "group", "is_helper"]).agg(
        frac=(t.frac * t.share).sum(),
        first=(t.first * t.share).sum(),
        corr=(t.corr * t.share).sum(),
        n_links=t.n_links.sum(),
        year=t.year.arbitrary(),
        weight=t.weight.arbitrary(),
        citations=t.citations.arbitrary(),
        top_share=t.top_share.arbitrary(),
        is_international=t.is_international.arbitrary(),
    )
    return pairs.rename(unit="group").mutate(unit_name=ibis.null("string"))


# --------------------------------------------------------------------------- counting
def pair_values(view: ir.Table, method: str) -> dict[str, ir.Value]:
    """Each pair row's part of every per-unit sum the ranking needs (summed by :func:`unit_aggregates`).

    ``p_full``, ``p_frac`` and the chosen method's count; the credit-weighted values
    behind mean citations and PP(top 10%) (records with a citation count only,
    weighted by the chosen method's credit as CWTS does for full and fractional
    counting); and the full count of internationally co-authored records.
    """
    credit = get_method("count", method)(view)
    full_credit = full(view)
    has_cits = view.citations.notnull()
    values = {
        "p_full": full_credit,
        "p_frac": fractional(view),
        "cit_weight": ibis.ifelse(has_cits, credit, 0.0),
        "cit_sum": ibis.ifelse(has_cits, credit * view.citations, 0.0),
        "top_sum": ibis.ifelse(has_cits, credit * view.top_share, 0.0),
        "p_int_collab": ibis.ifelse(view.is_international, full_credit, 0.0),
    }
    col = count_column(method)
    if col not in values:
        values[col] = credit
    return values


def unit_aggregates(view: ir.Table, method: str) -> dict[str, ir.Scalar]:
    """Every per-unit sum the ranking needs, as reductions for one ``GROUP BY unit``.

    ``sum`` over the unit's pair rows of each of :func:`pair_values`.
    """
    return {name: value.sum() for name, value in pair_values(view, method).items()}


def count_units(
    loaded: LoadedRecords,
    level: str,
    method: str = "fractional",
    *,
    period: Period = None,
    grouping: Grouping | None = None,
    by_year: bool = False,
) -> pd.DataFrame:
    """Per-unit counts of one level in one query.

    Returns a frame with ``unit`` (and ``year`` when ``by_year``), ``p_full``,
    ``p_frac``, the method's ``p_<method>`` and the sums used by the indicators, sorted
    by unit (and year). Units whose every count is zero (helper rows only) are dropped.

    A base level counted by one of :data:`COUNT_METHODS` is read from the level's sums
    per (unit, year) stored with its pair table (:func:`unit_year_counts`): one row per
    unit and year instead of one per record and unit. A grouping, or a method
    registered elsewhere, sums the pair rows (:func:`unit_aggregates`).
    """
    get_method("count", method)  # unknown names fail before touching the engine
    keys = ["unit", "year"] if by_year else ["unit"]
    base_level = loaded_base_level(loaded, level, grouping)
    stored = grouping is None and method in METHOD_CREDITS and base_level in loaded.unit_years
    if stored:
        expr = _stored_counts_query(loaded.unit_years[base_level].op(), method,
                                    period_key(period), by_year)
    else:  # a grouping re-aggregates (record, group) pairs; other methods have no stored sums
        view = level_view(loaded, level, period=period, grouping=grouping)
        expr = view.group_by(keys).agg(**unit_aggregates(view, method))
    # sorted by the engine (units are never missing, a missing year sorts last as in pandas):
    # cheaper than pandas' sort of the text keys. The stored sums are kept in (unit, year)
    # order (UNIT_YEAR_ORDER), so their rows per year are read as stored
    df = loaded.engine.execute_sorted(expr, keys, stored=stored and by_year)
    return drop_zero_rows(round_floats(df), method)


@functools.lru_cache(maxsize=256)
def _stored_counts_query(unit_years: ops.Relation, method: str, period: Period, by_year: bool) -> ir.Table:
    """:func:`unit_year_counts`' expression, built once per stored table, method and period.

    Building the Ibis expression took longer than running it (3.5 ms against 2 ms for
    the city counts of a period at 1M authorship rows); a build asks the same queries
    of every level several times (counts, yearly counts, windows, bootstrap).
    """
    return unit_year_counts(unit_years.to_expr(), method, period=period, by_year=by_year)


def unit_year_counts(unit_years: ir.Table, method: str, *, period: Period = None,
                     by_year: bool = False) -> ir.Table:
    """The sums of :func:`unit_aggregates` from a level's per (unit, year) sums.

    ``unit_years`` is :func:`~innometrics.rankings.credits.unit_year_sums` of the
    level's pair table; with ``c`` the method's credit column (:data:`METHOD_CREDITS`)
    the per-unit sums of ``period`` are the sums over its years of ``full`` (p_full),
    ``frac`` (p_frac), ``c`` (the method's count), ``c_cited`` (cit_weight),
    ``c_citations`` (cit_sum), ``c_top`` (top_sum) and ``full_international``
    (p_int_collab): the same numbers as summing the pair rows, added in another
    order (equal after :func:`round_floats`). With ``by_year`` the rows are the
    stored ones.
    """
    c = METHOD_CREDITS[method]
    t = filter_period(unit_years, period)
    columns = {
        "p_full": t.full,
        "p_frac": t.frac,
        "cit_weight": t[f"{c}_cited"],
        "cit_sum": t[f"{c}_citations"],
        "top_sum": t[f"{c}_top"],
        "p_int_collab": t.full_international,
        count_column(method): t[c],
    }
    if by_year:  # one stored row per (unit, year) already
        return t.select("unit", "year", **columns)
    return t.group_by("unit").agg(**{name: col.sum() for name, col in columns.items()})


def unit_counts(
    loaded: LoadedRecords,
    level: str,
    method: str = "fractional",
    *,
    period: Period = None,
    grouping: Grouping | None = None,
) -> pd.DataFrame:
    """One counting method's count per unit: columns ``unit, p_<method>``, sorted by unit.

    The quickest way to one ranking's numbers. When the level's pair table is stored
    (a ranking build, or an earlier query needing it) this is one scan of it. A
    fractional count before that reads the loaded inputs directly, in one query
    that builds nothing (:func:`~innometrics.rankings.credits.linked_fractional_sums`),
    and checks in the same query that the full rules add nothing to the linked
    credit (every record in ``period`` has contributors, all linked to an address);
    when they would (unlinked authors to ``unknown``, records split over their
    addresses, records without contributors), the count comes from the pair table,
    which is then built. Either way the numbers are those of :func:`count_units`.
    Units whose count is zero are dropped.

    Examples
    --------
    >>> from innometrics.rankings.engines import connect_duckdb
    >>> from innometrics.rankings.credits import load_recordset
    >>> from innometrics.records.model import RecordSet
    >>> rs = RecordSet.from_rows(
    ...     [{"record_id": "r1", "year": 2020}],
    ...     [{"record_id": "r1", "position": 1, "name": "A"}, {"record_id": "r1", "position": 2, "name": "B"}],
    ...     [{"record_id": "r1", "position": 1, "country": "USA"}, {"record_id": "r1", "position": 1, "country": "GBR"},
    ...      {"record_id": "r1", "position": 2, "country": "CHE"}], [], read=1)
    >>> unit_counts(load_recordset(connect_duckdb(), rs), "country")
      unit  p_frac
    0  CHE    0.50
    1  GBR    0.25
    2  USA    0.25
    """
    credit = get_method("count", method)
    base = loaded_base_level(loaded, level, grouping)
    col = count_column(method)
    if method == "fractional" and loaded.credits is None and base not in loaded.pairs.built():
        df = _direct_fractional(loaded, base, period)
        if df is not None:
            if grouping is not None:
                df = _group_sums(df, grouping, col)
            return _nonzero_by_unit(df, col)
    view = level_view(loaded, level, period=period, grouping=grouping)
    expr = view.group_by("unit").agg(**{col: credit(view).sum()})
    return _nonzero_by_unit(loaded.engine.execute(expr), col)


def _nonzero_by_unit(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Rounded counts (stable outputs), units with a zero count dropped, sorted by unit."""
    df = round_floats(df)
    df = df[df[col] != 0]
    return df.sort_values("unit", kind="mergesort").reset_index(drop=True)


def _direct_fractional(loaded: LoadedRecords, level: str, period: Period) -> pd.DataFrame | None:
    """Fractional counts from the inputs, or ``None`` when the full rules add credit."""
    years = None if period is None else ((period, period) if isinstance(period, int) else tuple(period))
    records, contributors, affiliations = loaded.inputs
    expr = _direct_query(records.op(), contributors.op(), affiliations.op(), level, years)
    sums = loaded.engine.execute(expr)
    if sums.empty:  # no linked affiliation in the period: let the full rules decide
        return None
    # each record adds n_linked / n to the coverage (1 when complete); one short by
    # a single author lowers the total by at least 1 / n_max
    shortfall = float(sums["n_records"].iloc[0]) - float(sums["coverage"].sum())
    if shortfall > 0.5 / float(sums["n_max"].max()):
        return None
    return sums[["unit", "p_frac"]]


@functools.lru_cache(maxsize=64)
def _direct_query(records, contributors, affiliations, level: str, years) -> ir.Table:
    """The direct query's expression, built once per inputs, level and period.

    Building and compiling the Ibis expression takes about 25 ms, as long as the
    query itself on a million rows; engines that compile to SQL cache the compiled
    text per expression too (:meth:`Engine.execute`).
    """
    return linked_fractional_sums(records.to_expr(), contributors.to_expr(), affiliations.to_expr(), level,
                                  years=years)


def _group_sums(df: pd.DataFrame, grouping: Grouping, col: str) -> pd.DataFrame:
    """Per-unit sums of ``col`` summed per group as :func:`level_view` maps them.

    A unit mapped to several groups gives each its credit times the row's ``share`` (1 when the
    mapping has none); an unmapped unit keeps its name or goes to ``other``; ``unknown`` stays.
    """
    m = grouping.mapping
    cols = ["unit", "group"] + (["share"] if "share" in m.columns else [])
    joined = df.merge(m[cols], on="unit", how="left")
    fallback = joined["unit"] if grouping.unmapped == "keep" else pd.Series("other", index=joined.index)
    group = joined["group"].where(joined["group"].notna(), fallback).where(joined["unit"] != UNKNOWN, UNKNOWN)
    share = joined["share"].astype("float64").fillna(1.0) if "share" in joined.columns else 1.0
    out = pd.DataFrame({"unit": group, col: joined[col] * share})
    return out.groupby("unit", as_index=False, sort=False)[col].sum()


def record_unit_credits(
    loaded: LoadedRecords,
    level: str,
    method: str = "fractional",
    *,
    period: Period = None,
    grouping: Grouping | None = None,
) -> pd.DataFrame:
    """Credits of each (record, unit) pair: the drill-down table and the bootstrap's matrix.

    Columns ``record_key, unit`` and the per-pair sums of :func:`unit_aggregates`, in
    (record_key, unit) order.
    """
    if grouping is None and method in METHOD_CREDITS:
        pairs = loaded.pairs[loaded_base_level(loaded, level)]
        values = _stored_pair_values_query(pairs.op(), method, period_key(period))
    else:  # a grouping's pairs are re-aggregated; a method registered elsewhere may change
        values = pair_value_rows(level_view(loaded, level, period=period, grouping=grouping), method)
    # A base level's pair table is stored in PAIR_ORDER where the engine keeps storage
    # order, so its rows come back sorted without a sort (which took twice as long as
    # reading them at 10M authorship rows); a grouping's rows are re-aggregated, so sorted
    table = loaded.engine.execute_sorted_arrow(values, PAIR_ORDER, stored=grouping is None)
    if grouping is None and not _ascending(table["record_key"]):
        # pair tables not stored in order (built by hand): sort them here instead
        table = loaded.engine.execute_sorted_arrow(values, PAIR_ORDER)
    return pair_credit_frame(table, method, loaded.engine.to_frame)


@functools.lru_cache(maxsize=64)
def _stored_pair_values_query(pairs: ops.Relation, method: str, period: Period) -> ir.Table:
    """:func:`record_unit_credits`' expression on a stored pair table, built once per table,
    method and period.

    Building the Ibis expression took 7 ms, as long as reading the rows it selects (the
    city level's 90,909 pair rows at 1M authorship rows); the bootstrap and the exports
    ask for the same drill-down several times.
    """
    return pair_value_rows(filter_period(pairs.to_expr(), period), method)


def pair_value_rows(view: ir.Table, method: str) -> ir.Table:
    """Each pair row of ``view`` with its key and its part of every sum (:func:`pair_values`)."""
    return view.select("record_key", "unit", "is_helper", **pair_values(view, method))


def pair_credit_frame(
    table: pa.Table, method: str, to_frame: Callable[[pa.Table], pd.DataFrame] = pa.Table.to_pandas
) -> pd.DataFrame:
    """The drill-down's frame from its pair rows: one row per (record_key, unit), floats
    rounded, rows that count nothing dropped.

    ``table`` holds pair rows sorted by (record_key, unit, is_helper) with ``record_key``,
    ``unit``, ``is_helper`` and float columns. Only ``unknown`` has both a helper and a
    non-helper row for one record, and they are then adjacent: the helper row's values are
    added to the row before it, so the per-pair sums are found in one pass instead of a
    GROUP BY of every pair row in the engine (no library sums adjacent rows of a sorted
    table without grouping all of them). The result is, bit for bit,
    ``drop_zero_rows(round_floats(<the merged frame>), method)`` without ``is_helper``.

    Floats are rounded while they are copied out of Arrow, in blocks that stay in the
    processor's cache: converting to pandas first and rounding then allocated every float
    column twice, and on this machine fresh memory costs more than the arithmetic (at 100M
    authorship rows the rounding took as long as the read). ``to_frame`` converts the
    ``unit`` column as the engine converts text.
    """
    keys = table["record_key"].to_numpy()
    helper = table["is_helper"].to_numpy(zero_copy_only=False).astype(bool, copy=False)
    units = to_frame(table.select(["unit"]))["unit"]
    # a helper row right after a non-helper row of the same record, then the same unit
    second = np.flatnonzero(helper[1:] & ~helper[:-1] & (keys[1:] == keys[:-1])) + 1
    if len(second):
        second = second[np.asarray(units.array[second] == units.array[second - 1], dtype=bool)]
    columns = {"record_key": keys, "unit": units}
    for field in table.schema:
        if field.name not in columns and field.name != "is_helper":
            columns[field.name] = _rounded_merged(table[field.name], second)
    out = pd.DataFrame(columns, copy=False)
    keep = None
    if len(second):
        keep = np.ones(len(out), dtype=bool)
        keep[second] = False
    nonzero = nonzero_counts(out, method)
    if not nonzero.all():
        keep = nonzero if keep is None else keep & nonzero
    return out if keep is None else out[keep].reset_index(drop=True)


def _ascending(column: pa.ChunkedArray) -> bool:
    """Whether ``column`` (no nulls) never decreases, read chunk by chunk without copying it."""
    last = None
    for chunk in column.chunks:
        values = chunk.to_numpy()
        if len(values) and last is not None and values[0] < last:
            return False
        if not (values[1:] >= values[:-1]).all():
            return False
        if len(values):
            last = values[-1]
    return True


#: Values rounded at a time by :func:`_rounded_merged`: 256 KB, within a core's cache,
#: so ``np.round``'s three passes (scale, round, unscale) cost one read and one write.
_ROUND_BLOCK = 32_768


def _rounded_merged(column: pa.ChunkedArray, second: np.ndarray) -> np.ndarray:
    """``column`` as NumPy, rows ``second - 1`` plus rows ``second`` (:func:`pair_credit_frame`),
    a float column rounded to :data:`DECIMALS` as :func:`round_floats` rounds it."""
    if not pa.types.is_floating(column.type):
        values = column.to_numpy()
        if len(second):
            values = values.copy()
            values[second - 1] += values[second]
        return values
    out = np.empty(len(column), dtype=column.type.to_pandas_dtype())
    start = 0
    for chunk in column.chunks:
        values = chunk.to_numpy(zero_copy_only=False)  # a view of Arrow's buffer without nulls
        for at in range(0, len(values), _ROUND_BLOCK):
            block = values[at:at + _ROUND_BLOCK]
            np.round(block, DECIMALS, out=out[start + at:start + at + len(block)])
        start += len(values)
    if len(second):
        merged = (column.take(pa.array(second - 1)).to_numpy(zero_copy_only=False)
                  + column.take(pa.array(second)).to_numpy(zero_copy_only=False))
        out[second - 1] = np.round(merged, DECIMALS)
    return out


def no_unit_names() -> pd.DataFrame:
    """The empty (unit, name) table, both columns of dtype object, as :func:`unit_names` returns."""
    return pd.DataFrame({"unit": pd.Series([], dtype=object), "name": pd.Series([], dtype=object)})


def unit_names(loaded: LoadedRecords, level: str, *, period: Period = None,
               grouping: Grouping | None = None) -> pd.DataFrame:
    """The most frequent name of each unit over its records (ties: alphabetically first)."""
    if grouping is not None:
        m = grouping.mapping
        if "group_name" in m.columns:
            names = m[["group", "group_name"]].drop_duplicates("group").rename(columns={"group": "unit", "group_name": "name"})
            return names.reset_index(drop=True)
        return no_unit_names()
    base_level = loaded_base_level(loaded, level)
    if base_level != "institution" and base_level in loaded.unit_years:
        # a city or country is named by its code (pair_table): the units of the period's
        # non-helper rows, read from the per (unit, year) sums
        t = filter_period(loaded.unit_years[base_level], period)
        t = t.group_by("unit").agg(n=t.n_records.sum())
        df = loaded.engine.execute(t.filter(t.n > 0).select("unit").order_by("unit"))
        return pd.DataFrame({"unit": df["unit"], "name": df["unit"]}).reset_index(drop=True)
    view = level_view(loaded, level, period=period)
    view = view.filter(view.unit_name.notnull() & ~view.is_helper)
    expr = view.group_by(["unit", "unit_name"]).agg(n=view.count())  # records using each name
    df = loaded.engine.execute(expr)
    if df.empty:
        return no_unit_names()
    df = df.sort_values(["unit", "n", "unit_name"], ascending=[True, False, True], kind="mergesort")
    df = df.drop_duplicates("unit").rename(columns={"unit_name": "name"})
    return df[["unit", "name"]].reset_index(drop=True)


def total_weight(loaded: LoadedRecords, *, period: Period = None) -> tuple[float, int]:
    """Sum of record weights and number of records in ``period`` (the shares' denominator)."""
    facts = filter_period(loaded.facts, period)
    df = loaded.engine.execute(facts.aggregate(w=facts.weight.sum(), n=facts.count()))
    w = df["w"].iloc[0]
    return (0.0 if pd.isna(w) else float(w)), int(df["n"].iloc[0])
