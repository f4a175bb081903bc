"""Nature Index conventions on top of the ranking engine.

The Nature Index (Springer Nature) publishes research-leader tables with

``Count``
    full counting: a unit gets 1 for every article with at least one author
    affiliated with it (the engine's ``full`` method, ``p_full``);
``Share``
    fractional counting: each article's credit of 1 is split equally among its
    authors, and each author's part equally among the author's affiliations (the
    engine's ``fractional`` method, ``p_frac``);
``adjusted Share``
    for year-on-year comparison, ``Share(y) * N(base) / N(y)`` where ``N(y)`` is the
    total Share of all articles in the data set in year ``y`` (the total weight of
    the year), so a unit's trend is not inflated by the growth of the journals;
parent roll-up
    child institutions (hospitals, institutes, campuses) are credited to their parent
    through a relationship table ``child_id, parent_id`` (for example exported from
    ROR's ``relationships``); chains roll up to the top ancestor; a record with
    authors at the parent and a child counts once for the parent in ``Count``;
joint institutions
    an institution run jointly by several partners (a joint laboratory) credits each
    partner in full, so the partners' totals exceed the data set's total: tables
    computed with joint credit are flagged ``non_additive``;
collaboration score (CS)
    between two units, the sum of their Shares on the records they co-authored.

References
----------
Nature Index, "Introduction to the Nature Index: Methodology" and "A guide to the
Nature Index" (Count, Share, adjusted Share, institutional hierarchy, joint
institutions, collaboration score), https://www.nature.com/nature-index/.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.entities.countries import country_names
from innometrics.errors import DataError
from innometrics.io.tables import read_csv_text
from innometrics.rankings.counting import (
    DECIMALS,
    Grouping,
    count_units,
    record_unit_credits,
    total_weight,
    unit_names,
)
from innometrics.rankings.credits import UNKNOWN

METHODS = {"count": "full", "share": "fractional"}


def _read_pairs(path: str | os.PathLike, left: str, right: str) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise DataError("mapping table not found", file=path, reason="not_found")
    df = read_csv_text(path, what="mapping table")
    missing = [c for c in (left, right) if c not in df.columns]
    if missing:
        raise DataError(f"needs columns '{left}' and '{right}'; missing {missing}; found {list(df.columns)}",
                        file=path, row=1, reason="schema")
    for col in (left, right):
        blank = df[df[col].str.strip() == ""]
        if len(blank):
            raise DataError(f"blank {col}", file=path, row=int(blank.index[0]) + 2, column=col, reason="missing_value")
    return df[[left, right]].apply(lambda s: s.str.strip()).drop_duplicates().reset_index(drop=True)


def read_relations(path: str | os.PathLike) -> pd.DataFrame:
    """Read a parent relationship table ``child_id, parent_id`` (CSV)."""
    return _read_pairs(path, "child_id", "parent_id")


def read_joint_institutions(path: str | os.PathLike) -> pd.DataFrame:
    """Read a joint-institution table ``joint_id, partner_id`` (one row per partner)."""
    return _read_pairs(path, "joint_id", "partner_id")


def top_ancestors(relations: pd.DataFrame, *, file=None) -> dict[str, str]:
    """Each child's top ancestor through ``child_id -> parent_id`` chains.

    Raises
    ------
    DataError
        When a child has two parents (``reason="duplicate_key"``) or the relations
        contain a cycle (``reason="cycle"``).

    Examples
    --------
    >>> rel = pd.DataFrame({"child_id": ["lab", "inst"], "parent_id": ["inst", "univ"]})
    >>> top_ancestors(rel)
    {'lab': 'univ', 'inst': 'univ'}
    """
    dup = relations[relations["child_id"].duplicated(keep=False)]
    if len(dup):
        child = dup["child_id"].iloc[0]
        raise DataError(f"child '{child}' has several parents ({', '.join(sorted(dup.loc[dup['child_id'] == child, 'parent_id']))}); "
                        f"give one parent per child (use a joint-institution table for shared institutions)",
                        file=file, column="child_id", reason="duplicate_key", failures=dup)
    parent = dict(zip(relations["child_id"], relations["parent_id"]))
    out = {}
    for child in parent:
        seen = [child]
        node = child
        while node in parent:
            node = parent[node]
            if node in seen:
                raise DataError(f"the parent relations form a cycle: {' -> '.join(seen + [node])}", file=file,
                                column="parent_id", reason="cycle")
            seen.append(node)
        out[child] = node
    return out


def institution_grouping(
    relations: pd.DataFrame | None = None,
    joints: pd.DataFrame | None = None,
    *,
    name: str = "parent_institution",
) -> tuple[Grouping, pd.DataFrame]:
    """A grouping of institution units onto their top parents and joint partners.

    A joint institution is mapped to every partner's top ancestor (a many-to-many
    mapping: the engine's grouping join then credits each partner in full). Returns
    the grouping and the mapping with a ``via_joint`` flag.
    """
    rows = []
    tops = top_ancestors(relations) if relations is not None and len(relations) else {}
    for child, top in tops.items():
        rows.append({"unit": child, "group": top, "via_joint": False})
    if joints is not None and len(joints):
        for joint, grp in joints.groupby("joint_id", sort=True):
            for partner in sorted(grp["partner_id"]):
                rows.append({"unit": joint, "group": tops.get(partner, partner), "via_joint": True})
    mapping = pd.DataFrame(rows, columns=["unit", "group", "via_joint"])
    mapping = mapping[~(mapping["unit"].isin(set(joints["joint_id"])) & ~mapping["via_joint"])] \
        if joints is not None and len(joints) else mapping
    mapping = mapping.drop_duplicates(["unit", "group"]).sort_values(["unit", "group"], kind="mergesort")
    mapping = mapping.reset_index(drop=True)
    return Grouping(name=name, base="institution", mapping=mapping[["unit", "group"]], unmapped="keep"), mapping


def research_leaders(
    loaded,
    level: str = "institution",
    *,
    rank_by: str = "share",
    period=None,
    relations: pd.DataFrame | None = None,
    joints: pd.DataFrame | None = None,
    grouping: Grouping | None = None,
) -> tuple[pd.DataFrame, dict]:
    """A research-leaders table: ``rank, unit, name, count, share, share_of_total, non_additive``.

    Parameters
    ----------
    rank_by : {"share", "count"}
        Nature Index ranks by Share by default.
    relations, joints : pandas.DataFrame, optional
        Parent roll-up and joint institutions (``level="institution"`` only).

    Returns
    -------
    table, summary
        ``summary["additive"]`` is False when joint credit makes the Shares sum to
        more than the total; each unit credited through a joint institution has
        ``non_additive = True``.
    """
    from innometrics.rankings.indicators import competition_rank

    if rank_by not in METHODS:
        from innometrics.errors import SpecError

        raise SpecError(f"rank_by must be 'share' or 'count'; got {rank_by!r}", key="nature_index.rank_by")
    mapping = None
    if relations is not None or joints is not None:
        if level != "institution":
            from innometrics.errors import SpecError

            raise SpecError("parent roll-up and joint institutions apply to the institution level",
                            key="nature_index.level")
        grouping, mapping = institution_grouping(relations, joints)
    counts = count_units(loaded, grouping.name if grouping else level, "fractional", period=period, grouping=grouping)
    total, n_records = total_weight(loaded, period=period)
    names = unit_names(loaded, "institution" if mapping is not None else level, period=period,
                       grouping=None if mapping is not None else grouping)
    table = counts[["unit", "p_full", "p_frac"]].rename(columns={"p_full": "count", "p_frac": "share"})
    table = table.merge(names, on="unit", how="left")
    if level == "country" and grouping is None:
        lookup = country_names()
        table["name"] = table["unit"].map(lookup).fillna(table["name"])
    joint_units = set(mapping.loc[mapping["via_joint"], "group"]) if mapping is not None else set()
    table["non_additive"] = table["unit"].isin(joint_units)
    table["share_of_total"] = table["share"] / total if total else np.nan
    col = rank_by
    known = table[table["unit"] != UNKNOWN].sort_values([col, "unit"], ascending=[False, True], kind="mergesort")
    known = known.assign(rank=pd.array(competition_rank(known[col].to_numpy()), dtype="Int64"))
    unknown = table[table["unit"] == UNKNOWN].assign(rank=pd.array([pd.NA] * int((table["unit"] == UNKNOWN).sum()),
                                                                  dtype="Int64"))
    table = pd.concat([known, unknown], ignore_index=True)
    table = table[["rank", "unit", "name", "count", "share", "share_of_total", "non_additive"]]
    sum_share = float(table["share"].sum())
    # each unit's Share is rounded to DECIMALS places (by up to half a unit of the last place), so
    # an additive table's Shares sum to the total only within that per unit, plus float noise
    # (a record with 30 authors at 30 institutions misses it by 1e-9); joint credit adds a whole
    # affiliation's Share
    tolerance = 0.5 * 10.0 ** -DECIMALS * len(table) + 1e-9 * max(1.0, total)
    summary = {"records": n_records, "total_weight": total, "sum_share": sum_share,
               "additive": bool(abs(sum_share - total) <= tolerance),
               "joint_credit": bool(joint_units), "rank_by": rank_by}
    return table, summary


def adjusted_share(
    loaded,
    level: str = "institution",
    *,
    base_year: int,
    years: tuple[int, int] | None = None,
    grouping: Grouping | None = None,
) -> pd.DataFrame:
    """Share per unit and year, and adjusted Share ``Share(y) * N(base) / N(y)``.

    ``N(y)`` is the total weight (Share of all records) of year ``y`` in the whole
    data set. Returns ``unit, year, count, share, n_year, adjusted_share`` sorted by
    unit and year.

    Raises
    ------
    DataError
        When the base year has no record (``N(base) = 0``).

    Examples
    --------
    With 100 records in 2015 and 125 in 2016, a Share of 10 in 2016 is an adjusted
    Share of 10 * 100 / 125 = 8 at 2015 levels.
    """
    df = count_units(loaded, grouping.name if grouping else level, "fractional", grouping=grouping, by_year=True,
                     period=years)
    n_base, _ = total_weight(loaded, period=int(base_year))
    if n_base == 0:
        raise DataError(f"base year {base_year} has no record; choose a year present in the data",
                        column="year", reason="empty_base_year")
    year_totals = {int(y): total_weight(loaded, period=int(y))[0] for y in sorted(df["year"].dropna().unique())}
    out = df[["unit", "year", "p_full", "p_frac"]].rename(columns={"p_full": "count", "p_frac": "share"}).copy()
    out["n_year"] = out["year"].map(lambda y: year_totals.get(int(y), np.nan) if pd.notna(y) else np.nan)
    out["adjusted_share"] = out["share"] * n_base / out["n_year"]
    out.attrs["base_year"] = int(base_year)
    out.attrs["n_base"] = n_base
    return out.sort_values(["unit", "year"], kind="mergesort").reset_index(drop=True)


def collaboration_scores(
    loaded,
    level: str = "institution",
    *,
    period=None,
    grouping: Grouping | None = None,
    units=None,
    min_records: int = 1,
) -> pd.DataFrame:
    """Collaboration score of every pair of units that co-authored records.

    ``CS(a, b) = sum_{r: a, b on r} (Share_a(r) + Share_b(r))`` with ``Share_u(r)``
    the fractional credit of unit ``u`` on record ``r``. Returns ``unit_a, unit_b,
    n_records, share_a, share_b, cs`` (``unit_a < unit_b``), sorted by ``cs``
    descending; ``unknown`` is left out; ``units`` restricts the pairs to those
    involving one of the given units.

    Examples
    --------
    A record with authors at A (Share 0.5) and B (Share 0.5) and a record with A (0.25),
    B (0.25) and C (0.5) give CS(A, B) = 0.5 + 0.5 + 0.25 + 0.25 = 1.5.
    """
    pairs = record_unit_credits(loaded, grouping.name if grouping else level, "fractional", period=period,
                                grouping=grouping)
    pairs = pairs[(pairs["unit"] != UNKNOWN) & (pairs["p_full"] > 0)][["record_key", "unit", "p_frac"]]
    both = pairs.merge(pairs, on="record_key", suffixes=("_a", "_b"))
    both = both[both["unit_a"] < both["unit_b"]]
    if units is not None:
        keep = set(units)
        both = both[both["unit_a"].isin(keep) | both["unit_b"].isin(keep)]
    out = both.groupby(["unit_a", "unit_b"], sort=True).agg(n_records=("record_key", "nunique"),
                                                            share_a=("p_frac_a", "sum"),
                                                            share_b=("p_frac_b", "sum")).reset_index()
    out["cs"] = (out["share_a"] + out["share_b"]).round(10)
    out = out[out["n_records"] >= min_records]
    return out.sort_values(["cs", "unit_a", "unit_b"], ascending=[False, True, True], kind="mergesort").reset_index(drop=True)


def collaboration_score(loaded, unit_a: str, unit_b: str, level: str = "institution", **kwargs) -> float:
    """CS between two units (0.0 when they share no record)."""
    a, b = sorted((unit_a, unit_b))
    df = collaboration_scores(loaded, level, units=[a], **kwargs)
    hit = df[(df["unit_a"] == a) & (df["unit_b"] == b)]
    return float(hit["cs"].iloc[0]) if len(hit) else 0.0
